//! Where tokens and other secrets are kept: the platform secret store (verified by reading back
//! every write), a 0600 file only when the user chooses it, or memory for a demo. Never a silent
//! fallback.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

const SERVICE: &str = "qonto-tui";
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

fn decode(text: &str) -> Result<StoredTokens, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn encode(tokens: &StoredTokens) -> Result<String, StoreError> {
    serde_json::to_string(tokens).map_err(|e| StoreError::Failed(e.to_string()))
}

/// One named value in the platform secret store through `keyring-core`: an OAuth client secret,
/// or (inside [`KeyringStore`]) a set of tokens. Every write is read back.
pub struct KeyringSecret {
    store: Arc<keyring_core::CredentialStore>,
    user: String,
}

impl KeyringSecret {
    /// Connects to the platform's store; fails plainly when there is none.
    pub fn open(name: &str) -> Result<Self, StoreError> {
        let store = platform_store().map_err(|cause| StoreError::Unavailable { cause })?;
        Ok(Self::with_store(store, name))
    }

    /// With a given store (the keyring-core mock in tests).
    pub fn with_store(store: Arc<keyring_core::CredentialStore>, name: &str) -> Self {
        Self {
            store,
            user: name.to_string(),
        }
    }

    fn entry(&self) -> Result<keyring_core::Entry, StoreError> {
        self.store
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

    pub fn describe(&self) -> String {
        format!(
            "{} (entry \"{SERVICE}\" / \"{}\")",
            self.store.vendor(),
            self.user
        )
    }
}

/// Tokens in the platform secret store, one entry per namespace.
pub struct KeyringStore {
    entry: KeyringSecret,
}

impl KeyringStore {
    /// Connects to the platform's store; fails plainly when there is none.
    pub fn open(namespace: &str) -> Result<Self, StoreError> {
        Ok(Self {
            entry: KeyringSecret::open(namespace)?,
        })
    }

    /// With a given store (the keyring-core mock in tests).
    pub fn with_store(store: Arc<keyring_core::CredentialStore>, namespace: &str) -> Self {
        Self {
            entry: KeyringSecret::with_store(store, namespace),
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
}

/// A 0600 file, written atomically; only when the user asked for it.
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// `tokens-{namespace}.json` in `dir`, the namespace made safe for a file name.
    pub fn for_namespace(dir: &Path, namespace: &str) -> Self {
        let safe: String = namespace
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Self::new(dir.join(format!("tokens-{safe}.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl TokenStore for FileStore {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => decode(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Failed(format!("{}: {e}", self.path.display()))),
        }
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError> {
        write_private_atomically(&self.path, encode(tokens)?.as_bytes())
            .map_err(|e| StoreError::Failed(format!("{}: {e}", self.path.display())))
    }

    fn delete(&self) -> Result<(), StoreError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Failed(format!("{}: {e}", self.path.display()))),
        }
    }

    fn describe(&self) -> String {
        format!(
            "plain file {} (not encrypted; chosen with --token-store file)",
            self.path.display()
        )
    }
}

/// Writes `bytes` to a new 0600 file beside `path`, syncs it, then renames it over `path`, so a
/// crash leaves either the old or the new file, never half of one.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    // tempfile creates the file 0600 with an unpredictable name, so no other user can open it.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
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
mod tests {
    use super::*;

    fn tokens() -> StoredTokens {
        StoredTokens {
            access_token: Secret::new("ory_at_a"),
            refresh_token: Some(Secret::new("ory_rt_b")),
            expires_at: 1,
            lifetime_secs: 3600,
            scope: "s".into(),
        }
    }

    #[test]
    fn file_store_is_0600_atomic_and_round_trips() {
        let dir = std::env::temp_dir().join(format!(
            "qonto-tui-store-{}",
            crate::random::random_hex(6).unwrap()
        ));
        let store = FileStore::new(dir.join("t.json"));
        assert_eq!(store.load().unwrap(), None);
        store.save(&tokens()).unwrap();
        assert_eq!(store.load().unwrap(), Some(tokens()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        store.delete().unwrap();
        store.delete().unwrap();
        assert_eq!(store.load().unwrap(), None);
        std::fs::write(store.path(), "{not json").unwrap();
        assert!(matches!(store.load(), Err(StoreError::Corrupt(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }

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
