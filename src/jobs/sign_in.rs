//! The browser sign-in as a background task: bind the callback, open the browser, then wait for
//! the callback or a pasted URL, exchange the code and install the tokens, reporting each step.

use std::sync::{Arc, Mutex};

use qonto_client::api::ApiClient;
use qonto_client::oauth::authorize::Flow;
use qonto_client::oauth::callback::{CALLBACK_TIMEOUT, CallbackError};
use qonto_client::oauth::session::Session;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::{Msg, text};
use crate::config::Config;
use crate::sources::Sources;

/// What a consent's tokens are for.
pub enum AfterConsent {
    /// The User flow: the app's own session.
    SignIn,
    /// The membership flow: one more organization, stored as a source.
    AddMembership {
        api: Arc<ApiClient>,
        sources: Arc<Sources>,
    },
}

pub struct SignInTask {
    handle: JoinHandle<()>,
    paste: mpsc::Sender<String>,
    /// The consent URL, once the callback listener is bound.
    url: Arc<Mutex<Option<String>>>,
}

impl SignInTask {
    /// Starts a sign-in; a `previous` one is stopped first and its callback listener released
    /// before this one binds the same port.
    pub fn start(
        config: Config,
        session: Arc<Session>,
        then: AfterConsent,
        to_app: mpsc::UnboundedSender<Msg>,
        previous: Option<JoinHandle<()>>,
    ) -> Self {
        let (paste_tx, paste_rx) = mpsc::channel(4);
        let (err_tx, mut err_rx) = mpsc::channel::<CallbackError>(4);
        let errors_to_app = to_app.clone();
        tokio::spawn(async move {
            while let Some(e) = err_rx.recv().await {
                let _ = errors_to_app.send(Msg::PasteRejected(e.to_string()));
            }
        });
        let url_slot = Arc::new(Mutex::new(None));
        let url_for_task = url_slot.clone();
        let tx = to_app;
        let handle = tokio::spawn(async move {
            if let Some(previous) = previous {
                previous.abort();
                // Resolves once the aborted task is dropped, its listener with it.
                let _ = previous.await;
            }
            let flow = match then {
                AfterConsent::SignIn => Flow::User,
                AfterConsent::AddMembership { .. } => Flow::Membership,
            };
            let pending = match crate::auth::begin_flow(&config, flow).await {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Msg::SignInFailed(e.to_string()));
                    return;
                }
            };
            let url = pending.url().to_string();
            *url_for_task.lock().unwrap_or_else(|p| p.into_inner()) = Some(url.clone());
            let opener = url.clone();
            let command = config.browser.clone();
            let browser = tokio::task::spawn_blocking(move || {
                crate::browser::open_browser(&opener, command.as_deref())
            })
            .await
            .unwrap_or_else(|e| Err(crate::browser::BrowserError::Stopped(e.to_string())));
            if let Err(why) = &browser {
                // The screen says it plainly; the launcher's own words are for the log.
                tracing::warn!("no browser could be opened: {why}");
            }
            let _ = tx.send(Msg::SignInWaiting { url, browser });
            let msg =
                match pending
                    .finish(session.client(), paste_rx, err_tx, CALLBACK_TIMEOUT)
                    .await
                {
                    Ok(tokens) => match then {
                        AfterConsent::SignIn => match session.install(tokens).await {
                            Ok(()) => Msg::SignedIn,
                            Err(e) => Msg::SignInFailed(text::tokens_not_stored(&e.to_string())),
                        },
                        AfterConsent::AddMembership { api, sources } => {
                            let added = crate::sources::adding::add_membership(
                                &api,
                                &sources,
                                session.client(),
                                tokens,
                            )
                            .await;
                            Msg::SourceAdded(added.map(|s| {
                                (s.org_id, qonto_client::printable::printable(&s.name, 80))
                            }))
                        }
                    },
                    Err(e) => Msg::SignInFailed(e.to_string()),
                };
            let _ = tx.send(msg);
        });
        Self {
            handle,
            paste: paste_tx,
            url: url_slot,
        }
    }

    pub fn url(&self) -> Option<String> {
        self.url.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Hands a pasted redirect URL to the waiting sign-in; false when it no longer waits.
    pub fn paste(&self, url: String) -> bool {
        self.paste.try_send(url).is_ok()
    }

    /// Aborts the sign-in; the handle resolves once its callback listener is released.
    pub fn stop(self) -> JoinHandle<()> {
        self.handle.abort();
        self.handle
    }
}
