//! Damage found in the middle of a database ("database disk image is malformed" on a page a
//! read reached): noted on the owner thread that met it, recorded beside the database as
//! `NAME.damaged`, and checked (`PRAGMA quick_check`) by the next open for writing, which sets
//! a damaged copy aside and builds a new one, as for a damaged first page.

use std::cell::Cell;
use std::path::{Path, PathBuf};

thread_local! {
    /// Whether this thread met damage since it last looked.
    static SEEN: Cell<bool> = const { Cell::new(false) };
}

/// Whether `e` says the database is damaged.
pub(crate) fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseCorrupt)
}

/// Notes `e` if it says the database is damaged.
pub(crate) fn note(e: &rusqlite::Error) {
    if is_damage(e) {
        SEEN.with(|s| s.set(true));
    }
}

/// Whether this thread met damage since the last call.
pub(crate) fn take() -> bool {
    SEEN.with(|s| s.replace(false))
}

/// Where the mark of a damaged database is kept.
pub fn marker(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".damaged");
    PathBuf::from(name)
}

/// Leaves the mark (best effort: a folder no one may write keeps none, and the message said
/// what to do).
pub(crate) fn record(database: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(marker(database));
    if let Err(e) = made {
        tracing::warn!("the local copy is damaged and the mark could not be left: {e}");
    }
}
