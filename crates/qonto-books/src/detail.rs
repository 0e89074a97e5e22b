//! One stored transaction in full, with the names its ids point to (organization, account,
//! labels, initiator): what the detail view shows a bookkeeper.

use rusqlite::OptionalExtension;

use super::{Books, BooksError};
use crate::read::{TX_COLUMN_COUNT, TX_COLUMNS, TxRow, id_list, tx_row_at};

/// Every stored field of a transaction, and the names behind its ids.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Detail {
    #[serde(flatten)]
    pub tx: TxRow,
    pub org_name: Option<String>,
    pub account_name: Option<String>,
    pub account_iban: Option<String>,
    pub local_amount_cents: Option<i64>,
    pub local_currency: Option<String>,
    pub subject_type: Option<String>,
    pub counterparty_iban: Option<String>,
    pub counterparty_bic: Option<String>,
    pub label: Option<String>,
    pub category: Option<String>,
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
    /// The cash-flow category and subcategory it is filed under (names).
    pub cashflow_category: Option<String>,
    pub cashflow_subcategory: Option<String>,
}

impl Books {
    /// The transaction `id` in full, if the books hold it.
    pub fn transaction_detail(&self, id: &str) -> Result<Option<Detail>, BooksError> {
        let detail = self
            .db
            .query_row(
                &format!(
                    "SELECT {TX_COLUMNS}, o.name, a.name, a.iban, t.local_amount_cents,
                     t.local_currency, t.subject_type, t.counterparty_iban, t.counterparty_bic,
                     t.label, t.category, t.vat_amount_cents, t.vat_rate,
                     t.card_last_digits, trim(coalesce(m.first_name, '') || ' ' ||
                     coalesce(m.last_name, '')), t.label_ids, t.attachment_ids,
                     t.attachment_required, t.attachment_lost, t.missing_receipt,
                     t.settled_balance_cents, t.cashflow_category, t.cashflow_subcategory
                 FROM transactions t
                 LEFT JOIN id_keys ok ON ok.key = t.org_key
                 LEFT JOIN organizations o ON o.id = ok.id
                 LEFT JOIN id_keys ak ON ak.key = t.account_key
                 LEFT JOIN accounts a ON a.id = ak.id
                 LEFT JOIN memberships m ON m.id = t.initiator_id
                 WHERE {}",
                    crate::id_hash::by_id!("t.id", "?1")
                ),
                [id],
                |r| {
                    let n = TX_COLUMN_COUNT;
                    let initiator: Option<String> = r.get(n + 13)?;
                    Ok(Detail {
                        tx: tx_row_at(r, 0)?,
                        org_name: r.get(n)?,
                        account_name: r.get(n + 1)?,
                        account_iban: r.get(n + 2)?,
                        local_amount_cents: r.get(n + 3)?,
                        local_currency: r.get(n + 4)?,
                        subject_type: r.get(n + 5)?,
                        counterparty_iban: r.get(n + 6)?,
                        counterparty_bic: r.get(n + 7)?,
                        label: r.get(n + 8)?,
                        category: r.get(n + 9)?,
                        vat_amount_cents: r.get(n + 10)?,
                        vat_rate: r.get(n + 11)?,
                        card_last_digits: r.get(n + 12)?,
                        initiator: initiator.filter(|n| !n.is_empty()),
                        labels: id_list(r, n + 14)?,
                        attachment_ids: id_list(r, n + 15)?,
                        attachment_required: r.get(n + 16)?,
                        attachment_lost: r.get(n + 17)?,
                        missing_receipt: r.get::<_, i64>(n + 18)? == 1,
                        settled_balance_cents: r.get(n + 19)?,
                        cashflow_category: r.get(n + 20)?,
                        cashflow_subcategory: r.get(n + 21)?,
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
