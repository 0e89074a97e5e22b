//! One stored transaction in full, with the names its ids point to (organization, account,
//! labels, initiator): what the detail view shows a bookkeeper.

use rusqlite::OptionalExtension;

use super::{Books, BooksError};
use crate::values::{OperationType, Side, Status};

/// Every stored field of a transaction, and the names behind its ids.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Detail {
    pub id: String,
    pub org_id: String,
    pub org_name: Option<String>,
    pub account_id: String,
    pub account_name: Option<String>,
    pub account_iban: Option<String>,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub local_amount_cents: Option<i64>,
    pub local_currency: Option<String>,
    pub side: Option<Side>,
    pub status: Option<Status>,
    pub operation_type: Option<OperationType>,
    pub subject_type: Option<String>,
    pub counterparty: Option<String>,
    pub counterparty_iban: Option<String>,
    pub counterparty_bic: Option<String>,
    pub label: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub category: Option<String>,
    pub emitted_at: Option<String>,
    pub settled_at: Option<String>,
    pub updated_at: Option<String>,
    pub vat_amount_cents: Option<i64>,
    pub vat_rate: Option<f64>,
    pub card_last_digits: Option<String>,
    pub initiator: Option<String>,
    pub labels: Vec<String>,
    pub attachment_ids: Vec<String>,
    pub attachment_required: Option<bool>,
    pub attachment_lost: Option<bool>,
    pub missing_receipt: bool,
    pub settled_balance_cents: Option<i64>,
}

impl Books {
    /// The transaction `id` in full, if the books hold it.
    pub fn transaction_detail(&self, id: &str) -> Result<Option<Detail>, BooksError> {
        let detail = self
            .db
            .query_row(
                "SELECT t.id, t.org_id, o.name, t.account_id, a.name, a.iban, t.amount_cents,
                     t.currency, t.local_amount_cents, t.local_currency, t.side, t.status,
                     t.operation_type, t.subject_type, t.counterparty, t.counterparty_iban,
                     t.counterparty_bic, t.label, t.reference, t.note, t.category, t.emitted_at,
                     t.settled_at, t.updated_at, t.vat_amount_cents, t.vat_rate,
                     t.card_last_digits, trim(coalesce(m.first_name, '') || ' ' ||
                     coalesce(m.last_name, '')), t.label_ids, t.attachment_ids,
                     t.attachment_required, t.attachment_lost, t.missing_receipt,
                     t.settled_balance_cents
                 FROM transactions t
                 LEFT JOIN organizations o ON o.id = t.org_id
                 LEFT JOIN accounts a ON a.id = t.account_id
                 LEFT JOIN memberships m ON m.id = t.initiator_id
                 WHERE t.id = ?1",
                [id],
                |r| {
                    let ids = |i: usize| -> rusqlite::Result<Vec<String>> {
                        let text: Option<String> = r.get(i)?;
                        Ok(text
                            .and_then(|t| serde_json::from_str(&t).ok())
                            .unwrap_or_default())
                    };
                    let initiator: Option<String> = r.get(27)?;
                    Ok(Detail {
                        id: r.get(0)?,
                        org_id: r.get(1)?,
                        org_name: r.get(2)?,
                        account_id: r.get(3)?,
                        account_name: r.get(4)?,
                        account_iban: r.get(5)?,
                        amount_cents: r.get(6)?,
                        currency: r.get(7)?,
                        local_amount_cents: r.get(8)?,
                        local_currency: r.get(9)?,
                        side: r.get(10)?,
                        status: r.get(11)?,
                        operation_type: r.get(12)?,
                        subject_type: r.get(13)?,
                        counterparty: r.get(14)?,
                        counterparty_iban: r.get(15)?,
                        counterparty_bic: r.get(16)?,
                        label: r.get(17)?,
                        reference: r.get(18)?,
                        note: r.get(19)?,
                        category: r.get(20)?,
                        emitted_at: r.get(21)?,
                        settled_at: r.get(22)?,
                        updated_at: r.get(23)?,
                        vat_amount_cents: r.get(24)?,
                        vat_rate: r.get(25)?,
                        card_last_digits: r.get(26)?,
                        initiator: initiator.filter(|n| !n.is_empty()),
                        labels: ids(28)?,
                        attachment_ids: ids(29)?,
                        attachment_required: r.get(30)?,
                        attachment_lost: r.get(31)?,
                        missing_receipt: r.get::<_, i64>(32)? == 1,
                        settled_balance_cents: r.get(33)?,
                    })
                },
            )
            .optional()?;
        let Some(mut detail) = detail else {
            return Ok(None);
        };
        // Label ids become names (an id the books do not know stays as it is).
        let mut q = self
            .db
            .prepare_cached("SELECT name FROM labels WHERE id = ?1")?;
        detail.labels = detail
            .labels
            .iter()
            .map(|id| {
                q.query_row([id], |r| r.get::<_, Option<String>>(0))
                    .optional()
                    .map(|name| name.flatten().unwrap_or_else(|| id.clone()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(detail))
    }
}
