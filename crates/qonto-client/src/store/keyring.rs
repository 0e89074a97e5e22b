//! The platform secret store (Secret Service, Keychain, Credential Manager) through
//! `keyring-core`: one entry per named secret, connected on first use, every write read back.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{StoreError, StoredTokens, TokenStore, decode, encode};
use crate::secret::Secret;

const SERVICE: &str = "qonto-tui";

/// One named value in the platform secret store through `keyring-core`: an OAuth client secret,
/// or (inside [`KeyringStore`]) a set of tokens. Every write is read back.
///
/// The connection is made on first use, not when this is built: connecting can hang as long as
/// the store does (a stopped Secret Service daemon), so it belongs inside the bounded
/// [`blocking`] call like every other store operation.
pub struct KeyringSecret {
    store: Mutex<Option<Arc<keyring_core::CredentialStore>>>,
    user: String,
}

impl KeyringSecret {
    /// The entry `name` in the platform's store; nothing is contacted until it is used.
    pub fn open(name: &str) -> Self {
        Self {
            store: Mutex::new(None),
            user: name.to_string(),
        }
    }

    /// With a given store (the keyring-core mock in tests).
    pub fn with_store(store: Arc<keyring_core::CredentialStore>, name: &str) -> Self {
        Self {
            store: Mutex::new(Some(store)),
            user: name.to_string(),
        }
    }

    /// The store, connecting to it the first time (blocking: call inside [`blocking`]).
    fn connected(&self) -> Result<Arc<keyring_core::CredentialStore>, StoreError> {
        let mut slot = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store = platform_store().map_err(|cause| StoreError::Unavailable { cause })?;
        *slot = Some(store.clone());
        Ok(store)
    }

    /// The names of this app's entries that begin with `prefix`, whatever lists them or not:
    /// how a logout finds secrets an interrupted removal left behind (blocking).
    pub fn names_beginning(prefix: &str) -> Result<Vec<String>, StoreError> {
        let store = platform_store().map_err(|cause| StoreError::Unavailable { cause })?;
        let spec = std::collections::HashMap::from([("service", SERVICE)]);
        let entries = store.search(&spec).map_err(map_keyring_error)?;
        Ok(entries
            .iter()
            .filter_map(|e| e.get_attributes().ok()?.remove("username"))
            .filter(|name| name.starts_with(prefix))
            .collect())
    }

    fn entry(&self) -> Result<keyring_core::Entry, StoreError> {
        self.connected()?
            .build(SERVICE, &self.user, None)
            .map_err(map_keyring_error)
    }

    pub fn load(&self) -> Result<Option<Secret>, StoreError> {
        match self.entry()?.get_password() {
            Ok(text) => Ok(Some(Secret::new(text))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    pub fn save(&self, value: &Secret) -> Result<(), StoreError> {
        let entry = self.entry()?;
        entry
            .set_password(value.expose())
            .map_err(map_keyring_error)?;
        // Some stores accept a write and keep nothing; only a read-back proves it persisted.
        match self.entry()?.get_password() {
            Ok(back) if back == value.expose() => Ok(()),
            Ok(_) => Err(StoreError::NotPersisted(
                "a different value came back".into(),
            )),
            Err(e) => Err(StoreError::NotPersisted(e.to_string())),
        }
    }

    pub fn delete(&self) -> Result<(), StoreError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    /// The platform store's plain name (the backing crate's own description names the crate
    /// and its URL, which says nothing to a user).
    pub fn describe(&self) -> String {
        format!("{PLATFORM_STORE} (entry \"{SERVICE}\" / \"{}\")", self.user)
    }
}

/// Tokens in the platform secret store, one entry per namespace.
pub struct KeyringStore {
    entry: KeyringSecret,
    lock_path: Option<PathBuf>,
}

impl KeyringStore {
    /// The namespace's entry in the platform's store; nothing is contacted until it is used.
    pub fn open(namespace: &str) -> Self {
        Self {
            entry: KeyringSecret::open(namespace),
            lock_path: None,
        }
    }

    /// Serialises refreshes with other processes on this entry through a lock file at `path`.
    pub fn with_refresh_lock(mut self, path: PathBuf) -> Self {
        self.lock_path = Some(path);
        self
    }

    /// With a given store (the keyring-core mock in tests).
    pub fn with_store(store: Arc<keyring_core::CredentialStore>, namespace: &str) -> Self {
        Self {
            entry: KeyringSecret::with_store(store, namespace),
            lock_path: None,
        }
    }
}

fn map_keyring_error(e: keyring_core::Error) -> StoreError {
    match e {
        keyring_core::Error::NoStorageAccess(p) | keyring_core::Error::PlatformFailure(p) => {
            StoreError::Unavailable {
                cause: p.to_string(),
            }
        }
        other => StoreError::Failed(other.to_string()),
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
const PLATFORM_STORE: &str = "Secret Service";
#[cfg(target_os = "macos")]
const PLATFORM_STORE: &str = "macOS Keychain";
#[cfg(target_os = "windows")]
const PLATFORM_STORE: &str = "Windows Credential Manager";
#[cfg(not(any(unix, target_os = "windows")))]
const PLATFORM_STORE: &str = "no secret store";

#[cfg(all(unix, not(target_os = "macos")))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, String> {
    zbus_secret_service_keyring_store::Store::new()
        .map(|s| s as Arc<keyring_core::CredentialStore>)
        .map_err(|e| format!("Secret Service over D-Bus: {e}"))
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<keyring_core::CredentialStore>)
        .map_err(|e| format!("macOS Keychain: {e}"))
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<keyring_core::CredentialStore>)
        .map_err(|e| format!("Windows Credential Manager: {e}"))
}

#[cfg(not(any(unix, target_os = "windows")))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>, String> {
    Err("this platform has no supported secret store".to_string())
}

impl TokenStore for KeyringStore {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        match self.entry.load()? {
            Some(text) => decode(text.expose()).map(Some),
            None => Ok(None),
        }
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError> {
        self.entry.save(&Secret::new(encode(tokens)?))
    }

    fn delete(&self) -> Result<(), StoreError> {
        self.entry.delete()
    }

    fn describe(&self) -> String {
        self.entry.describe()
    }

    fn refresh_lock_path(&self) -> Option<PathBuf> {
        self.lock_path.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::tokens;

    #[test]
    fn keyring_store_round_trips_on_the_mock() {
        let mock = keyring_core::mock::Store::new().unwrap();
        let store = KeyringStore::with_store(mock, "ns");
        assert_eq!(store.load().unwrap(), None);
        store.save(&tokens()).unwrap();
        assert_eq!(store.load().unwrap(), Some(tokens()));
        store.delete().unwrap();
        assert_eq!(store.load().unwrap(), None);
        assert!(!format!("{:?}", tokens()).contains("ory_at_a"));
    }

    #[test]
    fn a_named_secret_is_kept_as_itself_not_as_tokens() {
        let mock = keyring_core::mock::Store::new().unwrap();
        let secret = KeyringSecret::with_store(mock, "client-secret/ns");
        assert_eq!(secret.load().unwrap(), None);
        secret.save(&Secret::new("s3cr3t-value")).unwrap();
        assert_eq!(secret.load().unwrap(), Some(Secret::new("s3cr3t-value")));
        secret.delete().unwrap();
        secret.delete().unwrap();
        assert_eq!(secret.load().unwrap(), None);
    }
}
