//! The books engine: the local copy of every organization's books (one SQLite database per
//! Qonto server, encrypted at rest with SQLCipher under a key the caller brings; in memory for
//! the demo), the sync that fills it, the search language, cash, detail and the exports. No
//! terminal or command-line dependency: the TUI, its commands and tests drive it alike.
//!
//! A database that cannot be opened (damaged, or its key lost) is set aside, renamed and never
//! deleted, and a new one is built from Qonto. Everyone but its owner thread reaches it through
//! a [`BooksHandle`].

#[macro_use]
mod id_keys;
#[macro_use]
mod cash_sql;
mod backfills;
mod cash;
mod cash_add;
mod cash_flows;
mod cash_period;
mod cash_sums;
pub mod categories;
pub(crate) mod checkpointer;
mod damage;
mod detail;
pub mod export;
pub mod firm;
mod group_commit;
mod history;
mod id_hash;
pub mod journal;
mod keyed;
pub mod matching;
pub mod month_end;
mod new_rows;
pub mod news;
mod owner;
pub mod query;
mod read;
pub mod readers_first;
mod reads;
pub mod review;
mod schema;
mod schema_keys;
mod search;
pub mod sync;
mod text_walk;
/// Qonto's enumerated values (defined with the client's models, which carry them too).
pub use qonto_client::api::values;
mod word_matches;
mod write;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use cash::{AccountCash, Flow, GroupCash, MONTHS, OrgCash, WEEKS};
pub use cash_period::PeriodCash;
pub use detail::Detail;
pub use export::rows::{AccountHead, ExportRow, Period, WithReceipts};
pub use owner::{BooksHandle, OpenedHandle, Pending, close_all};
use qonto_client::secret::Secret;
pub use read::{AccountRow, ListedFrom, TxRow};
pub use reads::{BooksReads, BooksWrites, ReadsError};
pub use schema::{CURRENT as SCHEMA_VERSION, SchemaError};
pub use search::{Found, OrgTotal, Totals};
pub use write::SyncState;

/// The writing connection's page cache while a backfill runs, in KiB (negative: SQLite's way to
/// say KiB). A backfill commit touches pages all over the id index (ids are random): 16 MiB
/// keeps them decrypted between commits, and writing 150,000 transactions took 12.5 s of work
/// instead of 21.5 s with SQLite's default. Back to the default after it, so an export or a
/// long session does not keep 16 MiB of pages.
const BACKFILL_CACHE_KIB: i64 = -16 * 1024;
const DEFAULT_CACHE_KIB: i64 = -2000;
/// The read-only connection's page cache, in KiB.
const READER_CACHE_KIB: i64 = -8192;
/// How long a connection waits for another copy of the app (the TUI beside a `sync`) to
/// finish its write before giving up: a 5,000-row backfill commit takes well under a second,
/// so this only runs out when the other copy is stuck.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The open database.
pub struct Books {
    db: Connection,
    path: Option<PathBuf>,
    /// The last search's word matches, for the `word_match` SQL function.
    words: word_matches::WordMatches,
    /// The words a walk down the dates checks in each row's text (`words_in_text`).
    text: text_walk::TextWalk,
    /// Copies a backfill's log into the file beside the writer (the writer's own books only).
    checkpointer: Option<checkpointer::Checkpointer>,
    /// The accounts backfilling, for the writer's settings meanwhile.
    backfills: backfills::Backfills,
}

/// What opening found.
pub struct Opened {
    pub books: Books,
    /// A database that could not be read, moved here (its data is rebuilt from Qonto).
    pub set_aside: Option<PathBuf>,
}

impl Books {
    /// A read-only connection to the database at `path`, for reads that should not wait for
    /// a sync's writes (WAL lets them run side by side).
    pub fn reader_at(path: &Path, key: &Secret) -> Result<Books, BooksError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = keyed::open(path.as_os_str(), flags, key, BUSY_WAIT)?;
        db.pragma_update(None, "query_only", "ON")?;
        // A search walks the newest rows' pages on every key typed: 8 MiB keeps them
        // decrypted between keys (SQLite's default, 2 MiB, does not).
        db.pragma_update(None, "cache_size", READER_CACHE_KIB)?;
        Books::over(db, Some(path.to_path_buf()))
    }
}

