//! The local database's key: 256 random bits made once, kept in the secret store beside the
//! tokens (or, with `--token-store file`, in a 0600 file beside the token file), and where the
//! database itself lives.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, TokenStoreKind};
use qonto_client::secret::Secret;
use qonto_client::store::{FileSecret, KeyringSecret, SecretSlot, StoreError, blocking};

/// Where the books of `config`'s Qonto server live; `None` in memory (the demo).
pub fn database_path(config: &Config) -> Option<PathBuf> {
    (config.cache && config.token_store != TokenStoreKind::Memory).then(|| {
        crate::config::data_dir().join(format!(
            "books-{}.db",
            crate::sources::file_safe(&config.sources_namespace())
        ))
    })
}

/// The entry that holds the key.
pub fn key_slot(config: &Config) -> Option<Arc<dyn SecretSlot>> {
    if !config.cache {
        return None;
    }
    let namespace = config.sources_namespace();
    match config.token_store {
        TokenStoreKind::Keyring => Some(Arc::new(KeyringSecret::open(&format!(
            "books-key/{namespace}"
        )))),
        TokenStoreKind::File => Some(Arc::new(FileSecret::new(crate::config::data_dir().join(
            format!("books-key-{}.secret", crate::sources::file_safe(&namespace)),
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

/// Opens the books of `config`'s server, keyed from the secret store (made the first time);
/// in memory when tokens are (the demo).
pub async fn open_for(config: &Config) -> anyhow::Result<super::Opened> {
    Ok(open_with_reader(config, false).await?.0)
}

/// As `open_for`, with a second, read-only connection when `reader` is asked (the TUI's
/// searches then never wait for its sync's writes).
pub async fn open_with_reader(
    config: &Config,
    reader: bool,
) -> anyhow::Result<(super::Opened, Option<super::Books>)> {
    let key = books_key(config)
        .await
        .map_err(crate::auth::explain)
        .map_err(|e| e.context("the local database's key could not be read or made"))?;
    let (Some(key), Some(path)) = (key, database_path(config)) else {
        let opened = super::Opened {
            books: super::Books::in_memory()?,
            set_aside: None,
        };
        return Ok((opened, None));
    };
    Ok(tokio::task::spawn_blocking(move || {
        super::Books::open(&path, &key).map(|opened| {
            let second = reader.then(|| opened.books.reader(&key)).flatten();
            (opened, second)
        })
    })
    .await??)
}
