//! Receipts: which transactions have one (a realistic share; some that require one do not, the
//! "missing receipt" case), and `GET /v2/transactions/{id}/attachments` and
//! `GET /v2/attachments/{id}` in Qonto's shapes (`file_size` a string, a 30-minute `url`).

#![allow(clippy::result_large_err)]

use crate::data::{Side, TxStatus};
use crate::rng::SeededRng;

use super::*;

/// Qonto asks for a receipt on larger card and transfer debits.
pub(crate) fn attachment_required(tx: &Tx) -> bool {
    tx.amount_cents >= 15_000 && tx.side == Side::Debit
}

/// The id of `tx`'s receipt, if it has one. Pending transactions have none yet; about 80% of
/// the debits that require one have it, 70% of the other debits, 25% of credits.
pub(crate) fn receipt_id(seed: u64, tx: &Tx) -> Option<String> {
    if tx.status != TxStatus::Completed {
        return None;
    }
    let mut rng = SeededRng::derive(seed, &format!("receipt-{}", tx.id));
    let share = match (tx.side, attachment_required(tx)) {
        (Side::Debit, true) => 80,
        (Side::Debit, false) => 70,
        (Side::Credit, _) => 25,
    };
    rng.chance(share).then(|| rng.uuid())
}

/// The ids of the receipts `tx` carries now: its generated one unless removed through the API,
/// then the uploads that were processed.
pub(crate) fn receipt_ids(state: &SandboxState, tx: &Tx) -> Vec<String> {
    state.receipts.ids(
        &tx.id,
        receipt_id(state.data.options.seed, tx),
        state.clock.now(),
    )
}

/// `tx`'s `updated_at`, moved by receipts attached or removed and by its category changed
/// through the API.
pub(crate) fn updated_at(state: &SandboxState, tx: &Tx) -> DateTime<Utc> {
    let receipts = state
        .receipts
        .updated_at(&tx.id, tx.updated_at, state.clock.now());
    state
        .categories
        .touched_at(&tx.id)
        .map_or(receipts, |at| receipts.max(at))
}

/// An uploaded receipt as Qonto describes it, with a fresh URL to its file.
fn upload_json(
    state: &SandboxState,
    headers: &HeaderMap,
    file: &crate::uploads::Uploaded,
) -> Value {
    json!({
        "id": file.id,
        "file_name": file.file_name,
        "file_size": file.bytes.len().to_string(),
        "file_content_type": file.content_type,
        "url": files::signed_url(state, headers, "uploads", &file.id),
        "created_at": format_timestamp(file.created_at),
        "probative_attachment": { "status": "pending" },
    })
}

/// Every receipt `tx` carries now, as Qonto describes them.
pub(super) fn attachments_json(state: &SandboxState, headers: &HeaderMap, tx: &Tx) -> Vec<Value> {
    let mut items: Vec<Value> = receipt_id(state.data.options.seed, tx)
        .filter(|_| !state.receipts.seeded_removed(&tx.id))
        .map(|a| attachment_json(state, headers, tx, &a))
        .into_iter()
        .collect();
    items.extend(
        state
            .receipts
            .added(&tx.id, state.clock.now())
            .iter()
            .map(|file| upload_json(state, headers, file)),
    );
    items
}

/// One attachment as Qonto describes it, with a fresh URL to its file.
fn attachment_json(state: &SandboxState, headers: &HeaderMap, tx: &Tx, id: &str) -> Value {
    let file = |file_id: &str| {
        json!({
            "file_name": format!("receipt-{}.pdf", tx.number),
            "file_size": files::file_bytes("attachments", file_id).map(|b| b.len()).unwrap_or(0).to_string(),
            "file_content_type": "application/pdf",
            "url": files::signed_url(state, headers, "attachments", file_id),
        })
    };
    let mut v = file(id);
    v["id"] = json!(id);
    v["created_at"] = json!(format_timestamp(tx.settled_at.unwrap_or(tx.emitted_at)));
    let mut probative = file(&format!("{id}-probative"));
    probative["status"] = json!("available");
    v["probative_attachment"] = probative;
    v
}

/// `GET /v2/transactions/{id}/attachments`
pub async fn transaction_attachments(
    scope: Scoped,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
    for account in &org.accounts {
        let ledger = state.ledger(account);
        if let Some(tx) = ledger.transactions.iter().find(|t| t.id == id) {
            let items = attachments_json(&state, &headers, tx);
            return axum::Json(json!({ "attachments": items })).into_response();
        }
    }
    not_found("Transaction not found")
}

/// `GET /v2/attachments/{id}`
pub async fn attachment(scope: Scoped, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let state = scope.state.clone();
    if let Some(file) = state.receipts.find(&id) {
        let body = json!({ "attachment": upload_json(&state, &headers, &file) });
        return axum::Json(body).into_response();
    }
    let org = scope.org();
    let seed = state.data.options.seed;
    for account in &org.accounts {
        let ledger = state.ledger(account);
        if let Some(tx) = ledger
            .transactions
            .iter()
            .find(|t| receipt_id(seed, t).as_deref() == Some(id.as_str()))
        {
            let body = json!({ "attachment": attachment_json(&state, &headers, tx, &id) });
            return axum::Json(body).into_response();
        }
    }
    not_found("Attachment not found")
}
