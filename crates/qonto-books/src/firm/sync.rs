//! The firm's service bringing one organization into the PostgreSQL books from Qonto: its
//! entry, its accounts, and each account's transactions (every status), a page at a time: the
//! first time all of them, newest change first; once a pass over an account has ended, only
//! what changed since its newest change (less a margin for late commits), as the SQLite sync
//! does. An account whose pass was cut off is read whole again: its mark is set only at the end.
//! Then what waits for a decision there (requests, supplier invoices), listed whole.

use qonto_client::api::ApiClient;
use qonto_client::api::models::UserOrganization;

use super::FirmError;
use super::write::{
    REQUEST, SUPPLIER_INVOICE, put_accounts, put_organization, put_review_items, put_transactions,
};
use qonto_client::api::invoices::SupplierInvoice;
use qonto_client::api::requests::Request;

/// Transactions asked a page.
const PER_PAGE: i64 = 100;
/// Pages read of one account at most (a server that never says "last page" stops here).
const MAX_PAGES: i64 = 10_000;

/// Brings `org` into the books: returns the transactions stored.
pub async fn sync_org(
    api: &ApiClient,
    c: &mut tokio_postgres::Client,
    org: &UserOrganization,
) -> Result<usize, FirmError> {
    let api_error = |e: qonto_client::api::ApiError| {
        FirmError::Refused(format!(
            "Qonto did not answer for {}: {e}",
            org.display_name()
        ))
    };
    let overview = api.organization(&org.id).await.map_err(api_error)?;
    put_organization(c, org, chrono::Utc::now().timestamp()).await?;
    put_accounts(c, &org.id, &overview.bank_accounts).await?;
    let mut stored = 0;
    for account in &overview.bank_accounts {
        let Some(account_id) = account.key() else {
            continue;
        };
        let since = synced_through(c, account_id).await?;
        let (order, from) = match &since {
            Some(through) => ("updated_at:asc", Some(through.as_str())),
            None => ("updated_at:desc", None),
        };
        let mut page = 1;
        while page <= MAX_PAGES {
            let answer = api
                .transactions_changed(&org.id, account_id, order, from, page, PER_PAGE)
                .await
                .map_err(api_error)?;
            stored += put_transactions(c, &org.id, account_id, &answer.transactions).await?;
            match answer.meta.next_page {
                Some(next) if next > page && !answer.transactions.is_empty() => page = next,
                _ => break,
            }
        }
        mark_synced(c, account_id).await?;
    }
    keep_review(api, c, org).await?;
    Ok(stored)
}

fn request_key(r: &Request) -> (&str, &str) {
    (&r.id, &r.status)
}

fn invoice_key(i: &SupplierInvoice) -> (&str, &str) {
    (&i.id, &i.status)
}

/// What waits for a decision in `org` (members' requests, supplier invoices), listed whole
/// and kept. A list Qonto refuses (a credential without its scope) keeps what was kept, said
/// in the log: the transactions are synced all the same.
async fn keep_review(
    api: &ApiClient,
    c: &mut tokio_postgres::Client,
    org: &UserOrganization,
) -> Result<(), FirmError> {
    let (requests, invoices) =
        futures_util::join!(api.requests(&org.id), api.supplier_invoices(&org.id));
    let now = chrono::Utc::now().timestamp();
    match requests {
        Ok(requests) => put_review_items(c, &org.id, REQUEST, &requests, request_key, now).await?,
        Err(e) => tracing::warn!("{}'s requests were not listed: {e}", org.display_name()),
    }
    match invoices {
        Ok(invoices) => {
            put_review_items(c, &org.id, SUPPLIER_INVOICE, &invoices, invoice_key, now).await?
        }
        Err(e) => tracing::warn!(
            "{}'s supplier invoices were not listed: {e}",
            org.display_name()
        ),
    }
    Ok(())
}

/// Where the next pass over `account_id` starts: its newest change when the last pass ended,
/// less the overlap; `None` when no pass over it has ended.
async fn synced_through(
    c: &tokio_postgres::Client,
    account_id: &str,
) -> Result<Option<String>, FirmError> {
    let row = c
        .query_opt(
            "SELECT synced_through FROM qonto.accounts WHERE id = $1",
            &[&account_id],
        )
        .await?;
    let through: Option<String> = row.and_then(|r| r.get(0));
    Ok(through
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| {
            (t.with_timezone(&chrono::Utc) - crate::sync::OVERLAP)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        }))
}

/// A pass over `account_id` ended: the next starts from its newest change.
async fn mark_synced(c: &tokio_postgres::Client, account_id: &str) -> Result<(), FirmError> {
    c.execute(
        "UPDATE qonto.accounts SET synced_through = (
             SELECT max(updated_at) FROM qonto.transactions WHERE account_id = $1)
         WHERE id = $1",
        &[&account_id],
    )
    .await?;
    Ok(())
}
