//! The full-text entries of the rows a batch adds, written in one statement once the batch is
//! in (schema 16). Through a trigger, each row's entry was its own FTS5 insert inside the
//! upsert's statement savepoint, and FTS5 writes its pending terms out at every savepoint: a
//! segment per row, merged again and again. Writing the 150,000 transactions of the backfill
//! benchmark took 6.4 s that way and 5.1 s this way (4.6 s with no full-text index at all).

use std::collections::HashSet;

use crate::BooksError;

/// Rows added but not yet in the full-text index.
#[derive(Default)]
pub(crate) struct NewText {
    rowids: Vec<i64>,
    pending: HashSet<i64>,
}

impl NewText {
    /// `rowid` was just inserted.
    pub(crate) fn added(&mut self, rowid: i64) {
        if self.pending.insert(rowid) {
            self.rowids.push(rowid);
        }
    }

    /// Whether `rowid` waits for its entry: it must have one before it is updated, since the
    /// update's trigger takes the row's old entry out.
    pub(crate) fn waits(&self, rowid: i64) -> bool {
        self.pending.contains(&rowid)
    }

    /// Writes the entries of every row waiting, in one statement.
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
        .execute([rowids])?;
        self.rowids.clear();
        self.pending.clear();
        Ok(())
    }
}
