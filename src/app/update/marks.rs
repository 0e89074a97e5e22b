//! Marks in the search's results and what is done to the marked: `^T` marks the row (and moves
//! on), Shift-↑↓ marks while moving, `^X` marks every row listed (or clears them), `^G` opens the
//! category picker for the marked (or the row under the cursor), `^R` takes back the last
//! categorize. The picker takes every key while it is open: typing filters, ↑↓ choose, Enter
//! files, Esc closes. Control keys, since plain ones type into the query.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

use super::super::category_picker::CategoryPicker;
use super::super::marks::MarkedAmount;
use super::super::msg::{CategorizeDone, Cmd, Job, WriteAsk};
use super::super::state::{App, Notice, Tone};
use super::super::text;
use super::navigation::set_status;
use crate::outcome::WriteError;

/// The keys of marks and of the picker in the search's results; `None`: not one of them.
pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let view = app.search.as_mut()?;
    if view.detail.is_some() || view.form.is_some() {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Char('t') if ctrl => {
            let tx = view.selected().map(|f| f.tx.clone())?;
            view.marked.toggle(&tx);
            view.move_by(1);
            Some(Vec::new())
        }
        KeyCode::Up | KeyCode::Down if shift => {
            if let Some(tx) = view.selected().map(|f| f.tx.clone()) {
                view.marked.insert(&tx);
            }
            view.move_by(if key.code == KeyCode::Up { -1 } else { 1 });
            if let Some(tx) = view.selected().map(|f| f.tx.clone()) {
                view.marked.insert(&tx);
            }
            Some(Vec::new())
        }
        KeyCode::Char('x') if ctrl => {
            // Something marked: clear. Nothing: every match, listed or not (from the copy).
            if !view.marked.is_empty() {
                view.marked.clear();
                return Some(Vec::new());
            }
            // Every match is listed only once the query on screen is answered.
            if view.waiting_since.is_none() && view.total <= view.results.len() {
                for f in &view.results {
                    view.marked.insert(&f.tx);
                }
                return Some(Vec::new());
            }
            let (text, generation) = (view.input.value().to_string(), view.generation);
            Some(vec![Job::MarkAll { text, generation }.into()])
        }
        KeyCode::Char('g') if ctrl => {
            let transactions: Vec<String> = if view.marked.is_empty() {
                view.selected()
                    .map(|f| f.tx.id.clone())
                    .into_iter()
                    .collect()
            } else {
                view.marked.ids().cloned().collect()
            };
            if transactions.is_empty() {
                return Some(Vec::new());
            }
            Some(open_picker(app, transactions))
        }
        KeyCode::Char('r') if ctrl => Some(undo_last(app)),
        _ => None,
    }
}

/// The category picker for `transactions`, its names asked from the worker.
pub(super) fn open_picker(app: &mut App, transactions: Vec<String>) -> Vec<Cmd> {
    let ticket = app.next_generation();
    app.picker = Some(CategoryPicker::new(transactions.clone(), ticket));
    vec![
        Job::ListCategories {
            ticket,
            transactions,
        }
        .into(),
    ]
}

/// The picker takes every key while it is open.
pub(super) fn picker_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let Some(picker) = app.picker.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => app.picker = None,
        KeyCode::Up => picker.move_by(-1),
        KeyCode::Down => picker.move_by(1),
        KeyCode::PageUp => picker.move_by(-10),
        KeyCode::PageDown => picker.move_by(10),
        KeyCode::Enter => {
            if picker.names.is_none() {
                set_status(
                    app,
                    Notice::Text(
                        "The categories are still being read: Enter again once they show".into(),
                    ),
                    Tone::Info,
                );
                return Vec::new();
            }
            let Some(name) = picker.chosen() else {
                return Vec::new();
            };
            let transactions = picker.transactions.clone();
            let count = transactions.len();
            let ticket = app.next_generation();
            app.picker = None;
            set_status(
                app,
                Notice::Text(text::filing(count, name.as_deref())),
                Tone::Info,
            );
            return vec![
                Job::Write(WriteAsk::Categorize {
                    ticket,
                    transactions,
                    name,
                })
                .into(),
            ];
        }
        _ => {
            picker.input.handle_event(&Event::Key(*key));
            picker.cursor = 0;
        }
    }
    Vec::new()
}

