//! What an export reads from the books: each account's head (names, IBAN, the balances at the
//! period's ends) and its transactions of a period, oldest first, streamed a row at a time so
//! that 150,000 of them never sit in memory together.

use rusqlite::{OptionalExtension, params};

use crate::read::value_at;
use crate::values::{OperationType, Side, Status};
use crate::{Books, BooksError};

/// The period an export covers: `from` inclusive, `until` exclusive, as `YYYY-MM-DD` (UTC, as
/// Qonto dates transactions); either end open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<String>,
    pub until: Option<String>,
}

/// One account as an export names it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccountHead {
    pub org_id: String,
    pub org_name: String,
    pub org_legal_name: Option<String>,
    pub account_id: String,
    pub account_name: String,
    pub iban: Option<String>,
    pub currency: String,
    /// The booked balance when the period ends and when it begins, worked out from today's
    /// balance and the completed transactions since; `None` where the role hides balances.
    pub closing_cents: Option<i64>,
    pub opening_cents: Option<i64>,
}

/// One transaction as exports write it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportRow {
    pub id: String,
    /// Signed: negative for a debit.
    pub amount_cents: i64,
    pub currency: String,
    pub side: Side,
    pub status: Status,
    pub operation_type: Option<OperationType>,
    pub counterparty: Option<String>,
    pub counterparty_iban: Option<String>,
    pub counterparty_bic: Option<String>,
    pub label: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub category: Option<String>,
    pub emitted_at: Option<String>,
    pub settled_at: Option<String>,
    pub vat_amount_cents: Option<i64>,
    /// Qonto's VAT rate in percent (`20`, `5.5`); none on a bill split over several rates.
    pub vat_rate: Option<f64>,
    /// Where it is filed in the organization's cash-flow tree: category, then subcategory.
    pub cashflow_category: Option<String>,
    pub cashflow_subcategory: Option<String>,
    /// The VAT lines entered on it: one per rate, several on a split bill.
    pub vat_lines: Vec<qonto_client::api::vat_lines::VatLine>,
    pub card_last_digits: Option<String>,
    /// The name of the member who made it, as the local copy's memberships know them.
    pub initiator: Option<String>,
    /// The names of its labels.
    pub labels: Vec<String>,
    pub attachments: usize,
    pub missing_receipt: bool,
    /// The receipts' files as a bundle saved them (`receipts/NAME.pdf`), when it did: the
    /// local copy knows only how many there are.
    pub receipt_files: Vec<String>,
}

impl ExportRow {
    /// The day the transaction is booked on: settled, else emitted. The period an export
    /// chooses and the date the screen shows follow the same rule.
    pub fn booked_on(&self) -> Option<&str> {
        super::text::day(self.settled_at.as_deref())
            .or(super::text::day(self.emitted_at.as_deref()))
    }
}

/// A transaction with receipts attached, as a receipt's file name describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct WithReceipts {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub counterparty: Option<String>,
    pub amount_cents: i64,
    pub attachments: usize,
}

/// The columns [`export_row`] reads, in its order.
const ROW_COLUMNS: &str = "id, amount_cents, currency, side, status, operation_type, counterparty,
    counterparty_iban, counterparty_bic, label, reference, note, category, emitted_at,
    settled_at, vat_amount_cents, attachment_ids, missing_receipt, vat_rate, card_last_digits,
    (SELECT nullif(trim(coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, '')), '')
       FROM memberships m WHERE m.id = transactions.initiator_id),
    (SELECT json_group_array(l.name) FROM json_each(transactions.label_ids) j
       JOIN labels l ON l.id = j.value),
    vat_lines, cashflow_category, cashflow_subcategory";