impl Books {
    /// The database at `path`, for reading only (`search`, `export`): never made, never set
    /// aside, never migrated, and nothing written. A data folder that cannot be written to (so
    /// SQLite cannot make its shared-memory file) is read as it stands.
    pub fn open_to_read(path: &Path, key: &Secret) -> Result<Books, BooksError> {
        // The file itself is opened read-only (`O_RDONLY`); SQLite still keeps its WAL index
        // beside it, which a read needs while a sync may be writing.
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = match Self::connect_to_read(path, key, flags, path.as_os_str()) {
            Err(BooksError::Sqlite(rusqlite::Error::SqliteFailure(f, _)))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly
                ) =>
            {
                // Nobody can write the folder, so nobody is writing the database: read the
                // file as it is, without the locks that need the shared-memory file.
                let uri = format!("file:{}?immutable=1", uri_path(path));
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                Self::connect_to_read(path, key, flags, std::ffi::OsStr::new(&uri))?
            }
            other => other?,
        };
        let found: u32 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found != schema::CURRENT {
            return Err(SchemaError::Other { found }.into());
        }
        Books::over(db, Some(path.to_path_buf()))
    }

    fn connect_to_read(
        path: &Path,
        key: &Secret,
        flags: OpenFlags,
        name: &std::ffi::OsStr,
    ) -> Result<Connection, BooksError> {
        if !path.is_file() {
            return Err(BooksError::Io {
                path: path.display().to_string(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let db = keyed::open(name, flags, key, BUSY_WAIT)?;
        db.pragma_update(None, "query_only", "ON")?;
        db.pragma_update(None, "cache_size", READER_CACHE_KIB)?;
        Ok(db)
    }
}

/// A path written for an SQLite URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23")
}

impl From<rusqlite::Error> for BooksError {
    fn from(e: rusqlite::Error) -> Self {
        // Noted on the thread that met it (the database's owner), which leaves the mark.
        damage::note(&e);
        if damage::is_damage(&e) {
            BooksError::Damaged(e)
        } else {
            BooksError::Sqlite(e)
        }
    }
}

impl BooksError {
    /// Whether another connection held the database ("database is locked").
    fn is_busy(&self) -> bool {
        let busy = |e: &rusqlite::Error| matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy);
        matches!(self, BooksError::Sqlite(e) if busy(e))
            || matches!(self, BooksError::Schema(SchemaError::Sqlite(e)) if busy(e))
    }

    /// Whether the database could not be read with the key given: another key, or damage.
    pub fn is_unreadable(&self) -> bool {
        matches!(self, BooksError::Sqlite(e) | BooksError::Damaged(e) if unreadable(e))
            || matches!(self, BooksError::Schema(SchemaError::Sqlite(e)) if unreadable(e))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BooksError {
    #[error("the local database {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the local database: {0}")]
    Sqlite(rusqlite::Error),
    #[error(
        "the local copy of the books is damaged ({0}); the next `qonto-tui sync` (or start of the TUI) sets it aside and builds a new one from Qonto"
    )]
    Damaged(rusqlite::Error),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The owner thread has ended (the process is closing) or could not start.
    #[error("the local copy of the books is closed")]
    Closed,
    #[error("the local copy's thread could not start: {0}")]
    Thread(String),
}

impl Books {
    /// Opens (or creates) the encrypted database at `path` with `key` (64 hex digits). One that
    /// cannot be read with it is renamed beside it and a new one made.
    pub fn open(path: &Path, key: &Secret) -> Result<Opened, BooksError> {
        let io = |source| BooksError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        create_private(path).map_err(io)?;
        let marked = damage::marker(path).exists();
        let opened = Self::open_keyed(path, key);
        // Damage met while opening is handled here, not recorded for the next open.
        damage::take();
        let why = match opened {
            Ok(books) if marked && !books.sound() => {
                drop(books);
                "it was damaged".to_string()
            }
            Ok(books) => {
                if marked {
                    // Checked whole and found sound: the mark goes.
                    let _ = std::fs::remove_file(damage::marker(path));
                }
                return Ok(Opened {
                    books,
                    set_aside: None,
                });
            }
            Err(e) if e.is_unreadable() => format!("it could not be read ({e})"),
            Err(e) => return Err(e),
        };
        let aside = set_aside(path).map_err(io)?;
        let _ = std::fs::remove_file(damage::marker(path));
        tracing::warn!(
            "the local database: {why}; moved to {} and rebuilt",
            aside.display()
        );
        create_private(path).map_err(io)?;
        Ok(Opened {
            books: Self::open_keyed(path, key)?,
            set_aside: Some(aside),
        })
    }

    /// [`Books::open_keyed_once`], again while another copy of the app holds the database in
    /// a way SQLite will not wait for (turning on WAL, a first creation): "database is locked"
    /// at once, busy timeout or not. Bounded by [`BUSY_WAIT`].
    fn open_keyed(path: &Path, key: &Secret) -> Result<Self, BooksError> {
        let deadline = std::time::Instant::now() + BUSY_WAIT;
        loop {
            match Self::open_keyed_once(path, key) {
                Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open_keyed_once(path: &Path, key: &Secret) -> Result<Self, BooksError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut db = keyed::open(path.as_os_str(), flags, key, BUSY_WAIT)?;
        // Every write takes the write lock when it begins: a transaction that read first and
        // then asked for it would fail at once ("database is locked") when another copy of the
        // app holds it, instead of waiting its turn.
        db.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut db)?;
        let mut books = Self::over(db, Some(path.to_path_buf()))?;
        books.checkpointer = Some(checkpointer::Checkpointer::new(path, key));
        Ok(books)
    }

    /// A database in memory only (the demo, `cache = false`): gone with the process.
    pub fn in_memory() -> Result<Self, BooksError> {
        let mut db = Connection::open_in_memory()?;
        schema::migrate(&mut db)?;
        Self::over(db, None)
    }

    /// The books over the connection `db` (to the file at `path`, if on disk), with no
    /// checkpoint thread of their own.
    fn over(db: Connection, path: Option<PathBuf>) -> Result<Self, BooksError> {
        Ok(Self {
            words: word_matches::WordMatches::install(&db)?,
            text: text_walk::TextWalk::install(&db)?,
            db,
            path,
            checkpointer: None,
            backfills: Default::default(),
        })
    }

    /// Whether SQLite finds every page sound (`PRAGMA quick_check`: reads the whole file).
    fn sound(&self) -> bool {
        let answer: rusqlite::Result<String> =
            self.db.query_row("PRAGMA quick_check", [], |r| r.get(0));
        matches!(answer.as_deref(), Ok("ok"))
    }

    /// Where it is, if on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Deletes the database file and its journals (the last source forgotten).
    pub fn delete(path: &Path) -> std::io::Result<()> {
        for p in [
            path.to_path_buf(),
            with_suffix(path, "-wal"),
            with_suffix(path, "-shm"),
        ] {
            match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Whether opening failed because the file is not a database this key can read.
fn unreadable(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Creates the file 0600 if it is not there, so SQLite never makes it with the umask's mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Renames an unreadable database (and its journals) to `NAME.unreadable-TIMESTAMP`.
fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let aside = with_suffix(path, &format!(".unreadable-{stamp}"));
    std::fs::rename(path, &aside)?;
    for journal in ["-wal", "-shm"] {
        let from = with_suffix(path, journal);
        if from.exists() {
            std::fs::rename(&from, with_suffix(&aside, journal))?;
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_two_copies;
