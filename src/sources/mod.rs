//! The organizations reached otherwise than through the User-flow sign-in: membership-flow
//! sessions and API keys. Each credential is its own entry in the chosen secret store; the list
//! of them (organization ids, names, API-key logins: nothing secret) is a small file beside the
//! token file, or memory in the demo.

pub mod adding;
pub(crate) mod listing;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{Config, TokenStoreKind, file_safe};
use qonto_client::api::{Credential, Via};
use qonto_client::oauth::session::Session;
use qonto_client::oauth::tokens::OAuthClient;
use qonto_client::secret::Secret;
use qonto_client::store::{
    FileSecret, FileStore, KeyringSecret, KeyringStore, MemorySecret, MemoryStore, SecretSlot,
    StoreError, StoredTokens, TokenStore, blocking, lock, read_bounded, write_private_atomically,
};

/// One organization and the credential (other than the User flow) that reaches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub org_id: String,
    pub via: Via,
    /// The API key's login (`acme-1234` in `acme-1234:secret`); `None` for a membership session.
    #[serde(default)]
    pub login: Option<String>,
    pub name: String,
    #[serde(default)]
    pub legal_name: Option<String>,
    #[serde(default)]
    pub membership_role: Option<String>,
}

/// The list file is small; a larger one is not ours.
const MAX_LIST_FILE: u64 = 1 << 20;
const LIST_LOCK_WAIT: Duration = Duration::from_secs(5);

/// Where the sources and their secrets are kept, for one server and OAuth client.
pub struct Sources {
    kind: TokenStoreKind,
    namespace: String,
    dir: PathBuf,
    /// The demo's (and `--token-store memory`'s) everything.
    memory: Mutex<InMemory>,
}

#[derive(Default)]
struct InMemory {
    list: Vec<Source>,
    keys: HashMap<String, Arc<MemorySecret>>,
    sessions: HashMap<String, Arc<MemoryStore>>,
}

impl Sources {
    pub fn for_config(config: &Config) -> Arc<Self> {
        Arc::new(Self::new(
            config.token_store,
            &config.sources_namespace(),
            &crate::config::data_dir(),
        ))
    }

    /// Nothing written anywhere: the demo's, and tests'.
    pub fn in_memory() -> Self {
        Self::new(TokenStoreKind::Memory, "memory", Path::new("."))
    }