/// A row of [`ROW_COLUMNS`] as an export writes it.
fn export_row(r: &rusqlite::Row) -> rusqlite::Result<ExportRow> {
    let side = value_at::<Side>(r, 3)?.unwrap_or_else(|| Side::Other(String::new()));
    let attachments: Option<String> = r.get(16)?;
    Ok(ExportRow {
        id: r.get(0)?,
        amount_cents: signed(r.get::<_, Option<i64>>(1)?.unwrap_or(0), &side),
        currency: r
            .get::<_, Option<String>>(2)?
            .unwrap_or_else(|| "EUR".into()),
        side,
        status: value_at(r, 4)?.unwrap_or_else(|| Status::Other(String::new())),
        operation_type: value_at(r, 5)?,
        counterparty: r.get(6)?,
        counterparty_iban: r.get(7)?,
        counterparty_bic: r.get(8)?,
        label: r.get(9)?,
        reference: r.get(10)?,
        note: r.get(11)?,
        category: r.get(12)?,
        emitted_at: r.get(13)?,
        settled_at: r.get(14)?,
        vat_amount_cents: r.get(15)?,
        attachments: attachments
            .and_then(|a| serde_json::from_str::<Vec<serde_json::Value>>(&a).ok())
            .map_or(0, |a| a.len()),
        missing_receipt: r.get::<_, i64>(17)? == 1,
        vat_rate: r.get(18)?,
        card_last_digits: r.get(19)?,
        initiator: r.get(20)?,
        labels: r
            .get::<_, Option<String>>(21)?
            .and_then(|names| serde_json::from_str::<Vec<Option<String>>>(&names).ok())
            .map(|names| names.into_iter().flatten().collect())
            .unwrap_or_default(),
        receipt_files: Vec::new(),
        vat_lines: r
            .get::<_, Option<String>>(22)?
            .and_then(|lines| serde_json::from_str(&lines).ok())
            .unwrap_or_default(),
        cashflow_category: r.get(23)?,
        cashflow_subcategory: r.get(24)?,
    })
}

/// `amount` signed by `side` (Qonto's amounts are absolute).
fn signed(amount: i64, side: &Side) -> i64 {
    if *side == Side::Credit {
        amount.abs()
    } else {
        -amount.abs()
    }
}

