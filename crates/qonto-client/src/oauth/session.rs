//! The signed-in session: hands out a valid access token, refreshing it once for everyone
//! (single flight) before it expires or after a 401, storing the rotated refresh token before
//! the new access token is used, and dropping tokens only when the server says they are dead.

use std::sync::Arc;

use tokio::sync::Mutex;

use super::tokens::{OAuthClient, TokenError};
use crate::secret::Secret;
use crate::store::{StoreError, StoredTokens, TokenStore, blocking, lock};

/// How long a refresh waits for another process's refresh to finish.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    #[error("not signed in: press the sign-in key or run `qonto-tui login`")]
    SignInRequired { reason: Option<String> },
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthError {
    pub fn requires_sign_in(&self) -> bool {
        matches!(self, AuthError::SignInRequired { .. })
    }
}

pub struct Session {
    client: OAuthClient,
    store: Arc<dyn TokenStore>,
    current: Mutex<Option<StoredTokens>>,
    /// The last failure to save rotated tokens (they are kept in memory meanwhile).
    store_warning: std::sync::Mutex<Option<String>>,
    store_health_reported: std::sync::atomic::AtomicBool,
}

/// Refresh this long before expiry: 60 s, or half the lifetime for very short-lived tokens.
fn refresh_margin(tokens: &StoredTokens) -> i64 {
    60.min(tokens.lifetime_secs / 2)
}

/// Whether the access token is good for a while yet (past the refresh margin).
fn is_fresh(tokens: &StoredTokens) -> bool {
    chrono::Utc::now().timestamp() + refresh_margin(tokens) < tokens.expires_at
}

/// Registers the tokens with the log's redaction, so no log line can hold them.
fn keep_out_of_logs(tokens: &StoredTokens) {
    crate::redact::register_secret(tokens.access_token.expose());
    if let Some(r) = &tokens.refresh_token {
        crate::redact::register_secret(r.expose());
    }
}

