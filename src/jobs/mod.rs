//! The background worker: carries out `update`'s jobs (fetches in keyed slots, the sign-in
//! flow, small file writes) and sends results back as messages.

pub(crate) mod attachments;
mod background_sync;
pub(crate) mod cache;
pub mod category_work;
mod export;
pub mod fetch;
pub mod firm;
mod firm_review;
pub(crate) mod receipt_folder;
mod receipt_work;
pub mod review_work;
mod searching;
mod sign_in;
mod slots;

use std::sync::Arc;

use qonto_books::readers_first::ReadersFirst;
use qonto_client::api::ApiClient;
use qonto_client::api::user_first::UserFirst;
use qonto_client::oauth::session::Session;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::listed::ListedTransaction;
use crate::app::local_error::LocalCopyError;
use crate::app::text;
use crate::app::{Fetch, Job, Msg};
use crate::config::Config;
use crate::sources::adding::SourceError;
use sign_in::{AfterConsent, SignInTask};
use slots::{Priority, Slots};

/// Matches marked at most by "mark all" (a categorize then takes 500 calls).
pub const MARK_AT_MOST: usize = 50_000;

pub struct Worker {
    api: Arc<ApiClient>,
    sources: Arc<crate::sources::Sources>,
    session: Arc<Session>,
    config: Config,
    to_app: mpsc::UnboundedSender<Msg>,
    slots: Slots,
    sign_in: Option<SignInTask>,
    /// The sign-in stopped last, until its callback listener is released: the next one waits
    /// for it before binding the same port.
    stopped_sign_in: Option<tokio::task::JoinHandle<()>>,
    /// The remembered organization being written at quit.
    saving: Option<JoinHandle<()>>,
    /// Background prefetching (off only to measure uncached switches).
    prefetch: bool,
    cache: cache::CacheSlot,
    /// Keeping the local books in sync (off with `QONTO_TUI_SYNC=off`).
    background_sync: Option<background_sync::BackgroundSync>,
    /// Told of each request the user waits for, so the background sync gives way to it.
    user_first: Arc<UserFirst>,
    /// Told of each search key, so the background sync's writes wait while the user reads.
    readers_first: Arc<ReadersFirst>,
    sync_enabled: bool,
    sync_every: std::time::Duration,
    /// The generation of the newest search asked for.
    latest_search: Arc<std::sync::atomic::AtomicU64>,
    /// The generation of the newest search answer drawn on screen.
    search_drawn: tokio::sync::watch::Receiver<u64>,
    /// The screen's writes to Qonto, one at a time (started at the first).
    writes: Option<receipt_work::WriteLane>,
    /// On a staff member's machine of a firm: the firm's books (as them). Lists are then
    /// answered from the local copy pulled from them, and writes asked of the firm's service.
    firm: Option<qonto_client::secret::Secret>,
}

impl Worker {
    pub fn new(
        api: Arc<ApiClient>,
        sources: Arc<crate::sources::Sources>,
        cache: cache::CacheSlot,
        session: Arc<Session>,
        config: Config,
        to_app: mpsc::UnboundedSender<Msg>,
        search_drawn: tokio::sync::watch::Receiver<u64>,
    ) -> Self {
        let prefetch = config.preferences.prefetch;
        let firm = config.firm_books().cloned();
        // The firm's books are pulled instead (`firm::keep_pulled`): no Qonto sync here.
        let sync_enabled = config.preferences.background_sync && config.cache && firm.is_none();
        let sync_every = config.preferences.sync_every;
        Self {
            session,
            config,
            slots: Slots::new(api.clone(), sources.clone(), cache.clone(), to_app.clone()),
            cache,
            background_sync: None,
            user_first: UserFirst::new(),
            readers_first: ReadersFirst::new(),
            sync_enabled,
            sync_every,
            latest_search: Arc::default(),
            search_drawn,
            writes: None,
            firm,
            api,
            sources,
            to_app,
            sign_in: None,
            stopped_sign_in: None,
            saving: None,
            prefetch,
        }
    }

