//! Receipts written through the API, as Qonto takes them: `POST /v2/transactions/{id}/attachments`
//! and `POST /v2/attachments` (multipart, one part `file`, JPEG, PNG or PDF told by its bytes,
//! an idempotency key required), and the two `DELETE`s. Writes need `attachment.write` on an
//! OAuth token; API keys may write.

#![allow(clippy::result_large_err)]

use axum::extract::Multipart;
use sha2::{Digest, Sha256};

use crate::uploads::{UploadFault, Uploaded, sniff};

use super::*;

const KEY_HEADER: &str = "x-qonto-idempotency-key";

/// 403 unless an OAuth token carries `attachment.write`.
fn may_write(scope: &Scoped) -> Result<(), Response> {
    if scope
        .grant
        .as_ref()
        .is_some_and(|g| !g.has_scope("attachment.write"))
    {
        return Err(forbidden("missing required oauth scope: attachment.write"));
    }
    Ok(())
}

/// Who is writing, for the idempotency cache: a digest of the credential, never the credential.
pub(crate) fn credential_of(headers: &HeaderMap) -> String {
    let auth = headers
        .get("authorization")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    Sha256::digest(auth)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The idempotency key, required on uploads.
pub(crate) fn key_of(headers: &HeaderMap) -> Result<String, Response> {
    headers
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(String::from)
        .ok_or_else(|| {
            api_error(
                StatusCode::BAD_REQUEST,
                "missing_idempotency_key",
                "The X-Qonto-Idempotency-Key header is required on this endpoint",
                &new_trace_id(),
            )
        })
}

fn unprocessable(code: &str, detail: &str) -> Response {
    api_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        code,
        detail,
        &new_trace_id(),
    )
}

/// The one part `file` of the body: its name and bytes, checked as Qonto checks them.
async fn read_file(
    state: &SandboxState,
    mut multipart: Multipart,
) -> Result<(String, &'static str, Vec<u8>), Response> {
    let too_large = || {
        api_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            &format!(
                "The file is larger than {} MB",
                state.receipts.options.max_bytes / (1024 * 1024)
            ),
            &new_trace_id(),
        )
    };
    let mut found = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(unprocessable("invalid_body", &e.body_text())),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("file").to_string();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(unprocessable("invalid_body", &e.body_text())),
        };
        if found.is_some() {
            return Err(unprocessable(
                "invalid_body",
                "Only one file may be uploaded per request",
            ));
        }
        found = Some((name, bytes.to_vec()));
    }
    let Some((name, bytes)) = found else {
        return Err(unprocessable("invalid_body", "The file part is required"));
    };
    if bytes.len() > state.receipts.options.max_bytes {
        return Err(too_large());
    }
    let Some(content_type) = sniff(&bytes) else {
        return Err(unprocessable(
            "invalid_file",
            "The file must be a JPEG, PNG or PDF",
        ));
    };
    Ok((name, content_type, bytes))
}

/// A new upload, processed after the configured delay.
fn new_upload(
    scope: &Scoped,
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
) -> Uploaded {
    let state = &scope.state;
    let now = state.clock.now();
    Uploaded {
        id: crate::random::uuid_v4(),
        file_name: name,
        content_type,
        bytes: Arc::new(bytes),
        created_at: now,
        visible_at: now + state.receipts.delay(),
        by: scope.made_by(),
    }
}

/// The transaction `id` of the caller's organization, and its generated receipt.
fn find_tx(scope: &Scoped, id: &str) -> Option<(Tx, Option<String>)> {
    let state = &scope.state;
    scope.org().accounts.iter().find_map(|account| {
        let ledger = state.ledger(account);
        ledger.transactions.iter().find(|t| t.id == id).map(|tx| {
            (
                tx.clone(),
                attachments::receipt_id(state.data.options.seed, tx),
            )
        })
    })
}

