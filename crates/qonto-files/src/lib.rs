//! The one way qonto-tui writes a file: bank lines, statements, receipts and bundles alike.
//!
//! - A file is written aside under a random name made exclusively (`O_EXCL | O_NOFOLLOW`) in an
//!   opened folder, then linked into place without replacing anything (`linkat`), so a reader
//!   never sees half a file and a planted link is never followed.
//! - A folder the app names (an organization's, a month's) is made 0700 or must already be a
//!   real folder; a link there is refused. Only the folder the user chose is taken as given.
//! - What is already at the name decides, by [`Existing`]: kept (and the write refused unless it
//!   holds the same bytes), replaced only when the user said `--force` and only if it is a
//!   regular file, or stepped around with `name (2).ext`.
//! - Names come from [`names`]: one file-name-safe spelling for every organization,
//!   counterparty and date, bounded in bytes, and unique within a run by construction.

mod folder;
pub mod names;
mod new_file;
mod read;

use std::path::PathBuf;

pub use folder::Folder;
pub use new_file::{Existing, Fate, NewFile, Placed};
pub use read::{ReadError, read_regular};

/// Why a file could not be written; each says which path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        cause: std::io::Error,
    },
    #[error("{} is a link; qonto-tui never writes through one", path.display())]
    Link { path: PathBuf },
    #[error(
        "{} is not a regular file (a folder, a pipe or a device); nothing was written to it",
        path.display()
    )]
    NotRegular { path: PathBuf },
    #[error(
        "{} already exists with other content; it was left as it is (--force replaces it)",
        path.display()
    )]
    Exists { path: PathBuf },
    #[error("{name:?} cannot be a file name")]
    BadName { name: String },
    #[error("no free name for {} (tried 999)", path.display())]
    NoFreeName { path: PathBuf },
}

impl FileError {
    pub(crate) fn io(path: impl Into<PathBuf>, cause: impl Into<std::io::Error>) -> Self {
        Self::Io {
            path: path.into(),
            cause: cause.into(),
        }
    }
}

/// A name that is one plain path component: not empty, not `.` or `..`, no `/` or NUL, at
/// most 255 bytes (what Linux and macOS file systems take).
pub(crate) fn check_component(name: &str) -> Result<(), FileError> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\0'])
        && name.len() <= names::MAX_NAME_BYTES;
    if plain {
        Ok(())
    } else {
        Err(FileError::BadName {
            name: name.chars().take(80).collect(),
        })
    }
}
