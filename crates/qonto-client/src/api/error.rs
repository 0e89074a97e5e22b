//! API failures in words a user can act on, with Qonto's `trace_id` where there is one.

use serde::Deserialize;

use super::credential::Via;
use crate::oauth::session::AuthError;
use crate::printable::printable;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Auth(#[from] AuthError),
    /// 403: for an organization, most often that it is no longer shared.
    #[error("forbidden: {detail}{}", trace(.trace_id))]
    Forbidden {
        detail: String,
        trace_id: Option<String>,
    },
    #[error("not found: {detail}{}", trace(.trace_id))]
    NotFound {
        detail: String,
        trace_id: Option<String>,
    },
    #[error("Qonto is rate limiting; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("Qonto answered {status}: {detail}{}", trace(.trace_id))]
    Server {
        status: u16,
        detail: String,
        trace_id: Option<String>,
    },
    #[error("Qonto refused the request ({status}): {detail}{}", trace(.trace_id))]
    Client {
        status: u16,
        detail: String,
        trace_id: Option<String>,
    },
    /// A 401 even with a token renewed a moment ago: the sign-in itself was just proven alive
    /// by the token server, so this is not a sign-out (a slow secret store can make the new
    /// token expire before it is used).
    #[error("Qonto refused a freshly renewed access token")]
    Unauthorized,
    /// A membership session or an API key was refused: that organization alone is cut off.
    #[error("Qonto refused this organization's {}: {detail}", via_words(*.via))]
    CredentialRefused { via: Via, detail: String },
    #[error("network: {0}")]
    Network(String),
    /// Not transient: asking again would bring the same flood.
    #[error("Qonto's answer was larger than {}; it was not read", crate::http::size_in_words(*.limit))]
    TooLarge { limit: usize },
    #[error("Qonto's answer is not understood: {0}")]
    Decode(String),
    #[error(
        "an HTML page came back instead of JSON: with Qonto's sandbox, set QONTO_STAGING_TOKEN"
    )]
    StagingToken,
}

fn via_words(via: Via) -> &'static str {
    match via {
        Via::User => "sign-in",
        Via::Membership => "membership consent",
        Via::ApiKey => "API key",
    }
}

fn trace(trace_id: &Option<String>) -> String {
    trace_id
        .as_ref()
        .map(|t| format!(" (trace {t})"))
        .unwrap_or_default()
}

impl ApiError {
    /// Worth retrying by itself, later (network, 5xx, 429, cut-off bodies).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network(_)
            | ApiError::Server { .. }
            | ApiError::RateLimited { .. }
            | ApiError::Unauthorized
            | ApiError::Decode(_) => true,
            ApiError::Auth(AuthError::Token(t)) => !t.requires_sign_in(),
            _ => false,
        }
    }

    /// 403: for a user-flow organization, most often that it is no longer shared.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ApiError::Forbidden { .. })
    }

    pub fn requires_sign_in(&self) -> bool {
        matches!(self, ApiError::Auth(a) if a.requires_sign_in())
    }

    pub fn trace_id(&self) -> Option<&str> {
        match self {
            ApiError::Forbidden { trace_id, .. }
            | ApiError::NotFound { trace_id, .. }
            | ApiError::Server { trace_id, .. }
            | ApiError::Client { trace_id, .. } => trace_id.as_deref(),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct JsonApiErrors {
    #[serde(default)]
    errors: Vec<JsonApiError>,
    #[serde(default)]
    trace_id: Option<String>,
    // Some endpoints answer a flat shape.
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
struct JsonApiError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

/// Reads an error body: JSON:API, else the flat shape, else a short piece of the text.
pub fn describe_error_body(body: &[u8], header_trace: Option<String>) -> (String, Option<String>) {
    let header_trace = header_trace.map(|t| printable(&t, 80));
    if let Ok(parsed) = serde_json::from_slice::<JsonApiErrors>(body) {
        let detail = parsed
            .errors
            .iter()
            .map(|e| e.detail.clone().or(e.code.clone()).unwrap_or_default())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let detail = if detail.is_empty() {
            parsed.message.or(parsed.code).unwrap_or_default()
        } else {
            detail
        };
        if !detail.is_empty() {
            let trace = parsed.trace_id.or(header_trace);
            return (printable(&detail, 300), trace.map(|t| printable(&t, 80)));
        }
    }
    let text = String::from_utf8_lossy(body);
    let short = printable(&text, 120);
    (
        if short.is_empty() {
            "no details".to_string()
        } else {
            short
        },
        header_trace,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_api_flat_and_text_bodies() {
        let (d, t) = describe_error_body(
            br#"{"errors":[{"code":"forbidden","detail":"not shared"}],"trace_id":"abc"}"#,
            None,
        );
        assert_eq!((d.as_str(), t.as_deref()), ("not shared", Some("abc")));
        let (d, _) = describe_error_body(br#"{"code":"sca_not_enrolled","message":"enrol"}"#, None);
        assert_eq!(d, "enrol");
        let (d, t) = describe_error_body(b"Bad Gateway", Some("h".into()));
        assert_eq!((d.as_str(), t.as_deref()), ("Bad Gateway", Some("h")));
    }
}
