//! The TUI's background sync: keeps the local books up to date with every organization, the
//! one on screen first, at a pace that leaves Qonto's per-IP rate budget to what the user asks
//! for, and tells the app how far it is as it goes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::cache::CacheSlot;
use crate::app::Msg;
use crate::app::sync_view::{OrgSync, SyncNews};
use qonto_books::readers_first::ReadersFirst;
use qonto_books::sync::{Budget, Listeners, Pace, Progress, sync_org};
use qonto_client::api::ApiClient;
use qonto_client::api::models::UserOrganization;
use qonto_client::api::user_first::UserFirst;

/// Progress is sent at most this often per organization (each message redraws the screen).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// The organizations still to sync in this pass; the one the user selects moves to the front.
#[derive(Clone, Default)]
struct Queue(Arc<Mutex<VecDeque<UserOrganization>>>);

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<UserOrganization>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn next(&self) -> Option<UserOrganization> {
        self.lock().pop_front()
    }

    fn prefer(&self, org: &str) {
        let mut queue = self.lock();
        if let Some(i) = queue.iter().position(|o| o.id == org)
            && let Some(it) = queue.remove(i)
        {
            queue.push_front(it);
        }
    }
}

/// How the sync shares Qonto and the books with the user: it gives way to their requests, its
/// writes wait while they search, and it passes again after `every`.
struct Lane {
    user_first: Arc<UserFirst>,
    readers_first: Arc<ReadersFirst>,
    every: Duration,
}

/// A running background sync.
pub struct BackgroundSync {
    queue: Queue,
    task: JoinHandle<()>,
}

impl BackgroundSync {
    /// Starts syncing `orgs` (in that order, unless the user selects another) once the books
    /// are open, then again after `every`. Nothing happens when they never open.
    pub fn start(
        api: Arc<ApiClient>,
        cache: CacheSlot,
        orgs: Vec<UserOrganization>,
        user_first: Arc<UserFirst>,
        readers_first: Arc<ReadersFirst>,
        every: Duration,
        to_app: UnboundedSender<Msg>,
    ) -> Self {
        let queue = Queue::default();
        let lane = Lane {
            user_first,
            readers_first,
            every,
        };
        let task = tokio::spawn(run(api, cache, orgs, queue.clone(), lane, to_app));
        Self { queue, task }
    }

    /// `org` is on screen: it is synced next, if this pass has not reached it yet.
    pub fn prefer(&self, org: &str) {
        self.queue.prefer(org);
    }

    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for BackgroundSync {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    api: Arc<ApiClient>,
    cache: CacheSlot,
    orgs: Vec<UserOrganization>,
    queue: Queue,
    lane: Lane,
    to_app: UnboundedSender<Msg>,
) {
    let Some(opened) = cache.wait_open().await else {
        return;
    };
    let books = opened.books();
    loop {
        queue.lock().extend(orgs.iter().cloned());
        let ids = orgs.iter().map(|o| o.id.clone()).collect();
        let _ = to_app.send(Msg::Synced(SyncNews::Started { orgs: ids }));
        while let Some(org) = queue.next() {
            let _ = to_app.send(Msg::Synced(SyncNews::Org {
                org: org.id.clone(),
                state: OrgSync::Running {
                    page: 0,
                    total_pages: None,
                },
            }));
            let last_sent = Mutex::new(Instant::now());
            let progress = |p: Progress| {
                let mut last = last_sent.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() < PROGRESS_EVERY {
                    return;
                }
                *last = Instant::now();
                let _ = to_app.send(Msg::Synced(SyncNews::Org {
                    org: p.org.to_string(),
                    state: OrgSync::Running {
                        page: p.page,
                        total_pages: p.total_pages,
                    },
                }));
            };
            let result = lane
                .readers_first
                .in_background(lane.user_first.in_background(sync_org(
                    &api,
                    books,
                    &org,
                    &Budget::unlimited(),
                    Pace::BACKGROUND,
                    Listeners::progress(&progress),
                )))
                .await;
            let state = match result {
                Ok(report) => {
                    if report.arrived > 0 {
                        let _ = to_app.send(Msg::Synced(SyncNews::Arrived {
                            org: org.id.clone(),
                            count: report.arrived,
                        }));
                    }
                    OrgSync::Done
                }
                Err(e) => {
                    tracing::info!("background sync of an organization failed: {e}");
                    OrgSync::Failed(qonto_client::printable::printable(&e.to_string(), 200))
                }
            };
            let _ = to_app.send(Msg::Synced(SyncNews::Org { org: org.id, state }));
        }
        // The cash view's sums, if an organization's IBANs changed what counts as the user's
        // own (until then the view reads the rows themselves).
        let cash = books.write(|b| b.bring_cash_up_to_date());
        if let Ok(Err(e)) = lane.readers_first.in_background(cash).await {
            tracing::warn!("the cash view's sums could not be worked out: {e}");
        }
        // Counted on the writer's thread, idle between passes, not the reader's: over
        // 5,000,000 stored, counting every transaction took 0.9 to 4.8 s, and a search key typed
        // meanwhile waited behind it.
        let stored = books
            .read_fresh(|b| b.total_transactions())
            .await
            .ok()
            .and_then(Result::ok);
        let missing = books
            .read_fresh(|b| b.missing_receipts())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let _ = to_app.send(Msg::ReceiptsCounted(missing));
        let _ = to_app.send(Msg::Synced(SyncNews::Finished { stored }));
        tokio::time::sleep(lane.every).await;
    }
}
