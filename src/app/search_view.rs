//! The search across every organization, as the app holds it: the query being typed, the
//! results of the latest one answered, the cursor, and the transaction opened from them.

use super::local_error::LocalCopyError;
use std::cell::Cell;
use std::time::Instant;

use tui_input::Input;

use crate::outcome::{Placed, ReceiptsError};
use qonto_books::{Detail, Found};

/// Results asked for per query: several screens, few enough to come back within a frame.
pub const RESULTS: usize = 200;
/// Matches counted up to this many: one past the results ("500+"), which costs nothing more.
pub const COUNT_UP_TO: usize = RESULTS + 1;

/// Whether two query texts are the same search (spaces apart).
pub fn same_query(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

#[derive(Debug, Default)]
pub struct SearchView {
    pub input: Input,
    /// The generation of the latest query sent; older answers are dropped.
    pub generation: u64,
    /// Since when the latest query is awaited (`None`: answered).
    pub waiting_since: Option<Instant>,
    pub results: Vec<Found>,
    /// How many match in all (counted up to `COUNT_UP_TO`).
    pub total: usize,
    /// Of the query on screen: how many match in all and what they add up to per currency,
    /// read once its results are here (`None` until then).
    pub totals: Option<qonto_books::Totals>,
    /// The order of the query on screen.
    pub sort: qonto_books::query::Sort,
    /// Why there are no results: the query cannot be read, or the books cannot be searched.
    pub error: Option<LocalCopyError>,
    pub cursor: usize,
    pub scroll: Cell<usize>,
    /// The transaction opened with Enter.
    pub detail: Option<DetailView>,
    /// The results are grouped by organization (`sort:org`): its name shows once per group.
    pub grouped: bool,
    /// What became of the opened transaction's receipts (fetching: `None` inside).
    pub receipts: Option<Option<Result<Placed, ReceiptsError>>>,
    /// The filters as a form (Tab), and the line being filled in.
    pub form: Option<(crate::app::search_form::Form, usize)>,
    /// A write being asked about the opened transaction.
    pub action: Option<DetailAction>,
    /// Opened with Enter on the Transactions tab: only the detail shows, closing it goes back
    /// to the tab, ↑↓ step through the tab's rows.
    pub from_tab: bool,
    /// Lines of the detail scrolled past (PgDn, PgUp), when it does not fit the screen.
    pub detail_scroll: usize,
    /// `y` was pressed in the detail: the next key says what to copy.
    pub copying: bool,
    /// Transactions marked (by id), kept while the query changes.
    pub marked: super::marks::Marks,
    /// The name of the view to save the query as, being typed (^S).
    pub saving: Option<Input>,
    /// Which search of the history is shown (0: the newest), while ↑ steps through them.
    pub history_at: Option<usize>,
    /// What was typed before ↑ went into the history, given back by ↓ past the newest.
    pub typed: String,
}

/// A write about the opened transaction, waiting for a person.
#[derive(Debug)]
pub enum DetailAction {
    /// The path of a receipt to attach, being typed (Tab completes; `choices` are what it
    /// could go on with).
    AttachPath { input: Input, choices: Vec<String> },
    /// "Remove this receipt?", about its `index`-th attachment.
    ConfirmDetach { index: usize },
}

#[derive(Debug)]
pub enum DetailView {
    Loading { id: String },
    Ready(Box<Detail>),
    Failed(LocalCopyError),
}

impl SearchView {
    pub fn selected(&self) -> Option<&Found> {
        self.results.get(self.cursor)
    }

    /// Moves the cursor by `delta` rows, within the results.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.results.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// An answer to query `generation`; an older one is dropped.
    pub fn answered(
        &mut self,
        generation: u64,
        result: Result<(Vec<Found>, usize), LocalCopyError>,
    ) {
        if generation != self.generation {
            return;
        }
        self.waiting_since = None;
        self.totals = None;
        match result {
            Ok((results, total)) => {
                self.results = results;
                self.total = total;
                self.error = None;
            }
            Err(why) => {
                self.results.clear();
                self.total = 0;
                self.error = Some(why);
            }
        }
        self.cursor = self.cursor.min(self.results.len().saturating_sub(1));
    }
}
