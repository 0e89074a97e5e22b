//! Reading the books: windowed pages of an account's transactions (memory independent of how
//! many are stored), counts, accounts, and full-text matches.

use rusqlite::{Row, params};

use super::{Books, BooksError};
use crate::values::{OperationType, Side, Status};

/// A stored transaction: the fields every view of one shares. A search's result
/// ([`crate::Found`]) and the detail view ([`crate::Detail`]) add to it what they show.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TxRow {
    pub id: String,
    pub org_id: String,
    pub account_id: String,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub side: Option<Side>,
    pub status: Option<Status>,
    pub operation_type: Option<OperationType>,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub emitted_at: Option<String>,
    pub settled_at: Option<String>,
    pub updated_at: Option<String>,
    /// Its cash-flow category as a person names it: `Category / Subcategory`, or `Category`.
    pub category: Option<String>,
}

/// Where a page of a list starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedFrom<'a> {
    Offset(usize),
    /// Just after the row with this date and id (the last one of the page before).
    After {
        sort_at: &'a str,
        id: &'a str,
    },
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

/// Rows built as Qonto's JSON, read back through the client's tolerant models (so a stored
/// row is read exactly as an answer would be); a row that does not fit is left out.
fn in_qontos_shape<T: serde::de::DeserializeOwned>(
    rows: impl Iterator<Item = rusqlite::Result<serde_json::Value>>,
) -> Result<Vec<T>, BooksError> {
    let mut out = Vec::new();
    for row in rows {
        if let Ok(value) = serde_json::from_value(row?) {
            out.push(value);
        }
    }
    Ok(out)
}

/// The columns [`tx_row_at`] reads (of `transactions t`), in its order.
pub(crate) const TX_COLUMNS: &str = concat!(
    "t.id, ",
    id_of!("t.org_key"),
    ", ",
    id_of!("t.account_key"),
    ", t.amount_cents, t.currency, t.side, t.status, t.operation_type, t.counterparty,
    t.reference, t.note, t.emitted_at, t.settled_at, t.updated_at, t.cashflow_category,
    t.cashflow_subcategory"
);
/// How many columns [`TX_COLUMNS`] names.
pub(crate) const TX_COLUMN_COUNT: usize = 16;

fn tx_row(r: &Row) -> rusqlite::Result<TxRow> {
    tx_row_at(r, 0)
}

/// A column holding one of Qonto's enumerated values (stored as Qonto's text).
pub(crate) fn value_at<T: for<'a> From<&'a str>>(
    r: &Row,
    column: usize,
) -> rusqlite::Result<Option<T>> {
    Ok(r.get::<_, Option<String>>(column)?.as_deref().map(T::from))
}

