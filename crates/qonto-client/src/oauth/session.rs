//! The signed-in session: hands out a valid access token, refreshing it once for everyone
//! (single flight) before it expires or after a 401, storing the rotated refresh token before
//! the new access token is used, and dropping tokens only when the server says they are dead.

use std::sync::Arc;

use tokio::sync::Mutex;

use super::tokens::{OAuthClient, TokenError};
use crate::secret::Secret;
use crate::store::{StoreError, StoredTokens, TokenStore, blocking};

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
    store_warning_reported: std::sync::atomic::AtomicBool,
}

/// Refresh this long before expiry: 60 s, or half the lifetime for very short-lived tokens.
fn refresh_margin(tokens: &StoredTokens) -> i64 {
    60.min(tokens.lifetime_secs / 2)
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
            store_warning_reported: std::sync::atomic::AtomicBool::new(false),
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

    /// The store warning, once: later calls return `None` until a new failure.
    pub fn take_new_store_warning(&self) -> Option<String> {
        let warning = self.store_warning()?;
        if self
            .store_warning_reported
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return None;
        }
        Some(warning)
    }

    /// A valid access token, refreshed first if it is about to expire.
    pub async fn access_token(&self) -> Result<Secret, AuthError> {
        let mut guard = self.current.lock().await;
        let Some(tokens) = guard.as_ref() else {
            return Err(AuthError::SignInRequired { reason: None });
        };
        let now = chrono::Utc::now().timestamp();
        if now + refresh_margin(tokens) < tokens.expires_at {
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

    async fn refresh_locked(&self, guard: &mut Option<StoredTokens>) -> Result<Secret, AuthError> {
        let Some(current) = guard.clone() else {
            return Err(AuthError::SignInRequired { reason: None });
        };
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
                tracing::warn!("the refresh token was refused ({e}); signing out");
                *guard = None;
                let store = self.store.clone();
                if let Err(delete_error) = blocking(move || store.delete()).await {
                    tracing::warn!("could not delete the dead tokens: {delete_error}");
                }
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

    async fn persist(&self, tokens: &StoredTokens) {
        let store = self.store.clone();
        let copy = tokens.clone();
        let result = blocking(move || store.save(&copy)).await;
        let mut warning = self.store_warning.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(()) => {
                *warning = None;
                self.store_warning_reported
                    .store(false, std::sync::atomic::Ordering::SeqCst);
            }
            Err(e) => {
                tracing::error!("could not save the refreshed tokens: {e}");
                *warning = Some(format!("could not save the refreshed tokens: {e}"));
            }
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

    /// Forgets the tokens here and in the store; revokes the refresh token where possible.
    pub async fn sign_out(&self) -> Result<bool, AuthError> {
        let tokens = self.current.lock().await.take();
        let mut revoked = false;
        if let Some(t) = tokens {
            let token = t.refresh_token.unwrap_or(t.access_token);
            revoked = self.client.revoke(&token).await.unwrap_or(false);
        }
        let store = self.store.clone();
        blocking(move || store.delete()).await?;
        Ok(revoked)
    }
}
