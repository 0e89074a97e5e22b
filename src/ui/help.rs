//! The help overlay, generated from the key map so it always tells the truth.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Mode, Section};

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let mut lines = Vec::new();
    for (section, heading) in [
        (Section::Lists, "Moving"),
        (Section::DataPane, "Data pane"),
        (Section::Everywhere, "Everywhere"),
    ] {
        lines.push(Line::from(Span::styled(heading, theme.header())));
        for b in app.keys.in_section(section) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<8}", b.label()), theme.key()),
                Span::raw(b.help),
            ]));
        }
        if section != Section::Everywhere {
            lines.push(Line::from(""));
        }
    }
    // What the marks on the organizations' rows say.
    lines.push(Line::from(Span::styled(
        "Rows: ↻ syncing · ! sync failed · ●N new · ⚠N missing receipts",
        theme.dim(),
    )));
    let close = app.keys.label(Mode::Help, Action::Cancel);
    lines.push(Line::from(Span::styled(
        format!("Mouse: click selects, the wheel scrolls.  Any of {close} closes this."),
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
    // Taller than the screen: it scrolls, and says so and where it is.
    let inner = height.saturating_sub(2) as usize;
    let max = lines.len().saturating_sub(inner);
    app.scroll.help_max.set(max);
    let first = app.scroll.help.get().min(max);
    let mut block = Block::bordered()
        .title(Span::styled(" Keys ", theme.title()))
        .border_style(theme.border_focused());
    if max > 0 {
        let keys = format!(
            " {}/{} scroll · {}–{} of {} ",
            app.keys.first_key(Mode::Main, Action::Down),
            app.keys.first_key(Mode::Main, Action::Up),
            first + 1,
            (first + inner).min(lines.len()),
            lines.len()
        );
        block = block.title_bottom(Line::from(Span::styled(keys, theme.dim())).right_aligned());
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((first.min(u16::MAX as usize) as u16, 0)),
        popup,
    );
}
