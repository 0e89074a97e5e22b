//! The review's keys and answers: ↑↓ move; Space marks a row, Shift-↑↓ marks a range, `^X`
//! marks every open row (or clears the marks); `p` marks the marked invoices (or the one under
//! the cursor) paid today (each can be taken back from the journal); `x` declines the requests
//! and rejects the invoices: a note first, then a yes to a question naming each one's
//! organization, counterparty and amount; `r` reads again; Esc closes (or leaves the prompt).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::msg::{Cmd, Job, WriteAsk};
use super::super::review_view::{Item, Prompt, ReviewView, Row, RowState};
use super::super::state::{App, Notice, Tone};
use super::super::text;
use super::navigation::{quit, set_status};
use crate::outcome::{InvoiceAction, WriteError};

pub(super) fn open(app: &mut App) -> Vec<Cmd> {
    app.search = None;
    app.cash = None;
    app.close_inbox();
    let generation = app.next_generation();
    app.review = Some(ReviewView::new(generation, app.now));
    vec![Job::LoadReview { generation }.into()]
}

/// Approving needs Qonto's strong authentication, which only Qonto's app can do: `a` opens
/// it and says which request to approve there (never a fake approval).
fn approve_in_qontos_app(app: &mut App) -> Vec<Cmd> {
    let Some(item) = app.review.as_ref().and_then(|v| v.rows.get(v.cursor)) else {
        return Vec::new();
    };
    let Item::Request(_) = &item.item else {
        set_status(
            app,
            Notice::Text(
                "Supplier invoices are approved in Qonto's app; p marks one paid, x rejects it"
                    .into(),
            ),
            Tone::Info,
        );
        return Vec::new();
    };
    let said = format!(
        "Opened Qonto's app: approve the {} of {} ({}, {}) there, with strong authentication",
        item.item.kind(),
        item.item.org_name(),
        item.item.counterparty(),
        item.item.amount()
    );
    vec![
        Job::OpenLink {
            url: app.app_url.clone(),
            said,
        }
        .into(),
    ]
}

pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    let Some(view) = app.review.as_mut() else {
        return Vec::new();
    };
    if view.prompt.is_some() {
        return prompt_key(app, key);
    }
    let page = app.page_rows.max(1) as isize;
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => app.review = None,
        KeyCode::Up | KeyCode::Down if key.modifiers.contains(KeyModifiers::SHIFT) => {
            let from = view.cursor;
            view.move_by(if key.code == KeyCode::Up { -1 } else { 1 });
            let to = view.cursor;
            for row in [from, to] {
                if open_row(view, row) {
                    view.marked.insert(row);
                }
            }
        }
        KeyCode::Up | KeyCode::Char('k') => view.move_by(-1),
        KeyCode::Down | KeyCode::Char('j') => view.move_by(1),
        KeyCode::PageUp => view.move_by(-page),
        KeyCode::PageDown => view.move_by(page),
        KeyCode::Home | KeyCode::Char('g') => view.cursor = 0,
        KeyCode::End | KeyCode::Char('G') => view.move_by(isize::MAX / 2),
        KeyCode::Char('r') => return open(app),
        KeyCode::Char('a') => return approve_in_qontos_app(app),
        KeyCode::Char(' ') => {
            let row = view.cursor;
            if open_row(view, row) && !view.marked.remove(&row) {
                view.marked.insert(row);
            }
            view.move_by(1);
        }
        KeyCode::Char('x') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            // Something marked: clear. Nothing: every row still open.
            if view.marked.is_empty() {
                view.marked = (0..view.rows.len())
                    .filter(|r| open_row(view, *r))
                    .collect();
            } else {
                view.marked.clear();
            }
        }
        KeyCode::Char('x') => {
            let rows: Vec<usize> = view
                .targets()
                .into_iter()
                .filter(|r| open_row(view, *r))
                .collect();
            if !rows.is_empty() {
                view.prompt = Some(Prompt::Note {
                    rows,
                    input: Input::default(),
                });
            }
        }
        KeyCode::Char('p') => return mark_paid(app),
        _ => {}
    }
    Vec::new()
}

/// Whether `row` can still be acted on (nothing sent for it, or what was sent failed).
fn open_row(view: &ReviewView, row: usize) -> bool {
    view.rows
        .get(row)
        .is_some_and(|r| matches!(r.state, RowState::Open | RowState::Failed(_)))
}

/// `p`: the marked invoices (or the one under the cursor) marked paid today, each its own
/// write; it can be taken back from the journal.
fn mark_paid(app: &mut App) -> Vec<Cmd> {
    let Some(view) = app.review.as_ref() else {
        return Vec::new();
    };
    let rows: Vec<usize> = view
        .targets()
        .into_iter()
        .filter(|r| open_row(view, *r))
        .filter(|r| matches!(view.rows[*r].item, Item::Invoice(_)))
        .collect();
    if rows.is_empty() {
        set_status(
            app,
            Notice::Text("p marks invoices paid; nothing chosen is an invoice to mark".into()),
            Tone::Warning,
        );
        return Vec::new();
    }
    let date = chrono::Utc::now().date_naive().to_string();
    let mut cmds = Vec::new();
    for row in rows {
        let ticket = app.next_generation();
        let Some(view) = app.review.as_mut() else {
            break;
        };
        let Some(r) = view.rows.get_mut(row) else {
            continue;
        };
        let Item::Invoice(invoice) = r.item.clone() else {
            continue;
        };
        r.state = RowState::Sending(ticket);
        cmds.push(
            Job::Write(WriteAsk::Invoice {
                ticket,
                invoice: Box::new(invoice),
                action: InvoiceAction::MarkPaid { date: date.clone() },
            })
            .into(),
        );
    }
    if let Some(view) = app.review.as_mut() {
        view.marked.clear();
    }
    cmds
}

