//! The local books as the TUI's cache: what Qonto answers is written to them as it arrives,
//! and at start what they hold is shown at once (marked with its age), before Qonto answers —
//! or instead of it, offline.

use crate::app::marks::MarkedAmount;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::app::local_error::LocalCopyError;
use crate::app::{Msg, Stored};
use crate::config::Config;
use qonto_books::{Books, BooksHandle, ListedFrom};
use qonto_client::api::Via;
use qonto_client::api::models::{Meta, Organization, TransactionsPage};

/// The most transactions of one account read at once for the `/` filter (a few hundred MB at
/// the very most; accounts hold far fewer).
pub const WHOLE_ACCOUNT_MOST: usize = 250_000;

/// Transactions shown per account before Qonto answers: the first page's worth.
const FIRST_PAGE: usize = 100;

/// The cache once it is open (for good empty: the demo, or no usable secret store). Answers
/// that come before it opens wait for it, so the first organization list is kept too.
pub type CacheSlot = Arc<CacheHandle>;

/// Answers kept while the books open, at most.
const KEPT_BEFORE_OPEN: usize = 256;

#[derive(Default)]
pub struct CacheHandle {
    cache: OnceLock<Cache>,
    waiting: Mutex<Vec<(Msg, Via)>>,
    /// The books will not open in this run.
    closed: std::sync::atomic::AtomicBool,
}

impl CacheHandle {
    /// Sends an answer to be written to the books (on their thread, without waiting), or keeps
    /// it until they are open.
    pub fn record(&self, msg: &Msg, via: Via) {
        if self.is_closed() {
            return;
        }
        if !matches!(
            msg,
            Msg::OrgsLoaded { result: Ok(_), .. }
                | Msg::OverviewLoaded { result: Ok(_), .. }
                | Msg::TransactionsLoaded { result: Ok(_), .. }
                | Msg::MembersLoaded { result: Ok(_), .. }
                | Msg::LabelsLoaded { result: Ok(_), .. }
        ) {
            return;
        }
        {
            let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
            if self.cache.get().is_none() {
                if waiting.len() < KEPT_BEFORE_OPEN {
                    waiting.push((msg.clone(), via));
                }
                return;
            }
        }
        if let Some(cache) = self.cache.get() {
            cache.record(msg.clone(), via);
        }
    }

