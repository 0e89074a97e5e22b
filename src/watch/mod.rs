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

    /// An account that appeared after the watch started (one just opened, say): every change
    /// on it from `watch_start` on is news, as it would have been had it been watched then.
    pub fn found_later(
        org_id: &str,
        org_name: &str,
        account_id: &str,
        account_name: &str,
        watch_start: &str,
    ) -> Self {
        Self {
            since: Some(watch_start.into()),
            started: true,
            ..Self::new(org_id, org_name, account_id, account_name)
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

/// What a listing of an organization's accounts changed in what is watched.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Relisted {
    pub added: Vec<String>,
    pub dropped: Vec<String>,
}

/// Brings the watched accounts of one organization in line with its accounts as listed now
/// (id, name): those no longer listed are dropped, so a closed account is not polled forever;
/// those new are added. On the organization's first listing they start from now; later, they
/// are accounts opened while watched, so they start from `watch_start`.
pub fn relist(
    watched: &mut Vec<Watched>,
    (org_id, org_name): (&str, &str),
    listed: &[(String, String)],
    first_listing: bool,
    watch_start: &str,
) -> Relisted {
    let mut changes = Relisted::default();
    watched.retain(|w| {
        let keep = w.org_id != org_id || listed.iter().any(|(id, _)| *id == w.account_id);
        if !keep {
            changes.dropped.push(w.account_name.clone());
        }
        keep
    });
    for (id, name) in listed {
        if watched
            .iter()
            .any(|w| w.org_id == org_id && w.account_id == *id)
        {
            continue;
        }
        watched.push(if first_listing {
            Watched::new(org_id, org_name, id, name)
        } else {
            changes.added.push(name.clone());
            Watched::found_later(org_id, org_name, id, name, watch_start)
        });
    }
    changes
}

fn id_of(t: &Transaction) -> Option<String> {
    t.id.clone().or_else(|| t.transaction_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(watched: &[Watched]) -> Vec<&str> {
        watched.iter().map(|w| w.account_id.as_str()).collect()
    }

    #[test]
    fn a_new_account_is_watched_from_the_start_and_a_closed_one_dropped() {
        let start = "2026-11-24T08:00:00.000Z";
        let org = ("org-1", "Atelier");
        let listed = |ids: &[&str]| -> Vec<(String, String)> {
            ids.iter()
                .map(|i| (i.to_string(), format!("{i} name")))
                .collect()
        };
        let mut watched = vec![Watched::new("org-2", "Other", "x", "x name")];
        let first = relist(&mut watched, org, &listed(&["a", "b"]), true, start);
        assert_eq!(first, Relisted::default(), "the first listing is not news");
        assert_eq!(names(&watched), ["x", "a", "b"]);
        assert!(!watched[1].started, "read from now on");

        let later = relist(&mut watched, org, &listed(&["b", "c"]), false, start);
        assert_eq!(later.added, ["c name"]);
        assert_eq!(later.dropped, ["a name"]);
        assert_eq!(
            names(&watched),
            ["x", "b", "c"],
            "the other organization's stay"
        );
        let c = &watched[2];
        assert!(
            c.started,
            "no starting point to read: everything since the start is news"
        );
        assert_eq!(c.since.as_deref(), Some(start));
    }
}
