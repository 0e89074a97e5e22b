//! Supplier invoices as Qonto serves them: `GET /v2/supplier_invoices` (`filter[status][]`,
//! paged, the soonest due first), `POST …/{id}/mark_as_paid` (a payment date), `…/unmark_as_paid`,
//! `…/reject` (a note; only from to review, to approve or awaiting payment, else 400; a French
//! e-invoice without an AFNOR reason code from 2026-09-01 is 422), and `POST
//! /v2/supplier_invoices/bulk` (multipart, at most 20 PDFs of 10 MB, one idempotency key per
//! invoice; always 200 with a per-invoice `errors` list). Reading needs `supplier_invoice.read`
//! on an OAuth token, changing `supplier_invoice.write`; API keys may do both.

#![allow(clippy::result_large_err)]

use axum::extract::Multipart;
use chrono::NaiveDate;

use super::uploads::credential_of;
use super::*;
use crate::invoices::Refusal;

const STATUSES: [&str; 7] = [
    "to_review",
    "to_approve",
    "awaiting_payment",
    "scheduled",
    "paid",
    "rejected",
    "archived",
];
const MAX_BULK: usize = 20;
const MAX_PDF: usize = 10 * 1024 * 1024;

fn needs(scope: &Scoped, wanted: &str) -> Result<(), Response> {
    if scope.grant.as_ref().is_some_and(|g| !g.has_scope(wanted)) {
        return Err(forbidden(&format!(
            "missing required oauth scope: {wanted}"
        )));
    }
    Ok(())
}

fn refused(e: Refusal) -> Response {
    match e {
        Refusal::NotFound => not_found("Supplier invoice not found"),
        Refusal::Transition(from) => api_error(
            StatusCode::BAD_REQUEST,
            "invalid_transition",
            &format!("This action is not available for an invoice that is {from}"),
            &new_trace_id(),
        ),
        Refusal::ReasonCodeNeeded => api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "declined_reason_code_required",
            "A French e-invoice is rejected with an AFNOR reason code (declined_reason_code)",
            &new_trace_id(),
        ),
    }
}

fn one(invoice: &crate::invoices::Invoice) -> Response {
    axum::Json(json!({ "supplier_invoice": invoice.json() })).into_response()
}

/// The `supplier_invoice` object of the body (an empty one when there is no body).
fn fields(raw: &[u8]) -> serde_json::Map<String, Value> {
    serde_json::from_slice::<Value>(raw)
        .ok()
        .and_then(|v| {
            v.get("supplier_invoice")
                .and_then(Value::as_object)
                .cloned()
        })
        .unwrap_or_default()
}

pub async fn supplier_invoices(scope: Scoped, RawQuery(q): RawQuery) -> Response {
    if let Err(r) = needs(&scope, "supplier_invoice.read") {
        return r;
    }
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let statuses = params.all("filter[status]");
    if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(s)) {
        return bad_parameter(
            "filter[status]",
            "not_in_list",
            &format!("status {bad:?} is not an invoice status"),
        );
    }
    let mut list = scope.state.invoices.of(scope.org());
    list.retain(|i| statuses.is_empty() || statuses.contains(&i.status));
    list.sort_by_key(|i| i.due_date);
    let items: Vec<Value> = page_of(&list, page, per_page)
        .iter()
        .map(crate::invoices::Invoice::json)
        .collect();
    axum::Json(json!({ "supplier_invoices": items, "meta": meta(page, per_page, list.len()) }))
        .into_response()
}

/// Records a change made, and answers it (or loses the answer, if the test asked).
fn acted(scope: &Scoped, what: &'static str, id: &str, answer: Response) -> Response {
    let acted = &scope.state.acted;
    acted.record(&scope.org().id, what, &[id.to_string()]);
    acted.answer(answer)
}

pub async fn mark_paid(scope: Scoped, Path(id): Path<String>, raw: axum::body::Bytes) -> Response {
    if let Err(r) = needs(&scope, "supplier_invoice.write") {
        return r;
    }
    let state = &scope.state;
    let now = state.clock.now();
    let date = match fields(&raw).get("payment_date").and_then(Value::as_str) {
        None => now.date_naive(),
        Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                return api_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_payment_date",
                    "payment_date is a day: YYYY-MM-DD",
                    &new_trace_id(),
                );
            }
        },
    };
    match state.invoices.mark_paid(scope.org(), &id, date, now) {
        Ok(i) => acted(&scope, "mark_paid", &id, one(&i)),
        Err(e) => refused(e),
    }
}

