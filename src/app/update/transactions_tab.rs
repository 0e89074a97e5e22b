//! The Transactions tab's own keys: Enter opens the transaction's detail (the search's, read
//! from the local copy), `y` copies the row; marks as in the search: Space marks the row under the cursor (and
//! moves down), Shift-↑↓ marks a range, `^X` marks every row listed (or clears the marks),
//! `^G` opens the category picker for the marked (or the row under the cursor), `^R` takes the
//! last categorize back; the count and
//! the marked total show on the tab's top line. Marks are kept by transaction id, so they stay
//! while pages load or the account changes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::listed::ListedTransaction;
use super::super::marks::MarkedAmount;
use super::super::msg::{Cmd, Job};
use super::super::search_view::{DetailView, SearchView};
use super::super::state::{App, Focus, Screen, Tab};
use super::navigation::move_by;

/// The transaction under the cursor of the Transactions tab, and every one listed there.
fn listed(app: &App) -> Option<(Option<&ListedTransaction>, &[ListedTransaction])> {
    let org = app.selected_org_id()?;
    let account = app.current_account(&org)?;
    let list = app.data.get(&org)?.transactions.get(&account)?;
    let cursor = app.cursors_for(&org).transaction;
    Some((list.items.get(cursor), list.items.as_slice()))
}

fn selected(app: &App) -> Option<(String, MarkedAmount)> {
    let (tx, _) = listed(app)?;
    let tx = tx?;
    Some((tx.id()?.to_string(), MarkedAmount::of_listed(tx)))
}

/// The detail of the transaction under the tab's cursor, as the search shows it.
pub(super) fn open_detail(app: &mut App) -> Vec<Cmd> {
    let Some((id, _)) = selected(app) else {
        return Vec::new();
    };
    app.search = Some(SearchView {
        detail: Some(DetailView::Loading { id: id.clone() }),
        from_tab: true,
        ..SearchView::default()
    });
    vec![Job::Detail { id }.into()]
}

/// The keys of marks in the Transactions tab; `None`: not one of them (or not there).
pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let here = app.screen == Screen::Main
        && app.focus == Focus::Data
        && app.tab == Tab::Transactions
        && app.filter.is_none()
        && app.row_filter.is_none()
        && app.search.is_none()
        && app.cash.is_none();
    if !here {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Enter if !ctrl => Some(open_detail(app)),
        KeyCode::Char('y') if !ctrl => {
            let tx = listed(app).and_then(|(tx, _)| tx.cloned())?;
            Some(super::copying::tab_row(app, &tx))
        }
        KeyCode::Char(' ') if !ctrl => {
            let (id, amount) = selected(app)?;
            app.tx_marks.toggle_id(&id, amount);
            Some(move_by(app, 1))
        }
        KeyCode::Up | KeyCode::Down if shift => {
            if let Some((id, amount)) = selected(app) {
                app.tx_marks.insert_id(&id, amount);
            }
            let cmds = move_by(app, if key.code == KeyCode::Up { -1 } else { 1 });
            if let Some((id, amount)) = selected(app) {
                app.tx_marks.insert_id(&id, amount);
            }
            Some(cmds)
        }
        KeyCode::Char('x') if ctrl => {
            if app.tx_marks.is_empty() {
                let all: Vec<(String, MarkedAmount)> = listed(app)
                    .map(|(_, items)| {
                        items
                            .iter()
                            .filter_map(|t| Some((t.id()?.to_string(), MarkedAmount::of_listed(t))))
                            .collect()
                    })
                    .unwrap_or_default();
                app.tx_marks.extend(all);
            } else {
                app.tx_marks.clear();
            }
            Some(Vec::new())
        }
        KeyCode::Char('r') if ctrl => Some(super::marks::undo_last(app)),
        KeyCode::Char('g') if ctrl => {
            let transactions: Vec<String> = if app.tx_marks.is_empty() {
                selected(app).map(|(id, _)| id).into_iter().collect()
            } else {
                app.tx_marks.ids().cloned().collect()
            };
            if transactions.is_empty() {
                return Some(Vec::new());
            }
            Some(super::marks::open_picker(app, transactions))
        }
        _ => None,
    }
}