/// A column holding a JSON array of ids (labels, attachments); empty when absent or unreadable.
pub(crate) fn id_list(r: &Row, column: usize) -> rusqlite::Result<Vec<String>> {
    let text: Option<String> = r.get(column)?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// The [`TX_COLUMNS`] of a row, starting at column `first`.
pub(crate) fn tx_row_at(r: &Row, first: usize) -> rusqlite::Result<TxRow> {
    Ok(TxRow {
        id: r.get(first)?,
        org_id: r.get(first + 1)?,
        account_id: r.get(first + 2)?,
        amount_cents: r.get(first + 3)?,
        currency: r.get(first + 4)?,
        side: value_at(r, first + 5)?,
        status: value_at(r, first + 6)?,
        operation_type: value_at(r, first + 7)?,
        counterparty: r.get(first + 8)?,
        reference: r.get(first + 9)?,
        note: r.get(first + 10)?,
        emitted_at: r.get(first + 11)?,
        settled_at: r.get(first + 12)?,
        updated_at: r.get(first + 13)?,
        category: match (
            r.get::<_, Option<String>>(first + 14)?,
            r.get::<_, Option<String>>(first + 15)?,
        ) {
            (Some(main), Some(sub)) => Some(format!("{main} / {sub}")),
            (main, _) => main,
        },
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
            "SELECT {TX_COLUMNS} FROM transactions t WHERE t.account_key = {}
             ORDER BY t.sort_at DESC, t.id DESC LIMIT ?2 OFFSET ?3",
            key_of!("?1")
        ))?;
        let rows = q.query_map(params![account_id, limit as i64, offset as i64], tx_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn transaction_count(&self, account_id: &str) -> Result<i64, BooksError> {
        Ok(self.db.query_row(
            concat!(
                "SELECT count(*) FROM transactions WHERE account_key = ",
                key_of!("?1")
            ),
            [account_id],
            |r| r.get(0),
        )?)
    }

    /// How many transactions of an account the transactions tab lists.
    pub fn listed_count(&self, account_id: &str, with_declined: bool) -> Result<i64, BooksError> {
        Ok(self.db.query_row(
            concat!(
                "SELECT count(*) FROM transactions WHERE account_key = ",
                key_of!("?1"),
                " AND (?2 OR status IS NOT 'declined')"
            ),
            params![account_id, with_declined],
            |r| r.get(0),
        )?)
    }

    /// The transactions' version: any insert, update or delete of a transaction, through any
    /// connection, moves it, so a count read before is still right while it has not moved.
    pub fn changes(&self) -> Result<i64, BooksError> {
        Ok(super::word_matches::transactions_version(&self.db)?)
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

/// What the books hold of the organizations, for a start before Qonto answers.
impl Books {
    /// Every stored organization with when it was last synced (Unix seconds), as first stored.
    pub fn organizations(
        &self,
    ) -> Result<Vec<(qonto_client::api::models::UserOrganization, Option<i64>)>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, name, legal_name, membership_role, via, synced_at FROM organizations
             ORDER BY rowid",
        )?;
        let rows = q.query_map([], |r| {
            let via: String = r.get(4)?;
            let org = serde_json::json!({
                "id": r.get::<_, String>(0)?,
                "name": r.get::<_, Option<String>>(1)?,
                "legal_name": r.get::<_, Option<String>>(2)?,
                "membership_role": r.get::<_, Option<String>>(3)?,
            });
            Ok((org, via, r.get::<_, Option<i64>>(5)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (json, via, synced_at) = row?;
            let Ok(mut org) =
                serde_json::from_value::<qonto_client::api::models::UserOrganization>(json)
            else {
                continue;
            };
            org.via = match via.as_str() {
                "membership" => qonto_client::api::Via::Membership,
                "api-key" => qonto_client::api::Via::ApiKey,
                _ => qonto_client::api::Via::User,
            };
            out.push((org, synced_at));
        }
        Ok(out)
    }

    /// An organization's stored accounts, in Qonto's shape.
    pub fn bank_accounts(
        &self,
        org_id: &str,
    ) -> Result<Vec<qonto_client::api::models::BankAccount>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, name, iban, currency, balance_cents, authorized_balance_cents, status, main
             FROM accounts WHERE org_id = ?1 ORDER BY rowid",
        )?;
        let rows = q.query_map([org_id], |r| {
            Ok(serde_json::json!({
                "id": r.get::<_, String>(0)?,
                "name": r.get::<_, Option<String>>(1)?,
                "iban": r.get::<_, Option<String>>(2)?,
                "currency": r.get::<_, Option<String>>(3)?,
                "balance_cents": r.get::<_, Option<i64>>(4)?,
                "authorized_balance_cents": r.get::<_, Option<i64>>(5)?,
                "status": r.get::<_, Option<String>>(6)?,
                "main": r.get::<_, bool>(7)?,
            }))
        })?;
        in_qontos_shape(rows)
    }

    /// `limit` transactions of an account from `offset`, in Qonto's shape and in Qonto's
    /// default order (newest settled first, an unsettled one by when it was emitted), so that
    /// a page read here follows one Qonto gave; declined ones only if asked.
    pub fn listed_transactions(
        &self,
        account_id: &str,
        from: ListedFrom<'_>,
        limit: usize,
        with_declined: bool,
    ) -> Result<Vec<qonto_client::api::models::Transaction>, BooksError> {
        // After a known row, the index leads straight there; an offset walks every row before.
        let (offset, after) = match from {
            ListedFrom::Offset(offset) => (offset as i64, None),
            ListedFrom::After { sort_at, id } => (0, Some((sort_at, id))),
        };
        let mut q = self.db.prepare_cached(&format!(
            "SELECT {TX_COLUMNS}, t.label, t.category FROM transactions t
             WHERE t.account_key = {} AND (?2 OR t.status IS NOT 'declined')
               AND (?5 IS NULL OR t.sort_at < ?5 OR (t.sort_at = ?5 AND t.id < ?6))
             ORDER BY t.sort_at DESC, t.id DESC LIMIT ?3 OFFSET ?4",
            key_of!("?1")
        ))?;
        let at = params![
            account_id,
            with_declined,
            limit as i64,
            offset,
            after.map(|a| a.0),
            after.map(|a| a.1)
        ];
        let rows = q.query_map(at, |r| {
            let t = tx_row(r)?;
            Ok(serde_json::json!({
                "id": t.id, "amount_cents": t.amount_cents, "currency": t.currency,
                "side": t.side, "status": t.status, "operation_type": t.operation_type,
                "clean_counterparty_name": t.counterparty, "reference": t.reference,
                "note": t.note, "emitted_at": t.emitted_at, "settled_at": t.settled_at,
                "updated_at": t.updated_at,
                "label": r.get::<_, Option<String>>(14)?,
                "category": r.get::<_, Option<String>>(15)?,
            }))
        })?;
        in_qontos_shape(rows)
    }
}

impl Books {
    /// An organization's stored memberships, in Qonto's shape.
    pub fn memberships(
        &self,
        org_id: &str,
    ) -> Result<Vec<qonto_client::api::models::Membership>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, first_name, last_name, role, status FROM memberships
             WHERE org_id = ?1 ORDER BY rowid",
        )?;
        let rows = q.query_map([org_id], |r| {
            Ok(serde_json::json!({
                "id": r.get::<_, String>(0)?,
                "first_name": r.get::<_, Option<String>>(1)?,
                "last_name": r.get::<_, Option<String>>(2)?,
                "role": r.get::<_, Option<String>>(3)?,
                "status": r.get::<_, Option<String>>(4)?,
            }))
        })?;
        in_qontos_shape(rows)
    }

    /// An organization's stored labels, in Qonto's shape.
    pub fn labels(
        &self,
        org_id: &str,
    ) -> Result<Vec<qonto_client::api::models::Label>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, name, parent_id FROM labels WHERE org_id = ?1 ORDER BY rowid",
        )?;
        let rows = q.query_map([org_id], |r| {
            Ok(serde_json::json!({
                "id": r.get::<_, String>(0)?,
                "name": r.get::<_, Option<String>>(1)?,
                "parent_id": r.get::<_, Option<String>>(2)?,
            }))
        })?;
        in_qontos_shape(rows)
    }
}
