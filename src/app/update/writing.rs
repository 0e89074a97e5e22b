//! Writes asked from the screen and their answers: attaching a receipt by its path from the
//! detail (with completion), detaching one after a confirmation that names the organization,
//! counterparty and amount, `u` taking back the last attach; and what each answer changes (the
//! inbox row, the detail, the search's lists, the status line).

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::msg::{Cmd, Job, WriteAsk, Written};
use super::super::search_view::{DetailAction, DetailView};
use super::super::state::{App, Notice, Tone};
use super::super::text;
use super::navigation::set_status;
use crate::outcome::WriteError;

/// `u`: takes back the last attach of this run (removes exactly the attachment it made).
pub(super) fn undo_last(app: &mut App) -> Vec<Cmd> {
    let Some((write, words)) = app.last_attach.clone() else {
        set_status(
            app,
            Notice::Text(text::NOTHING_TO_UNDO.into()),
            Tone::Warning,
        );
        return Vec::new();
    };
    let ticket = app.next_generation();
    set_status(
        app,
        Notice::Text(format!("taking back the receipt attached to {words}…")),
        Tone::Info,
    );
    vec![Job::Write(WriteAsk::Undo { ticket, write }).into()]
}

/// Keys of the opened transaction that write: `a` attach a file, `D` detach one, `u` undo;
/// and, while one of their prompts is open, every key. `None`: not one of these.
pub(super) fn detail_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let view = app.search.as_mut()?;
    let Some(DetailView::Ready(detail)) = &view.detail else {
        return None;
    };
    if let Some(action) = view.action.as_mut() {
        return Some(match action {
            DetailAction::AttachPath { input, choices } => match key.code {
                KeyCode::Esc => {
                    view.action = None;
                    Vec::new()
                }
                KeyCode::Tab => vec![
                    Job::CompletePath {
                        text: input.value().to_string(),
                    }
                    .into(),
                ],
                KeyCode::Enter => {
                    let typed = input.value().trim().to_string();
                    if typed.is_empty() {
                        return Some(Vec::new());
                    }
                    let transaction = detail.tx.id.clone();
                    view.action = None;
                    let file = crate::path_complete::expand(&typed);
                    let inbox = file
                        .parent()
                        .filter(|p| *p == app.receipts_inbox)
                        .map(std::path::Path::to_path_buf);
                    let ticket = app.next_generation();
                    set_status(
                        app,
                        Notice::Text(format!(
                            "attaching {}…",
                            qonto_client::printable::printable(&typed, 120)
                        )),
                        Tone::Info,
                    );
                    vec![
                        Job::Write(WriteAsk::Attach {
                            ticket,
                            file,
                            sha256: None,
                            transaction,
                            inbox,
                        })
                        .into(),
                    ]
                }
                _ => {
                    input.handle_event(&Event::Key(*key));
                    choices.clear();
                    Vec::new()
                }
            },
            DetailAction::ConfirmDetach { index } => match key.code {
                KeyCode::Char('y') | KeyCode::Enter => {
                    let attachment = detail.attachment_ids.get(*index).cloned();
                    let transaction = detail.tx.id.clone();
                    view.action = None;
                    let Some(attachment) = attachment else {
                        return Some(Vec::new());
                    };
                    let ticket = app.next_generation();
                    set_status(
                        app,
                        Notice::Text("removing the receipt…".into()),
                        Tone::Info,
                    );
                    vec![
                        Job::Write(WriteAsk::Detach {
                            ticket,
                            transaction,
                            attachment,
                        })
                        .into(),
                    ]
                }
                KeyCode::Left | KeyCode::Right => {
                    let n = detail.attachment_ids.len().max(1);
                    *index = if key.code == KeyCode::Right {
                        (*index + 1) % n
                    } else {
                        (*index + n - 1) % n
                    };
                    Vec::new()
                }
                KeyCode::Char('c')
                    if key
                        .modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    return None;
                }
                _ => {
                    view.action = None;
                    Vec::new()
                }
            },
        });
    }
    match key.code {
        KeyCode::Char('a') => {
            let start = format!("{}/", app.receipts_inbox.display());
            view.action = Some(DetailAction::AttachPath {
                input: Input::new(start),
                choices: Vec::new(),
            });
            Some(Vec::new())
        }
        KeyCode::Char('D') => {
            if detail.attachment_ids.is_empty() {
                set_status(
                    app,
                    Notice::Text("this transaction has no receipt to remove".into()),
                    Tone::Warning,
                );
            } else {
                view.action = Some(DetailAction::ConfirmDetach { index: 0 });
            }
            Some(Vec::new())
        }
        KeyCode::Char('u') => Some(undo_last(app)),
        _ => None,
    }
}

