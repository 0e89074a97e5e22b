//! The command palette over the screen: the words typed, then what they match, best first,
//! each with its kind and the key that does the same.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::fit;
use super::popup;
use super::theme::Theme;
use crate::app::command_palette::CommandPalette;

/// At most this many entries show at once (the list scrolls under the cursor).
const MOST_ROWS: u16 = 14;

pub fn draw(frame: &mut Frame, theme: &Theme, area: Rect, palette: &CommandPalette) {
    let width = area.width.saturating_sub(4).min(78);
    let rows = u16::try_from(palette.shown_count())
        .unwrap_or(u16::MAX)
        .clamp(1, MOST_ROWS);
    let height = (rows + 3).min(area.height.saturating_sub(2));
    // Near the top, as palettes are, so the screen under it stays readable.
    let top = Rect::new(area.x, area.y + 1, area.width, height);
    let title = format!(
        " : {} of {} · ↑↓ choose · Enter runs · Esc ",
        palette.shown_count(),
        palette.total()
    );
    let inner = popup::framed(frame, theme, top, (width, height), title);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let w = inner.width as usize;
    let typed = palette.input.value();
    let field_width = w.saturating_sub(2);
    let scroll = palette.input.visual_scroll(field_width);
    let visible: String = typed.chars().skip(scroll).take(field_width).collect();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("› ", theme.key()),
            Span::raw(visible),
        ])),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let cursor_x = palette.input.visual_cursor().saturating_sub(scroll) + 2;
    frame.set_cursor_position(Position::new(
        inner.x + u16::try_from(cursor_x.min(w.saturating_sub(1))).unwrap_or(0),
        inner.y,
    ));
    let list_rows = inner.height.saturating_sub(1) as usize;
    if list_rows == 0 {
        return;
    }
    if palette.shown_count() == 0 {
        frame.render_widget(
            Paragraph::new(Span::styled("  nothing matches these words", theme.dim())),
            Rect::new(inner.x, inner.y + 1, inner.width, 1),
        );
        return;
    }
    let first = palette.cursor.saturating_sub(list_rows - 1);
    let show_kind = w >= 56;
    let key_width = 9;
    let kind_width = if show_kind { 15 } else { 0 };
    let title_width = w.saturating_sub(2 + key_width + kind_width);
    let lines: Vec<Line> = palette
        .shown()
        .enumerate()
        .skip(first)
        .take(list_rows)
        .map(|(i, entry)| {
            let chosen = i == palette.cursor;
            let mark = if chosen { "› " } else { "  " };
            let mut spans = vec![
                Span::styled(mark, theme.key()),
                Span::raw(format!(
                    "{:<title_width$}",
                    fit(&entry.title, title_width.saturating_sub(1))
                )),
            ];
            if show_kind {
                spans.push(Span::styled(
                    format!("{:<kind_width$}", fit(entry.kind.word(), kind_width - 1)),
                    theme.dim(),
                ));
            }
            spans.push(Span::styled(
                format!("{:>key_width$}", fit(&entry.key, key_width)),
                theme.key(),
            ));
            let line = Line::from(spans);
            if chosen {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(
            inner.x,
            inner.y + 1,
            inner.width,
            inner.height.saturating_sub(1),
        ),
    );
}