    pub fn new(kind: TokenStoreKind, namespace: &str, dir: &Path) -> Self {
        Self {
            kind,
            namespace: namespace.to_string(),
            dir: dir.to_path_buf(),
            memory: Mutex::new(InMemory::default()),
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, InMemory> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn list_path(&self) -> PathBuf {
        self.dir
            .join(format!("sources-{}.json", file_safe(&self.namespace)))
    }

    /// Every source, in the order they were added.
    pub fn list(&self) -> Result<Vec<Source>, StoreError> {
        if self.kind == TokenStoreKind::Memory {
            return Ok(self.memory().list.clone());
        }
        let path = self.list_path();
        match read_bounded(&path, MAX_LIST_FILE) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::File(format!("{} is unreadable: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StoreError::File(format!("{}: {e}", path.display()))),
        }
    }

    fn write_list(&self, list: &[Source]) -> Result<(), StoreError> {
        if self.kind == TokenStoreKind::Memory {
            self.memory().list = list.to_vec();
            return Ok(());
        }
        let path = self.list_path();
        let text =
            serde_json::to_vec_pretty(list).map_err(|e| StoreError::Failed(e.to_string()))?;
        write_private_atomically(&path, &text)
            .map_err(|e| StoreError::File(format!("{}: {e}", path.display())))
    }

    /// Changes the list under a lock file, so two commands at once do not lose an entry.
    async fn update_list(
        self: &Arc<Self>,
        change: impl FnOnce(&mut Vec<Source>) + Send + 'static,
    ) -> Result<(), StoreError> {
        let _lock = match self.kind {
            TokenStoreKind::Memory => None,
            _ => lock::acquire(&self.list_path().with_extension("lock"), LIST_LOCK_WAIT).await,
        };
        let me = self.clone();
        blocking(move || {
            let mut list = me.list()?;
            change(&mut list);
            me.write_list(&list)
        })
        .await
    }

    /// The entry holding an API key's secret.
    pub fn key_slot(&self, login: &str) -> Arc<dyn SecretSlot> {
        match self.kind {
            TokenStoreKind::Keyring => Arc::new(KeyringSecret::open(&format!(
                "api-key/{}/{login}",
                self.namespace
            ))),
            TokenStoreKind::File => Arc::new(FileSecret::new(self.dir.join(format!(
                "api-key-{}-{}.secret",
                file_safe(&self.namespace),
                file_safe(login)
            )))),
            TokenStoreKind::Memory => self
                .memory()
                .keys
                .entry(login.to_string())
                .or_default()
                .clone(),
        }
    }

    /// The store of a membership session's tokens.
    pub fn session_store(&self, org_id: &str) -> Arc<dyn TokenStore> {
        let file = FileStore::for_namespace(
            &self.dir,
            &format!("{}-membership-{org_id}", self.namespace),
        );
        match self.kind {
            TokenStoreKind::Keyring => Arc::new(
                KeyringStore::open(&format!("membership/{}/{org_id}", self.namespace))
                    .with_refresh_lock(file.path().with_extension("lock")),
            ),
            TokenStoreKind::File => Arc::new(file),
            TokenStoreKind::Memory => self
                .memory()
                .sessions
                .entry(org_id.to_string())
                .or_default()
                .clone(),
        }
    }

    /// Adds (or replaces) an API-key source: the secret first, then the list entry.
    pub async fn add_api_key(
        self: &Arc<Self>,
        source: Source,
        secret: Secret,
    ) -> Result<(), StoreError> {
        let login = source.login.clone().unwrap_or_default();
        let slot = self.key_slot(&login);
        blocking(move || slot.save(&secret)).await?;
        self.put(source).await
    }

    /// Adds (or replaces) a membership source: its tokens first, then the list entry.
    pub async fn add_membership(
        self: &Arc<Self>,
        source: Source,
        tokens: StoredTokens,
    ) -> Result<(), StoreError> {
        let store = self.session_store(&source.org_id);
        blocking(move || store.save(&tokens)).await?;
        self.put(source).await
    }

    /// One entry per organization and kind: a new key for the same organization replaces the
    /// old one.
    async fn put(self: &Arc<Self>, source: Source) -> Result<(), StoreError> {
        self.update_list(move |list| {
            list.retain(|s| !(s.org_id == source.org_id && s.via == source.via));
            list.push(source);
        })
        .await
    }

    /// Forgets one source: its secret first, then its entry in the list. A store that fails
    /// or freezes part way leaves the entry, so `key list` and the next `logout` still see
    /// the secret and can try again; a secret left without an entry would be seen by nothing.
    pub async fn remove(self: &Arc<Self>, source: &Source) -> Result<(), StoreError> {
        match (source.via, &source.login) {
            (Via::ApiKey, Some(login)) => {
                let slot = self.key_slot(login);
                blocking(move || slot.delete()).await?;
            }
            _ => {
                let store = self.session_store(&source.org_id);
                blocking(move || store.delete()).await?;
            }
        }
        let (org, via) = (source.org_id.clone(), source.via);
        self.update_list(move |list| list.retain(|s| !(s.org_id == org && s.via == via)))
            .await
    }

    /// Deletes the API keys and membership tokens of this namespace that no list entry names
    /// (left by an interrupted removal of an earlier version): how many.
    pub async fn remove_orphans(self: &Arc<Self>) -> Result<usize, StoreError> {
        let me = self.clone();
        blocking(move || {
            let listed = me.list()?;
            let keep_key = |login: &str| listed.iter().any(|s| s.login.as_deref() == Some(login));
            let keep_session = |org: &str| {
                listed
                    .iter()
                    .any(|s| s.via == Via::Membership && s.org_id == org)
            };
            let mut removed = 0;
            match me.kind {
                TokenStoreKind::Keyring => {
                    let key_prefix = format!("api-key/{}/", me.namespace);
                    let session_prefix = format!("membership/{}/", me.namespace);
                    for name in KeyringSecret::names_beginning(&key_prefix)? {
                        let login = name.strip_prefix(&key_prefix).unwrap_or_default();
                        if !keep_key(login) {
                            KeyringSecret::open(&name).delete()?;
                            removed += 1;
                        }
                    }
                    for name in KeyringSecret::names_beginning(&session_prefix)? {
                        let org = name.strip_prefix(&session_prefix).unwrap_or_default();
                        if !keep_session(org) {
                            KeyringSecret::open(&name).delete()?;
                            removed += 1;
                        }
                    }
                }
                TokenStoreKind::File => {
                    let ns = file_safe(&me.namespace);
                    let key_prefix = format!("api-key-{ns}-");
                    let session_prefix = format!("tokens-{ns}-membership-");
                    let entries = std::fs::read_dir(&me.dir)
                        .map_err(|e| StoreError::File(format!("{}: {e}", me.dir.display())))?;
                    for entry in entries.flatten() {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        let orphan = if let Some(rest) = name
                            .strip_prefix(&key_prefix)
                            .and_then(|r| r.strip_suffix(".secret"))
                        {
                            !listed
                                .iter()
                                .any(|s| s.login.as_deref().map(file_safe).as_deref() == Some(rest))
                        } else if let Some(rest) = name
                            .strip_prefix(&session_prefix)
                            .and_then(|r| r.strip_suffix(".json"))
                        {
                            !listed
                                .iter()
                                .any(|s| s.via == Via::Membership && file_safe(&s.org_id) == rest)
                        } else {
                            false
                        };
                        let regular =
                            std::fs::symlink_metadata(entry.path()).is_ok_and(|m| m.is_file());
                        if orphan && regular {
                            std::fs::remove_file(entry.path()).map_err(|e| {
                                StoreError::File(format!("{}: {e}", entry.path().display()))
                            })?;
                            removed += 1;
                        }
                    }
                }
                TokenStoreKind::Memory => {}
            }
            Ok(removed)
        })
        .await
    }

    /// Removes the (empty) list file and its lock, once every source is forgotten.
    pub fn remove_list_if_empty(&self) {
        if self.kind == TokenStoreKind::Memory || !self.list().is_ok_and(|l| l.is_empty()) {
            return;
        }
        let path = self.list_path();
        for p in [path.with_extension("lock"), path] {
            if let Err(e) = std::fs::remove_file(&p)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("could not remove {}: {e}", p.display());
            }
        }
    }

    /// The credential a source's secret makes, read from the store.
    pub async fn credential(
        &self,
        source: &Source,
        oauth: &OAuthClient,
    ) -> Result<Option<Credential>, StoreError> {
        match (source.via, &source.login) {
            (Via::ApiKey, Some(login)) => {
                let slot = self.key_slot(login);
                let secret = blocking(move || slot.load()).await?;
                Ok(secret.map(|s| Credential::api_key(login, s)))
            }
            (Via::Membership, _) => {
                let store = self.session_store(&source.org_id);
                let s = store.clone();
                let tokens = blocking(move || s.load()).await?;
                Ok(tokens.map(|t| {
                    Credential::Membership(Arc::new(Session::new(oauth.clone(), store, Some(t))))
                }))
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_source(org: &str, login: &str) -> Source {
        Source {
            org_id: org.into(),
            via: Via::ApiKey,
            login: Some(login.into()),
            name: format!("Org {org}"),
            legal_name: None,
            membership_role: None,
        }
    }

    #[tokio::test]
    async fn a_file_store_keeps_the_list_apart_from_the_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let sources = Arc::new(Sources::new(TokenStoreKind::File, "h:1/c", dir.path()));
        assert_eq!(sources.list().unwrap(), vec![]);
        sources
            .add_api_key(key_source("o1", "acme-1"), Secret::new("very-secret-key"))
            .await
            .unwrap();
        sources
            .add_api_key(key_source("o2", "beta-2"), Secret::new("other-secret-key"))
            .await
            .unwrap();
        // Replacing a key keeps one entry.
        sources
            .add_api_key(key_source("o1", "acme-1"), Secret::new("newer-secret-key"))
            .await
            .unwrap();
        let list = sources.list().unwrap();
        assert_eq!(list.len(), 2);
        let on_disk = std::fs::read_to_string(sources.list_path()).unwrap();
        assert!(!on_disk.contains("secret-key"), "{on_disk}");
        let slot = sources.key_slot("acme-1");
        assert_eq!(slot.load().unwrap(), Some(Secret::new("newer-secret-key")));
        let beta = list.iter().find(|s| s.org_id == "o2").unwrap();
        sources.remove(beta).await.unwrap();
        assert_eq!(sources.list().unwrap().len(), 1);
        assert!(sources.key_slot("acme-1").load().unwrap().is_some());
        assert_eq!(sources.key_slot("beta-2").load().unwrap(), None);
    }

    #[tokio::test]
    async fn memory_sources_live_as_long_as_the_process() {
        let sources = Arc::new(Sources::new(
            TokenStoreKind::Memory,
            "ns",
            Path::new("/nonexistent"),
        ));
        sources
            .add_api_key(key_source("o1", "acme-1"), Secret::new("very-secret-key"))
            .await
            .unwrap();
        assert_eq!(sources.list().unwrap().len(), 1);
        assert_eq!(
            sources.key_slot("acme-1").load().unwrap(),
            Some(Secret::new("very-secret-key"))
        );
    }
}