pub async fn unmark_paid(scope: Scoped, Path(id): Path<String>) -> Response {
    if let Err(r) = needs(&scope, "supplier_invoice.write") {
        return r;
    }
    let now = scope.state.clock.now();
    match scope.state.invoices.unmark_paid(scope.org(), &id, now) {
        Ok(i) => acted(&scope, "unmark_paid", &id, one(&i)),
        Err(e) => refused(e),
    }
}

pub async fn reject(scope: Scoped, Path(id): Path<String>, raw: axum::body::Bytes) -> Response {
    if let Err(r) = needs(&scope, "supplier_invoice.write") {
        return r;
    }
    let asked = fields(&raw);
    let note = asked
        .get("declined_note")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if note.is_empty() || note.chars().count() > 500 {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_declined_note",
            "declined_note is required (at most 500 characters)",
            &new_trace_id(),
        );
    }
    let code = asked.get("declined_reason_code").and_then(Value::as_str);
    let now = scope.state.clock.now();
    match scope
        .state
        .invoices
        .reject(scope.org(), &id, note, code, now)
    {
        Ok(i) => acted(&scope, "reject", &id, one(&i)),
        Err(e) => refused(e),
    }
}

/// `POST /v2/supplier_invoices/bulk`: each `supplier_invoices[][file]` part is an invoice, the
/// `supplier_invoices[][idempotency_key]` after it its key; always 200, errors per invoice.
pub async fn bulk(scope: Scoped, headers: HeaderMap, mut multipart: Multipart) -> Response {
    if let Err(r) = needs(&scope, "supplier_invoice.write") {
        return r;
    }
    let mut files: Vec<(String, Vec<u8>, Option<String>)> = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return api_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    &e.body_text(),
                    &new_trace_id(),
                );
            }
        };
        match field.name() {
            Some("supplier_invoices[][file]") => {
                let name = field.file_name().unwrap_or("invoice.pdf").to_string();
                let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                files.push((name, bytes, None));
            }
            Some("supplier_invoices[][idempotency_key]") => {
                let key = field.text().await.unwrap_or_default();
                if let Some(last) = files.last_mut() {
                    last.2 = Some(key.trim().to_string());
                }
            }
            _ => {}
        }
    }
    if files.is_empty() || files.len() > MAX_BULK {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            &format!("between 1 and {MAX_BULK} invoices per request"),
            &new_trace_id(),
        );
    }
    let state = &scope.state;
    let credential = credential_of(&headers);
    let now = state.clock.now();
    let mut made = Vec::new();
    let mut errors = Vec::new();
    for (n, (name, bytes, key)) in files.iter().enumerate() {
        let pointer = format!("/supplier_invoices/{n}");
        let error = |code: &str, detail: &str| json!({ "code": code, "detail": detail, "source": { "pointer": pointer } });
        let Some(key) = key.as_deref().filter(|k| !k.is_empty()) else {
            errors.push(error(
                "missing_idempotency_key",
                "each invoice needs its idempotency_key",
            ));
            continue;
        };
        if bytes.len() > MAX_PDF {
            errors.push(error("file_too_large", "an invoice's PDF is at most 10 MB"));
            continue;
        }
        if !bytes.starts_with(b"%PDF-") {
            errors.push(error("invalid_file", "an invoice must be a PDF"));
            continue;
        }
        let invoice = match state.invoices.by_key(&credential, key, now) {
            Some(id) => state
                .invoices
                .of(scope.org())
                .into_iter()
                .find(|i| i.id == id),
            None => None,
        };
        let invoice = invoice.unwrap_or_else(|| {
            let made = state.invoices.add(scope.org(), name, now);
            state.invoices.keep_key(&credential, key, &made.id, now);
            state
                .acted
                .record(&scope.org().id, "upload", std::slice::from_ref(&made.id));
            made
        });
        made.push(invoice.json());
    }
    let answer = axum::Json(json!({ "supplier_invoices": made, "errors": errors }));
    state.acted.answer(answer.into_response())
}