fn prompt_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let Some(view) = app.review.as_mut() else {
        return Vec::new();
    };
    let Some(prompt) = view.prompt.as_mut() else {
        return Vec::new();
    };
    match prompt {
        Prompt::Note { rows, input } => match key.code {
            KeyCode::Esc => view.prompt = None,
            KeyCode::Enter => {
                let note = input.value().trim().to_string();
                if !note.is_empty() {
                    let rows = std::mem::take(rows);
                    let einvoice = rows
                        .iter()
                        .any(|r| view.rows.get(*r).is_some_and(|row| row.item.is_einvoice()));
                    view.prompt = Some(if einvoice {
                        Prompt::Code {
                            rows,
                            note,
                            input: Input::default(),
                        }
                    } else {
                        Prompt::Confirm {
                            rows,
                            note,
                            code: None,
                        }
                    });
                }
            }
            _ => {
                input.handle_event(&Event::Key(*key));
            }
        },
        Prompt::Code { rows, note, input } => match key.code {
            KeyCode::Esc => view.prompt = None,
            KeyCode::Enter => {
                let code = input.value().trim().to_uppercase();
                let (rows, note) = (std::mem::take(rows), std::mem::take(note));
                view.prompt = Some(Prompt::Confirm {
                    rows,
                    note,
                    code: (!code.is_empty()).then_some(code),
                });
            }
            _ => {
                input.handle_event(&Event::Key(*key));
            }
        },
        Prompt::Confirm { rows, note, code } => {
            let (rows, note, code) = (std::mem::take(rows), note.clone(), code.clone());
            view.prompt = None;
            if !matches!(key.code, KeyCode::Char('y') | KeyCode::Enter) {
                set_status(app, Notice::Text("nothing was sent".into()), Tone::Info);
                return Vec::new();
            }
            return refuse(app, &rows, &note, code.as_deref());
        }
    }
    Vec::new()
}

/// Declines the requests and rejects the invoices of `rows` with `note` (and an e-invoice with
/// AFNOR reason `code`), each its own write.
fn refuse(app: &mut App, rows: &[usize], note: &str, code: Option<&str>) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for row in rows {
        let ticket = app.next_generation();
        let Some(r) = app.review.as_mut().and_then(|v| v.rows.get_mut(*row)) else {
            continue;
        };
        r.state = RowState::Sending(ticket);
        let note = note.to_string();
        let ask = match r.item.clone() {
            Item::Request(request) => WriteAsk::Decline {
                ticket,
                request: Box::new(request),
                note,
            },
            Item::Invoice(invoice) => WriteAsk::Invoice {
                ticket,
                // The reason code goes with the e-invoices only.
                action: InvoiceAction::Reject {
                    note,
                    code: code
                        .filter(|_| invoice.invoice.is_einvoice)
                        .map(String::from),
                },
                invoice: Box::new(invoice),
            },
        };
        cmds.push(Job::Write(ask).into());
    }
    if let Some(view) = app.review.as_mut() {
        view.marked.clear();
    }
    cmds
}

pub(super) fn loaded(
    app: &mut App,
    generation: u64,
    result: Result<(Vec<Item>, Vec<String>), WriteError>,
) {
    let Some(view) = app.review.as_mut() else {
        return;
    };
    if view.generation != generation {
        return;
    }
    view.loading = None;
    match result {
        Ok((items, unread)) => {
            view.rows = items
                .into_iter()
                .map(|item| Row {
                    item,
                    state: RowState::Open,
                })
                .collect();
            view.unread = unread;
            view.error = None;
        }
        Err(e) => view.error = Some(text::write_failed(&e)),
    }
    view.cursor = view.cursor.min(view.rows.len().saturating_sub(1));
}

pub(super) fn reviewed(app: &mut App, ask: &WriteAsk, result: Result<i64, WriteError>) {
    let done = match ask {
        WriteAsk::Decline { .. } => "declined",
        WriteAsk::Invoice {
            action: InvoiceAction::Reject { .. },
            ..
        } => "rejected",
        _ => "marked paid",
    };
    let words = match &result {
        Ok(write) => format!("{done} (write #{write})"),
        Err(e) => text::write_failed(e),
    };
    if let Some(row) = app
        .review
        .as_mut()
        .and_then(|v| v.row_for_ticket(ask.ticket()))
    {
        row.state = match result.as_ref() {
            Ok(_) => RowState::Done(words.clone()),
            Err(e) => RowState::Failed(e.clone()),
        };
    }
    let tone = if result.is_ok() {
        Tone::Success
    } else {
        Tone::Error
    };
    set_status(app, Notice::Text(words), tone);
}
