//! The welcome screen of a first run without a way in, drawn at 160×45, 80×24 and 60×20: the
//! three ways in and the demo are on screen whole (wrapped, never cut), without colour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn drawn(width: u16, height: u16) -> (String, bool) {
    let text = qonto_tui::welcome::words(std::path::Path::new(
        "/home/ada/.config/qonto-tui/config.toml",
    ));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| qonto_tui::welcome::draw(f, &text))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let coloured = buffer
        .content()
        .iter()
        .any(|c| c.fg != Color::Reset || c.bg != Color::Reset);
    (terminal.backend().to_string(), coloured)
}

#[test]
fn the_welcome_says_the_three_ways_in_and_the_demo_at_every_size() {
    for (width, height, name) in [(160, 45, "welcome_160x45"), (80, 24, "welcome_80x24_mono")] {
        let (screen, coloured) = drawn(width, height);
        assert!(!coloured, "no colour: it reads on any terminal");
        for must in [
            "qonto-tui login",
            "qonto-tui login --membership",
            "qonto-tui key add LOGIN",
            "qonto-tui --demo",
            "d start the demo",
        ] {
            assert!(screen.contains(must), "{width}×{height}: {must}\n{screen}");
        }
        insta::assert_snapshot!(name, screen);
    }
}
