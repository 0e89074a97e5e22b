//! The cash view's sums the books keep as rows are written (schema 15): the user's own IBANs
//! they split transfers by, noting when that set changed, and working the sums out again.

use std::collections::BTreeSet;

use rusqlite::Connection;

use super::{Books, BooksError};

/// Every own IBAN the books hold, compacted.
pub(crate) fn own_ibans(db: &Connection) -> Result<BTreeSet<String>, BooksError> {
    let mut q = db.prepare_cached("SELECT DISTINCT iban FROM own_ibans")?;
    let rows = q.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Notes `org_id`'s account IBANs (its accounts just written) among the user's own; when the
/// set of own IBANs changes while transactions are stored, the sums are stale: a transfer
/// summed as a stranger's may now be between the user's own accounts, or the other way.
pub(crate) fn note_own_ibans(db: &Connection, org_id: &str) -> Result<(), BooksError> {
    let before = own_ibans(db)?;
    db.execute("DELETE FROM own_ibans WHERE org_id = ?1", [org_id])?;
    db.execute(crate::cash_sql::NOTE_OWN_IBANS, [org_id])?;
    if own_ibans(db)? != before {
        db.execute(
            "UPDATE cash_state SET stale = 1 WHERE EXISTS (SELECT 1 FROM transactions)",
            [],
        )?;
    }
    Ok(())
}

impl Books {
    /// Whether the kept sums can be read as they stand (not stale).
    pub(crate) fn cash_sums_current(&self) -> Result<bool, BooksError> {
        let stale: bool =
            self.db
                .query_row("SELECT stale FROM cash_state WHERE id = 1", [], |r| {
                    r.get(0)
                })?;
        Ok(!stale)
    }

    /// Works the cash view's sums out again from every row when they are stale; says whether
    /// it had to. One read of every stored transaction, so it runs where a sync pass ends,
    /// not on each page: until then the cash view reads the rows themselves.
    pub fn bring_cash_up_to_date(&mut self) -> Result<bool, BooksError> {
        if self.cash_sums_current()? {
            return Ok(false);
        }
        let tx = self.db.transaction()?;
        tx.execute_batch(crate::cash_sql::CASH_REBUILD)?;
        tx.commit()?;
        Ok(true)
    }
}
