//! Bringing the books up to date from Qonto, as Qonto's sync guide describes: each account's
//! transactions are first backfilled newest change first (so what is on screen arrives first,
//! and progress is kept with each commit so a stopped sync resumes), then followed incrementally
//! with `updated_at_from`, a little before the newest change stored, upserting by id: new,
//! settled, late and re-labelled transactions each land once.

mod fetched;
mod side;

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::Semaphore;

pub use crate::news::{Change, Listeners, News, Progress};
use crate::{BooksError, BooksHandle, SyncState};
use fetched::Fetched;
use qonto_client::api::models::{BankAccount, Transaction, TransactionsPage, UserOrganization};
use qonto_client::api::{ApiClient, ApiError};

/// Asked again before the newest change stored: a transaction Qonto committed a moment late,
/// with an earlier `updated_at`, is still caught.
pub const OVERLAP: chrono::Duration = chrono::Duration::seconds(120);
const PER_PAGE: i64 = 100;
/// Backfilled transactions are committed this many at a time (at least): each commit writes
/// every page it touched, encrypted, so 50 pages a commit write far less than one page each.
const COMMIT_ROWS: usize = 5_000;

/// How hard a sync presses on Qonto: organizations side by side, backfill pages of one account
/// asked at once, and requests in flight for all of them together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub orgs_at_once: usize,
    pub pages_at_once: i64,
    pub requests_at_once: usize,
}

impl Pace {
    /// `qonto-tui sync`: 96 requests in flight keep the client-side rate budget (80 a second,
    /// in bursts of up to 800) busy at 100 ms or more of latency; shared by every organization
    /// rather than fixed per account, so the last organizations of a run, alone, still have
    /// them all (8 per account left the end of a run at 16 in flight). 64 were enough for
    /// 100 ms on paper, but on two cores busy storing what came, a page took 120-210 ms and
    /// the first 800 went out at about 405 a second; the 800 after the rate limit's pause can
    /// only go 10 s after them, so that pace was the second half's too (the backfill
    /// benchmark: 12.5-12.9 s at 64; 12.2-12.9 s, median 12.4, over 25 runs at 96; 128 did
    /// no better). Under the 100 concurrent streams HTTP/2 servers commonly allow on one
    /// connection.
    pub const FULL: Pace = Pace {
        orgs_at_once: 16,
        pages_at_once: 48,
        requests_at_once: 96,
    };
    /// Behind the TUI: at most two requests in flight, so that what the user asks for (which
    /// shares the per-IP rate budget) is never queued behind a backfill.
    pub const BACKGROUND: Pace = Pace {
        orgs_at_once: 1,
        pages_at_once: 2,
        requests_at_once: 2,
    };
}
/// No account has more pages than this; a server that says otherwise is not followed further.
const MAX_PAGES: i64 = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Books(#[from] BooksError),
}

/// What one organization's sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OrgReport {
    pub org_id: String,
    pub name: String,
    pub accounts: usize,
    /// The accounts its overview listed, (id, name).
    #[serde(skip)]
    pub listed: Vec<(String, String)>,
    pub added: usize,
    pub changed: usize,
    /// Of those added, the ones told as news (see [`Listeners::news_since`]): arrived, not
    /// history being filled in.
    pub arrived: usize,
    pub requests: usize,
    /// Stopped by the page budget before the end (it resumes next time).
    pub interrupted: bool,
}

/// How many pages a sync may still fetch (`None`: no limit). Lets a caller stop a sync part
/// way, as a killed process would.
#[derive(Debug, Default)]
pub struct Budget(Option<AtomicUsize>);

impl Budget {
    pub fn unlimited() -> Self {
        Self(None)
    }

    pub fn pages(pages: usize) -> Self {
        Self(Some(AtomicUsize::new(pages)))
    }

