//! The receipts inbox's keys and answers: ↑↓ move, ←→ choose among candidates, Enter attaches
//! the shown transaction's receipt, Space marks, `A` attaches every marked one, `+` marks every
//! confident one, `u` undoes the last attach, `r` reads the folder again, Esc closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::inbox_view::{InboxError, InboxFound, InboxView, RowState};
use super::super::msg::{Cmd, Job, WriteAsk};
use super::super::state::{App, Notice, Tone};
use super::navigation::{quit, set_status};
use super::writing;

/// Opens the inbox (reading it again if it was open) and asks for its files.
pub(super) fn open(app: &mut App) -> Vec<Cmd> {
    // One view at a time, as `$` does.
    app.search = None;
    app.cash = None;
    let generation = app.next_generation();
    let folder = app.receipts_inbox.clone();
    if app.inbox.is_none() {
        app.inbox = app.inbox_closed.take();
    }
    match app.inbox.as_mut() {
        Some(view) => {
            view.generation = generation;
            view.reading = Some((0, 0, app.now));
        }
        None => app.inbox = Some(InboxView::new(folder.clone(), generation, app.now)),
    }
    vec![Job::ReadInbox { folder, generation }.into()]
}

/// Every key while the inbox is open, but those of the help and quitting.
pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    let page = app.page_rows.max(1) as isize;
    let Some(view) = app.inbox.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => app.close_inbox(),
        KeyCode::Up | KeyCode::Char('k') => view.move_by(-1),
        KeyCode::Down | KeyCode::Char('j') => view.move_by(1),
        KeyCode::PageUp => view.move_by(-page),
        KeyCode::PageDown => view.move_by(page),
        KeyCode::Home | KeyCode::Char('g') => view.cursor = 0,
        KeyCode::End | KeyCode::Char('G') => view.move_by(isize::MAX / 2),
        KeyCode::Left | KeyCode::Char('h') | KeyCode::Right | KeyCode::Char('l') => {
            let forward = matches!(key.code, KeyCode::Right | KeyCode::Char('l'));
            if let Some(row) = view.selected_mut() {
                row.step(forward);
            }
        }
        KeyCode::Char(' ') => {
            if let Some(row) = view.selected_mut()
                && row.is_open()
            {
                row.marked = !row.marked;
            }
            view.move_by(1);
        }
        KeyCode::Char('+') => {
            for row in view.rows.iter_mut().filter(|r| r.is_open()) {
                row.marked = row.confident();
            }
        }
        KeyCode::Enter => {
            let cursor = view.cursor;
            return attach_rows(app, &[cursor]);
        }
        KeyCode::Char('A') => {
            let marked: Vec<usize> = view
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.marked)
                .map(|(i, _)| i)
                .collect();
            if marked.is_empty() {
                set_status(
                    app,
                    Notice::Text(
                        "nothing is marked: Space marks a file, + every confident one".into(),
                    ),
                    Tone::Warning,
                );
                return Vec::new();
            }
            return attach_rows(app, &marked);
        }
        KeyCode::Char('u') => return writing::undo_last(app),
        KeyCode::Char('r') => return open(app),
        _ => {}
    }
    Vec::new()
}

/// Sends the chosen transaction of each of `rows` that is open and has one; says why the
/// others were not sent.
fn attach_rows(app: &mut App, rows: &[usize]) -> Vec<Cmd> {
    let mut asks = Vec::new();
    let mut unchosen = 0;
    for &index in rows {
        let ticket = app.next_generation();
        let Some(view) = app.inbox.as_mut() else {
            return Vec::new();
        };
        let folder = view.folder.clone();
        let Some(row) = view.rows.get_mut(index) else {
            continue;
        };
        if !row.is_open() {
            continue;
        }
        let Some(chosen) = row.chosen() else {
            unchosen += 1;
            continue;
        };
        let ask = WriteAsk::Attach {
            ticket,
            file: row.item.path.clone(),
            sha256: Some(row.item.sha256.clone()),
            transaction: chosen.candidate.id.clone(),
            inbox: Some(folder),
        };
        row.state = RowState::Sending(ticket);
        row.marked = false;
        asks.push(ask);
    }
    if unchosen > 0 {
        let words = if unchosen == 1 && asks.is_empty() {
            "no transaction is chosen for this file: ←→ step through its candidates".to_string()
        } else {
            format!(
                "{unchosen} file{} without a chosen transaction left as they are (←→ chooses one)",
                if unchosen == 1 { "" } else { "s" }
            )
        };
        set_status(app, Notice::Text(words), Tone::Warning);
    } else if asks.len() > 1 {
        set_status(
            app,
            Notice::Text(format!("attaching {} receipts…", asks.len())),
            Tone::Info,
        );
    }
    asks.into_iter().map(|a| Job::Write(a).into()).collect()
}

pub(super) fn progress(app: &mut App, generation: u64, read: usize, of: usize) -> Vec<Cmd> {
    if let Some(view) = app.inbox_mut()
        && view.generation == generation
        && let Some((r, o, _)) = view.reading.as_mut()
    {
        (*r, *o) = (read, of);
    }
    Vec::new()
}

pub(super) fn read(
    app: &mut App,
    generation: u64,
    result: Result<InboxFound, InboxError>,
) -> Vec<Cmd> {
    if let Some(view) = app.inbox_mut() {
        view.read(generation, result);
    }
    Vec::new()
}

#[cfg(test)]
#[path = "inbox_tests.rs"]
mod tests;
