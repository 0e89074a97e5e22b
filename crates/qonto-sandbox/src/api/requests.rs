//! `GET /v2/requests` (filters `status[]` and `request_type[]`, newest first, paged) and
//! `POST /v2/requests/{request_type}/{id}/decline`: a `declined_note` required, only a pending
//! request, an idempotency key required whose first answer is kept 30 minutes, the answer
//! wrapped as `request_<type>`. Declining needs `request_review.write` on an OAuth token; API
//! keys may. Approving needs strong authentication, which no API client has: it is not served.

#![allow(clippy::result_large_err)]

use super::uploads::{credential_of, key_of};
use super::*;
use crate::requests::{KINDS, Refusal};

const STATUSES: [&str; 4] = ["pending", "approved", "declined", "canceled"];
/// Longest note taken.
const MAX_NOTE: usize = 500;

fn unprocessable(code: &str, detail: &str) -> Response {
    api_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        code,
        detail,
        &new_trace_id(),
    )
}

pub async fn requests(scope: Scoped, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let statuses = params.all("status");
    if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(s)) {
        return bad_parameter(
            "status",
            "not_in_list",
            &format!("status {bad:?} must be one of: pending, approved, declined, canceled"),
        );
    }
    let kinds = params.all("request_type");
    if let Some(bad) = kinds
        .iter()
        .find(|k| !KINDS.iter().any(|(_, one)| one == *k))
    {
        return bad_parameter(
            "request_type",
            "not_in_list",
            &format!(
                "request_type {bad:?} must be one of: flash_card, virtual_card, transfer, multi_transfer"
            ),
        );
    }
    let state = &scope.state;
    let mut list = state.requests.of(scope.org());
    list.retain(|r| {
        (statuses.is_empty() || statuses.contains(&r.status))
            && (kinds.is_empty() || kinds.contains(&r.kind))
    });
    list.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let items: Vec<Value> = page_of(&list, page, per_page)
        .iter()
        .map(crate::requests::Request::json)
        .collect();
    axum::Json(json!({ "requests": items, "meta": meta(page, per_page, list.len()) }))
        .into_response()
}

pub async fn decline_request(
    scope: Scoped,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> Response {
    if scope
        .grant
        .as_ref()
        .is_some_and(|g| !g.has_scope("request_review.write"))
    {
        return forbidden("missing required oauth scope: request_review.write");
    }
    let Some((_, one)) = KINDS.iter().find(|(path, _)| *path == kind) else {
        return not_found("Unknown request type");
    };
    let key = match key_of(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let state = &scope.state;
    let credential = credential_of(&headers);
    let now = state.clock.now();
    if let Some(kept) = state.requests.kept(&credential, &key, now) {
        return axum::Json(kept).into_response();
    }
    let note = serde_json::from_slice::<Value>(&raw)
        .ok()
        .and_then(|b| {
            b.get("declined_note")
                .and_then(Value::as_str)
                .map(str::trim)
                .map(String::from)
        })
        .unwrap_or_default();
    if note.is_empty() || note.chars().count() > MAX_NOTE {
        return unprocessable(
            "invalid_declined_note",
            "declined_note is required (at most 500 characters)",
        );
    }
    let declined = state
        .requests
        .decline(scope.org(), one, &id, &note, &scope.made_by(), now);
    match declined {
        Ok(request) => {
            let answer = json!({ format!("request_{one}"): request.json() });
            state.requests.keep(&credential, &key, answer.clone(), now);
            state.acted.record(&scope.org().id, "decline", &[id]);
            state.acted.answer(axum::Json(answer).into_response())
        }
        Err(Refusal::NotFound) => not_found("Request not found"),
        Err(Refusal::NotPending(status)) => unprocessable(
            "invalid_status_transition",
            &format!("Only a pending request can be declined; this one is {status}"),
        ),
    }
}