    fn take(&self) -> bool {
        match &self.0 {
            None => true,
            Some(left) => left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

/// Syncs every organization, `pace.orgs_at_once` side by side (the client-side rate limit
/// paces them all): one result per organization, in the order given.
pub async fn sync_all(
    api: &ApiClient,
    books: &BooksHandle,
    orgs: &[UserOrganization],
    budget: &Budget,
    pace: Pace,
    listeners: Listeners<'_>,
) -> Vec<Result<OrgReport, SyncError>> {
    let in_flight = &Semaphore::new(pace.requests_at_once.max(1));
    // The books list organizations in Qonto's order, whichever sync gets there first.
    let listed = orgs.to_vec();
    match books.write(move |b| b.note_listed(&listed)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) | Err(e) => tracing::warn!("the organizations' order could not be noted: {e}"),
    }
    let mut results: Vec<(usize, Result<OrgReport, SyncError>)> =
        futures_util::stream::iter(orgs.iter().enumerate())
            .map(|(i, org)| async move {
                let sync = sync_org_sharing(api, books, org, budget, pace, listeners, in_flight);
                (i, sync.await)
            })
            .buffer_unordered(pace.orgs_at_once.max(1))
            .collect()
            .await;
    results.sort_by_key(|(i, _)| *i);
    // The cash view's sums, if an organization's IBANs changed what counts as the user's own.
    match books.write(|b| b.bring_cash_up_to_date()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) | Err(e) => tracing::warn!("the cash view's sums could not be worked out: {e}"),
    }
    results.into_iter().map(|(_, r)| r).collect()
}

/// Syncs one organization: its overview (accounts and balances), then each account.
pub async fn sync_org(
    api: &ApiClient,
    books: &BooksHandle,
    org: &UserOrganization,
    budget: &Budget,
    pace: Pace,
    listeners: Listeners<'_>,
) -> Result<OrgReport, SyncError> {
    let in_flight = Semaphore::new(pace.requests_at_once.max(1));
    sync_org_sharing(api, books, org, budget, pace, listeners, &in_flight).await
}

/// [`sync_org`], its backfill pages sent only with a permit of `in_flight`, which other
/// organizations' syncs share.
async fn sync_org_sharing(
    api: &ApiClient,
    books: &BooksHandle,
    org: &UserOrganization,
    budget: &Budget,
    pace: Pace,
    listeners: Listeners<'_>,
    in_flight: &Semaphore,
) -> Result<OrgReport, SyncError> {
    let mut report = OrgReport {
        org_id: org.id.clone(),
        name: org.display_name().to_string(),
        ..OrgReport::default()
    };
    let overview = api.organization(&org.id).await?;
    report.requests += 1;
    let (o, accounts) = (org.clone(), overview.bank_accounts.clone());
    books
        .write(move |b| {
            b.put_organization(&o, Utc::now().timestamp())?;
            b.put_accounts(&o.id, &accounts)
        })
        .await??;
    // The transactions' first pages go out beside the side lists, not after them: each
    // round trip before an account's fan-out delays all of its pages.
    let each_account = AccountSync {
        api,
        books,
        org: &org.id,
        org_name: org.display_name(),
        account: "",
        account_name: "",
        budget,
        pace,
        in_flight,
        listeners,
    };
    let (side, accounts) = futures_util::join!(
        side::lists(api, books, org),
        sync_accounts(each_account, &overview.bank_accounts, &mut report)
    );
    report.requests += 4;
    accounts?;
    side?;
    Ok(report)
}

/// Each of `accounts`, one after another, as `each` says for its organization: the rest of
/// its backfill, then what changed since. Stops at the first account the page budget does not
/// reach.
async fn sync_accounts(
    each: AccountSync<'_>,
    accounts: &[BankAccount],
    report: &mut OrgReport,
) -> Result<(), SyncError> {
    for account in accounts {
        let Some(id) = account.key() else {
            continue;
        };
        report.accounts += 1;
        let name = account.name.as_deref().unwrap_or(id);
        report.listed.push((id.to_string(), name.to_string()));
        let one = AccountSync {
            account: id,
            account_name: name,
            ..each
        };
        let ran = one.run(report).await;
        if !matches!(ran, Ok(true)) {
            one.leave_backfill().await;
        }
        if !ran? {
            report.interrupted = true;
            break;
        }
    }
    Ok(())
}

/// One account to sync, and who hears about it.
struct AccountSync<'a> {
    api: &'a ApiClient,
    books: &'a BooksHandle,
    org: &'a str,
    org_name: &'a str,
    account: &'a str,
    account_name: &'a str,
    budget: &'a Budget,
    pace: Pace,
    /// Permits for backfill pages, shared with the other organizations of the sync.
    in_flight: &'a Semaphore,
    listeners: Listeners<'a>,
}

