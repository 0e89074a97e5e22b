//! The opened transaction's write prompts, over the search: the path of a receipt to attach
//! (Tab completes, what it could go on with listed under it), and "remove this receipt?",
//! naming the organization, counterparty and amount before anything is sent.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::format::fit;
use super::theme::Theme;
use crate::app::App;
use crate::app::search_view::{DetailAction, DetailView, SearchView};

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &SearchView) {
    let (Some(action), Some(DetailView::Ready(d))) = (&view.action, &view.detail) else {
        return;
    };
    let width = area.width.saturating_sub(4).min(90);
    if width < 20 || area.height < 6 {
        return;
    }
    let inner_width = usize::from(width.saturating_sub(2));
    let currency = d.tx.currency.as_deref().unwrap_or("EUR");
    let amount =
        d.tx.amount_cents
            .map(|c| app.locale.money(c, currency))
            .unwrap_or_default();
    let what = format!(
        "{} · {} · {amount}",
        d.org_name.as_deref().unwrap_or(&d.tx.org_id),
        d.tx.counterparty.as_deref().unwrap_or("?"),
    );
    let (title, lines, cursor) = match action {
        DetailAction::AttachPath { input, choices } => {
            let field = inner_width.saturating_sub(2);
            let scroll = input.visual_scroll(field);
            let shown: String = input.value().chars().skip(scroll).take(field).collect();
            let mut lines = vec![
                Line::styled(fit(&format!("to {what}"), inner_width), theme.dim()),
                Line::from(vec![Span::styled("› ", theme.title()), Span::raw(shown)]),
            ];
            for choice in choices.iter().take(6) {
                lines.push(Line::styled(
                    fit(&format!("  {choice}"), inner_width),
                    theme.dim(),
                ));
            }
            lines.push(Line::styled(
                "Tab completes · Enter attaches (PDF, JPEG or PNG, up to 15 MB) · Esc cancels",
                theme.dim(),
            ));
            let x = input.visual_cursor().saturating_sub(scroll) as u16 + 2;
            (" Attach a receipt ", lines, Some((x, 1u16)))
        }
        DetailAction::ConfirmDetach { index } => {
            let n = d.attachment_ids.len();
            let which = d
                .attachment_ids
                .get(*index)
                .map(|id| fit(id, 40))
                .unwrap_or_default();
            let lines = vec![
                Line::from(vec![
                    Span::raw("Remove a receipt from "),
                    Span::styled(what, theme.warning()),
                    Span::raw("?"),
                ]),
                Line::styled(
                    format!("receipt {} of {n}: {which}", index + 1),
                    theme.dim(),
                ),
                Line::styled(
                    "Qonto deletes the file from the transaction; to have it back, attach it again.",
                    theme.dim(),
                ),
                Line::styled(
                    if n > 1 {
                        "y or Enter removes it · ←→ another receipt · any other key cancels"
                    } else {
                        "y or Enter removes it · any other key cancels"
                    },
                    theme.key(),
                ),
            ];
            (" Remove a receipt ", lines, None)
        }
    };
    let height = (super::popup::wrapped_rows(&lines, inner_width) + 2).min(area.height);
    let inner = super::popup::framed(frame, theme, area, (width, height), title);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((
            (inner.x + x).min(inner.right().saturating_sub(1)),
            inner.y + y.min(inner.height.saturating_sub(1)),
        ));
    }
}
