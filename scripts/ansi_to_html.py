"""Turns a `tmux capture-pane -e` dump (SGR colours and attributes) into a dark-terminal HTML page."""
import html
import re
import sys

PALETTE = ["#1d1f21", "#cc6666", "#b5bd68", "#f0c674", "#81a2be", "#b294bb", "#8abeb7", "#c5c8c6",
           "#666666", "#d54e53", "#b9ca4a", "#e7c547", "#7aa6da", "#c397d8", "#70c0b1", "#eaeaea"]
FG, BG = "#d0d0d0", "#16181a"


def xterm256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        return "#%02x%02x%02x" % tuple(0 if v == 0 else 55 + 40 * v for v in (n // 36, n // 6 % 6, n % 6))
    g = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (g, g, g)


def main():
    state = {"fg": None, "bg": None, "bold": False, "dim": False, "rev": False, "ul": False}
    out = []
    for line in sys.stdin.read().split("\n"):
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            m = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
            if m:
                codes = [int(c) if c else 0 for c in m.group(1).split(";")] or [0]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        state = {"fg": None, "bg": None, "bold": False, "dim": False, "rev": False, "ul": False}
                    elif c == 1: state["bold"] = True
                    elif c == 2: state["dim"] = True
                    elif c == 4: state["ul"] = True
                    elif c == 7: state["rev"] = True
                    elif c == 22: state["bold"] = state["dim"] = False
                    elif c == 24: state["ul"] = False
                    elif c == 27: state["rev"] = False
                    elif 30 <= c <= 37: state["fg"] = PALETTE[c - 30]
                    elif 90 <= c <= 97: state["fg"] = PALETTE[c - 90 + 8]
                    elif 40 <= c <= 47: state["bg"] = PALETTE[c - 40]
                    elif c == 39: state["fg"] = None
                    elif c == 49: state["bg"] = None
                    elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                        state["fg" if c == 38 else "bg"] = xterm256(codes[i + 2]); i += 2
                    i += 1
                continue
            if not part:
                continue
            fg, bg = state["fg"] or FG, state["bg"] or "transparent"
            if state["rev"]:
                fg, bg = (state["bg"] or BG), (state["fg"] or FG)
            style = f"color:{fg};background:{bg};"
            if state["bold"]: style += "font-weight:bold;"
            if state["dim"]: style += "opacity:.6;"
            if state["ul"]: style += "text-decoration:underline;"
            out.append(f'<span style="{style}">{html.escape(part)}</span>')
        out.append("\n")
    print(f"""<!doctype html><html><head><meta charset="utf-8"><style>
body{{margin:0;background:{BG};}}
pre{{margin:0;padding:12px 14px;font:14px/1.2 'DejaVu Sans Mono',monospace;color:{FG};}}
</style></head><body><pre>{''.join(out)}</pre></body></html>""")


if __name__ == "__main__":
    main()