impl AccountSync<'_> {
    /// Tells the news among `touched` (the ids an upsert of `transactions` added or changed).
    fn tell(
        &self,
        transactions: &[Transaction],
        touched: &[(String, Change)],
        was_complete: bool,
        report: &mut OrgReport,
    ) {
        for (id, change) in touched {
            let Some(transaction) = transactions
                .iter()
                .find(|t| t.id.as_deref().or(t.transaction_id.as_deref()) == Some(id.as_str()))
            else {
                continue;
            };
            if !self.listeners.is_news(transaction, was_complete) {
                continue;
            }
            if *change == Change::New {
                report.arrived += 1;
            }
            (self.listeners.news)(News {
                change: *change,
                org_id: self.org,
                org_name: self.org_name,
                account_id: self.account,
                account_name: self.account_name,
                transaction,
            });
        }
    }

    /// The account's backfill, if one ran, is over for the writer's settings, though it did
    /// not reach its end (it failed, or the budget ran out): the next pass resumes it.
    async fn leave_backfill(&self) {
        let account = self.account.to_string();
        match self.books.write(move |b| b.end_backfill(&account)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) | Err(e) => tracing::warn!("the books' backfill settings stay: {e}"),
        }
    }

    /// The account: the rest of its backfill, then what changed since. False when the budget ran
    /// out first.
    async fn run(&self, report: &mut OrgReport) -> Result<bool, SyncError> {
        let (api, books, org, account) = (self.api, self.books, self.org, self.account);
        let (budget, pace, progress) = (self.budget, self.pace, self.listeners.progress);
        let id = account.to_string();
        let known = books.read_fresh(move |b| b.sync_state(&id)).await??;
        let was_complete = known
            .as_ref()
            .is_some_and(|s| s.backfill_next_page.is_none() && s.synced_at.is_some());
        let mut state = known.unwrap_or_else(|| SyncState {
            account_id: account.to_string(),
            org_id: org.to_string(),
            backfill_next_page: Some(1),
            ..SyncState::default()
        });
        // Page 1 alone (it says how many there are), then the rest with `pages_at_once` always
        // in flight, taken in order. What is fetched is stored every COMMIT_ROWS transactions, in
        // one transaction with where the backfill stands after it, so a stopped sync resumes from
        // the last commit.
        let mut total: Option<i64> = None;
        // The incremental pass's first page, when asked while the backfill's last rows stored.
        let mut early = None;
        let backfilling = state.backfill_next_page.is_some();
        let mut fetched = Fetched {
            sync: self,
            was_complete,
            batch: Vec::new(),
            committing: None,
            in_commit: 0,
            // Counted only for a backfill's progress: an incremental pass has no use for it.
            stored: if backfilling {
                let id = account.to_string();
                books
                    .read_fresh(move |b| b.transaction_count(&id))
                    .await??
            } else {
                0
            },
        };
        while let Some(first) = state.backfill_next_page.filter(|p| *p <= MAX_PAGES) {
            let last = total.map_or(first, |t| t.min(MAX_PAGES).max(first));
            let mut answers = futures_util::stream::iter(first..=last)
                .take_while(|_| std::future::ready(budget.take()))
                .map(|page| async move {
                    // Closed never: an error would only mean no limit.
                    let _permit = self.in_flight.acquire().await.ok();
                    let got = api
                        .transactions_changed(org, account, "updated_at:desc", None, page, PER_PAGE)
                        .await;
                    (page, got)
                })
                .buffered(usize::try_from(pace.pages_at_once).unwrap_or(1).max(1));
            let mut asked = false;
            let mut failure = None;
            while let Some((page, got)) = fetched.next_answer(&mut answers, &state, report).await? {
                asked = true;
                let got = match got {
                    Ok(got) => got,
                    Err(e) => {
                        // The pages before it are still stored.
                        failure = Some(e);
                        break;
                    }
                };
                report.requests += 1;
                total = got.meta.total_pages.or(total);
                if page == 1 {
                    // The newest change when the backfill began: whatever changes while it runs
                    // is newer, and the incremental pass below asks from here.
                    state.newest_updated_at =
                        newest(&got.transactions, state.newest_updated_at.take());
                }
                state.backfill_next_page = got.meta.next(page);
                fetched.batch.extend(got.transactions);
                progress(Progress {
                    org,
                    account,
                    page,
                    total_pages: got.meta.total_pages,
                    stored: fetched.stored + (fetched.in_commit + fetched.batch.len()) as i64,
                });
                if state.backfill_next_page.is_none() {
                    break;
                }
                // A full batch goes once the commit before it is done; while that one runs, the
                // pages go on being read (an account waiting on the writer would hold its
                // requests' permits unread), up to twice a batch.
                if fetched.batch.len() >= COMMIT_ROWS
                    && (fetched.committing.is_none() || fetched.batch.len() >= 2 * COMMIT_ROWS)
                {
                    fetched.commit(&state, report).await?;
                }
            }
            drop(answers);
            // The whole history is fetched: the changes since it began are asked now, while
            // its last rows wait for the writer and are stored, not after (a request's latency
            // off the end of every sync). Asked only once the commit before the last was done,
            // the end of the backfill benchmark waited on the writer's queue, then on Qonto.
            let last_stored = async {
                fetched.commit(&state, report).await?;
                fetched.settle(report).await
            };
            if failure.is_none() && state.backfill_next_page.is_none() && budget.take() {
                let from = changes_from(&state);
                let ask = self.changes_page(from.as_deref(), 1);
                let (stored, got) = tokio::join!(last_stored, ask);
                stored?;
                early = Some(got);
            } else {
                last_stored.await?;
            }
            if let Some(e) = failure {
                return Err(e.into());
            }
            if !asked {
                // The page budget ran out.
                return Ok(false);
            }
        }
        self.changes_since(state, early, backfilling, was_complete, report)
            .await
    }

    /// Page `page` of what changed in the account since `from` (see [`changes_from`]), oldest
    /// change first. Every page of one pass asks from the same time: pages of two listings
    /// would not join up.
    async fn changes_page(
        &self,
        from: Option<&str>,
        page: i64,
    ) -> Result<TransactionsPage, ApiError> {
        self.api
            .transactions_changed(
                self.org,
                self.account,
                "updated_at:asc",
                from,
                page,
                PER_PAGE,
            )
            .await
    }

    /// The incremental pass: every page of what changed since the backfill began (the first
    /// perhaps asked already, `early`), stored, and the account marked synced with the last.
    /// False when the budget ran out first.
    async fn changes_since(
        &self,
        mut state: SyncState,
        mut early: Option<Result<TransactionsPage, ApiError>>,
        backfilling: bool,
        was_complete: bool,
        report: &mut OrgReport,
    ) -> Result<bool, SyncError> {
        let from = changes_from(&state);
        let mut end_backfill = backfilling;
        let mut page = 1;
        loop {
            let got = match early.take() {
                Some(got) => got?,
                None if self.budget.take() => self.changes_page(from.as_deref(), page).await?,
                None => return Ok(false),
            };
            report.requests += 1;
            let next = got.meta.next(page).filter(|p| *p <= MAX_PAGES);
            // Read before the write: the page is stored with where the account stands after it.
            state.newest_updated_at = newest(&got.transactions, state.newest_updated_at.take());
            if next.is_none() {
                state.synced_at = Some(Utc::now().timestamp());
            }
            let (o, a) = (self.org.to_string(), self.account.to_string());
            let (page_of, synced) = (
                got.transactions.clone(),
                next.is_none().then(|| state.clone()),
            );
            // One trip to the writer a page: the backfill's end, the page, and with the last
            // page the account's state (each such trip waits behind every commit queued).
            let done = self
                .books
                .write(move |b| {
                    if end_backfill {
                        b.end_backfill(&a)?;
                    }
                    let done = b.put_transactions(&o, &a, &page_of)?;
                    if let Some(synced) = synced {
                        b.set_sync_state(&synced)?;
                    }
                    Ok::<_, BooksError>(done)
                })
                .await??;
            end_backfill = false;
            report.added += done.added;
            report.changed += done.changed;
            self.tell(&got.transactions, &done.touched, was_complete, report);
            match next {
                Some(next) => page = next,
                None => break,
            }
        }
        Ok(true)
    }
}

/// Where an incremental pass asks from: [`OVERLAP`] before the newest change stored.
fn changes_from(state: &SyncState) -> Option<String> {
    state
        .newest_updated_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| {
            (t.with_timezone(&Utc) - OVERLAP).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
}

/// The later of `known` and the newest `updated_at` among `transactions` (RFC 3339 strings of
/// one server compare by time once parsed).
fn newest(transactions: &[Transaction], known: Option<String>) -> Option<String> {
    let parse = |t: &str| DateTime::parse_from_rfc3339(t).ok();
    transactions
        .iter()
        .filter_map(|t| t.updated_at.clone())
        .chain(known)
        .filter_map(|t| parse(&t).map(|at| (at, t)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, t)| t)
}
