//! The help overlay, generated from the key map so it always tells the truth.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;
use crate::app::keymap::{BINDINGS, Context};

pub fn draw(frame: &mut Frame, theme: &Theme) {
    let area = frame.area();
    let mut lines = Vec::new();
    for (context, heading) in [
        (Context::Lists, "Moving"),
        (Context::DataPane, "Data pane"),
        (Context::Everywhere, "Everywhere"),
    ] {
        lines.push(Line::from(Span::styled(heading, theme.header())));
        for b in BINDINGS.iter().filter(|b| b.context == context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<8}", b.label), theme.key()),
                Span::raw(b.help),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        "Mouse: click selects, the wheel scrolls.  Any of ? Esc q closes this.",
        theme.dim(),
    )));
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 64.min(area.width);
    let popup = Rect::new(
        (area.width - width) / 2,
        (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Span::styled(" Keys ", theme.title()))
        .border_style(theme.border_focused());
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
