//! What the background sync of the local books is doing, as the app shows it: a mark per
//! organization and a word for the whole in the title line.

use std::collections::HashMap;
use std::time::Instant;

/// Where one organization's sync is in the current pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgSync {
    Queued,
    /// Page `page` of `total_pages` of the account being backfilled (0 before the first).
    Running {
        page: i64,
        total_pages: Option<i64>,
    },
    Done,
    /// Why it stopped (said in full on the status line, marked on its row).
    Failed(String),
}

/// What the worker tells the app about the background sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncNews {
    /// A pass began over these organizations.
    Started {
        orgs: Vec<String>,
    },
    Org {
        org: String,
        state: OrgSync,
    },
    /// Transactions new since the last pass arrived on an organization already synced.
    Arrived {
        org: String,
        count: usize,
    },
    /// A pass ended, with this many transactions in the books.
    Finished {
        stored: Option<i64>,
    },
}

#[derive(Debug, Default)]
pub struct SyncView {
    pub orgs: HashMap<String, OrgSync>,
    /// A pass is under way.
    pub running: bool,
    /// Transactions in the books after the last pass.
    pub stored: Option<i64>,
    /// When the last pass ended.
    pub finished_at: Option<Instant>,
    /// The organization ids (sorted) the worker was last asked to sync.
    pub asked_for: Vec<String>,
}

impl SyncView {
    pub fn apply(&mut self, news: SyncNews, now: Instant) {
        match news {
            SyncNews::Started { orgs } => {
                self.running = true;
                self.orgs = orgs.into_iter().map(|o| (o, OrgSync::Queued)).collect();
            }
            SyncNews::Org { org, state } => {
                self.orgs.insert(org, state);
            }
            // The app keeps those (per organization, until it is looked at).
            SyncNews::Arrived { .. } => {}
            SyncNews::Finished { stored } => {
                self.running = false;
                self.stored = stored.or(self.stored);
                self.finished_at = Some(now);
            }
        }
    }

    /// Organizations done (or failed) in this pass, and how many it has.
    pub fn done(&self) -> (usize, usize) {
        let done = self
            .orgs
            .values()
            .filter(|s| matches!(s, OrgSync::Done | OrgSync::Failed(_)))
            .count();
        (done, self.orgs.len())
    }

    pub fn failed(&self) -> usize {
        self.orgs
            .values()
            .filter(|s| matches!(s, OrgSync::Failed(_)))
            .count()
    }

    /// The short mark for an organization's row: how far its backfill is while it runs, `!`
    /// when it failed, nothing otherwise.
    pub fn mark(&self, org: &str) -> Option<String> {
        match self.orgs.get(org)? {
            OrgSync::Running {
                page,
                total_pages: Some(total),
            } if *total > 1 => Some(format!("↻{:>3}%", (page * 100 / total).clamp(0, 99))),
            OrgSync::Running { .. } => Some("↻".to_string()),
            OrgSync::Failed(_) => Some("!".to_string()),
            OrgSync::Queued | OrgSync::Done => None,
        }
    }

    /// Why `org`'s last sync failed, if it did.
    pub fn failure(&self, org: &str) -> Option<&str> {
        match self.orgs.get(org)? {
            OrgSync::Failed(why) => Some(why),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_counted_and_marked_per_organization() {
        let now = Instant::now();
        let mut view = SyncView::default();
        view.apply(
            SyncNews::Started {
                orgs: vec!["a".into(), "b".into(), "c".into()],
            },
            now,
        );
        assert!(view.running);
        assert_eq!(view.done(), (0, 3));
        assert_eq!(view.mark("a"), None);
        let running = |page, total| SyncNews::Org {
            org: "a".into(),
            state: OrgSync::Running {
                page,
                total_pages: total,
            },
        };
        view.apply(running(0, None), now);
        assert_eq!(view.mark("a").as_deref(), Some("↻"));
        view.apply(running(30, Some(120)), now);
        assert_eq!(view.mark("a").as_deref(), Some("↻ 25%"));
        view.apply(running(120, Some(120)), now);
        assert_eq!(view.mark("a").as_deref(), Some("↻ 99%"));
        view.apply(
            SyncNews::Org {
                org: "a".into(),
                state: OrgSync::Done,
            },
            now,
        );
        view.apply(
            SyncNews::Org {
                org: "b".into(),
                state: OrgSync::Failed("refused".into()),
            },
            now,
        );
        assert_eq!(view.mark("a"), None);
        assert_eq!(view.mark("b").as_deref(), Some("!"));
        assert_eq!(view.failure("b"), Some("refused"));
        assert_eq!((view.done(), view.failed()), ((2, 3), 1));
        view.apply(SyncNews::Finished { stored: Some(42) }, now);
        assert!(!view.running);
        assert_eq!((view.stored, view.finished_at), (Some(42), Some(now)));
    }
}
