//! Text from outside the process made safe to print: control characters (escape sequences, bells,
//! carriage returns, C1 controls, bidirectional overrides) removed, and the length bounded, so
//! that a server's words can reach a terminal or a log without commanding either.

/// `text` without control or bidirectional-formatting characters, at most `max_chars` long
/// (cut with "…"). Line breaks and tabs become spaces.
pub fn printable(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    let mut count = 0;
    for c in text.chars() {
        let c = match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || is_bidi_control(c) => continue,
            c => c,
        };
        if count == max_chars {
            out.push('…');
            break;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Characters that reorder what follows them on screen (the "Trojan Source" ones).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_bells_and_overrides_are_removed_and_length_bounded() {
        assert_eq!(
            printable("\u{1b}]0;pwned\u{7}\u{1b}[31mred\u{9b}2J\u{202E}txt", 100),
            "]0;pwned[31mred2Jtxt"
        );
        assert_eq!(printable("a\r\nb\tc", 100), "a  b c");
        assert_eq!(printable("abcdef", 3), "abc…");
        assert_eq!(printable("abc", 3), "abc");
        assert_eq!(printable("Café ✓", 10), "Café ✓");
    }
}
