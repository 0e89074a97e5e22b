//! Watching every organization for new and changed transactions: per account, the newest
//! `updated_at` seen and what was seen at it, so each change is told exactly once however the
//! polls fall, and a poll that fails (network down, Qonto unwell) loses nothing: the next one
//! asks again from the same point.

use std::collections::HashMap;

use qonto_client::api::models::Transaction;
use qonto_client::api::{ApiClient, ApiError};

/// At most this many pages of changes are read per account and poll (100 each).
const MAX_PAGES: i64 = 50;
/// Past this many transactions remembered per account, only those at the newest `updated_at`
/// are kept (an older one that changes again is then told as new, not changed).
const MAX_REMEMBERED: usize = 100_000;

/// What happened to a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Changed,
}

/// One transaction that appeared or changed.
#[derive(Debug, Clone)]
pub struct Event {
    pub change: Change,
    pub org_id: String,
    pub org_name: String,
    pub account_id: String,
    pub account_name: String,
    pub transaction: Transaction,
}

/// An account watched: where its changes were last read up to.
#[derive(Debug, Clone)]
pub struct Watched {
    pub org_id: String,
    pub org_name: String,
    pub account_id: String,
    pub account_name: String,
    /// The newest `updated_at` seen (Qonto's format compares as text).
    since: Option<String>,
    /// Every transaction seen, with its `updated_at` then.
    seen: HashMap<String, Option<String>>,
    /// Whether the starting point has been read.
    started: bool,
}

impl Watched {
    pub fn new(org_id: &str, org_name: &str, account_id: &str, account_name: &str) -> Self {
        Self {
            org_id: org_id.into(),
            org_name: org_name.into(),
            account_id: account_id.into(),
            account_name: account_name.into(),
            since: None,
            seen: HashMap::new(),
            started: false,
        }
    }

    /// Reads the starting point once (what exists now is not news), then every change since
    /// the last one seen, oldest first. On an error nothing moves: the next poll asks again.
    pub async fn poll(&mut self, api: &ApiClient) -> Result<Vec<Event>, ApiError> {
        if !self.started {
            let page = api
                .transactions_changed(
                    &self.org_id,
                    &self.account_id,
                    "updated_at:desc",
                    None,
                    1,
                    100,
                )
                .await?;
            self.since = page
                .transactions
                .iter()
                .filter_map(|t| t.updated_at.clone())
                .max();
            for t in &page.transactions {
                if let Some(id) = id_of(t) {
                    self.seen.insert(id, t.updated_at.clone());
                }
            }
            self.started = true;
            return Ok(Vec::new());
        }
        let mut changed = Vec::new();
        let mut page = 1;
        for _ in 0..MAX_PAGES {
            let answer = api
                .transactions_changed(
                    &self.org_id,
                    &self.account_id,
                    "updated_at:asc",
                    self.since.as_deref(),
                    page,
                    100,
                )
                .await?;
            changed.extend(answer.transactions);
            match answer.meta.next(page) {
                Some(next) => page = next,
                None => break,
            }
        }
        // Only now that every page is in does anything move.
        let mut events = Vec::new();
        for t in changed {
            let Some(id) = id_of(&t) else { continue };
            let change = match self.seen.get(&id) {
                None => Change::New,
                Some(updated) if *updated != t.updated_at => Change::Changed,
                Some(_) => continue,
            };
            self.seen.insert(id, t.updated_at.clone());
            if t.updated_at > self.since {
                self.since = t.updated_at.clone();
            }
            events.push(Event {
                change,
                org_id: self.org_id.clone(),
                org_name: self.org_name.clone(),
                account_id: self.account_id.clone(),
                account_name: self.account_name.clone(),
                transaction: t,
            });
        }
        if self.seen.len() > MAX_REMEMBERED {
            let since = self.since.clone();
            self.seen.retain(|_, updated| *updated >= since);
        }
        Ok(events)
    }
}

fn id_of(t: &Transaction) -> Option<String> {
    t.id.clone().or_else(|| t.transaction_id.clone())
}