/// Answers `status` with `body`, or as the fault for this upload says.
async fn answer(status: StatusCode, body: Value, fault: Option<UploadFault>) -> Response {
    match fault {
        Some(UploadFault::DropAfterProcessing) => {
            crate::faults::fault_response(crate::faults::Fault::Drop, &new_trace_id())
        }
        Some(UploadFault::SlowAnswer(by)) => {
            tokio::time::sleep(by).await;
            (status, axum::Json(body)).into_response()
        }
        _ => (status, axum::Json(body)).into_response(),
    }
}

/// Shared by both uploads: scope, key, replay, the file, the fault; then `keep` stores it and
/// gives the answer's body.
async fn upload(
    scope: &Scoped,
    headers: &HeaderMap,
    target: &str,
    multipart: Multipart,
    keep: impl FnOnce(Uploaded) -> Value,
) -> Response {
    if let Err(r) = may_write(scope) {
        return r;
    }
    let key = match key_of(headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let state = &scope.state;
    state.receipts.note_key(target, &key);
    let credential = credential_of(headers);
    let (name, content_type, bytes) = match read_file(state, multipart).await {
        Ok(file) => file,
        // A refused body is refused again only if it is sent again: errors are not kept.
        Err(r) => {
            if let Some(reply) = state.receipts.replay(&credential, &key, state.clock.now()) {
                return replayed(reply);
            }
            return r;
        }
    };
    let now = state.clock.now();
    if let Some(reply) = state.receipts.replay(&credential, &key, now) {
        return replayed(reply);
    }
    let fault = state.receipts.take_fault();
    match fault {
        Some(UploadFault::ServerError) => {
            return api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "The service is temporarily unavailable (injected by the sandbox)",
                &new_trace_id(),
            );
        }
        Some(UploadFault::RateLimited) => {
            return crate::faults::fault_response(
                crate::faults::Fault::TooManyRequests {
                    retry_after_secs: 1,
                },
                &new_trace_id(),
            );
        }
        _ => {}
    }
    let body = keep(new_upload(scope, name, content_type, bytes));
    state
        .receipts
        .remember(&credential, &key, 200, body.clone(), now);
    answer(StatusCode::OK, body, fault).await
}

fn replayed(reply: crate::uploads::Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    (status, axum::Json(reply.body)).into_response()
}

/// `POST /v2/transactions/{id}/attachments`: 200 with an empty body, attached after the delay.
pub async fn attach(
    scope: Scoped,
    headers: HeaderMap,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Response {
    if let Err(r) = may_write(&scope) {
        return r;
    }
    if find_tx(&scope, &id).is_none() {
        return not_found("Transaction not found");
    }
    let state = scope.state.clone();
    upload(&scope, &headers, &id, multipart, |file| {
        state.receipts.attach(&id, file);
        json!({})
    })
    .await
}

/// `POST /v2/attachments`: 200 `{"attachment":{"id"}}`.
pub async fn attach_standalone(
    scope: Scoped,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let state = scope.state.clone();
    upload(&scope, &headers, "", multipart, |file| {
        let id = file.id.clone();
        state.receipts.keep(file);
        json!({ "attachment": { "id": id } })
    })
    .await
}

/// `DELETE /v2/transactions/{id}/attachments/{attachment_id}`: 204, or 404.
pub async fn detach(scope: Scoped, Path((id, attachment_id)): Path<(String, String)>) -> Response {
    if let Err(r) = may_write(&scope) {
        return r;
    }
    let Some((_, seeded)) = find_tx(&scope, &id) else {
        return not_found("Transaction not found");
    };
    let state = &scope.state;
    if state
        .receipts
        .remove(&id, seeded.as_deref(), &attachment_id, state.clock.now())
    {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found("Attachment not found")
    }
}

/// `DELETE /v2/transactions/{id}/attachments`: 204, every receipt removed.
pub async fn detach_all(scope: Scoped, Path(id): Path<String>) -> Response {
    if let Err(r) = may_write(&scope) {
        return r;
    }
    let Some((_, seeded)) = find_tx(&scope, &id) else {
        return not_found("Transaction not found");
    };
    let state = &scope.state;
    state
        .receipts
        .remove_all(&id, seeded.as_deref(), state.clock.now());
    StatusCode::NO_CONTENT.into_response()
}