/// `^R`: the last categorize of this run taken back.
pub(super) fn undo_last(app: &mut App) -> Vec<Cmd> {
    let Some(writes) = app.last_categorize.clone() else {
        set_status(
            app,
            Notice::Text(
                "nothing to take back: no category was set in this run (qonto-tui journal --undo N takes back an older one)"
                    .into(),
            ),
            Tone::Warning,
        );
        return Vec::new();
    };
    let ticket = app.next_generation();
    set_status(
        app,
        Notice::Text("putting the transactions back where they were…".into()),
        Tone::Info,
    );
    vec![Job::Write(WriteAsk::UndoCategorize { ticket, writes }).into()]
}

/// Every match of query `generation`, marked (if the query is still the one shown).
pub(super) fn all_matched(
    app: &mut App,
    generation: u64,
    result: Result<Vec<(String, MarkedAmount)>, super::super::local_error::LocalCopyError>,
) {
    let Some(view) = app.search.as_mut() else {
        return;
    };
    if view.generation != generation {
        return;
    }
    match result {
        Ok(ids) => view.marked.extend(ids),
        Err(why) => {
            let words = text::local_copy_error(&why);
            set_status(app, Notice::Text(words), Tone::Error);
        }
    }
}

/// The category names for a picker.
pub(super) fn listed(app: &mut App, ticket: u64, result: Result<Vec<String>, WriteError>) {
    if let Some(picker) = app.picker.as_mut()
        && picker.ticket == ticket
    {
        match result {
            Ok(names) => picker.names = Some(names),
            Err(e) => picker.error = Some(text::write_failed(&e)),
        }
    }
}

/// A categorize ended: said, remembered for `^R`, the marks cleared, the results read again.
pub(super) fn categorized(
    app: &mut App,
    ask: &WriteAsk,
    result: Result<CategorizeDone, WriteError>,
) -> Vec<Cmd> {
    match result {
        Ok(done) => {
            let tone = if done.failed.is_empty() && done.skipped.is_empty() {
                Tone::Success
            } else {
                Tone::Warning
            };
            match ask {
                WriteAsk::Categorize { .. } if !done.writes.is_empty() => {
                    app.last_categorize = Some(done.writes.clone());
                    if let Some(view) = app.search.as_mut() {
                        view.marked.clear();
                    } else {
                        app.tx_marks.clear();
                    }
                }
                WriteAsk::UndoCategorize { .. } => app.last_categorize = None,
                _ => {}
            }
            set_status(app, Notice::Text(text::categorized(ask, &done)), tone);
        }
        Err(e) => set_status(app, Notice::Text(text::write_failed(&e)), Tone::Error),
    }
    super::search::ask_again(app)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use tui_input::Input;

    use super::super::super::marks::MarkedAmount;
    use super::super::super::msg::{Cmd, Job};
    use super::super::super::search_view::SearchView;
    use super::super::super::state::App;

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn mark_all_while_the_query_is_on_its_way_asks_the_copy_for_every_match() {
        let now = Instant::now();
        let mut app = App::new(false, None, now);
        // An invalid partial query was answered at once (nothing listed); the whole one is
        // on its way.
        app.search = Some(SearchView {
            input: Input::new("side:debit".into()),
            generation: 7,
            waiting_since: Some(now),
            ..SearchView::default()
        });
        let cmds = super::on_key(&mut app, &ctrl('x')).unwrap_or_default();
        assert!(
            matches!(cmds.as_slice(), [Cmd::Job(Job::MarkAll { generation: 7, text })] if text == "side:debit"),
            "{cmds:?}"
        );
        let eur = |cents| MarkedAmount {
            currency: "EUR".into(),
            cents,
        };
        let two = vec![("a".into(), eur(-1_000)), ("b".into(), eur(250))];
        super::all_matched(&mut app, 7, Ok(two));
        super::all_matched(&mut app, 6, Ok(vec![("stale".into(), eur(1))]));
        let marked = &app.search.as_ref().unwrap().marked;
        assert_eq!(marked.len(), 2, "the stale answer is dropped");
        assert_eq!(marked.totals(), vec![("EUR".into(), -750)]);
        // ^X again clears; ^G with nothing marked and no row does nothing.
        super::on_key(&mut app, &ctrl('x'));
        assert!(app.search.as_ref().unwrap().marked.is_empty());
        assert_eq!(super::on_key(&mut app, &ctrl('g')), Some(Vec::new()));
    }
}
