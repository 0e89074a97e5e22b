//! The review's keys and answers: ↑↓ move, `p` marks an invoice paid today (it can be taken
//! back from the journal), `x` declines a request or rejects an invoice: a note first, then a
//! yes to a question naming the organization, the counterparty and the amount; `r` reads
//! again; Esc closes (or leaves the prompt).

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
        KeyCode::Up | KeyCode::Char('k') => view.move_by(-1),
        KeyCode::Down | KeyCode::Char('j') => view.move_by(1),
        KeyCode::PageUp => view.move_by(-page),
        KeyCode::PageDown => view.move_by(page),
        KeyCode::Home | KeyCode::Char('g') => view.cursor = 0,
        KeyCode::End | KeyCode::Char('G') => view.move_by(isize::MAX / 2),
        KeyCode::Char('r') => return open(app),
        KeyCode::Char('a') => return approve_in_qontos_app(app),
        KeyCode::Char('x') => {
            let row = view.cursor;
            if view
                .rows
                .get(row)
                .is_some_and(|r| matches!(r.state, RowState::Open | RowState::Failed(_)))
            {
                view.prompt = Some(Prompt::Note {
                    row,
                    input: Input::default(),
                });
            }
        }
        KeyCode::Char('p') => {
            let row = view.cursor;
            let Some(Row {
                item: Item::Invoice(invoice),
                state: RowState::Open | RowState::Failed(_),
            }) = view.rows.get(row).cloned()
            else {
                set_status(
                    app,
                    Notice::Text("p marks an invoice paid; this row is not one to mark".into()),
                    Tone::Warning,
                );
                return Vec::new();
            };
            let ticket = app.next_generation();
            let date = chrono::Utc::now().date_naive().to_string();
            if let Some(r) = app.review.as_mut().and_then(|v| v.rows.get_mut(row)) {
                r.state = RowState::Sending(ticket);
            }
            return vec![
                Job::Write(WriteAsk::Invoice {
                    ticket,
                    invoice: Box::new(invoice),
                    action: InvoiceAction::MarkPaid { date },
                })
                .into(),
            ];
        }
        _ => {}
    }
    Vec::new()
}

fn prompt_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let Some(view) = app.review.as_mut() else {
        return Vec::new();
    };
    let Some(prompt) = view.prompt.as_mut() else {
        return Vec::new();
    };
    match prompt {
        Prompt::Note { row, input } => match key.code {
            KeyCode::Esc => view.prompt = None,
            KeyCode::Enter => {
                let note = input.value().trim().to_string();
                if !note.is_empty() {
                    view.prompt = Some(Prompt::Confirm { row: *row, note });
                }
            }
            _ => {
                input.handle_event(&Event::Key(*key));
            }
        },
        Prompt::Confirm { row, note } => {
            let (row, note) = (*row, note.clone());
            view.prompt = None;
            if !matches!(key.code, KeyCode::Char('y') | KeyCode::Enter) {
                set_status(app, Notice::Text("nothing was sent".into()), Tone::Info);
                return Vec::new();
            }
            let Some(item) = app
                .review
                .as_ref()
                .and_then(|v| v.rows.get(row))
                .map(|r| r.item.clone())
            else {
                return Vec::new();
            };
            let ticket = app.next_generation();
            if let Some(r) = app.review.as_mut().and_then(|v| v.rows.get_mut(row)) {
                r.state = RowState::Sending(ticket);
            }
            let ask = match item {
                Item::Request(request) => WriteAsk::Decline {
                    ticket,
                    request: Box::new(request),
                    note,
                },
                Item::Invoice(invoice) => WriteAsk::Invoice {
                    ticket,
                    invoice: Box::new(invoice),
                    action: InvoiceAction::Reject { note, code: None },
                },
            };
            return vec![Job::Write(ask).into()];
        }
    }
    Vec::new()
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
