//! Writes to Qonto, safe by construction: off unless the user turned them on for the
//! organization; each recorded in the journal of the encrypted local copy before it is sent;
//! one idempotency key per write, reused on every attempt while Qonto still remembers it (30
//! minutes), and Qonto's state read again before anything is sent after that; accepted kept
//! apart from done. [`receipts`] attaches and detaches receipts this way.

pub mod categories;
pub mod invoice_uploads;
pub mod invoices;
pub mod receipts;
pub mod requests;
pub mod rules;

use qonto_client::api::ApiError;
use qonto_client::printable::printable;

use crate::config::WritePolicy;

pub use crate::outcome::WriteError;

impl WriteError {
    /// Qonto's refusal, read: a missing scope (`scope`, which allows `what`) is said as such.
    fn from_refusal(org: &str, e: ApiError, scope: &'static str, what: &'static str) -> Self {
        match &e {
            ApiError::Forbidden { detail, .. }
                if detail.contains("missing required oauth scope") =>
            {
                WriteError::NotGranted {
                    org: printable(org, 80),
                    scope,
                    what,
                }
            }
            _ => WriteError::Refused(e),
        }
    }
}

impl From<qonto_books::BooksError> for WriteError {
    fn from(e: qonto_books::BooksError) -> Self {
        WriteError::Journal(e.to_string())
    }
}

/// Refuses a write to `org` unless the policy allows it.
pub fn allowed(
    policy: &WritePolicy,
    org_id: &str,
    org_name: &str,
    config: &std::path::Path,
) -> Result<(), WriteError> {
    if policy.allows(org_id, org_name) {
        Ok(())
    } else {
        Err(WriteError::Off {
            org: printable(org_name, 80),
            config: config.display().to_string(),
        })
    }
}

/// Waits between the attempts of one write in one run.
pub(crate) const BACKOFF_MS: [u64; 3] = [500, 1500, 4000];

/// Worth sending again: no answer, or Qonto asking to wait.
pub(crate) fn transient(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Network(_) | ApiError::Server { .. } | ApiError::RateLimited { .. }
    )
}

/// Moves write `id` to `state` in the journal, with what it made (`result`) or why it failed.
pub(crate) async fn reached(
    books: &qonto_books::BooksHandle,
    id: i64,
    state: qonto_books::journal::WriteState,
    result: Option<String>,
    error: Option<String>,
) -> Result<(), WriteError> {
    books
        .write(move |b| b.write_reached(id, state, result.as_deref(), error.as_deref(), now()))
        .await??;
    Ok(())
}

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod window_tests;