/// A completion of the path being typed, if it is still what was typed.
pub(super) fn completed(app: &mut App, asked: &str, completed: String, choices: Vec<String>) {
    if let Some(view) = app.search.as_mut()
        && let Some(DetailAction::AttachPath {
            input,
            choices: shown,
        }) = view.action.as_mut()
        && input.value() == asked
    {
        *input = Input::new(completed);
        *shown = choices;
    }
}

/// A write's answer: the row or detail that asked shows it, the status line says it, and
/// what lists transactions is read again.
pub(super) fn written(
    app: &mut App,
    ask: &WriteAsk,
    result: Result<Box<Written>, WriteError>,
) -> Vec<Cmd> {
    if let Some(row) = app.inbox_mut().and_then(|v| v.row_for_ticket(ask.ticket())) {
        row.state = match &result {
            Ok(done) => super::super::inbox_view::RowState::Done {
                outcome: done.outcome.clone(),
                words: done.words.clone(),
                moved: done.moved.clone(),
            },
            Err(why) => super::super::inbox_view::RowState::Failed(why.clone()),
        };
    }
    let (words, tone) = match &result {
        Ok(done) => {
            match ask {
                WriteAsk::Attach { .. } if !done.outcome.already => {
                    app.last_attach = Some((done.outcome.write, done.words.clone()));
                }
                WriteAsk::Undo { write, .. } => {
                    if app.last_attach.as_ref().is_some_and(|(w, _)| w == write) {
                        app.last_attach = None;
                    }
                    if let Some(view) = app.inbox_mut() {
                        view.taken_back(*write);
                    }
                }
                _ => {}
            }
            (text::written(ask, done), Tone::Success)
        }
        Err(why) => (text::write_failed(why), Tone::Error),
    };
    set_status(app, Notice::Text(words), tone);
    let mut cmds = Vec::new();
    if let Ok(done) = &result {
        cmds.extend(reread(app, &done.transaction));
    }
    cmds
}

/// An accepted upload is now attached: its row says so, and the lists are read again.
pub(super) fn confirmed(app: &mut App, write: i64) -> Vec<Cmd> {
    if let Some(view) = app.inbox_mut() {
        view.confirmed(write);
    }
    if app.last_attach.as_ref().is_some_and(|(w, _)| *w == write) {
        set_status(
            app,
            Notice::Text(format!("write #{write}: Qonto now shows the receipt")),
            Tone::Success,
        );
    }
    let open = match app.search.as_ref().and_then(|v| v.detail.as_ref()) {
        Some(DetailView::Ready(d)) => Some(d.tx.id.clone()),
        _ => None,
    };
    open.map(|id| reread(app, &id)).unwrap_or_default()
}

/// Writes an earlier run left, finished at the first write of this one.
pub(super) fn earlier(app: &mut App, finished: usize, failed: Option<(usize, WriteError)>) {
    let (words, tone) = match failed {
        Some((n, first)) => (
            format!(
                "{n} write{} left by an earlier run could not be finished: {}",
                if n == 1 { "" } else { "s" },
                text::write_failed(&first)
            ),
            Tone::Error,
        ),
        None => (
            format!(
                "finished {finished} write{} an earlier run left (qonto-tui journal lists them)",
                if finished == 1 { "" } else { "s" }
            ),
            Tone::Info,
        ),
    };
    set_status(app, Notice::Text(words), tone);
}

/// The search's results and the opened transaction are read again (a write changed them).
pub(super) fn reread(app: &mut App, transaction: &str) -> Vec<Cmd> {
    let mut cmds = super::search::ask_again(app);
    if let Some(view) = app.search.as_mut()
        && matches!(&view.detail, Some(DetailView::Ready(d)) if d.tx.id == transaction)
    {
        view.detail = Some(DetailView::Loading {
            id: transaction.to_string(),
        });
        cmds.push(
            Job::Detail {
                id: transaction.to_string(),
            }
            .into(),
        );
    }
    cmds
}
