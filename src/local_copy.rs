//! Where the local copy of the books lives and where its key comes from: 256 random bits made
//! once, kept in the secret store beside the tokens (or, with `--token-store file`, in a 0600
//! file beside the token file). The books engine (`qonto_books`) is handed the path and key.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, TokenStoreKind};
use qonto_books::{BooksHandle, OpenedHandle};
use qonto_client::secret::Secret;
use qonto_client::store::{FileSecret, KeyringSecret, SecretSlot, StoreError, blocking};

/// Where the books of `config`'s Qonto server live; `None` in memory (the demo).
pub fn database_path(config: &Config) -> Option<PathBuf> {
    (config.cache && config.token_store != TokenStoreKind::Memory).then(|| {
        crate::config::data_dir().join(format!(
            "books-{}.db",
            crate::config::file_safe(&config.copy_namespace())
        ))
    })
}

/// The entry that holds the key.
pub fn key_slot(config: &Config) -> Option<Arc<dyn SecretSlot>> {
    if !config.cache {
        return None;
    }
    let namespace = config.copy_namespace();
    match config.token_store {
        TokenStoreKind::Keyring => Some(Arc::new(KeyringSecret::open(&format!(
            "books-key/{namespace}"
        )))),
        TokenStoreKind::File => Some(Arc::new(FileSecret::new(crate::config::data_dir().join(
            format!("books-key-{}.secret", crate::config::file_safe(&namespace)),
        )))),
        TokenStoreKind::Memory => None,
    }
}

/// The key, made and stored the first time. `None` in memory (the demo needs none).
pub async fn books_key(config: &Config) -> Result<Option<Secret>, StoreError> {
    let Some(slot) = key_slot(config) else {
        return Ok(None);
    };
    blocking(move || {
        if let Some(key) = slot.load()? {
            return Ok(Some(key));
        }
        let fresh = qonto_client::random::random_hex(32)
            .map(Secret::new)
            .map_err(|e| StoreError::Failed(format!("no randomness for the database key: {e}")))?;
        slot.save(&fresh)?;
        Ok(Some(fresh))
    })
    .await
}

/// Opens the books of `config`'s server on their own threads, keyed from the secret store
/// (made the first time); in memory when tokens are (the demo). With `reader`, reads go to a
/// second, read-only connection (the TUI's searches then never wait for its sync's writes).
pub async fn open_for(config: &Config, reader: bool) -> anyhow::Result<OpenedHandle> {
    let key = books_key(config)
        .await
        .map_err(crate::auth::explain)
        .map_err(|e| e.context("the local database's key could not be read or made"))?;
    let (Some(key), Some(path)) = (key, database_path(config)) else {
        return Ok(OpenedHandle {
            books: BooksHandle::in_memory()?,
            set_aside: None,
        });
    };
    Ok(BooksHandle::open_async(path, key, reader).await?)
}

/// The books of `config`'s server for a command that only reads (`search`, `export`,
/// `receipts`): the key is looked up, never made, and the database is opened as it stands,
/// never set aside. What is missing or unreadable is said in words, naming where the key was
/// looked for.
pub async fn open_to_read(config: &Config) -> anyhow::Result<BooksHandle> {
    if !config.cache {
        anyhow::bail!(
            "the local copy of the books is turned off (`cache = false`, QONTO_TUI_CACHE=off or --no-cache): there is nothing to read"
        );
    }
    let (Some(path), Some(slot)) = (database_path(config), key_slot(config)) else {
        anyhow::bail!(
            "the local copy of the books is kept in memory only: there is nothing to read"
        );
    };
    if !path.exists() {
        anyhow::bail!(
            "there is no local copy of the books yet: run `qonto-tui sync` (or start the TUI) first"
        );
    }
    let where_ = slot.describe();
    let key = blocking(move || slot.load())
        .await
        .map_err(crate::auth::explain)
        .map_err(|e| e.context("the local database's key could not be read"))?;
    let Some(key) = key else {
        anyhow::bail!(
            "the key of the local copy {} is not in {where_}: it was made with another token store. Run with the same --token-store (or QONTO_TOKEN_STORE) as when it was made; the copy was left as it is",
            path.display()
        );
    };
    BooksHandle::open_to_read(path.clone(), key)
        .await
        .map_err(|e| {
            if e.is_unreadable() {
                anyhow::anyhow!(
                    "the local copy {} cannot be read with the key in {where_} (another key, or damage); it was left as it is. `qonto-tui sync` sets it aside and builds a new one",
                    path.display()
                )
            } else {
                anyhow::Error::new(e)
            }
        })
}
