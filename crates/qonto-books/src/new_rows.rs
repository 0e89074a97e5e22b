//! What the rows a batch adds bring to the full-text index and the cash view's sums, written
//! once the batch is in, a statement each (schemas 16, 17 and 18), not by a trigger per row:
//! - each row's full-text entry was its own FTS5 insert inside the upsert's statement
//!   savepoint, and FTS5 writes its pending terms out at every savepoint: a segment per row,
//!   merged again and again. Writing the 150,000 transactions of the backfill benchmark took
//!   6.4 s that way and 5.1 s this way (4.6 s with no full-text index at all);
//! - each row added itself to its day's and its month's sums, two upserts a row; a batch's
//!   rows now add up per organization, day and currency first (`cash_add`);
//! - each row moved the transactions' version (schema 18), which made its insert write two
//!   tables and so keep a statement journal; the batch moves it once.

use std::collections::BTreeSet;

use crate::BooksError;
use crate::cash_add::{CashAdd, CashRow};

/// Rows added but not yet in the full-text index nor the cash sums: by rowid (in order: FTS5
/// takes its entries in rowid order best), and their sums added up.
#[derive(Default)]
pub(crate) struct NewRows {
    rowids: BTreeSet<i64>,
    cash: CashAdd,
}

impl NewRows {
    /// `rowid` was just inserted, with `row`'s values.
    pub(crate) fn added(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        rowid: i64,
        row: &CashRow<'_>,
    ) -> Result<(), BooksError> {
        self.rowids.insert(rowid);
        self.cash.add(tx, row)
    }

    /// Whether `rowid` waits: it must be counted in before it is updated, since the update's
    /// triggers take the row's old entry and old sums out.
    pub(crate) fn waits(&self, rowid: i64) -> bool {
        self.rowids.contains(&rowid)
    }

    /// Counts every row waiting in.
    pub(crate) fn write(&mut self, tx: &rusqlite::Transaction<'_>) -> Result<(), BooksError> {
        if self.rowids.is_empty() {
            return Ok(());
        }
        let rowids = serde_json::to_string(&self.rowids).unwrap_or_else(|_| "[]".into());
        tx.prepare_cached(
            "INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
             SELECT rowid, counterparty, label, reference, note FROM transactions
             WHERE rowid IN (SELECT value FROM json_each(?1))",
        )?
        .execute([&rowids])?;
        self.cash.write(tx)?;
        // What readers keep of the rows (a search's word matches) is now out of date.
        tx.prepare_cached("UPDATE changes SET version = version + 1 WHERE what = 'transactions'")?
            .execute([])?;
        self.rowids.clear();
        Ok(())
    }
}
