//! Where tokens and other secrets are kept: the platform secret store (verified by reading back
//! every write), a 0600 file only when the user chooses it, or memory for a demo. Never a silent
//! fallback. Every call is bounded ([`blocking`]); refreshes are serialised between processes
//! ([`lock`]).

mod file;
mod keyring;
pub mod lock;
mod slot;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

pub use file::{FileStore, read_bounded, write_private_atomically};
pub use keyring::{KeyringSecret, KeyringStore};
pub use slot::{FileSecret, MemorySecret, SecretSlot};

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

/// What a sign-in leaves behind.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredTokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Unix seconds.
    pub expires_at: i64,
    /// The lifetime the server gave (`expires_in`), to refresh proportionally early.
    pub lifetime_secs: i64,
    pub scope: String,
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no secret store is reachable ({cause}). Start one (gnome-keyring, KeePassXC) and unlock it"
    )]
    Unavailable { cause: String },
    #[error("the secret store refused the operation: {0}")]
    Failed(String),
    #[error("the token file cannot be used: {0}")]
    File(String),
    #[error(
        "the secret store accepted the tokens but does not give them back: nothing was saved ({0})"
    )]
    NotPersisted(String),
    #[error("the secret store did not answer within {0} s")]
    Timeout(u64),
    #[error("the stored tokens are unreadable ({0}); sign in again")]
    Corrupt(String),
}

/// A place for one set of tokens.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError>;
    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError>;
    fn delete(&self) -> Result<(), StoreError>;
    /// For `status` and the UI: which store, where.
    fn describe(&self) -> String;
    /// Copies of tokens that an interrupted write left beside the store, moved out of the way and
    /// returned so that they can be revoked (only a file store leaves any).
    fn take_stray_copies(&self) -> Vec<StoredTokens> {
        Vec::new()
    }
    /// The lock file that serialises refreshes between processes sharing this store.
    fn refresh_lock_path(&self) -> Option<PathBuf> {
        None
    }
}

/// Runs a blocking store call off the async runtime, with a time limit.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::time::timeout(KEYRING_TIMEOUT, tokio::task::spawn_blocking(f)).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(StoreError::Failed(format!("the store call failed: {join}"))),
        Err(_) => Err(StoreError::Timeout(KEYRING_TIMEOUT.as_secs())),
    }
}

pub(crate) fn decode(text: &str) -> Result<StoredTokens, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn encode(tokens: &StoredTokens) -> Result<String, StoreError> {
    serde_json::to_string(tokens).map_err(|e| StoreError::Failed(e.to_string()))
}

/// Process memory only: the demo's tokens vanish with it.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<Option<StoredTokens>>,
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        Ok(self
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone())
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError> {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner()) = Some(tokens.clone());
        Ok(())
    }

    fn delete(&self) -> Result<(), StoreError> {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    fn describe(&self) -> String {
        "memory only (demo: nothing is written)".to_string()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tokens() -> StoredTokens {
        StoredTokens {
            access_token: Secret::new("ory_at_a"),
            refresh_token: Some(Secret::new("ory_rt_b")),
            expires_at: 1,
            lifetime_secs: 3600,
            scope: "s".into(),
        }
    }
}
