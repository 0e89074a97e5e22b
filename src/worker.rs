//! The background task: carries out `update`'s commands (API calls, the sign-in flow, small
//! file writes) and sends results back as messages. It de-duplicates fetches, puts the selected
//! organization first, and bounds background prefetching.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::app::msg::{Cmd, Generation, Msg};
use crate::config::Config;
use qonto_client::api::ApiClient;
use qonto_client::oauth::callback::CALLBACK_TIMEOUT;
use qonto_client::oauth::session::Session;
use qonto_sandbox::browser::{Tick, complete_consent};

pub const TRANSACTIONS_PER_PAGE: i64 = 100;
/// Background overview fetches at once.
const PREFETCH_CONCURRENCY: usize = 3;

/// An overview fetch under way, or waiting for a prefetch slot.
struct OverviewJob {
    generation: Generation,
    /// Set when the fetch has been taken over by a selected-organization fetch.
    superseded: Arc<AtomicBool>,
    started: Arc<AtomicBool>,
}

struct SignInTask {
    handle: JoinHandle<()>,
    paste: mpsc::Sender<String>,
    /// The consent URL, once the callback listener is bound.
    url: Arc<std::sync::Mutex<Option<String>>>,
}

impl SignInTask {
    fn url(&self) -> Option<String> {
        self.url.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

pub struct Worker {
    api: Arc<ApiClient>,
    session: Arc<Session>,
    config: Config,
    to_app: mpsc::UnboundedSender<Msg>,
    overviews: HashMap<String, OverviewJob>,
    done_tx: mpsc::UnboundedSender<(String, Generation)>,
    done_rx: mpsc::UnboundedReceiver<(String, Generation)>,
    prefetch_slots: Arc<Semaphore>,
    sign_in: Option<SignInTask>,
    /// Background prefetching (off only to measure uncached switches: QONTO_TUI_PREFETCH=off).
    prefetch: bool,
}

impl Worker {
    pub fn new(
        api: Arc<ApiClient>,
        session: Arc<Session>,
        config: Config,
        to_app: mpsc::UnboundedSender<Msg>,
    ) -> Self {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Self {
            api,
            session,
            config,
            to_app,
            overviews: HashMap::new(),
            done_tx,
            done_rx,
            prefetch_slots: Arc::new(Semaphore::new(PREFETCH_CONCURRENCY)),
            sign_in: None,
            prefetch: std::env::var("QONTO_TUI_PREFETCH").map_or(true, |v| v != "off"),
        }
    }

    pub async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Cmd>) {
        loop {
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    Some(Cmd::Quit) | None => break,
                    Some(cmd) => self.execute(cmd),
                },
                Some((org, generation)) = self.done_rx.recv() => {
                    if self.overviews.get(&org).is_some_and(|j| j.generation == generation) {
                        self.overviews.remove(&org);
                    }
                }
            }
        }
        if let Some(task) = self.sign_in.take() {
            task.handle.abort();
        }
    }

    fn send(&self, msg: Msg) {
        let _ = self.to_app.send(msg);
    }

    fn execute(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::LoadOrgs { generation } => {
                let api = self.api.clone();
                let tx = self.to_app.clone();
                tokio::spawn(async move {
                    tracing::debug!(at = ?crate::logging::since_start(), "asking for the organization list");
                    let result = api.user_organizations().await;
                    let _ = tx.send(Msg::OrgsLoaded { generation, result });
                    report_store_warning(&api, &tx);
                });
            }
            Cmd::LoadOverview { org, generation } => self.overview(org, generation, true),
            Cmd::Prefetch { orgs, generation } => {
                // Off: a visit still fetches, since `update` asks again for an org it awaits.
                if !self.prefetch {
                    return;
                }
                for org in orgs {
                    self.overview(org, generation, false);
                }
            }
            Cmd::LoadTransactions {
                org,
                account,
                page,
                generation,
            } => {
                let api = self.api.clone();
                let tx = self.to_app.clone();
                tokio::spawn(async move {
                    let result = api
                        .transactions(&org, &account, page, TRANSACTIONS_PER_PAGE)
                        .await;
                    let _ = tx.send(Msg::TransactionsLoaded {
                        org,
                        account,
                        page,
                        generation,
                        result,
                    });
                    report_store_warning(&api, &tx);
                });
            }
            Cmd::LoadMembers { org, generation } => {
                let api = self.api.clone();
                let tx = self.to_app.clone();
                tokio::spawn(async move {
                    let result = api.memberships(&org).await;
                    let _ = tx.send(Msg::MembersLoaded {
                        org,
                        generation,
                        result,
                    });
                    report_store_warning(&api, &tx);
                });
            }
            Cmd::LoadLabels { org, generation } => {
                let api = self.api.clone();
                let tx = self.to_app.clone();
                tokio::spawn(async move {
                    let result = api.labels(&org).await;
                    let _ = tx.send(Msg::LabelsLoaded {
                        org,
                        generation,
                        result,
                    });
                    report_store_warning(&api, &tx);
                });
            }
            Cmd::StartSignIn => self.start_sign_in(),
            Cmd::CancelSignIn => {
                if let Some(task) = self.sign_in.take() {
                    task.handle.abort();
                }
            }
            Cmd::SubmitPastedUrl(url) => match &self.sign_in {
                Some(task) => {
                    if task.paste.try_send(url).is_err() {
                        self.send(Msg::PasteRejected(
                            "the sign-in is no longer waiting; press Enter to start again".into(),
                        ));
                    }
                }
                None => self.send(Msg::PasteRejected("no sign-in is waiting".into())),
            },
            Cmd::SimulateBrowser => {
                let Some(url) = self.sign_in.as_ref().and_then(SignInTask::url) else {
                    return;
                };
                let tx = self.to_app.clone();
                tokio::spawn(async move {
                    if let Err(e) = complete_consent(&url, &Tick::All, true).await {
                        let _ = tx.send(Msg::PasteRejected(format!(
                            "the built-in browser failed: {e:#}"
                        )));
                    }
                });
            }
            Cmd::OpenBrowserAgain => {
                let Some(url) = self.sign_in.as_ref().and_then(SignInTask::url) else {
                    return;
                };
                let tx = self.to_app.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::BrowserOpened(crate::browser::open_browser(&url)));
                });
            }
            Cmd::SaveLastOrg(id) => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::state_file::save_last_org(&id) {
                        tracing::warn!("could not remember the selected organization: {e}");
                    }
                });
            }
            // Handled by the event loop.
            Cmd::MouseCapture(_) | Cmd::Quit => {}
        }
    }

    /// Fetches an organization's overview once, whoever asks; the selected one skips the queue.
    fn overview(&mut self, org: String, generation: Generation, selected: bool) {
        if let Some(job) = self.overviews.get(&org) {
            let waiting = !job.started.load(Ordering::SeqCst);
            if !(selected && waiting) {
                return;
            }
            // Waiting for a prefetch slot: fetch it now instead.
            job.superseded.store(true, Ordering::SeqCst);
        }
        let superseded = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicBool::new(false));
        self.overviews.insert(
            org.clone(),
            OverviewJob {
                generation,
                superseded: superseded.clone(),
                started: started.clone(),
            },
        );
        let api = self.api.clone();
        let tx = self.to_app.clone();
        let done = self.done_tx.clone();
        let slots = (!selected).then(|| self.prefetch_slots.clone());
        tokio::spawn(async move {
            let _permit = match slots {
                Some(s) => match s.acquire_owned().await {
                    Ok(p) => Some(p),
                    Err(_) => return,
                },
                None => None,
            };
            if superseded.load(Ordering::SeqCst) {
                return;
            }
            started.store(true, Ordering::SeqCst);
            let result = api.organization(&org).await;
            let _ = tx.send(Msg::OverviewLoaded {
                org: org.clone(),
                generation,
                result,
            });
            report_store_warning(&api, &tx);
            let _ = done.send((org, generation));
        });
    }

    fn start_sign_in(&mut self) {
        if let Some(task) = self.sign_in.take() {
            task.handle.abort();
        }
        let config = self.config.clone();
        let session = self.session.clone();
        let tx = self.to_app.clone();
        let (paste_tx, paste_rx) = mpsc::channel(4);
        let (err_tx, mut err_rx) = mpsc::channel::<qonto_client::oauth::callback::CallbackError>(4);
        let errors_to_app = tx.clone();
        tokio::spawn(async move {
            while let Some(e) = err_rx.recv().await {
                let _ = errors_to_app.send(Msg::PasteRejected(e.to_string()));
            }
        });
        let url_slot = Arc::new(std::sync::Mutex::new(None));
        let url_for_task = url_slot.clone();
        let handle = tokio::spawn(async move {
            let pending = match crate::commands::begin_sign_in(&config).await {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Msg::SignInFailed(e.to_string()));
                    return;
                }
            };
            let url = pending.url().to_string();
            *url_for_task.lock().unwrap_or_else(|p| p.into_inner()) = Some(url.clone());
            let opener = url.clone();
            let browser =
                tokio::task::spawn_blocking(move || crate::browser::open_browser(&opener))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
            let _ = tx.send(Msg::SignInWaiting { url, browser });
            match pending
                .finish(session.client(), paste_rx, err_tx, CALLBACK_TIMEOUT)
                .await
            {
                Ok(tokens) => match session.install(tokens).await {
                    Ok(()) => {
                        let _ = tx.send(Msg::SignedIn);
                    }
                    Err(e) => {
                        let _ = tx.send(Msg::SignInFailed(format!(
                            "signed in, but the tokens could not be stored: {e}"
                        )));
                    }
                },
                Err(e) => {
                    let _ = tx.send(Msg::SignInFailed(e.to_string()));
                }
            }
        });
        self.sign_in = Some(SignInTask {
            handle,
            paste: paste_tx,
            url: url_slot,
        });
    }
}

/// A refresh whose tokens could not be saved is said once, on the status line.
fn report_store_warning(api: &ApiClient, tx: &mpsc::UnboundedSender<Msg>) {
    if let Some(warning) = api.session().take_new_store_warning() {
        let _ = tx.send(Msg::StoreWarning(warning));
    }
}
