//! The first run without any way into Qonto: instead of a one-line error, what the app is and
//! the three ways in (the User flow, a membership consent, an API key), each with its exact
//! command, and the demo. On a terminal a screen says it (`d` starts the demo, `q` quits);
//! without one, the same words are printed.

use std::path::Path;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// What the person chose on the welcome screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Demo,
    Quit,
}

/// The welcome's words, naming the config file to write into.
pub fn words(config: &Path) -> String {
    format!(
        "Welcome to qonto-tui: all your Qonto organizations in one terminal.
Nothing tells it yet how to reach Qonto. There are three ways in:

1. One sign-in for all your organizations (Qonto's User OAuth flow, for an
   app Qonto approved; redirect URI http://127.0.0.1:18920/callback):
     export QONTO_CLIENT_ID=… QONTO_CLIENT_SECRET=…
     qonto-tui login
2. One organization per membership consent, with an OAuth app of your own:
     qonto-tui login --membership       (the same two variables)
3. One organization by its API key (Qonto: Settings, Integrations, API key):
     qonto-tui key add LOGIN            (the secret key is asked, not shown)

The variables can also go in the config file, as client_id = \"…\":
     {config}
To look around first, with made-up books and no Qonto account:
     qonto-tui --demo",
        config = config.display()
    )
}

/// Shows the welcome on the terminal until `d` or `q`; the terminal is restored after.
/// The welcome screen: `text` in a frame whose bottom line names the keys. No colour: it reads
/// the same on any terminal.
pub fn draw(frame: &mut ratatui::Frame, text: &str) {
    let area = frame.area();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" qonto-tui · welcome ")
        .title_bottom(Line::styled(
            " d start the demo · q quit ",
            Style::new().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines: Vec<Line> = text.lines().map(|l| Line::raw(l.to_string())).collect();
    let body = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

pub fn show(config: &Path) -> std::io::Result<Choice> {
    let text = words(config);
    let (mut terminal, _guard) = crate::tui::enter()?;
    loop {
        terminal.draw(|frame| draw(frame, &text))?;
        if let Event::Key(key) = event::read()?
            && key.kind == KeyEventKind::Press
        {
            match key.code {
                KeyCode::Char('d') => return Ok(Choice::Demo),
                KeyCode::Char('q') | KeyCode::Esc => return Ok(Choice::Quit),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    return Ok(Choice::Quit);
                }
                _ => {}
            }
        }
    }
}
