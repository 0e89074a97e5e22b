//! What a sync tells as it goes: where it is (progress, for bars) and what arrived or changed
//! (news, for `watch` and the TUI's notices). One definition of "what changed": a transaction
//! that an upsert added, or replaced with another `updated_at`.

use chrono::{DateTime, Utc};
use qonto_client::api::models::Transaction;

/// What happened to a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Not in the books before.
    New,
    /// In the books with another `updated_at` (settled, labelled, given a receipt…).
    Changed,
}

/// Where a sync is, for progress lines and bars.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub org: &'a str,
    pub account: &'a str,
    pub page: i64,
    pub total_pages: Option<i64>,
    /// The account's transactions stored, counting those fetched and about to be committed.
    pub stored: i64,
}

/// A transaction that arrived or changed, once it is stored.
#[derive(Debug, Clone, Copy)]
pub struct News<'a> {
    pub change: Change,
    pub org_id: &'a str,
    pub org_name: &'a str,
    pub account_id: &'a str,
    pub account_name: &'a str,
    pub transaction: &'a Transaction,
}

/// Who hears what a sync does.
#[derive(Clone, Copy)]
pub struct Listeners<'a> {
    pub progress: &'a (dyn Fn(Progress) + Sync),
    pub news: &'a (dyn Fn(News) + Sync),
    /// Changes at or after this time are news even while an account's history is being
    /// filled in (an account opened while watched, or one changed during the first sync).
    /// Without it, only changes to accounts whose history was complete are news: history
    /// being filled in is not.
    pub news_since: Option<DateTime<Utc>>,
}

impl<'a> Listeners<'a> {
    /// Nobody listens.
    pub fn none() -> Listeners<'static> {
        Listeners {
            progress: &|_| {},
            news: &|_| {},
            news_since: None,
        }
    }

    /// Progress only.
    pub fn progress(progress: &'a (dyn Fn(Progress) + Sync)) -> Self {
        Listeners {
            progress,
            ..Listeners::none()
        }
    }

    /// Whether a change to `transaction` is news, on an account whose history `was_complete`.
    pub(crate) fn is_news(&self, transaction: &Transaction, was_complete: bool) -> bool {
        was_complete
            || self.news_since.is_some_and(|since| {
                transaction
                    .updated_at
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .is_some_and(|at| at.with_timezone(&Utc) >= since)
            })
    }
}
