//! Writes to Qonto, safe by construction: off unless the user turned them on for the
//! organization; each recorded in the journal of the encrypted local copy before it is sent;
//! one idempotency key per write, reused on every attempt while Qonto still remembers it (30
//! minutes), and Qonto's state read again before anything is sent after that; accepted kept
//! apart from done. [`receipts`] attaches and detaches receipts this way.

pub mod receipts;

use qonto_client::api::ApiError;
use qonto_client::printable::printable;

use crate::config::WritePolicy;

/// Why a write was not done. Each says what to do; none is a guess about Qonto's state.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "writes to Qonto are off for {org}: set `writes = true` (or a list of organizations) in {config}, or QONTO_TUI_WRITES=on; nothing was sent"
    )]
    Off { org: String, config: String },
    #[error(
        "Qonto did not grant this app the right to change receipts of {org} (attachment.write): sign in again and allow it (`qonto-tui login`, or `c` in the app), or add the organization with an API key; nothing was done"
    )]
    NotGranted { org: String },
    #[error("{0}; nothing was sent")]
    File(String),
    #[error(
        "transaction {0} is not in the local copy: run `qonto-tui sync` first, or check the id"
    )]
    UnknownTransaction(String),
    #[error("Qonto refused it: {0}")]
    Refused(ApiError),
    #[error(
        "Qonto could not be reached ({cause}); write #{id} is kept in the journal and the next write command finishes it"
    )]
    Unfinished { id: i64, cause: ApiError },
    #[error("the local copy could not record it: {0}")]
    Journal(String),
}

impl WriteError {
    /// Qonto's refusal, read: a missing scope is said as such.
    fn from_refusal(org: &str, e: ApiError) -> Self {
        match &e {
            ApiError::Forbidden { detail, .. }
                if detail.contains("missing required oauth scope") =>
            {
                WriteError::NotGranted {
                    org: printable(org, 80),
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

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod window_tests;