    /// Runs until the app drops its end of the channel.
    pub async fn run(mut self, mut jobs: mpsc::UnboundedReceiver<Job>) {
        loop {
            tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => self.execute(job),
                    None => break,
                },
                () = self.slots.next_finished() => {}
            }
        }
        self.slots.abort_all();
        if let Some(sync) = self.background_sync.take() {
            sync.stop();
        }
        if let Some(task) = self.sign_in.take() {
            task.stop();
        }
        if let Some(saving) = self.saving.take() {
            let _ = saving.await;
        }
    }

    /// The demo's built-in browser answers the consent page (the sandbox's own form).
    #[cfg(feature = "demo")]
    fn simulate_browser(&self, only: Option<String>) {
        use qonto_sandbox::browser::{Tick, complete_consent};
        let tick = match only {
            Some(org) => Tick::Only(vec![org]),
            None => Tick::All,
        };
        let Some(url) = self.sign_in.as_ref().and_then(SignInTask::url) else {
            return;
        };
        let tx = self.to_app.clone();
        tokio::spawn(async move {
            if let Err(e) = complete_consent(&url, &tick, true).await {
                let why = text::built_in_browser_failed(&format!("{e:#}"));
                let _ = tx.send(Msg::PasteRejected(why));
            }
        });
    }

    /// Without the demo there is no built-in browser (nothing asks for it but the demo).
    #[cfg(not(feature = "demo"))]
    fn simulate_browser(&self, _only: Option<String>) {
        self.send(Msg::PasteRejected(text::built_in_browser_failed(
            "this build has no demo",
        )));
    }

    fn send(&self, msg: Msg) {
        let _ = self.to_app.send(msg);
    }

    /// On a staff member's machine of a firm, the jobs that would ask Qonto are answered
    /// from the copy or asked of the firm's service ([`firm::take`]); any other is handed back.
    fn for_the_firm(&mut self, url: qonto_client::secret::Secret, job: Job) -> Option<Job> {
        firm::take(url, self.cache.clone(), self.to_app.clone(), job)
    }

    fn execute(&mut self, job: Job) {
        if matches!(
            job,
            Job::Fetch(_)
                | Job::Prefetch { .. }
                | Job::Write(_)
                | Job::ListCategories { .. }
                | Job::LoadReview { .. }
                | Job::Receipts { .. }
        ) {
            self.user_first.user_asked();
        }
        let job = match (&self.firm, job) {
            (Some(url), job) => match self.for_the_firm(url.clone(), job) {
                Some(job) => job,
                None => return,
            },
            (None, job) => job,
        };
        match job {
            Job::Fetch(fetch) => {
                if let (Some(sync), Some(org)) = (&self.background_sync, fetch.org()) {
                    sync.prefer(org);
                }
                self.slots.submit(fetch, Priority::Selected)
            }
            Job::Search {
                text,
                generation,
                limit,
            } => searching::search(
                self.readers_first.clone(),
                self.cache.clone(),
                self.to_app.clone(),
                self.latest_search.clone(),
                self.search_drawn.clone(),
                searching::Asked {
                    text,
                    generation,
                    limit,
                },
            ),
            Job::SearchTotals { text, generation } => searching::totals(
                self.cache.clone(),
                self.to_app.clone(),
                self.latest_search.clone(),
                text,
                generation,
            ),
            Job::ReadInbox { folder, generation } => receipt_work::read_inbox(
                self.cache.clone(),
                folder,
                generation,
                self.to_app.clone(),
            ),
            Job::Write(ask) => {
                let (api, cache, config, tx) = (
                    self.api.clone(),
                    self.cache.clone(),
                    self.config.clone(),
                    self.to_app.clone(),
                );
                self.writes
                    .get_or_insert_with(|| receipt_work::WriteLane::start(api, cache, config, tx))
                    .ask(ask);
            }
            Job::ListCategories {
                ticket,
                transactions,
            } => category_work::list(
                self.api.clone(),
                self.cache.clone(),
                self.config.clone(),
                ticket,
                transactions,
                self.to_app.clone(),
            ),
            Job::LoadReview { generation } => review_work::load(
                self.api.clone(),
                self.cache.clone(),
                self.config.clone(),
                generation,
                self.to_app.clone(),
            ),
            Job::MarkAll { text, generation } => {
                let (cache, tx) = (self.cache.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    let result = match (cache.wait_open().await, qonto_books::query::parse(&text)) {
                        (_, Err(e)) => Err(LocalCopyError::Query(e)),
                        (Some(cache), Ok(query)) => cache.search_marks(query, MARK_AT_MOST).await,
                        (None, Ok(_)) => Err(LocalCopyError::NotOpen),
                    };
                    let _ = tx.send(Msg::AllMatched { generation, result });
                });
            }
            Job::CompletePath { text } => {
                let tx = self.to_app.clone();
                tokio::task::spawn_blocking(move || {
                    let (completed, choices) = crate::path_complete::complete(&text);
                    let _ = tx.send(Msg::PathCompleted {
                        asked: text,
                        completed,
                        choices,
                    });
                });
            }
            Job::Receipts {
                org,
                transaction,
                stem,
                save,
            } => {
                let (api, tx) = (self.api.clone(), self.to_app.clone());
                let opener = self.config.browser.clone();
                let placement = if save {
                    attachments::Placement::Save
                } else {
                    attachments::Placement::Open
                };
                tokio::spawn(async move {
                    let result = attachments::fetch(
                        &api,
                        &org,
                        &transaction,
                        &stem,
                        placement,
                        opener.as_deref(),
                    )
                    .await;
                    let _ = tx.send(Msg::ReceiptsPlaced(result));
                });
            }
            Job::Export(what) => {
                let (cache, tx) = (self.cache.clone(), self.to_app.clone());
                let decimal = self.config.preferences.locale.decimal;
                tokio::spawn(async move {
                    let result = match cache.wait_open().await {
                        Some(cache) => {
                            export::to_downloads(cache, &what, decimal)
                                .await
                                .map(|(p, n)| {
                                    (
                                        qonto_client::printable::printable(
                                            &p.display().to_string(),
                                            300,
                                        ),
                                        n,
                                    )
                                })
                        }
                        None => Err(LocalCopyError::NotOpen),
                    };
                    let _ = tx.send(Msg::Exported(result));
                });
            }
            Job::Cash => {
                let (cache, tx) = (self.cache.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    let result = match cache.wait_open().await {
                        Some(cache) => cache.group_cash().await.map(Box::new),
                        None => Err(LocalCopyError::NotOpen),
                    };
                    let _ = tx.send(Msg::CashLoaded(result));
                });
            }
            Job::SaveView { path, name, query } => {
                let (keys, tx) = (self.config.preferences.keys.clone(), self.to_app.clone());
                tokio::task::spawn_blocking(move || {
                    let result = crate::config::views::save(&path, &name, &query, &keys)
                        .map(|view| (view, path.display().to_string()))
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::ViewSaved(result));
                });
            }
            Job::RememberSearch { text } => {
                let cache = self.cache.clone();
                tokio::spawn(async move {
                    if let Some(cache) = cache.wait_open().await {
                        let now = chrono::Utc::now().timestamp();
                        let kept = cache
                            .books()
                            .write(move |b| b.remember_search(&text, now))
                            .await;
                        let failed = match kept {
                            Ok(Ok(())) => None,
                            Ok(Err(e)) => Some(e.to_string()),
                            Err(e) => Some(e.to_string()),
                        };
                        if let Some(error) = failed {
                            tracing::warn!(%error, "the search could not be kept in the history");
                        }
                    }
                });
            }
            Job::FillAccount {
                org,
                account,
                declined,
                after,
            } => {
                let (cache, tx) = (self.cache.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    let rows = match cache.wait_open().await {
                        Some(cache) => cache.whole_account(account.clone(), declined, after).await,
                        None => None,
                    }
                    .map(|rows| rows.into_iter().map(ListedTransaction::from).collect());
                    let _ = tx.send(Msg::AccountFilled { org, account, rows });
                });
            }
            Job::LoadSearchHistory => {
                let (cache, tx) = (self.cache.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    if let Some(cache) = cache.wait_open().await
                        && let Ok(Ok(history)) = cache.read(|b| b.search_history()).await
                    {
                        let _ = tx.send(Msg::SearchHistory(history));
                    }
                });
            }
            Job::MonthEnd { month, generation } => {
                let (cache, tx) = (self.cache.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    let rows = match cache.wait_open().await {
                        Some(cache) => cache
                            .read(move |b| b.month_end(month))
                            .await
                            .and_then(|r| r.map_err(LocalCopyError::from)),
                        None => Err(LocalCopyError::NotOpen),
                    };
                    let _ = tx.send(Msg::MonthEndRead { generation, rows });
                });
            }
            Job::Detail { id } => {
                let (cache, tx) = (self.cache.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    let result = match cache.wait_open().await {
                        Some(cache) => cache
                            .detail(id.clone())
                            .await
                            .and_then(|d| d.map(Box::new).ok_or(LocalCopyError::Gone)),
                        None => Err(LocalCopyError::NotOpen),
                    };
                    let _ = tx.send(Msg::DetailLoaded { id, result });
                });
            }
            Job::Sync(orgs) => {
                if let Some(running) = self.background_sync.take() {
                    running.stop();
                }
                if self.sync_enabled && !orgs.is_empty() {
                    self.background_sync = Some(background_sync::BackgroundSync::start(
                        self.api.clone(),
                        self.cache.clone(),
                        orgs,
                        self.user_first.clone(),
                        self.readers_first.clone(),
                        self.sync_every,
                        self.to_app.clone(),
                    ));
                }
            }
            Job::Prefetch { orgs, generation } => {
                // Off: a visit still fetches, since `update` asks again for an org it awaits.
                if self.prefetch {
                    for org in orgs {
                        let fetch = Fetch::Overview { org, generation };
                        self.slots.submit(fetch, Priority::Background);
                    }
                }
            }
            Job::StartSignIn { membership } => {
                let previous = match self.sign_in.take() {
                    Some(running) => Some(running.stop()),
                    None => self.stopped_sign_in.take(),
                };
                let then = if membership {
                    AfterConsent::AddMembership {
                        api: self.api.clone(),
                        sources: self.sources.clone(),
                    }
                } else {
                    AfterConsent::SignIn
                };
                self.sign_in = Some(SignInTask::start(
                    self.config.clone(),
                    self.session.clone(),
                    then,
                    self.to_app.clone(),
                    previous,
                ));
            }
            Job::AddApiKey { login, secret } => {
                let (api, sources, tx) =
                    (self.api.clone(), self.sources.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    let result =
                        crate::sources::adding::add_api_key(&api, &sources, &login, secret)
                            .await
                            .map(|s| (s.org_id, qonto_client::printable::printable(&s.name, 80)));
                    let _ = tx.send(Msg::SourceAdded(result));
                });
            }
            Job::RemoveSource { org, via } => {
                let (api, sources, tx) =
                    (self.api.clone(), self.sources.clone(), self.to_app.clone());
                tokio::spawn(async move {
                    let result = remove_source(&api, &sources, &org, via).await;
                    let _ = tx.send(Msg::SourceRemoved(result));
                });
            }
            Job::CancelSignIn => {
                if let Some(task) = self.sign_in.take() {
                    self.stopped_sign_in = Some(task.stop());
                }
            }
            Job::SubmitPastedUrl(url) => match &self.sign_in {
                Some(task) if task.paste(url) => {}
                Some(_) => self.send(Msg::PasteRejected(text::NOT_WAITING.into())),
                None => self.send(Msg::PasteRejected(text::NO_SIGN_IN.into())),
            },
            Job::SimulateBrowser { only } => self.simulate_browser(only),
            Job::OpenBrowserAgain => {
                let Some(url) = self.sign_in.as_ref().and_then(SignInTask::url) else {
                    return;
                };
                let tx = self.to_app.clone();
                let command = self.config.browser.clone();
                tokio::task::spawn_blocking(move || {
                    let opened = crate::browser::open_browser(&url, command.as_deref());
                    let _ = tx.send(Msg::BrowserOpened(opened));
                });
            }
            Job::ProposeRules => {
                category_work::propose(self.cache.clone(), self.config.clone(), self.to_app.clone())
            }
            Job::OpenLink { url, said } => {
                let tx = self.to_app.clone();
                let command = self.config.browser.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::browser::open_browser(&url, command.as_deref())
                        .map(drop)
                        .map_err(|e| format!("open {url} yourself ({e})"));
                    let _ = tx.send(Msg::LinkOpened { said, result });
                });
            }
            Job::SaveLastOrg(id) => {
                self.saving = Some(tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::state_file::save_last_org(&id) {
                        tracing::warn!("could not remember the selected organization: {e}");
                    }
                }));
            }
        }
    }
}

/// Forgets how `org` is reached through `via`, revoking a membership consent at Qonto.
async fn remove_source(
    api: &ApiClient,
    sources: &Arc<crate::sources::Sources>,
    org: &str,
    via: qonto_client::api::Via,
) -> Result<String, SourceError> {
    let s = sources.clone();
    let list = qonto_client::store::blocking(move || s.list())
        .await
        .map_err(|e| SourceError::NotListed(e.to_string()))?;
    let Some(source) = list.into_iter().find(|s| s.org_id == org && s.via == via) else {
        return Err(SourceError::NoLongerStored);
    };
    let client = api.session().client().clone();
    crate::sources::adding::forget(sources, Some(&client), &source).await?;
    api.unroute(org);
    Ok(qonto_client::printable::printable(&source.name, 80))
}
