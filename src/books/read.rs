//! Reading the books: windowed pages of an account's transactions (memory independent of how
//! many are stored), counts, accounts, and full-text matches.

use rusqlite::{Row, params};

use super::{Books, BooksError};

/// A stored transaction, as lists and exports need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRow {
    pub id: String,
    pub org_id: String,
    pub account_id: String,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub side: Option<String>,
    pub status: Option<String>,
    pub operation_type: Option<String>,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub emitted_at: Option<String>,
    pub settled_at: Option<String>,
    pub updated_at: Option<String>,
}

/// A stored bank account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub org_id: String,
    pub name: Option<String>,
    pub currency: Option<String>,
    pub balance_cents: Option<i64>,
}

const TX_COLUMNS: &str = "t.id, t.org_id, t.account_id, t.amount_cents, t.currency, t.side,
    t.status, t.operation_type, t.counterparty, t.reference, t.note, t.emitted_at,
    t.settled_at, t.updated_at";

fn tx_row(r: &Row) -> rusqlite::Result<TxRow> {
    Ok(TxRow {
        id: r.get(0)?,
        org_id: r.get(1)?,
        account_id: r.get(2)?,
        amount_cents: r.get(3)?,
        currency: r.get(4)?,
        side: r.get(5)?,
        status: r.get(6)?,
        operation_type: r.get(7)?,
        counterparty: r.get(8)?,
        reference: r.get(9)?,
        note: r.get(10)?,
        emitted_at: r.get(11)?,
        settled_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

impl Books {
    /// `limit` transactions of an account from `offset`, newest first.
    pub fn transactions_page(
        &self,
        account_id: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<TxRow>, BooksError> {
        let mut q = self.db.prepare_cached(&format!(
            "SELECT {TX_COLUMNS} FROM transactions t WHERE t.account_id = ?1
             ORDER BY t.sort_at DESC, t.id LIMIT ?2 OFFSET ?3"
        ))?;
        let rows = q.query_map(params![account_id, limit as i64, offset as i64], tx_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn transaction_count(&self, account_id: &str) -> Result<i64, BooksError> {
        Ok(self.db.query_row(
            "SELECT count(*) FROM transactions WHERE account_id = ?1",
            [account_id],
            |r| r.get(0),
        )?)
    }

    /// Every stored transaction's count, across organizations.
    pub fn total_transactions(&self) -> Result<i64, BooksError> {
        Ok(self
            .db
            .query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))?)
    }

    pub fn accounts(&self, org_id: &str) -> Result<Vec<AccountRow>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, org_id, name, currency, balance_cents FROM accounts
             WHERE org_id = ?1 ORDER BY main DESC, name",
        )?;
        let rows = q.query_map([org_id], |r| {
            Ok(AccountRow {
                id: r.get(0)?,
                org_id: r.get(1)?,
                name: r.get(2)?,
                currency: r.get(3)?,
                balance_cents: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Transactions whose counterparty, label, reference or note hold every word (case and
    /// accents ignored), newest first.
    pub fn search_text(&self, words: &[&str], limit: usize) -> Result<Vec<TxRow>, BooksError> {
        // Each word a quoted prefix term: what a person types never becomes FTS5 syntax.
        let query: Vec<String> = words
            .iter()
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
            .collect();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = self.db.prepare_cached(&format!(
            "SELECT {TX_COLUMNS} FROM transactions_text f JOIN transactions t ON t.rowid = f.rowid
             WHERE transactions_text MATCH ?1 ORDER BY t.sort_at DESC LIMIT ?2"
        ))?;
        let rows = q.query_map(params![query.join(" "), limit as i64], tx_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
