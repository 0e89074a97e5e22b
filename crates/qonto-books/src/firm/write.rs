//! What the firm's service writes into the PostgreSQL books, as the admin: organizations,
//! their accounts and transactions, upserted by id from Qonto's answers, each transaction with
//! its `words` for search folded and split as the SQLite copy's full-text index does.

use qonto_client::api::models::{BankAccount, Transaction, UserOrganization};
use qonto_client::api::values::{OperationType, Side, Status};

use super::FirmError;
use crate::query::fold;

/// The words of `texts` as the full-text index sees them: folded, split on every character
/// that is not a letter or a digit, joined by spaces.
pub fn words<'a>(texts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut out = String::new();
    for text in texts.into_iter().flatten() {
        for word in fold(text).split(|c: char| !c.is_alphanumeric()) {
            if !word.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }
    out
}

/// `value` as Qonto's JSON (`None` only if it cannot be written so, which the models' plain
/// fields rule out).
fn as_json(value: &impl serde::Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Upserts an organization as listed, at `synced_at` (Unix seconds).
pub async fn put_organization(
    c: &tokio_postgres::Client,
    org: &UserOrganization,
    synced_at: i64,
) -> Result<(), FirmError> {
    c.execute(
        "INSERT INTO qonto.organizations (id, name, legal_name, membership_role, via, synced_at,
             qonto)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, legal_name = excluded.legal_name,
             membership_role = excluded.membership_role, via = excluded.via,
             synced_at = excluded.synced_at, qonto = excluded.qonto",
        &[
            &org.id,
            &org.display_name(),
            &org.legal_name,
            &org.membership_role,
            &org.via.as_str(),
            &synced_at,
            &as_json(org),
        ],
    )
    .await?;
    Ok(())
}