    /// Takes the opened books, and writes what came before.
    fn open(&self, cache: Cache) -> Option<&Cache> {
        self.cache.set(cache).ok()?;
        let waiting = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()));
        let cache = self.cache.get()?;
        for (msg, via) in waiting {
            cache.record(msg, via);
        }
        Some(cache)
    }

    /// The books, once open; `None` when they will not open in this run (waits at most a
    /// minute: opening is bounded by the secret store's own time limit).
    pub async fn wait_open(&self) -> Option<&Cache> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(cache) = self.cache.get() {
                return Some(cache);
            }
            if self.is_closed() {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// The books, if they are open now.
    pub fn opened(&self) -> Option<&Cache> {
        self.cache.get()
    }

    /// Whether the books will not open in this run.
    pub fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The books will not open: nothing more is kept for them.
    fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

pub struct Cache {
    /// The books' owner threads: writes go to the writer, the user's own reads (search,
    /// detail, cash, scrolling) to the read-only connection, so a sync's commit never holds
    /// them up.
    books: BooksHandle,
    listing: Arc<Mutex<Listing>>,
}

/// What makes the next page of a list cheap to read: the last row of each page served, and
/// each list's length while the books have not changed.
#[derive(Default)]
struct Listing {
    /// (account, with declined, page) → the (sort_at, id) of that page's last row.
    page_ends: std::collections::HashMap<(String, bool, i64), (String, String)>,
    /// (account, with declined) → (the transactions' version then, the length).
    lengths: std::collections::HashMap<(String, bool), (i64, i64)>,
}

impl Cache {
    /// Opens the books of `config`'s server: in memory when the tokens are (the demo keeps
    /// nothing on disk); `None` when the local copy is turned off.
    pub async fn open(config: &Config) -> Option<Cache> {
        if !config.cache {
            return None;
        }
        match crate::local_copy::open_for(config, true).await {
            Ok(opened) => {
                if let Some(aside) = opened.set_aside {
                    tracing::warn!(
                        "the local database could not be read; moved to {} and rebuilt",
                        aside.display()
                    );
                }
                Some(Cache {
                    books: opened.books,
                    listing: Arc::default(),
                })
            }
            Err(e) => {
                tracing::warn!("the local copy of the books cannot be used: {e:#}");
                None
            }
        }
    }

    /// The books, for a sync that shares them with the answers written here.
    pub fn books(&self) -> &BooksHandle {
        &self.books
    }

    /// Sends what an answer brought to be written; `via` says how the organization of an
    /// overview is reached.
    pub fn record(&self, msg: Msg, via: Via) {
        let sent = self.books.write_later(move |books| {
            if let Err(e) = record_into(books, &msg, via) {
                tracing::warn!("could not write to the local copy of the books: {e}");
            }
        });
        if let Err(e) = sent {
            tracing::debug!("an answer was not written to the local copy: {e}");
        }
    }

    /// Page `page` of an account's transactions read from the books instead of Qonto, when
    /// they hold all of it: its backfill is complete and its last sync succeeded. Scrolling
    /// deep then costs no request, and memory holds only what was scrolled through.
    pub async fn listed_page(
        &self,
        account: String,
        page: i64,
        per_page: i64,
        with_declined: bool,
    ) -> Option<TransactionsPage> {
        let listing = self.listing.clone();
        // The read-only connection: a scroll never waits behind a sync's commit.
        self.books
            .read(move |books| {
                let mut listing = listing.lock().unwrap_or_else(PoisonError::into_inner);
                listed_page(books, &mut listing, &account, page, per_page, with_declined)
            })
            .await
            .ok()
            .flatten()
    }

    /// An account's transactions after `after` (its last row loaded; `None`: all of them),
    /// when the books hold the account whole (its backfill done and a sync succeeded); at most
    /// [`WHOLE_ACCOUNT_MOST`].
    pub async fn whole_account(
        &self,
        account: String,
        declined: bool,
        after: Option<(String, String)>,
    ) -> Option<Vec<qonto_client::api::models::Transaction>> {
        self.books
            .read(move |books| {
                let state = books.sync_state(&account).ok()??;
                if state.backfill_next_page.is_some() || state.synced_at.is_none() {
                    return None;
                }
                let from = match &after {
                    Some((sort_at, id)) => ListedFrom::After { sort_at, id },
                    None => ListedFrom::Offset(0),
                };
                books
                    .listed_transactions(&account, from, WHOLE_ACCOUNT_MOST, declined)
                    .ok()
            })
            .await
            .ok()
            .flatten()
    }

    /// At most `limit` transactions matching `query`, across every organization, and how
    /// many match, counted up to one more ("more than `limit`" costs nothing).
    pub async fn search(
        &self,
        query: qonto_books::query::Query,
        limit: usize,
    ) -> Result<(Vec<qonto_books::Found>, usize), LocalCopyError> {
        Ok(self
            .books
            .read(move |books| books.search(&query, limit, limit.saturating_add(1)))
            .await??)
    }

    /// An account's transaction ids, newest first.
    pub async fn account_ids(
        &self,
        account: String,
        declined: bool,
    ) -> Result<Vec<String>, LocalCopyError> {
        Ok(self
            .books
            .read(move |books| books.account_transaction_ids(&account, declined))
            .await??)
    }

    /// The ids of at most `limit` matches of `query`, newest first.
    pub async fn search_ids(
        &self,
        query: qonto_books::query::Query,
        limit: usize,
    ) -> Result<Vec<String>, LocalCopyError> {
        let (found, _) = self
            .books
            .read(move |books| books.search(&query, limit, limit))
            .await??;
        Ok(found.into_iter().map(|f| f.tx.id).collect())
    }

    /// Up to `limit` matches of `query` to mark, with what each adds to the marked total.
    pub async fn search_marks(
        &self,
        query: qonto_books::query::Query,
        limit: usize,
    ) -> Result<Vec<(String, MarkedAmount)>, LocalCopyError> {
        let (found, _) = self
            .books
            .read(move |books| books.search(&query, limit, limit))
            .await??;
        Ok(found
            .into_iter()
            .map(|f| {
                let amount = MarkedAmount::of(&f.tx);
                (f.tx.id, amount)
            })
            .collect())
    }

    /// `read` on the read-only connection's thread (the writer's where there is none).
    pub async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Books) -> T + Send + 'static,
    ) -> Result<T, LocalCopyError> {
        Ok(self.books.read(read).await?)
    }

    /// Transactions missing their receipt, per organization.
    pub async fn missing_receipts(&self) -> Vec<(String, i64)> {
        self.books
            .read(|books| books.missing_receipts())
            .await
            .and_then(|counts| counts)
            .unwrap_or_default()
    }

    /// The group's cash as of now.
    pub async fn group_cash(&self) -> Result<qonto_books::GroupCash, LocalCopyError> {
        Ok(self
            .books
            .read(|books| books.group_cash(chrono::Utc::now()))
            .await??)
    }

    /// One transaction in full.
    pub async fn detail(&self, id: String) -> Result<Option<qonto_books::Detail>, LocalCopyError> {
        Ok(self
            .books
            .read(move |books| books.transaction_detail(&id))
            .await??)
    }
}

