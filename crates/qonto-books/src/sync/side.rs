//! What a sync keeps of an organization beside its transactions: who is in it, how its books
//! are labelled, and what waits for a decision (requests and supplier invoices).

use chrono::Utc;
use qonto_client::api::models::UserOrganization;
use qonto_client::api::{ApiClient, ApiError};

use super::SyncError;
use crate::{Books, BooksError, BooksHandle};

/// Who is in `org`, how its books are labelled, and what waits for a decision (4 requests).
/// A role that may not see them, or a token without the scope, is not an error for the sync.
pub(super) async fn lists(
    api: &ApiClient,
    books: &BooksHandle,
    org: &UserOrganization,
) -> Result<(), SyncError> {
    let (members, labels) = futures_util::join!(api.memberships(&org.id), api.labels(&org.id));
    let id = org.id.clone();
    keep(books, members, move |b, m| b.put_memberships(&id, &m)).await?;
    let id = org.id.clone();
    keep(books, labels, move |b, l| b.put_labels(&id, &l)).await?;
    let (requests, invoices) =
        futures_util::join!(api.requests(&org.id), api.supplier_invoices(&org.id));
    let now = Utc::now().timestamp();
    let id = org.id.clone();
    keep(books, requests, move |b, r| b.put_requests(&id, &r, now)).await?;
    let id = org.id.clone();
    keep(books, invoices, move |b, i| {
        b.put_supplier_invoices(&id, &i, now)
    })
    .await
}

/// Stores what Qonto answered with `put`; a refusal (a role or a token that may not see it)
/// is not an error for the sync, and leaves what the books held.
async fn keep<T: Send + 'static>(
    books: &BooksHandle,
    answer: Result<T, ApiError>,
    put: impl FnOnce(&mut Books, T) -> Result<(), BooksError> + Send + 'static,
) -> Result<(), SyncError> {
    match answer {
        Ok(got) => Ok(books.write(move |b| put(b, got)).await??),
        Err(e) if e.is_forbidden() => Ok(()),
        Err(e) => Err(e.into()),
    }
}
