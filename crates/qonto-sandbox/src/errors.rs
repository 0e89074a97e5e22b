//! Error bodies as Qonto sends them: JSON:API for the API (with `trace_id` and the matching
//! `X-Tyk-Trace-Id` header), RFC 6749 for the OAuth endpoints.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub fn new_trace_id() -> String {
    crate::random::random_hex(16).unwrap_or_else(|_| "0".repeat(32))
}

pub fn api_error(status: StatusCode, code: &str, detail: &str, trace_id: &str) -> Response {
    api_error_with_source(status, code, detail, None, trace_id)
}

/// A JSON:API error naming the query parameter at fault.
pub fn api_error_with_source(
    status: StatusCode,
    code: &str,
    detail: &str,
    parameter: Option<&str>,
    trace_id: &str,
) -> Response {
    let mut error = json!({ "code": code, "detail": detail });
    if let Some(p) = parameter {
        error["source"] = json!({ "parameter": p });
    }
    let body = json!({ "errors": [error], "trace_id": trace_id });
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(trace_id) {
        response.headers_mut().insert("x-tyk-trace-id", v);
    }
    response
}

pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

/// What Qonto's sandbox answers when `X-Qonto-Staging-Token` is missing: an HTML sign-in page
/// with status 200, which clients must recognise.
pub fn staging_login_page() -> Response {
    (
        StatusCode::OK,
        [("content-type", "text/html; charset=utf-8")],
        "<!doctype html><html><head><title>OneLogin</title></head><body><p>Sign in to continue \
         to the Qonto sandbox.</p></body></html>",
    )
        .into_response()
}