/// Writes what an answer brought.
fn record_into(books: &mut Books, msg: &Msg, via: Via) -> Result<(), qonto_books::BooksError> {
    let now = chrono::Utc::now().timestamp();
    match msg {
        Msg::OrgsLoaded {
            result: Ok(list),
            user_flow_ended,
            ..
        } => {
            if !*user_flow_ended {
                books.forget_unshared(list)?;
            }
            list.iter()
                .try_for_each(|org| books.put_organization(org, now))
        }
        Msg::OverviewLoaded {
            org, result: Ok(o), ..
        } => {
            // The list may have come before the books were open: the overview names it.
            books.note_organization(o, org, via)?;
            books.put_accounts(org, &o.bank_accounts)
        }
        Msg::TransactionsLoaded {
            org,
            account,
            result: Ok(page),
            ..
        } => books
            .put_transactions(org, account, &page.transactions)
            .map(drop),
        Msg::MembersLoaded {
            org,
            result: Ok(list),
            ..
        } => books.put_memberships(org, list),
        Msg::LabelsLoaded {
            org,
            result: Ok(list),
            ..
        } => books.put_labels(org, list),
        _ => Ok(()),
    }
}

/// A page of an account's list from the books (see [`Cache::listed_page`]).
fn listed_page(
    books: &Books,
    listing: &mut Listing,
    account: &str,
    page: i64,
    per_page: i64,
    with_declined: bool,
) -> Option<TransactionsPage> {
    let state = books.sync_state(account).ok()??;
    if state.backfill_next_page.is_some() || state.synced_at.is_none() || page < 1 {
        return None;
    }
    let list = (account.to_string(), with_declined);
    let changes = books.changes().ok();
    let total = match (listing.lengths.get(&list), changes) {
        (Some((seen, length)), Some(now)) if *seen == now => *length,
        _ => {
            let length = books.listed_count(account, with_declined).ok()?;
            if let Some(now) = changes {
                listing.lengths.insert(list.clone(), (now, length));
            }
            length
        }
    };
    let before = listing
        .page_ends
        .get(&(list.0.clone(), with_declined, page - 1));
    let from = match before {
        Some((sort_at, id)) => ListedFrom::After { sort_at, id },
        None => ListedFrom::Offset(usize::try_from((page - 1).checked_mul(per_page)?).ok()?),
    };
    let transactions = books
        .listed_transactions(account, from, per_page as usize, with_declined)
        .ok()?;
    if let Some(last) = transactions.last()
        && let (Some(sort_at), Some(id)) = (last.date(), last.id.as_deref())
    {
        let end = (sort_at.to_string(), id.to_string());
        listing.page_ends.insert((list.0, with_declined, page), end);
    }
    let total_pages = (total + per_page - 1) / per_page.max(1);
    Some(TransactionsPage {
        transactions,
        meta: Meta {
            current_page: Some(page),
            next_page: (page < total_pages).then_some(page + 1),
            total_pages: Some(total_pages),
            total_count: Some(total),
            per_page: Some(per_page),
        },
    })
}

/// What the books hold, as messages: the organizations, each one's accounts, and the
/// newest transactions of each account.
/// When each organization was last synced, as an `Instant` for the app's "N ago".
fn synced_at(synced: Option<i64>) -> Instant {
    let now_unix = chrono::Utc::now().timestamp();
    let age = synced.map_or(0, |s| (now_unix - s).max(0)) as u64;
    Instant::now()
        .checked_sub(Duration::from_secs(age))
        .unwrap_or_else(Instant::now)
}

