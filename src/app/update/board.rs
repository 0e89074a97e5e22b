//! The month-end board's keys and answers: ↑↓ organizations, ←→ columns, `[` `]` months,
//! Enter opens the list behind the chosen cell (Esc there comes back), `r` counts again.

use crossterm::event::KeyEvent;

use super::super::board_view::{BoardView, Column};
use super::super::keymap::{Action, Mode};
use super::super::msg::{Cmd, Job};
use super::super::state::App;
use qonto_books::month_end::{next_month, previous_month};

/// Opens the board on the current month (kept as it was if it is open already) and counts it.
pub(super) fn open(app: &mut App) -> Vec<Cmd> {
    if app.board.is_none() {
        let now = chrono::Local::now();
        app.board = Some(BoardView::new(now.date_naive(), now.timestamp()));
    }
    ask(app)
}

/// Counts the board's month again (after a sync pass, a write, or `r`).
pub(super) fn ask(app: &mut App) -> Vec<Cmd> {
    let generation = app.next_generation();
    let Some(view) = app.board.as_mut() else {
        return Vec::new();
    };
    view.generation = generation;
    view.now_secs = chrono::Local::now().timestamp();
    vec![
        Job::MonthEnd {
            month: view.month,
            generation,
        }
        .into(),
    ]
}

/// The answer of `generation`, unless a newer one is awaited.
pub(super) fn read(
    app: &mut App,
    generation: u64,
    rows: Result<Vec<qonto_books::month_end::OrgMonth>, crate::app::local_error::LocalCopyError>,
) -> Vec<Cmd> {
    if let Some(view) = app.board.as_mut().filter(|v| v.generation == generation) {
        view.rows = Some(rows);
        view.move_row(0);
    }
    Vec::new()
}

/// A key while the board is shown on top; `None`: not the board's (quitting, help, the views
/// that replace it).
pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let page = app.page_rows.max(1) as isize;
    let action = app.keys.action(Mode::Main, key);
    let view = app.board.as_mut()?;
    match action {
        Some(Action::Down) => view.move_row(1),
        Some(Action::Up) => view.move_row(-1),
        Some(Action::PageDown) => view.move_row(page),
        Some(Action::PageUp) => view.move_row(-page),
        Some(Action::Home) => view.move_row(isize::MIN / 2),
        Some(Action::End) => view.move_row(isize::MAX / 2),
        Some(Action::NextTab) => view.move_column(1),
        Some(Action::PrevTab) => view.move_column(-1),
        Some(Action::PrevAccount) => {
            view.month = previous_month(view.month);
            return Some(ask(app));
        }
        Some(Action::NextAccount) => {
            view.month = next_month(view.month);
            return Some(ask(app));
        }
        Some(Action::Refresh | Action::RefreshAll) => return Some(ask(app)),
        Some(Action::Cancel | Action::Board) => app.board = None,
        _ if key.code == crossterm::event::KeyCode::Enter => return Some(open_cell(app)),
        Some(Action::Quit | Action::Help | Action::Palette) => return None,
        Some(
            Action::Search
            | Action::Receipts
            | Action::Cash
            | Action::Inbox
            | Action::Review
            | Action::Rules,
        ) => {
            app.board = None;
            return None;
        }
        _ => {}
    }
    Some(Vec::new())
}

/// Enter: the list behind the chosen cell, over the board (Esc there comes back to it).
fn open_cell(app: &mut App) -> Vec<Cmd> {
    let Some(view) = app.board.as_ref() else {
        return Vec::new();
    };
    let Some(org) = view.chosen() else {
        return Vec::new();
    };
    let month = view.month.format("%Y-%m");
    // The name quoted: it may hold spaces; a quote cannot be searched for, so it goes.
    let name = org.name.replace('"', " ");
    let query = match view.column {
        Column::Receipts => format!("missing:receipt {month} org:\"{name}\" "),
        Column::Uncategorized => format!("uncategorized {month} org:\"{name}\" "),
        Column::Invoices | Column::Requests => return super::review::open(app),
    };
    super::search::open(app, Some(&query))
}
