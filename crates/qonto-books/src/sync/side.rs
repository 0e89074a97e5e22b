//! What a sync keeps of an organization beside its transactions: who is in it, how its books
//! are labelled, and what waits for a decision (requests and supplier invoices).

use chrono::Utc;
use qonto_client::api::ApiClient;
use qonto_client::api::models::UserOrganization;

use super::SyncError;
use crate::BooksHandle;

/// Who is in `org`, how its books are labelled, and what waits for a decision (4 requests).
/// A role that may not see them, or a token without the scope, is not an error for the sync.
pub(super) async fn lists(
    api: &ApiClient,
    books: &BooksHandle,
    org: &UserOrganization,
) -> Result<(), SyncError> {
    let (members, labels) = futures_util::join!(api.memberships(&org.id), api.labels(&org.id));
    match members {
        Ok(members) => {
            let id = org.id.clone();
            books
                .write(move |b| b.put_memberships(&id, &members))
                .await??
        }
        Err(e) if e.is_forbidden() => {}
        Err(e) => return Err(e.into()),
    }
    match labels {
        Ok(labels) => {
            let id = org.id.clone();
            books.write(move |b| b.put_labels(&id, &labels)).await??
        }
        Err(e) if e.is_forbidden() => {}
        Err(e) => return Err(e.into()),
    }
    let (requests, invoices) =
        futures_util::join!(api.requests(&org.id), api.supplier_invoices(&org.id));
    let now = Utc::now().timestamp();
    match requests {
        Ok(requests) => {
            let id = org.id.clone();
            books
                .write(move |b| b.put_requests(&id, &requests, now))
                .await??
        }
        Err(e) if e.is_forbidden() => {}
        Err(e) => return Err(e.into()),
    }
    match invoices {
        Ok(invoices) => {
            let id = org.id.clone();
            books
                .write(move |b| b.put_supplier_invoices(&id, &invoices, now))
                .await??
        }
        Err(e) if e.is_forbidden() => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