impl Books {
    /// The accounts of `org_id` with their balances at the ends of `period`.
    pub fn export_accounts(
        &self,
        org_id: &str,
        period: &Period,
    ) -> Result<Vec<AccountHead>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT a.id, a.name, a.iban, a.currency, a.balance_cents, o.name, o.legal_name
             FROM accounts a JOIN organizations o ON o.id = a.org_id
             WHERE a.org_id = ?1 ORDER BY a.main DESC, a.name, a.id",
        )?;
        let rows = q.query_map([org_id], |r| {
            Ok(AccountHead {
                org_id: org_id.to_string(),
                account_id: r.get(0)?,
                account_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                iban: r.get(2)?,
                currency: r
                    .get::<_, Option<String>>(3)?
                    .unwrap_or_else(|| "EUR".into()),
                closing_cents: r.get(4)?,
                opening_cents: None,
                org_name: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                org_legal_name: r.get(6)?,
            })
        })?;
        let mut heads = rows.collect::<Result<Vec<_>, _>>()?;
        for head in &mut heads {
            let Some(today) = head.closing_cents else {
                continue;
            };
            let since = |from: Option<&str>| -> Result<i64, BooksError> {
                Ok(self.db.query_row(
                    concat!(
                        "SELECT coalesce(sum(CASE side WHEN 'credit' THEN abs(amount_cents)
                                                   ELSE -abs(amount_cents) END), 0)
                     FROM transactions
                     WHERE account_key = ",
                        key_of!("?1"),
                        " AND status = 'completed' AND (?2 IS NULL OR sort_at >= ?2)"
                    ),
                    params![head.account_id, from],
                    |r| r.get(0),
                )?)
            };
            let closing = match &period.until {
                Some(until) => today - since(Some(until))?,
                None => today,
            };
            head.closing_cents = Some(closing);
            head.opening_cents = match &period.from {
                Some(from) => Some(today - since(Some(from))?),
                // From the very first transaction: what was there before it.
                None => Some(today - since(None)?),
            };
        }
        Ok(heads)
    }

    /// Each transaction of `account_id` in `period` whose status is one of `statuses`, oldest
    /// first, handed to `each` as it is read.
    pub fn export_transactions<E>(
        &self,
        account_id: &str,
        period: &Period,
        statuses: &[String],
        mut each: impl FnMut(ExportRow) -> Result<(), E>,
    ) -> Result<usize, E>
    where
        E: From<BooksError>,
    {
        let sql = |e: rusqlite::Error| E::from(BooksError::from(e));
        let marks = vec!["?"; statuses.len()].join(", ");
        let mut q = self
            .db
            .prepare_cached(&format!(
                "SELECT {ROW_COLUMNS}
             FROM transactions
             WHERE account_key = {} AND (? IS NULL OR sort_at >= ?) AND (? IS NULL OR sort_at < ?)
               AND status IN ({marks})
             ORDER BY sort_at, id",
                key_of!("?")
            ))
            .map_err(sql)?;
        let mut values: Vec<rusqlite::types::Value> = vec![
            account_id.to_string().into(),
            period.from.clone().into(),
            period.from.clone().into(),
            period.until.clone().into(),
            period.until.clone().into(),
        ];
        values.extend(statuses.iter().map(|s| s.clone().into()));
        let mut rows = q.query(rusqlite::params_from_iter(values)).map_err(sql)?;
        let mut count = 0;
        while let Some(r) = rows.next().map_err(sql)? {
            each(export_row(r).map_err(sql)?)?;
            count += 1;
        }
        Ok(count)
    }

    /// The transactions of `org_id` in `period` that have receipts attached, oldest first.
    pub fn with_receipts(
        &self,
        org_id: &str,
        period: &Period,
    ) -> Result<Vec<WithReceipts>, BooksError> {
        let mut q = self.db.prepare_cached(concat!(
            "SELECT id, sort_at, counterparty, amount_cents, side, attachment_ids
             FROM transactions
             WHERE org_key = ",
            key_of!("?1"),
            " AND (?2 IS NULL OR sort_at >= ?2) AND (?3 IS NULL OR sort_at < ?3)
               AND attachment_ids IS NOT NULL AND attachment_ids != '[]'
               AND status != 'declined'
             ORDER BY sort_at, id"
        ))?;
        let rows = q.query_map(params![org_id, period.from, period.until], |r| {
            let side: Option<Side> = value_at(r, 4)?;
            let ids: Option<String> = r.get(5)?;
            Ok(WithReceipts {
                id: r.get(0)?,
                day: r
                    .get::<_, Option<String>>(1)?
                    .map(|d| d.chars().take(10).collect())
                    .unwrap_or_default(),
                counterparty: r.get(2)?,
                amount_cents: signed(
                    r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                    side.as_ref().unwrap_or(&Side::Debit),
                ),
                attachments: ids
                    .and_then(|a| serde_json::from_str::<Vec<serde_json::Value>>(&a).ok())
                    .map_or(0, |a| a.len()),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One transaction as an export writes it, with its account's names (balances left out).
    pub fn export_row(&self, id: &str) -> Result<Option<(AccountHead, ExportRow)>, BooksError> {
        let mut q = self.db.prepare_cached(concat!(
            "SELECT ok.id, o.name, o.legal_name, ak.id, a.name, a.iban, a.currency
             FROM transactions t
             JOIN id_keys ok ON ok.key = t.org_key
             JOIN id_keys ak ON ak.key = t.account_key
             LEFT JOIN organizations o ON o.id = ok.id
             LEFT JOIN accounts a ON a.id = ak.id
             WHERE ",
            crate::id_hash::by_id!("t.id", "?1")
        ))?;
        let head = q
            .query_row([id], |r| {
                Ok(AccountHead {
                    org_id: r.get(0)?,
                    org_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    org_legal_name: r.get(2)?,
                    account_id: r.get(3)?,
                    account_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    iban: r.get(5)?,
                    currency: r
                        .get::<_, Option<String>>(6)?
                        .unwrap_or_else(|| "EUR".into()),
                    closing_cents: None,
                    opening_cents: None,
                })
            })
            .optional()?;
        let Some(head) = head else {
            return Ok(None);
        };
        let row = self
            .db
            .prepare_cached(&format!(
                "SELECT {ROW_COLUMNS} FROM transactions WHERE {}",
                crate::id_hash::by_id!("id", "?1")
            ))?
            .query_row([id], export_row)
            .optional()?;
        Ok(row.map(|row| (head, row)))
    }

    /// An account's transactions, newest first, as its list shows them (declined ones only if
    /// `with_declined`).
    pub fn account_transaction_ids(
        &self,
        account_id: &str,
        with_declined: bool,
    ) -> Result<Vec<String>, BooksError> {
        let mut q = self.db.prepare_cached(concat!(
            "SELECT id FROM transactions WHERE account_key = ",
            key_of!("?1"),
            " AND (?2 OR status != 'declined') ORDER BY sort_at DESC, id DESC"
        ))?;
        let rows = q.query_map(params![account_id, with_declined], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The ids of the organizations the books hold, by name (then id): the same order however
    /// the copy was filled, so an export of rebuilt books is the same file.
    pub fn organization_ids(&self) -> Result<Vec<(String, String)>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, name FROM organizations ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
