//! One named secret (an API key's secret, the OAuth client secret) in whichever store the user
//! chose: the platform secret store, a 0600 file, or memory.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{KeyringSecret, StoreError, read_bounded, write_private_atomically};
use crate::secret::Secret;

/// A place for one secret value.
pub trait SecretSlot: Send + Sync {
    fn load(&self) -> Result<Option<Secret>, StoreError>;
    fn save(&self, value: &Secret) -> Result<(), StoreError>;
    fn delete(&self) -> Result<(), StoreError>;
    fn describe(&self) -> String;
}

impl SecretSlot for KeyringSecret {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        KeyringSecret::load(self)
    }
    fn save(&self, value: &Secret) -> Result<(), StoreError> {
        KeyringSecret::save(self, value)
    }
    fn delete(&self) -> Result<(), StoreError> {
        KeyringSecret::delete(self)
    }
    fn describe(&self) -> String {
        KeyringSecret::describe(self)
    }
}

/// A secret alone in a 0600 file (only with `--token-store file`).
pub struct FileSecret {
    path: PathBuf,
}

/// No secret of ours is this long.
const MAX_SECRET_FILE: u64 = 16 * 1024;

impl FileSecret {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::File(format!("{}: {e}", self.path.display()))
    }
}

impl SecretSlot for FileSecret {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        match read_bounded(&self.path, MAX_SECRET_FILE) {
            Ok(text) => Ok(Some(Secret::new(text.trim_end_matches('\n')))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    fn save(&self, value: &Secret) -> Result<(), StoreError> {
        write_private_atomically(&self.path, value.expose().as_bytes()).map_err(|e| self.error(e))
    }

    fn delete(&self) -> Result<(), StoreError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    fn describe(&self) -> String {
        format!(
            "plain file {} (not encrypted; chosen with --token-store file)",
            self.path.display()
        )
    }
}

/// Process memory only (the demo).
#[derive(Default)]
pub struct MemorySecret {
    value: Mutex<Option<Secret>>,
}

impl SecretSlot for MemorySecret {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        Ok(self.value.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
    fn save(&self, value: &Secret) -> Result<(), StoreError> {
        *self.value.lock().unwrap_or_else(|p| p.into_inner()) = Some(value.clone());
        Ok(())
    }
    fn delete(&self) -> Result<(), StoreError> {
        *self.value.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
    fn describe(&self) -> String {
        "memory only (demo: nothing is written)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(slot: &dyn SecretSlot) {
        assert_eq!(slot.load().unwrap(), None);
        slot.save(&Secret::new("sk-1")).unwrap();
        assert_eq!(slot.load().unwrap(), Some(Secret::new("sk-1")));
        slot.save(&Secret::new("sk-2")).unwrap();
        assert_eq!(slot.load().unwrap(), Some(Secret::new("sk-2")));
        slot.delete().unwrap();
        slot.delete().unwrap();
        assert_eq!(slot.load().unwrap(), None);
    }

    #[test]
    fn every_slot_round_trips() {
        round_trip(&MemorySecret::default());
        let mock = keyring_core::mock::Store::new().unwrap();
        round_trip(&KeyringSecret::with_store(mock, "api-key/ns/acme"));
        let dir = tempfile::tempdir().unwrap();
        let file = FileSecret::new(dir.path().join("k"));
        round_trip(&file);
        file.save(&Secret::new("sk-3")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
