//! Keyed job slots for fetches (as gitui's `AsyncSingleJob`, per key): one running job per
//! (organization, kind). A newer request for a slot replaces the older one; a request for the
//! selected organization aborts what is in flight for organizations the user moved past; and
//! while the selection is racing (a key held down), a fetch waits a moment before it is sent, so
//! that only the organization where the user stops costs a request.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use qonto_client::api::{ApiClient, Via};

use crate::sources::Sources;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::AbortHandle;

use super::fetch;
use crate::app::{Fetch, Msg};

/// Background fetches at once.
const BACKGROUND_CONCURRENCY: usize = 3;
/// A selection that moves again within this is still moving: its fetch waits this long first.
const SETTLE: Duration = Duration::from_millis(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// For what is on screen: starts at once (or once the selection settles).
    Selected,
    /// A prefetch: waits for one of a few background places.
    Background,
}

/// What a slot holds: one kind of data of one organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Kind {
    Orgs,
    Overview,
    Transactions(String),
    Members,
    Labels,
}

type Key = (Option<String>, Kind);

fn key_of(fetch: &Fetch) -> Key {
    let kind = match fetch {
        Fetch::Orgs { .. } => Kind::Orgs,
        Fetch::Overview { .. } => Kind::Overview,
        Fetch::Transactions { account, .. } => Kind::Transactions(account.clone()),
        Fetch::Members { .. } => Kind::Members,
        Fetch::Labels { .. } => Kind::Labels,
    };
    (fetch.org().map(String::from), kind)
}

struct Running {
    id: u64,
    fetch: Fetch,
    priority: Priority,
    /// Set once the request is on its way (no longer waiting to settle or for a place).
    sent: Arc<AtomicBool>,
    handle: AbortHandle,
}

pub struct Slots {
    api: Arc<ApiClient>,
    sources: Arc<Sources>,
    /// Where answers are also written (the local books), once they are open.
    cache: super::cache::CacheSlot,
    to_app: mpsc::UnboundedSender<Msg>,
    running: HashMap<Key, Running>,
    next_id: u64,
    done_tx: mpsc::UnboundedSender<(Key, u64)>,
    done_rx: mpsc::UnboundedReceiver<(Key, u64)>,
    background: Arc<Semaphore>,
    /// The organization selected fetches were last asked for, and when the first of them came.
    last_selected: Option<(String, Instant)>,
}

impl Slots {
    pub fn new(
        api: Arc<ApiClient>,
        sources: Arc<Sources>,
        cache: super::cache::CacheSlot,
        to_app: mpsc::UnboundedSender<Msg>,
    ) -> Self {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Self {
            api,
            sources,
            cache,
            to_app,
            running: HashMap::new(),
            next_id: 0,
            done_tx,
            done_rx,
            background: Arc::new(Semaphore::new(BACKGROUND_CONCURRENCY)),
            last_selected: None,
        }
    }

    /// Runs `fetch` in its slot, unless the same request is already there.
    pub fn submit(&mut self, fetch: Fetch, priority: Priority) {
        let key = key_of(&fetch);
        if let Some(current) = self.running.get(&key) {
            let promote = priority == Priority::Selected
                && current.priority == Priority::Background
                && !current.sent.load(Ordering::SeqCst);
            if current.fetch.generation() == fetch.generation() && !promote {
                return;
            }
            current.handle.abort();
        }
        let mut delay = Duration::ZERO;
        if priority == Priority::Selected
            && let Some(org) = fetch.org()
        {
            let moved_past_a_fetch = self.abort_selected_elsewhere(org);
            // The selection is racing when it left the last organization before that one's data
            // came, soon after reaching it (a key held down); then this fetch waits to see
            // whether the selection stops here.
            let now = Instant::now();
            match &self.last_selected {
                Some((last, _)) if last == org => {}
                Some((_, arrived)) => {
                    if moved_past_a_fetch && now.duration_since(*arrived) < SETTLE {
                        delay = SETTLE;
                    }
                    self.last_selected = Some((org.to_string(), now));
                }
                None => self.last_selected = Some((org.to_string(), now)),
            }
        }
        self.spawn(key, fetch, priority, delay);
    }

    /// What is in flight for other organizations was asked for where the user no longer is:
    /// aborted, and the app told, so that it shows (and later asks for) those places afresh.
    /// Returns whether anything was in flight there.
    fn abort_selected_elsewhere(&mut self, org: &str) -> bool {
        let to_app = &self.to_app;
        let before = self.running.len();
        self.running.retain(|(slot_org, _), job| {
            // A job already done (its answer sent) only waits for its slot to be freed.
            let elsewhere = job.priority == Priority::Selected
                && slot_org.as_deref().is_some_and(|o| o != org)
                && !job.handle.is_finished();
            if elsewhere {
                job.handle.abort();
                let _ = to_app.send(Msg::FetchAbandoned(job.fetch.clone()));
            }
            !elsewhere
        });
        self.running.len() < before
    }

