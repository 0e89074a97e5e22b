//! Terminal setup and restore: raw mode, alternate screen, mouse and bracketed paste on entry;
//! all of it undone on every exit path, panics included.

use std::io::{Stdout, stdout};
use std::sync::Once;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

static PANIC_HOOK: Once = Once::new();

/// Restores the terminal when dropped, whatever the way out.
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal in TUI mode. Keep the guard alive as long as the UI runs.
pub fn enter() -> std::io::Result<(Term, TerminalGuard)> {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
    enable_raw_mode()?;
    let guard = TerminalGuard;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    Ok((terminal, guard))
}

/// Takes the terminal again after a suspension.
pub fn resume(mouse_capture: bool) -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    set_mouse_capture(mouse_capture);
    Ok(())
}

/// Clears the screen and forgets what was drawn, so that the next frame is painted whole (after a
/// resume, or another program drew over the screen). `Terminal::clear` is not used: it asks the
/// terminal for the cursor position, whose answer the event reader would swallow.
pub fn repaint_all(terminal: &mut Term) -> std::io::Result<()> {
    execute!(stdout(), Clear(ClearType::All))?;
    *terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    Ok(())
}

/// Asks the terminal to put `text` on the system clipboard (OSC 52). Terminals that do not
/// support it ignore the sequence.
pub fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

/// Asks the terminal for a desktop notification: OSC 9 (iTerm2, WezTerm, Windows Terminal,
/// kitty) or OSC 777 (foot, urxvt, Konsole). `text` is ours, but is stripped all the same: a
/// control character would end the sequence early.
pub fn notify(how: crate::app::msg::Notify, text: &str) {
    use std::io::Write;
    let text = qonto_client::printable::printable(text, 200);
    let mut out = stdout();
    let _ = match how {
        crate::app::msg::Notify::Osc9 => write!(out, "\x1b]9;{text}\x07"),
        crate::app::msg::Notify::Osc777 => write!(out, "\x1b]777;notify;qonto-tui;{text}\x07"),
    };
    let _ = out.flush();
}

/// Leaves TUI mode; safe to call more than once.
pub fn restore() {
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

pub fn set_mouse_capture(on: bool) {
    let _ = if on {
        execute!(stdout(), EnableMouseCapture)
    } else {
        execute!(stdout(), DisableMouseCapture)
    };
}
