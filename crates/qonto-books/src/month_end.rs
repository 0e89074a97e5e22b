//! The month-end board from the books: for one month, each organization's receipts (how many
//! of the transactions that need one have it), transactions left uncategorized, supplier
//! invoices and requests waiting, and when it was last synced. Counted by SQLite over the
//! month's rows (the `(org_key, sort_at)` index), not read row by row.

use chrono::{Datelike, NaiveDate};

use super::{Books, BooksError};

/// One organization's row of the board.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgMonth {
    pub id: String,
    pub name: String,
    /// Transactions of the month that moved money (declined ones left out).
    pub transactions: usize,
    /// Of those, how many need a receipt, and how many of these have one (or are declared
    /// lost).
    pub receipts_needed: usize,
    pub receipts_complete: usize,
    /// Transactions of the month without a cash-flow category.
    pub uncategorized: usize,
    /// Supplier invoices waiting now (to review, to approve, to pay), as last listed.
    pub invoices_waiting: usize,
    /// Requests pending now, as last listed.
    pub requests_pending: usize,
    /// When the organization was last synced (Unix seconds), if ever.
    pub synced_at: Option<i64>,
}

impl OrgMonth {
    /// Receipts complete, in whole percent (100 when none is needed).
    pub fn receipts_percent(&self) -> u32 {
        if self.receipts_needed == 0 {
            return 100;
        }
        // Rounded down: 99.6 % is not complete.
        u32::try_from(self.receipts_complete * 100 / self.receipts_needed).unwrap_or(100)
    }

    pub fn receipts_missing(&self) -> usize {
        self.receipts_needed.saturating_sub(self.receipts_complete)
    }
}

/// The supplier invoices' statuses that wait for someone.
pub const INVOICES_WAITING: [&str; 3] = ["to_review", "to_approve", "awaiting_payment"];

/// The first day of `day`'s month.
pub fn first_day(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the month after `month`'s.
pub fn next_month(month: NaiveDate) -> NaiveDate {
    let (y, m) = if month.month() == 12 {
        (month.year() + 1, 1)
    } else {
        (month.year(), month.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(month)
}

/// The first day of the month before `month`'s.
pub fn previous_month(month: NaiveDate) -> NaiveDate {
    let (y, m) = if month.month() == 1 {
        (month.year() - 1, 12)
    } else {
        (month.year(), month.month() - 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(month)
}

impl Books {
    /// The board for the month holding `month` (any day of it), one row per organization, by
    /// name.
    pub fn month_end(&self, month: NaiveDate) -> Result<Vec<OrgMonth>, BooksError> {
        let first = first_day(month);
        let (from, to) = (
            first.format("%Y-%m-%d").to_string(),
            next_month(first).format("%Y-%m-%d").to_string(),
        );
        let mut orgs = self.db.prepare_cached(
            "SELECT id, name, synced_at FROM organizations ORDER BY name COLLATE NOCASE, id",
        )?;
        let mut rows: Vec<OrgMonth> = orgs
            .query_map([], |r| {
                Ok(OrgMonth {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    synced_at: r.get(2)?,
                    ..OrgMonth::default()
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut counts = self.db.prepare_cached(concat!(
            "SELECT count(*),
                 coalesce(sum(attachment_required = 1), 0),
                 coalesce(sum(attachment_required = 1 AND missing_receipt = 0), 0),
                 coalesce(sum(cashflow_category IS NULL), 0)
             FROM transactions
             WHERE org_key = ",
            key_of!("?1"),
            " AND sort_at >= ?2 AND sort_at < ?3
               AND status IS NOT 'declined'"
        ))?;
        let mut waiting = self.db.prepare_cached(
            "SELECT coalesce(sum(kind = 'supplier_invoice' AND status IN (?2, ?3, ?4)), 0),
                 coalesce(sum(kind = 'request' AND status = 'pending'), 0)
             FROM review_items WHERE org_id = ?1",
        )?;
        let count = |r: &rusqlite::Row, i| -> rusqlite::Result<usize> {
            Ok(usize::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
        };
        for row in &mut rows {
            (
                row.transactions,
                row.receipts_needed,
                row.receipts_complete,
                row.uncategorized,
            ) = counts.query_row(rusqlite::params![row.id, from, to], |r| {
                Ok((count(r, 0)?, count(r, 1)?, count(r, 2)?, count(r, 3)?))
            })?;
            let [a, b, c] = INVOICES_WAITING;
            (row.invoices_waiting, row.requests_pending) = waiting
                .query_row(rusqlite::params![row.id, a, b, c], |r| {
                    Ok((count(r, 0)?, count(r, 1)?))
                })?;
        }
        Ok(rows)
    }
}