/// The organizations and each one's accounts and balances: what the start draws first (a
/// few hundred small reads, however many transactions are stored).
fn stored_overviews(books: &Books) -> Vec<Msg> {
    let Ok(orgs) = books.organizations() else {
        return Vec::new();
    };
    if orgs.is_empty() {
        return Vec::new();
    }
    let newest = orgs.iter().filter_map(|(_, s)| *s).max();
    let mut msgs = vec![Msg::Stored(Stored::Orgs {
        list: orgs.iter().map(|(o, _)| o.clone()).collect(),
        at: synced_at(newest),
    })];
    for (org, synced) in &orgs {
        let Ok(accounts) = books.bank_accounts(&org.id) else {
            continue;
        };
        if accounts.is_empty() {
            continue;
        }
        let overview = Organization {
            id: Some(org.id.clone()),
            name: org.name.clone(),
            slug: None,
            legal_name: org.legal_name.clone(),
            legal_number: None,
            legal_country: None,
            legal_form: None,
            legal_address: None,
            bank_accounts: accounts,
        };
        msgs.push(Msg::Stored(Stored::Overview {
            org: org.id.clone(),
            overview,
            at: synced_at(*synced),
        }));
    }
    msgs
}

/// Which accounts each stored overview among `msgs` holds, and when its organization was
/// synced: what the lists are read for, without reading the organizations again.
fn accounts_shown(msgs: &[Msg]) -> Vec<(String, Vec<String>, Instant)> {
    msgs.iter()
        .filter_map(|msg| match msg {
            Msg::Stored(Stored::Overview { org, overview, at }) => Some((
                org.clone(),
                overview
                    .bank_accounts
                    .iter()
                    .filter_map(|a| a.key().map(str::to_string))
                    .collect(),
                *at,
            )),
            _ => None,
        })
        .collect()
}

/// Each account's first page of transactions, and each organization's members and labels, for
/// the organizations `accounts_shown` lists: over 200 organizations of millions stored, a
/// quarter of a second of reading.
fn stored_lists(
    books: &Books,
    shown: &[(String, Vec<String>, Instant)],
    with_declined: bool,
) -> Vec<Msg> {
    let mut msgs = Vec::new();
    for (org, accounts, at) in shown {
        let at = *at;
        for account in accounts {
            if let Ok(items) =
                books.listed_transactions(account, ListedFrom::Offset(0), FIRST_PAGE, with_declined)
                && !items.is_empty()
            {
                msgs.push(Msg::Stored(Stored::Transactions {
                    org: org.clone(),
                    account: account.clone(),
                    items,
                    at,
                }));
            }
        }
        if let Ok(list) = books.memberships(org)
            && !list.is_empty()
        {
            msgs.push(Msg::Stored(Stored::Members {
                org: org.clone(),
                list,
                at,
            }));
        }
        if let Ok(list) = books.labels(org)
            && !list.is_empty()
        {
            msgs.push(Msg::Stored(Stored::Labels {
                org: org.clone(),
                list,
                at,
            }));
        }
    }
    msgs
}

/// Opens the cache in the background, fills `slot`, and sends what it holds to the app.
pub async fn open_into(
    config: Config,
    slot: CacheSlot,
    to_app: tokio::sync::mpsc::UnboundedSender<Msg>,
) {
    let Some(cache) = Cache::open(&config).await else {
        slot.close();
        return;
    };
    // What the books held before this run's answers are written is what is shown.
    // What the books hold, as messages, read on the writer's connection before this run's
    // answers are written: the organizations and their accounts first, as the lists' first
    // pages take longer to read.
    let overviews = cache
        .books
        .read_fresh(stored_overviews)
        .await
        .unwrap_or_default();
    tracing::debug!(at = ?crate::logging::since_start(), "local copy's organizations read ({} messages)", overviews.len());
    let shown = accounts_shown(&overviews);
    for msg in overviews {
        let _ = to_app.send(msg);
    }
    let lists = cache
        .books
        .read_fresh(move |books| stored_lists(books, &shown, false))
        .await
        .unwrap_or_default();
    for msg in lists {
        let _ = to_app.send(msg);
    }
    // Counted after what is shown is sent: over a million stored it reads tens of thousands of
    // index entries, and the organizations' accounts need not wait for the badges.
    let missing = cache.missing_receipts().await;
    slot.open(cache);
    let _ = to_app.send(Msg::ReceiptsCounted(missing));
}
