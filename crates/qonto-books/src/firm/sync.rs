//! The firm's service bringing one organization into the PostgreSQL books from Qonto: its
//! entry, its accounts, and every transaction of each account (every status, newest change
//! first), a page at a time. The first part of `qonto-tui serve`'s sync: a whole pass, without
//! the SQLite sync's incremental window or its shared rate budget yet.

use qonto_client::api::ApiClient;
use qonto_client::api::models::UserOrganization;

use super::FirmError;
use super::write::{put_accounts, put_organization, put_transactions};

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
        let mut page = 1;
        while page <= MAX_PAGES {
            let answer = api
                .transactions_changed(&org.id, account_id, "updated_at:desc", None, page, PER_PAGE)
                .await
                .map_err(api_error)?;
            stored += put_transactions(c, &org.id, account_id, &answer.transactions).await?;
            match answer.meta.next_page {
                Some(next) if next > page && !answer.transactions.is_empty() => page = next,
                _ => break,
            }
        }
    }
    Ok(stored)
}
