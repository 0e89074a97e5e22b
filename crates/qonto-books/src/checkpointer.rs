//! A backfill's write-ahead log copied into the database on a thread of its own, not by the
//! writer after its commits.
//!
//! SQLite copies the log into the database once it passes 1,000 pages (a checkpoint), on the
//! connection whose commit passed it, and waits for the disk twice while doing so. In the
//! backfill benchmark (150,000 transactions) the writer's commits after the rate limit's
//! pause spent 2.26–2.34 s of wall time for 1.87–1.94 s on a core and 0.07–0.24 s waiting
//! for one: the rest was checkpoints, on the path every stored row waits on. Here another
//! connection does them (`PASSIVE`: it never holds the writer or the readers back) while the
//! writer goes on; the writer's own threshold is raised for the backfill, not removed, so the
//! log stays bounded if this thread falls behind or cannot open the file.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use qonto_client::secret::Secret;
use rusqlite::{Connection, OpenFlags};

/// The writer's own checkpoint threshold while a backfill has a thread for them (pages of
/// 4 KiB: 64 MiB of log at most).
pub(crate) const BACKFILL_LOG_PAGES: i64 = 16_384;
/// SQLite's default threshold, kept outside a backfill.
pub(crate) const DEFAULT_LOG_PAGES: i64 = 1_000;

/// The thread that checkpoints the database at `path`, started when first asked.
pub(crate) struct Checkpointer {
    path: PathBuf,
    key: Secret,
    running: Option<Running>,
    /// The thread could not start or open the database: the writer checkpoints as before.
    failed: bool,
}

struct Running {
    /// Holds at most one request: asking while one waits asks nothing more.
    ask: mpsc::SyncSender<()>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    pub(crate) fn new(path: &Path, key: &Secret) -> Self {
        Self {
            path: path.to_path_buf(),
            key: key.clone(),
            running: None,
            failed: false,
        }
    }

    /// Whether a thread does the checkpoints (starting it if need be).
    pub(crate) fn available(&mut self) -> bool {
        if self.failed {
            return false;
        }
        if self.running.is_none() {
            match self.start() {
                Ok(running) => self.running = Some(running),
                Err(e) => {
                    tracing::warn!("the books' log is copied by the writer itself: {e}");
                    self.failed = true;
                    return false;
                }
            }
        }
        true
    }

    /// Asks for the log to be copied into the database, and returns at once. False when no
    /// thread will do it.
    pub(crate) fn ask(&mut self) -> bool {
        if !self.available() {
            return false;
        }
        let Some(running) = &self.running else {
            return false;
        };
        match running.ask.try_send(()) {
            Ok(()) | Err(mpsc::TrySendError::Full(())) => true,
            Err(mpsc::TrySendError::Disconnected(())) => {
                // The thread could not open the database (said in the log) and has ended.
                self.failed = true;
                false
            }
        }
    }

    fn start(&self) -> std::io::Result<Running> {
        let (ask, asked) = mpsc::sync_channel::<()>(1);
        let (path, key) = (self.path.clone(), self.key.clone());
        let thread = std::thread::Builder::new()
            .name("books-checkpoint".into())
            .spawn(move || {
                let db = match connect(&path, &key) {
                    Ok(db) => db,
                    Err(e) => {
                        tracing::warn!("the books' log is copied by the writer itself: {e}");
                        return;
                    }
                };
                drop(key);
                while asked.recv().is_ok() {
                    // Busy (another copy of the app checkpointing) or behind a reader: the
                    // next request, or the writer's own threshold, copies the rest.
                    let _ = db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })?;
        Ok(Running { ask, thread })
    }
}

/// The database, keyed, for checkpoints only: never created here.
fn connect(path: &Path, key: &Secret) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = crate::keyed::open(
        path.as_os_str(),
        flags,
        key,
        std::time::Duration::from_millis(100),
    )?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(db)
}

impl Drop for Checkpointer {
    /// Lets the thread finish the checkpoint under way and close its connection: the books
    /// count as closed only once no connection of this process holds the file.
    fn drop(&mut self) {
        if let Some(Running { ask, thread }) = self.running.take() {
            drop(ask);
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Books, SyncState};
    use qonto_client::api::models::Transaction;

    fn key() -> Secret {
        Secret::new(qonto_client::random::random_hex(32).unwrap())
    }

    fn rows(count: usize) -> Vec<Transaction> {
        (0..count)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("t{i:06}"), "amount_cents": 1200, "currency": "EUR",
                    "side": "debit", "status": "completed", "operation_type": "card",
                    "clean_counterparty_name": "Boulangerie",
                    "settled_at": "2026-10-31T12:00:00Z", "emitted_at": "2026-10-31T12:00:00Z",
                    "updated_at": "2026-10-31T12:00:00Z"
                }))
                .unwrap()
            })
            .collect()
    }

    /// Polls `done` for up to 10 s.
    fn soon(mut done: impl FnMut() -> bool) -> bool {
        (0..1_000).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            done()
        })
    }

    #[test]
    fn a_backfill_is_copied_into_the_file_by_the_thread_not_left_in_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.db");
        let key = key();
        let mut books = Books::open(&path, &key).unwrap().books;
        let before = std::fs::metadata(&path).unwrap().len();
        let state = SyncState {
            account_id: "acc".into(),
            org_id: "org".into(),
            backfill_next_page: Some(201),
            ..SyncState::default()
        };
        books
            .put_backfill("org", "acc", &rows(20_000), &state)
            .unwrap();
        // Well under the writer's own threshold while a backfill (64 MiB of log): only the
        // thread copies it.
        let log = std::fs::metadata(dir.path().join("books.db-wal"))
            .unwrap()
            .len();
        assert!(log < 32 << 20, "{log} bytes of log");
        assert!(
            soon(|| std::fs::metadata(&path).unwrap().len() > before + log / 2),
            "the file holds the rows ({before} bytes before, {} now, {log} of log)",
            std::fs::metadata(&path).unwrap().len()
        );
        drop(books);
        let read = Books::open_to_read(&path, &key).unwrap();
        assert_eq!(read.total_transactions().unwrap(), 20_000);
    }

    #[test]
    fn a_thread_that_cannot_open_the_file_leaves_the_checkpoints_to_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let mut checkpoints = Checkpointer::new(&dir.path().join("no-such.db"), &key());
        assert!(checkpoints.available(), "the thread starts");
        assert!(soon(|| !checkpoints.ask()), "and says it cannot do them");
        assert!(!checkpoints.available());
    }
}
