//! The receipts inbox as the app holds it: the files of the inbox folder, what the matcher
//! proposes for each, which transaction a person chose, the marks, and how far each write
//! came. Nothing here is attached on a guess: a row is sent only when a person confirms the
//! transaction it shows, which is the matcher's confident one or a candidate they stepped to.

use std::cell::Cell;
use std::path::PathBuf;
use std::time::Instant;

use super::local_error::LocalCopyError;
use crate::outcome::WriteError;
use crate::outcome::WriteOutcome as Outcome;
use crate::outcome::{InboxItem as Item, KeepError, Skipped};
use qonto_books::journal::WriteState;
use qonto_books::matching::{Proposal, Scored};

/// The inbox read and matched.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxFound {
    pub items: Vec<Item>,
    pub skipped: Vec<Skipped>,
    /// Transactions that miss a receipt, every organization: what was matched against.
    pub candidates: usize,
}

/// Why the inbox could not be read.
#[derive(Debug, Clone)]
pub enum InboxError {
    /// The folder is missing or unreadable.
    Folder {
        path: PathBuf,
        cause: String,
    },
    LocalCopy(LocalCopyError),
}

/// How far a row's write came.
#[derive(Debug, Clone)]
pub enum RowState {
    /// Nothing sent.
    Open,
    /// Asked of the worker (ticket), not answered yet.
    Sending(u64),
    /// Qonto accepted or showed it; where the file went.
    Done {
        outcome: Outcome,
        words: String,
        moved: Option<Result<PathBuf, KeepError>>,
    },
    Failed(WriteError),
}

/// One file of the inbox.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub item: Item,
    /// Which of [`InboxRow::choices`] is chosen (`None`: none yet).
    pub pick: Option<usize>,
    pub marked: bool,
    pub state: RowState,
}

impl InboxRow {
    fn new(item: Item) -> Self {
        let pick = matches!(item.proposal, Proposal::Confident(_)).then_some(0);
        Self {
            item,
            pick,
            marked: false,
            state: RowState::Open,
        }
    }

    /// The transactions this file could be the receipt of, best first.
    pub fn choices(&self) -> &[Scored] {
        match &self.item.proposal {
            Proposal::Confident(best) => std::slice::from_ref(best.as_ref()),
            Proposal::Candidates { candidates } => candidates,
        }
    }

    /// The transaction chosen for it, if one is.
    pub fn chosen(&self) -> Option<&Scored> {
        self.choices().get(self.pick?)
    }

    /// Whether the matcher proposed one transaction clearly.
    pub fn confident(&self) -> bool {
        matches!(self.item.proposal, Proposal::Confident(_))
    }

    /// Whether it may still be sent (not on its way, not done).
    pub fn is_open(&self) -> bool {
        matches!(self.state, RowState::Open | RowState::Failed(_))
    }

    /// Steps the choice through the candidates (forward or back), from none to the first.
    pub fn step(&mut self, forward: bool) {
        let n = self.choices().len();
        if n == 0 || !self.is_open() {
            return;
        }
        self.pick = Some(match (self.pick, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        });
    }
}

/// The inbox view, while it is open.
#[derive(Debug)]
pub struct InboxView {
    pub folder: PathBuf,
    pub generation: u64,
    /// Files read so far, of how many, while the inbox is being read; since when.
    pub reading: Option<(usize, usize, Instant)>,
    pub error: Option<InboxError>,
    pub rows: Vec<InboxRow>,
    pub skipped: Vec<Skipped>,
    pub candidates: usize,
    pub cursor: usize,
    pub scroll: Cell<usize>,
}

impl InboxView {
    pub fn new(folder: PathBuf, generation: u64, now: Instant) -> Self {
        Self {
            folder,
            generation,
            reading: Some((0, 0, now)),
            error: None,
            rows: Vec::new(),
            skipped: Vec::new(),
            candidates: 0,
            cursor: 0,
            scroll: Cell::new(0),
        }
    }

    /// The answer to read `generation`; an older one is dropped. Rows already sent keep
    /// their state (a new read of the same file keeps what became of it).
    pub fn read(&mut self, generation: u64, result: Result<InboxFound, InboxError>) {
        if generation != self.generation {
            return;
        }
        self.reading = None;
        match result {
            Ok(found) => {
                let before = std::mem::take(&mut self.rows);
                self.rows = found
                    .items
                    .into_iter()
                    .map(|item| {
                        before
                            .iter()
                            .find(|r| r.item.sha256 == item.sha256 && !r.is_open())
                            .cloned()
                            .unwrap_or_else(|| InboxRow::new(item))
                    })
                    .collect();
                // What was attached and moved away stays listed, said as done.
                for row in before {
                    let gone = !self.rows.iter().any(|r| r.item.sha256 == row.item.sha256);
                    if gone && matches!(row.state, RowState::Done { .. }) {
                        self.rows.push(row);
                    }
                }
                self.skipped = found.skipped;
                self.candidates = found.candidates;
                self.error = None;
            }
            Err(why) => self.error = Some(why),
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    pub fn selected_mut(&mut self) -> Option<&mut InboxRow> {
        self.rows.get_mut(self.cursor)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// The row waiting for `ticket`'s answer.
    pub fn row_for_ticket(&mut self, ticket: u64) -> Option<&mut InboxRow> {
        self.rows
            .iter_mut()
            .find(|r| matches!(r.state, RowState::Sending(t) if t == ticket))
    }

    /// Marks an accepted upload's row as attached, now that Qonto shows it.
    pub fn confirmed(&mut self, write: i64) {
        for row in &mut self.rows {
            if let RowState::Done { outcome, .. } = &mut row.state
                && outcome.write == write
            {
                outcome.state = WriteState::Confirmed;
            }
        }
    }

    /// Attach `write` was taken back: its row says so.
    pub fn taken_back(&mut self, write: i64) {
        for row in &mut self.rows {
            if let RowState::Done { outcome, .. } = &mut row.state
                && outcome.write == write
            {
                outcome.state = WriteState::Undone;
            }
        }
    }

    /// Marked rows, and the total of their chosen transactions in cents per currency.
    pub fn marked_total(&self) -> (usize, Vec<(String, i64)>) {
        let mut totals: Vec<(String, i64)> = Vec::new();
        let mut count = 0;
        for row in self.rows.iter().filter(|r| r.marked) {
            count += 1;
            if let Some(chosen) = row.chosen() {
                let c = &chosen.candidate;
                match totals.iter_mut().find(|(cur, _)| *cur == c.currency) {
                    Some((_, sum)) => *sum = sum.saturating_add(c.amount_cents),
                    None => totals.push((c.currency.clone(), c.amount_cents)),
                }
            }
        }
        (count, totals)
    }
}