    fn spawn(&mut self, key: Key, fetch: Fetch, priority: Priority, delay: Duration) {
        self.next_id += 1;
        let id = self.next_id;
        let sent = Arc::new(AtomicBool::new(false));
        let api = self.api.clone();
        let sources = self.sources.clone();
        let cache = self.cache.clone();
        let to_app = self.to_app.clone();
        let done = self.done_tx.clone();
        let places = (priority == Priority::Background).then(|| self.background.clone());
        let flag = sent.clone();
        let slot = key.clone();
        let asked = fetch.clone();
        let task = tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let _place = match places {
                Some(places) => match places.acquire_owned().await {
                    Ok(place) => Some(place),
                    Err(_) => return,
                },
                None => None,
            };
            flag.store(true, Ordering::SeqCst);
            let msg = match from_the_books(&cache, &fetch).await {
                Some(msg) => {
                    let _ = to_app.send(msg);
                    let _ = done.send((slot, id));
                    return;
                }
                None => fetch::run(&api, &sources, fetch).await,
            };
            if !cache.is_closed() {
                let via = slot.0.as_deref().map_or(Via::User, |org| api.via(org));
                // Sent to the books' writer thread; nothing here waits for the write.
                cache.record(&msg, via);
            }
            let _ = to_app.send(msg);
            if let Some(health) = api.session().take_store_health_change() {
                let _ = to_app.send(Msg::StoreHealth(health));
            }
            let _ = done.send((slot, id));
        });
        self.running.insert(
            key,
            Running {
                id,
                fetch: asked,
                priority,
                sent,
                handle: task.abort_handle(),
            },
        );
    }

    /// Waits for a job to end (to free its slot); pending forever when none runs.
    pub async fn next_finished(&mut self) {
        if let Some((key, id)) = self.done_rx.recv().await
            && self.running.get(&key).is_some_and(|r| r.id == id)
        {
            self.running.remove(&key);
        }
    }

    pub fn abort_all(&mut self) {
        for (_, job) in self.running.drain() {
            job.handle.abort();
        }
    }
}

/// A later page of transactions the local books hold in full, read from them (on their
/// reader's thread) instead of asked of Qonto; the first page always comes from Qonto, so what is new
/// shows.
async fn from_the_books(cache: &super::cache::CacheSlot, fetch: &Fetch) -> Option<Msg> {
    let Fetch::Transactions {
        org,
        account,
        page,
        generation,
        declined,
    } = fetch.clone()
    else {
        return None;
    };
    if page < 2 || cache.is_closed() {
        return None;
    }
    let answer = cache
        .opened()?
        .listed_page(
            account.clone(),
            page,
            fetch::TRANSACTIONS_PER_PAGE,
            declined,
        )
        .await?;
    Some(Msg::TransactionsLoaded {
        org,
        account,
        page,
        generation,
        result: Ok(answer),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use qonto_sandbox::Faults;

    async fn next(rx: &mut mpsc::UnboundedReceiver<Msg>) -> Msg {
        tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a message within 10 s")
            .expect("the channel is open")
    }

    /// Moving on from A to B at once: A's request is dropped (and said so), only B's is answered,
    /// and asking for B again while it is on its way costs nothing.
    #[tokio::test(flavor = "multi_thread")]
    async fn moving_past_an_org_aborts_its_fetch_and_a_repeat_is_free() {
        let sb = qonto_testkit::fixtures::sandbox().await;
        let api = Arc::new(qonto_testkit::fixtures::signed_in_api(&sb).await);
        let orgs = qonto_testkit::fixtures::org_ids(&sb);
        sb.set_faults(Faults {
            latency: Duration::from_millis(300),
            ..Faults::default()
        });
        let before = sb.stats().api_requests;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut slots = Slots::new(api, Arc::new(Sources::in_memory()), Default::default(), tx);
        let overview = |org: &str, generation| Fetch::Overview {
            org: org.to_string(),
            generation,
        };
        slots.submit(overview(&orgs[0], 1), Priority::Selected);
        slots.submit(overview(&orgs[1], 2), Priority::Selected);
        slots.submit(overview(&orgs[1], 2), Priority::Selected);
        match next(&mut rx).await {
            Msg::FetchAbandoned(Fetch::Overview { org, generation }) => {
                assert_eq!((org.as_str(), generation), (orgs[0].as_str(), 1));
            }
            other => panic!("expected A abandoned, got {other:?}"),
        }
        match next(&mut rx).await {
            Msg::OverviewLoaded {
                org,
                generation,
                result,
            } => {
                assert_eq!((org.as_str(), generation), (orgs[1].as_str(), 2));
                assert!(result.is_ok(), "{result:?}");
            }
            other => panic!("expected B's overview, got {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(rx.try_recv().is_err(), "nothing else arrives");
        assert_eq!(sb.stats().api_requests - before, 1, "only B was answered");
    }
}
