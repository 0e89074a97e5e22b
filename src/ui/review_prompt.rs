//! The prompts of a decline or a rejection, of one row or of every marked one: the note, then
//! the question naming each one's organization, amount, kind and counterparty (the first ones,
//! then how many more and their total), since Qonto cannot take any of them back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::format::fit;
use super::theme::Theme;
use crate::app::review_view::{Item, Prompt, ReviewView};

/// Items named one per line before "and N more".
const NAMED: usize = 6;

pub fn draw(frame: &mut Frame, theme: &Theme, area: Rect, view: &ReviewView, prompt: &Prompt) {
    let rows = prompt.rows();
    let items: Vec<&Item> = rows
        .iter()
        .filter_map(|r| view.rows.get(*r).map(|row| &row.item))
        .collect();
    let width = area.width.saturating_sub(4).min(90);
    if items.is_empty() || width < 24 || area.height < 8 {
        return;
    }
    let inner_width = usize::from(width - 2);
    let requests = items
        .iter()
        .filter(|i| matches!(i, Item::Request(_)))
        .count();
    let verb = match (requests, items.len() - requests) {
        (_, 0) => "Decline",
        (0, _) => "Reject",
        _ => "Decline and reject",
    };
    // Organization and amount first: they must show, however long the rest.
    let mut named: Vec<Line> = items
        .iter()
        .take(NAMED)
        .map(|item| {
            Line::styled(
                fit(
                    &format!(
                        "{} · {} · {} · {}",
                        item.org_name(),
                        item.amount(),
                        item.kind(),
                        item.counterparty()
                    ),
                    inner_width,
                ),
                theme.warning(),
            )
        })
        .collect();
    if items.len() > NAMED {
        named.push(Line::styled(
            fit(&format!("…and {} more", items.len() - NAMED), inner_width),
            theme.warning(),
        ));
    }
    if items.len() > 1 {
        named.push(Line::styled(
            fit(
                &format!("{} in all, {}", items.len(), total(&items)),
                inner_width,
            ),
            theme.title(),
        ));
    }
    let listed = named.len() as u16;
    let (title, mut lines, cursor) = match prompt {
        Prompt::Note { input, .. } => {
            let (typed, x) = field(theme, input, inner_width);
            let mut lines = named;
            lines.push(typed);
            lines.push(Line::styled(
                "Qonto shows the note to the member · Enter next · Esc cancel",
                theme.dim(),
            ));
            (format!(" {verb}: why? "), lines, Some(x))
        }
        Prompt::Code { input, .. } => {
            let (typed, x) = field(theme, input, inner_width);
            let mut lines = named;
            lines.push(typed);
            lines.push(Line::styled(
                fit(
                    "a French e-invoice is rejected only with its AFNOR reason code (since 2026-09-01) · empty: none · Enter next · Esc cancel",
                    inner_width * 2,
                ),
                theme.dim(),
            ));
            (
                " AFNOR reason code for the e-invoice ".to_string(),
                lines,
                Some(x),
            )
        }
        Prompt::Confirm { note, code, .. } => {
            let mut lines = Vec::new();
            if let [one] = items.as_slice() {
                // One: the question names it.
                lines.push(Line::from(vec![
                    Span::raw(format!("{verb} ")),
                    Span::styled(
                        format!(
                            "{} · {} · {} · {}",
                            one.org_name(),
                            one.amount(),
                            one.kind(),
                            one.counterparty()
                        ),
                        theme.warning(),
                    ),
                    Span::raw("?"),
                ]));
            } else {
                lines.push(Line::raw(format!("{verb} these {}?", items.len())));
                lines.extend(named);
            }
            let reason = code
                .as_deref()
                .map(|c| format!(" · reason code {c}"))
                .unwrap_or_default();
            lines.push(Line::styled(
                fit(&format!("note: {note}{reason}"), inner_width * 2),
                theme.dim(),
            ));
            lines.push(Line::styled(
                if items.len() == 1 {
                    "Qonto cannot take this back."
                } else {
                    "Qonto cannot take any of these back."
                },
                theme.warning(),
            ));
            lines.push(Line::styled(
                "y or Enter sends it · any other key cancels",
                theme.key(),
            ));
            (format!(" {verb}? "), lines, None)
        }
    };
    let height = (super::popup::wrapped_rows(&lines, inner_width) + 2).min(area.height);
    let inner = super::popup::framed(frame, theme, area, (width, height), title);
    lines.truncate(usize::from(inner.height.max(1)) * 2);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some(x) = cursor {
        frame.set_cursor_position((
            (inner.x + x).min(inner.right().saturating_sub(1)),
            (inner.y + listed).min(inner.bottom().saturating_sub(1)),
        ));
    }
}

/// A text field in `width` columns: its line (`› ` and what shows of the text) and where its
/// cursor is on it.
fn field(theme: &Theme, input: &tui_input::Input, width: usize) -> (Line<'static>, u16) {
    let room = width.saturating_sub(2);
    let scroll = input.visual_scroll(room);
    let typed: String = input.value().chars().skip(scroll).take(room).collect();
    let line = Line::from(vec![Span::styled("› ", theme.title()), Span::raw(typed)]);
    let x = u16::try_from(input.visual_cursor().saturating_sub(scroll) + 2).unwrap_or(u16::MAX);
    (line, x)
}

/// What `items` add up to, per currency: `4,800.77 EUR + 120.00 USD`.
fn total(items: &[&Item]) -> String {
    let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
    for (currency, cents) in items.iter().filter_map(|i| i.cents()) {
        let sum = sums.entry(currency).or_default();
        *sum = sum.saturating_add(cents);
    }
    sums.iter()
        .map(|(currency, cents)| {
            let sign = if *cents < 0 { "-" } else { "" };
            let c = cents.unsigned_abs();
            format!("{sign}{}.{:02} {currency}", c / 100, c % 100)
        })
        .collect::<Vec<_>>()
        .join(" + ")
}
