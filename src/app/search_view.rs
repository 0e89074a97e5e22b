//! The search across every organization, as the app holds it: the query being typed, the
//! results of the latest one answered, the cursor, and the transaction opened from them.

use super::local_error::LocalCopyError;
use std::cell::Cell;
use std::time::Instant;

use tui_input::Input;

use crate::outcome::{Placed, ReceiptsError};
use qonto_books::{Detail, Found};

/// Results asked for with each key typed: a screenful and some. Each result's row is read
/// from the books, and over 5,000,000 stored with cold pages that was about 0.17 ms a row: 200
/// a key took 46 ms, 60 took 23. More are read as the cursor nears the last ([`MORE_AHEAD`]).
pub const FIRST_RESULTS: usize = 64;
/// At most this many results are listed; past them the totals line still counts every match.
pub const MOST_RESULTS: usize = 2_048;
/// The cursor this many rows from the last result read asks for more.
const MORE_AHEAD: usize = 16;

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
    /// How many match in all, counted up to one past the results asked for: more than the
    /// results means more match.
    pub total: usize,
    /// How many results the latest ask of this query wanted.
    pub asked: usize,
    /// More results of the query on screen are being read (the cursor neared the last).
    pub asking_more: bool,
    /// The rows of results the screen showed when last drawn.
    pub rows_on_screen: Cell<usize>,
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

    /// How many results to ask for, when more match than were read and the cursor nears the
    /// last of them (or the screen has room for more): twice as many, up to [`MOST_RESULTS`].
    pub fn more_wanted(&self) -> Option<usize> {
        let read = self.results.len();
        let near_the_end = self.cursor + MORE_AHEAD >= read || read < self.rows_on_screen.get();
        let more = self.waiting_since.is_none()
            && !self.asking_more
            && self.error.is_none()
            && self.total > read
            && read == self.asked
            && read < MOST_RESULTS
            && near_the_end;
        more.then(|| (read * 2).clamp(FIRST_RESULTS, MOST_RESULTS))
    }

    /// Moves the cursor by `delta` rows, within the results.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.results.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// The generation of the query whose answer is on screen, if it is answered.
    pub fn answered_generation(&self) -> Option<u64> {
        self.waiting_since.is_none().then_some(self.generation)
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
        // More of the same query keep its totals (read once, for every match).
        if !std::mem::take(&mut self.asking_more) {
            self.totals = None;
        }
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
