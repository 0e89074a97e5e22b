//! The category picker, over the search or the Transactions tab: what is typed, the names that match (each once,
//! however many organizations have it), and how many transactions it files.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::fit;
use super::spinner;
use super::theme::Theme;
use crate::app::App;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let Some(picker) = &app.picker else { return };
    let width = area.width.saturating_sub(4).min(70);
    let height = area.height.saturating_sub(2).min(20);
    if width < 24 || height < 6 {
        return;
    }
    let n = picker.transactions.len();
    let title = format!(
        " Cash-flow category for {} transaction{} ",
        app.locale.count(n as i64),
        if n == 1 { "" } else { "s" }
    );
    let inner = super::popup::framed(frame, theme, area, (width, height), title);
    let inner_width = usize::from(inner.width);
    let field = inner_width.saturating_sub(2);
    let scroll = picker.input.visual_scroll(field);
    let typed: String = picker
        .input
        .value()
        .chars()
        .skip(scroll)
        .take(field)
        .collect();
    let mut lines = vec![Line::from(vec![
        Span::styled("› ", theme.title()),
        Span::raw(typed),
    ])];
    if let Some(why) = &picker.error {
        lines.push(Line::styled(fit(why, inner_width * 3), theme.error()));
    } else if picker.names.is_none() {
        lines.push(Line::styled(
            format!(
                "{} reading each organization's categories…",
                spinner(app.now.saturating_duration_since(app.started_at))
            ),
            theme.dim(),
        ));
    } else {
        let shown = picker.shown();
        let rows = usize::from(inner.height.saturating_sub(3));
        let first = picker.cursor.saturating_sub(rows.saturating_sub(1));
        for (i, name) in shown.iter().enumerate().skip(first).take(rows) {
            let style = if i == picker.cursor {
                theme.selected()
            } else {
                Style::new()
            };
            lines.push(Line::styled(fit(&format!(" {name}"), inner_width), style));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let hint = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
    frame.render_widget(
        Paragraph::new(fit(
            "type to filter · ↑↓ choose · Enter files them (each organization's own category) · Esc",
            inner_width,
        ))
        .style(theme.dim()),
        hint,
    );
    let x = picker.input.visual_cursor().saturating_sub(scroll) as u16 + 2;
    frame.set_cursor_position(((inner.x + x).min(inner.right().saturating_sub(1)), inner.y));
}
