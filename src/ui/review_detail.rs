//! The lines under the review list about the row chosen: for a request, who asked, when, how
//! long ago and their note (approving needs Qonto's strong authentication: `a` opens Qonto's
//! app); for an invoice, its number, issue and due days (overdue said), file and matched
//! transactions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::fit;
use super::theme::Theme;
use crate::app::review_view::{Item, ReviewView};

/// Lines the detail takes, when the list has room for it.
pub const HEIGHT: u16 = 3;

pub fn draw(frame: &mut Frame, theme: &Theme, area: Rect, view: &ReviewView) {
    let Some(item) = view.rows.get(view.cursor).map(|r| &r.item) else {
        return;
    };
    let width = usize::from(area.width);
    let days = item.days_to(view.today);
    let lines = match item {
        Item::Request(r) => {
            let who = r.requester.as_deref().unwrap_or("a member");
            let age = match days {
                Some(0) => " (today)".to_string(),
                Some(1) => " (yesterday)".to_string(),
                Some(n) if n > 1 => format!(" ({n} days ago)"),
                _ => String::new(),
            };
            vec![
                Line::from(vec![
                    Span::styled(fit(&item.kind(), width), theme.title()),
                    Span::raw(fit(
                        &format!(
                            " · {} · {} · asked by {who} on {}{age}",
                            item.org_name(),
                            item.amount(),
                            item.day(),
                        ),
                        width,
                    )),
                ]),
                Line::raw(fit(
                    &format!("note: {}", r.request.note.as_deref().unwrap_or("—")),
                    width,
                )),
                Line::styled(
                    fit(
                        "a approve in Qonto's app (it needs strong authentication) · x decline with a note",
                        width,
                    ),
                    theme.key(),
                ),
            ]
        }
        Item::Invoice(i) => {
            let inv = &i.invoice;
            let (due, style) = match days {
                Some(n) if n > 0 => (format!("overdue by {n} days"), theme.error()),
                Some(0) => ("due today".to_string(), theme.warning()),
                Some(n) => (format!("due in {} days", -n), theme.dim()),
                None => ("no due date".to_string(), theme.dim()),
            };
            let matched = match inv.matched_transactions_ids.as_slice() {
                [] => "no transaction matched yet".to_string(),
                [one] => format!("matched to transaction {one}"),
                many => format!("matched to {} transactions", many.len()),
            };
            vec![
                Line::from(vec![
                    Span::styled(
                        fit(
                            &format!(
                                "invoice {} · {} · {} · ",
                                inv.invoice_number.as_deref().unwrap_or("(no number)"),
                                item.org_name(),
                                item.amount()
                            ),
                            width,
                        ),
                        theme.title(),
                    ),
                    Span::styled(due, style),
                ]),
                Line::raw(fit(
                    &format!(
                        "issued {} · due {} · {} · {matched}",
                        inv.issue_date.as_deref().unwrap_or("—"),
                        inv.due_date.as_deref().unwrap_or("—"),
                        inv.file_name.as_deref().unwrap_or("no file")
                    ),
                    width,
                )),
                Line::styled(
                    fit(
                        "p mark paid today (journal --undo takes it back) · x reject with a note",
                        width,
                    ),
                    theme.key(),
                ),
            ]
        }
    };
    frame.render_widget(Paragraph::new(lines), area);
}
