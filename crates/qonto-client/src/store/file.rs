//! Tokens in a 0600 file, only when the user chose it: written atomically through a temporary
//! copy whose name says what it holds, so that a copy a crash left behind can be found again.

use std::path::{Path, PathBuf};

use super::{StoreError, StoredTokens, TokenStore, decode, encode};

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

/// More than any set of tokens needs: a larger file is not ours.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

fn file_error(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::File(format!("{}: {e}", path.display()))
}

impl FileStore {
    /// The prefix of the temporary copies [`write_private_atomically`] makes of this file.
    fn stray_prefix(&self) -> String {
        format!(".{}.", file_name(&self.path))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads a regular file of at most `limit` bytes. A FIFO or a device is refused before it is
/// opened (opening a FIFO blocks until someone writes to it; a device may never end).
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > limit {
        return Err(std::io::Error::other(format!(
            "{} bytes, more than the {limit} expected",
            meta.len()
        )));
    }
    let mut text = String::new();
    file.take(limit).read_to_string(&mut text)?;
    Ok(text)
}

impl TokenStore for FileStore {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        match read_bounded(&self.path, MAX_TOKEN_FILE) {
            Ok(text) => decode(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(file_error(&self.path, e)),
        }
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError> {
        write_private_atomically(&self.path, encode(tokens)?.as_bytes())
            .map_err(|e| file_error(&self.path, e))
    }

    fn delete(&self) -> Result<(), StoreError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(file_error(&self.path, e)),
        }
    }

    fn describe(&self) -> String {
        format!(
            "plain file {} (not encrypted; chosen with --token-store file)",
            self.path.display()
        )
    }

    fn take_stray_copies(&self) -> Vec<StoredTokens> {
        let Some(dir) = self.path.parent() else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let prefix = self.stray_prefix();
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name.starts_with(&prefix) && name.ends_with(PARTIAL_SUFFIX)) {
                continue;
            }
            let path = entry.path();
            if let Ok(text) = read_bounded(&path, MAX_TOKEN_FILE)
                && let Ok(tokens) = decode(&text)
            {
                found.push(tokens);
            }
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!("could not remove {}: {e}", path.display());
            }
        }
        found
    }

    fn refresh_lock_path(&self) -> Option<PathBuf> {
        Some(self.path.with_extension("lock"))
    }
}

const PARTIAL_SUFFIX: &str = ".partial";

/// Writes `bytes` to a new 0600 file beside `path`, syncs it, then renames it over `path`, so a
/// crash leaves either the old or the new file, never half of one. The temporary copy is named
/// `.{name}.XXXXXX.partial`, so that one a crash left behind can be found and removed.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    // tempfile creates the file 0600 with an unpredictable name, so no other user can open it.
    let mut file = tempfile::Builder::new()
        .prefix(&format!(".{}.", file_name(path)))
        .suffix(PARTIAL_SUFFIX)
        .tempfile_in(dir)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.as_file().sync_all());
    if let Err(e) = written {
        // Removed now rather than left to the drop, whose failure would pass unseen.
        let _ = file.close();
        return Err(e);
    }
    file.persist(path).map_err(|e| {
        let _ = e.file.close();
        e.error
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::tokens;

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
}