impl Session {
    pub fn new(
        client: OAuthClient,
        store: Arc<dyn TokenStore>,
        tokens: Option<StoredTokens>,
    ) -> Self {
        if let Some(t) = &tokens {
            keep_out_of_logs(t);
        }
        Self {
            client,
            store,
            current: Mutex::new(tokens),
            store_warning: std::sync::Mutex::new(None),
            store_health_reported: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Takes what a read of this session's store gave (the TUI reads it while it sets up the
    /// terminal); true when someone is signed in.
    pub async fn adopt(
        &self,
        read: Result<Option<StoredTokens>, StoreError>,
    ) -> Result<bool, StoreError> {
        let tokens = read?;
        if let Some(t) = &tokens {
            keep_out_of_logs(t);
        }
        let signed_in = tokens.is_some();
        *self.current.lock().await = tokens;
        Ok(signed_in)
    }

    pub fn client(&self) -> &OAuthClient {
        &self.client
    }

    pub async fn tokens(&self) -> Option<StoredTokens> {
        self.current.lock().await.clone()
    }

    pub fn store_warning(&self) -> Option<String> {
        self.store_warning
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The store's health when it changed since the last call: `Some(Some(problem))` when a
    /// save failed, `Some(None)` when one succeeded again, `None` when nothing changed.
    pub fn take_store_health_change(&self) -> Option<Option<String>> {
        if self
            .store_health_reported
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return None;
        }
        Some(self.store_warning())
    }

    /// A valid access token, refreshed first if it is about to expire.
    pub async fn access_token(&self) -> Result<Secret, AuthError> {
        let mut guard = self.current.lock().await;
        let Some(tokens) = guard.as_ref() else {
            return Err(AuthError::SignInRequired { reason: None });
        };
        if is_fresh(tokens) {
            return Ok(tokens.access_token.clone());
        }
        self.refresh_locked(&mut guard).await
    }

    /// After a 401 with `rejected`: refresh, unless someone already did since.
    pub async fn refresh_after_unauthorized(&self, rejected: &Secret) -> Result<Secret, AuthError> {
        let mut guard = self.current.lock().await;
        match guard.as_ref() {
            None => Err(AuthError::SignInRequired { reason: None }),
            Some(t) if &t.access_token != rejected => Ok(t.access_token.clone()),
            Some(_) => self.refresh_locked(&mut guard).await,
        }
    }

    /// Refreshes for everyone in this process (the caller holds `current`) and, through the
    /// store's lock file, for every process sharing the store: one that refreshed while we
    /// waited has already rotated the refresh token, and its tokens are adopted instead.
    async fn refresh_locked(&self, guard: &mut Option<StoredTokens>) -> Result<Secret, AuthError> {
        let Some(mut current) = guard.clone() else {
            return Err(AuthError::SignInRequired { reason: None });
        };
        let _lock = match self.store.refresh_lock_path() {
            Some(path) => lock::acquire(&path, LOCK_WAIT).await,
            None => None,
        };
        if let Some(newer) = self.newer_in_store(&current).await {
            tracing::info!("another process refreshed the tokens; using theirs");
            keep_out_of_logs(&newer);
            *guard = Some(newer.clone());
            if is_fresh(&newer) {
                return Ok(newer.access_token);
            }
            current = newer;
        }
        match self.client.refresh(&current).await {
            Ok(fresh) => {
                // The old refresh token dies after its grace period: persist the new one first.
                self.persist(&fresh).await;
                let token = fresh.access_token.clone();
                *guard = Some(fresh);
                tracing::info!("access token refreshed");
                Ok(token)
            }
            Err(e) if e.requires_sign_in() => {
                // Another process (without the lock, or an older version) may have rotated the
                // token after we read it: what the store holds now is not what was refused.
                if let Some(newer) = self.newer_in_store(&current).await {
                    tracing::info!("the refresh token was refused but the store has newer ones");
                    keep_out_of_logs(&newer);
                    let token = newer.access_token.clone();
                    *guard = Some(newer);
                    return Ok(token);
                }
                tracing::warn!("the refresh token was refused ({e}); signing out");
                *guard = None;
                self.delete_if_still(&current).await;
                Err(AuthError::SignInRequired {
                    reason: Some(e.to_string()),
                })
            }
            Err(e) => {
                tracing::warn!("refresh failed, tokens kept: {e}");
                Err(AuthError::Token(e))
            }
        }
    }

    /// What the store holds when another process wrote it since `ours` were issued. (A store
    /// that missed one of our own saves holds older tokens, which expire earlier.)
    async fn newer_in_store(&self, ours: &StoredTokens) -> Option<StoredTokens> {
        let store = self.store.clone();
        match blocking(move || store.load()).await {
            Ok(Some(stored))
                if stored.refresh_token != ours.refresh_token
                    && stored.expires_at >= ours.expires_at =>
            {
                Some(stored)
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("could not re-read the token store: {e}");
                None
            }
        }
    }

    /// Deletes the stored tokens only if they are still the ones just refused: never tokens
    /// another process has written since.
    async fn delete_if_still(&self, refused: &StoredTokens) {
        let store = self.store.clone();
        let refused = refused.refresh_token.clone();
        let result = blocking(move || match store.load() {
            Ok(Some(stored)) if stored.refresh_token != refused => Ok(false),
            Ok(None) => Ok(false),
            Ok(Some(_)) | Err(StoreError::Corrupt(_)) => store.delete().map(|()| true),
            Err(e) => Err(e),
        })
        .await;
        match result {
            Ok(true) => tracing::info!("the refused tokens were deleted from the store"),
            Ok(false) => tracing::info!("the store holds other tokens; left as they are"),
            Err(e) => tracing::warn!("could not delete the refused tokens: {e}"),
        }
    }

    async fn persist(&self, tokens: &StoredTokens) {
        let store = self.store.clone();
        let copy = tokens.clone();
        let result = blocking(move || store.save(&copy)).await;
        let problem = match result {
            Ok(()) => None,
            Err(e) => {
                tracing::error!("could not save the refreshed tokens: {e}");
                Some(format!("could not save the refreshed tokens: {e}"))
            }
        };
        let mut warning = self.store_warning.lock().unwrap_or_else(|p| p.into_inner());
        if *warning != problem {
            *warning = problem;
            self.store_health_reported
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Installs tokens from a completed sign-in: stored first, then used.
    pub async fn install(&self, tokens: StoredTokens) -> Result<(), StoreError> {
        let store = self.store.clone();
        let copy = tokens.clone();
        blocking(move || store.save(&copy)).await?;
        *self.current.lock().await = Some(tokens);
        Ok(())
    }
}