/// An organization's accounts as Qonto lists them now (gone ones removed), in one transaction.
pub async fn put_accounts(
    c: &mut tokio_postgres::Client,
    org_id: &str,
    accounts: &[BankAccount],
) -> Result<(), FirmError> {
    let tx = c.transaction().await?;
    // Gone ones removed; the others updated in place, keeping how far their sync came.
    let listed: Vec<&str> = accounts.iter().filter_map(BankAccount::key).collect();
    tx.execute(
        "DELETE FROM qonto.accounts WHERE org_id = $1 AND NOT (id = ANY($2))",
        &[&org_id, &listed],
    )
    .await?;
    for (position, a) in accounts.iter().enumerate() {
        let Some(id) = a.key() else { continue };
        let position = position as i32;
        tx.execute(
            "INSERT INTO qonto.accounts (id, org_id, name, iban, currency, balance_cents,
                 authorized_balance_cents, status, main, qonto, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, name = excluded.name,
                 iban = excluded.iban, currency = excluded.currency,
                 balance_cents = excluded.balance_cents,
                 authorized_balance_cents = excluded.authorized_balance_cents,
                 status = excluded.status, main = excluded.main, qonto = excluded.qonto,
                 position = excluded.position",
            &[
                &id,
                &org_id,
                &a.name,
                &a.iban,
                &a.currency,
                &a.balance_in_cents(),
                &a.authorized_in_cents(),
                &a.status,
                &a.main,
                &as_json(a),
                &position,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Upserts a page of an account's transactions, in one transaction; returns how many it had.
pub async fn put_transactions(
    c: &mut tokio_postgres::Client,
    org_id: &str,
    account_id: &str,
    page: &[Transaction],
) -> Result<usize, FirmError> {
    let tx = c.transaction().await?;
    let upsert = tx
        .prepare(
            "INSERT INTO qonto.transactions (id, org_id, account_id, amount_cents, currency, side,
                 status, operation_type, counterparty, label, reference, note, emitted_at,
                 settled_at, updated_at, sort_at, missing_receipt, counterparty_iban, words,
                 cashflow_category, cashflow_subcategory, label_ids, attachment_ids, qonto,
                 category_key, subcategory_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, ($22::text)::jsonb, ($23::text)::jsonb, $24, $25, $26)
             ON CONFLICT (id) DO UPDATE SET amount_cents = excluded.amount_cents,
                 currency = excluded.currency, side = excluded.side, status = excluded.status,
                 operation_type = excluded.operation_type, counterparty = excluded.counterparty,
                 label = excluded.label, reference = excluded.reference, note = excluded.note,
                 emitted_at = excluded.emitted_at, settled_at = excluded.settled_at,
                 updated_at = excluded.updated_at, sort_at = excluded.sort_at,
                 missing_receipt = excluded.missing_receipt,
                 counterparty_iban = excluded.counterparty_iban, words = excluded.words,
                 cashflow_category = excluded.cashflow_category,
                 cashflow_subcategory = excluded.cashflow_subcategory,
                 label_ids = excluded.label_ids, attachment_ids = excluded.attachment_ids,
                 qonto = excluded.qonto, category_key = excluded.category_key,
                 subcategory_key = excluded.subcategory_key",
        )
        .await?;
    let mut stored = 0;
    for t in page {
        let Some(id) = t.id.as_deref() else { continue };
        // As the SQLite copy stores it: the clean name, else the label.
        let counterparty = t.clean_counterparty_name.as_deref().or(t.label.as_deref());
        let json = |ids: &[String]| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let (label_ids, attachment_ids) = (json(&t.label_ids), json(&t.attachment_ids));
        tx.execute(
            &upsert,
            &[
                &id,
                &org_id,
                &account_id,
                &t.cents(),
                &t.currency,
                &t.side.as_ref().map(Side::as_str),
                &t.status.as_ref().map(Status::as_str),
                &t.operation_type.as_ref().map(OperationType::as_str),
                &counterparty,
                &t.label,
                &t.reference,
                &t.note,
                &t.emitted_at,
                &t.settled_at,
                &t.updated_at,
                &t.date(),
                &t.misses_receipt(),
                &t.transfer
                    .as_ref()
                    .and_then(|d| d.counterparty_account_number.as_deref()),
                &words([
                    counterparty,
                    t.label.as_deref(),
                    t.reference.as_deref(),
                    t.note.as_deref(),
                ]),
                &t.cashflow_category.as_ref().map(|c| c.name.as_str()),
                &t.cashflow_subcategory.as_ref().map(|c| c.name.as_str()),
                &label_ids,
                &attachment_ids,
                &as_json(t),
                &t.cashflow_category.as_ref().map(|c| fold(&c.name)),
                &t.cashflow_subcategory.as_ref().map(|c| fold(&c.name)),
            ],
        )
        .await?;
        stored += 1;
    }
    tx.commit().await?;
    Ok(stored)
}

/// The kinds of what waits for a decision, as stored (the copy's own names).
pub const REQUEST: &str = "request";
pub const SUPPLIER_INVOICE: &str = "supplier_invoice";

/// Replaces `org_id`'s kept items of `kind` with `items` (each with its id and status),
/// listed at `synced_at` (Unix seconds), in one transaction.
pub async fn put_review_items<T: serde::Serialize>(
    c: &mut tokio_postgres::Client,
    org_id: &str,
    kind: &str,
    items: &[T],
    key: impl Fn(&T) -> (&str, &str),
    synced_at: i64,
) -> Result<(), FirmError> {
    let tx = c.transaction().await?;
    tx.execute(
        "DELETE FROM qonto.review_items WHERE org_id = $1 AND kind = $2",
        &[&org_id, &kind],
    )
    .await?;
    for item in items {
        let (id, status) = key(item);
        tx.execute(
            "INSERT INTO qonto.review_items (org_id, kind, id, status, body, synced_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[&org_id, &kind, &id, &status, &as_json(item), &synced_at],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_split_as_the_full_text_index_splits_them() {
        assert_eq!(
            words([Some("Dîner d'équipe"), None, Some("FACT-2026/10 Müller")]),
            "diner d equipe fact 2026 10 muller"
        );
        assert_eq!(words([None, Some("  ")]), "");
    }
}
