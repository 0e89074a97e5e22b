//! One owner of the database: a thread opens the writing connection and keeps it, another the
//! read-only one, and everyone else talks to them through a [`BooksHandle`] (work sent over a
//! channel, answers back over a oneshot), as gitui's `asyncgit` and tokio-rusqlite do.
//!
//! Why a thread and not a lock: SQLite calls (5,000-row encrypted commits among them) never run
//! on an async worker, no connection is ever used from two threads, and, at exit, the only
//! threads that ever touched SQLCipher (and so OpenSSL, which keeps per-thread state) are joined
//! before the process ends. A thread still releasing OpenSSL's per-thread state while `exit()`
//! runs OpenSSL's `atexit` cleanup is a double free (OpenSSL issue 6214; gRPC turned the
//! handler off for the same race): see [`close_all`].

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::{Books, BooksError, Opened};

/// A piece of work for the owner thread.
type Work = Box<dyn FnOnce(&mut Books) + Send>;

enum Command {
    Run(Work),
    /// A backfill's batch: batches queued one behind another are stored in one commit.
    Backfill(Box<crate::group_commit::Batch>),
    /// Finish: drop the connection and end the thread. Work sent after it is not done.
    Close,
}

/// One thread and the connection it owns.
struct Lane {
    name: &'static str,
    to_thread: Mutex<Option<mpsc::Sender<Command>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Lane {
    /// Starts a thread that opens its connection with `open` (on that thread) and then does
    /// the work sent to it, in order; what opening gave back comes back with the lane. The
    /// thread is registered for [`close_all`] as it is spawned, under the same lock that
    /// `close_all` takes: a lane opening when the process ends is joined too, and none starts
    /// after.
    fn start<T: Send + 'static>(
        name: &'static str,
        open: impl FnOnce() -> Result<(Books, T), BooksError> + Send + 'static,
    ) -> Result<(Arc<Lane>, T), BooksError> {
        let (to_thread, inbox) = mpsc::channel::<Command>();
        let (opened_tx, opened_rx) = mpsc::channel::<Result<T, BooksError>>();
        let lane = {
            let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
            if registry.closed {
                return Err(BooksError::Closed);
            }
            let thread = std::thread::Builder::new()
                .name(format!("books-{name}"))
                .spawn(move || {
                    let mut books = match open() {
                        Ok((books, extra)) => {
                            let _ = opened_tx.send(Ok(extra));
                            books
                        }
                        Err(e) => {
                            let _ = opened_tx.send(Err(e));
                            return;
                        }
                    };
                    let mut held = None;
                    while let Some(command) = held.take().or_else(|| inbox.recv().ok()) {
                        match command {
                            Command::Run(work) => work(&mut books),
                            Command::Backfill(batch) => {
                                held = crate::group_commit::store_queued(
                                    &mut books,
                                    *batch,
                                    &inbox,
                                    |c| match c {
                                        Command::Backfill(b) => Ok(b),
                                        other => Err(other),
                                    },
                                );
                            }
                            Command::Close => break,
                        }
                        if crate::damage::take()
                            && let Some(path) = books.path()
                        {
                            crate::damage::record(path);
                        }
                    }
                    // `books` is dropped here, on the thread that opened it.
                })
                .map_err(|e| BooksError::Thread(e.to_string()))?;
            let lane = Arc::new(Lane {
                name,
                to_thread: Mutex::new(Some(to_thread)),
                thread: Mutex::new(Some(thread)),
            });
            registry.lanes.retain(|l| l.strong_count() > 0);
            registry.lanes.push(Arc::downgrade(&lane));
            lane
        };
        match opened_rx.recv() {
            Ok(Ok(extra)) => Ok((lane, extra)),
            Ok(Err(e)) => {
                lane.close();
                Err(e)
            }
            Err(_) => {
                lane.close();
                Err(BooksError::Closed)
            }
        }
    }

    fn send(&self, work: Work) -> Result<(), BooksError> {
        self.send_command(Command::Run(work))
    }

    fn send_command(&self, command: Command) -> Result<(), BooksError> {
        let sender = self
            .to_thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match sender.as_ref() {
            Some(s) => s.send(command).map_err(|_| BooksError::Closed),
            None => Err(BooksError::Closed),
        }
    }

    /// Asks the thread to finish and waits until it has ended (the work it is doing finishes
    /// first; work queued behind is answered `Closed`).
    fn close(&self) {
        if let Some(sender) = self
            .to_thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = sender.send(Command::Close);
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            if thread.thread().id() == std::thread::current().id() {
                // Closed from its own work: it ends when that work returns.
                return;
            }
            if thread.join().is_err() {
                tracing::error!("the books' {} thread panicked", self.name);
            }
        }
    }
}

/// Every lane started in this process, so that [`close_all`] can end them before exit.
static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    closed: false,
    lanes: Vec::new(),
});

/// The lanes of this process, and whether it is closing.
struct Registry {
    /// `close_all` ran: the process is ending, no lane may start.
    closed: bool,
    lanes: Vec<std::sync::Weak<Lane>>,
}

/// Closes every database this process opened, including one still opening, and joins their
/// threads (each finishes the work it is doing; work queued behind is answered `Closed`); no
/// database opens after it. Call it once, as the process ends, before the async runtime is
/// shut down: no thread is then left inside SQLCipher, or holding OpenSSL's per-thread state,
/// when `exit()` tears OpenSSL down.
pub fn close_all() {
    let lanes: Vec<Arc<Lane>> = {
        let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        registry.closed = true;
        registry
            .lanes
            .drain(..)
            .filter_map(|l| l.upgrade())
            .collect()
    };
    for lane in lanes {
        lane.close();
    }
}

/// The books as everyone but their owner threads sees them. Cheap to clone; the threads end
/// when [`BooksHandle::close`] or [`close_all`] is called, or when the last clone is dropped.
#[derive(Clone)]
pub struct BooksHandle {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Arc<Lane>,
    /// The read-only connection's thread: reads that answer a person never wait behind a
    /// sync's commit. `None` in memory, where the writer answers them.
    reader: Option<Arc<Lane>>,
    path: Option<std::path::PathBuf>,
}

impl Inner {
    fn close(&self) {
        self.writer.close();
        if let Some(reader) = &self.reader {
            reader.close();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.close();
    }
}

/// What opening found, with the handle.
pub struct OpenedHandle {
    pub books: BooksHandle,
    /// A database that could not be read, moved here (its data is rebuilt from Qonto).
    pub set_aside: Option<std::path::PathBuf>,
}

impl BooksHandle {
    /// Opens (or creates) the encrypted database at `path` with `key` on its own thread, and,
    /// when `with_reader`, a read-only connection on a second one. Blocks while opening:
    /// call it off the async threads (`spawn_blocking`) or through [`BooksHandle::open_async`].
    pub fn open(
        path: &std::path::Path,
        key: &qonto_client::secret::Secret,
        with_reader: bool,
    ) -> Result<OpenedHandle, BooksError> {
        let (p, k) = (path.to_path_buf(), key.clone());
        let (writer, set_aside) = Lane::start("writer", move || {
            let Opened { books, set_aside } = Books::open(&p, &k)?;
            Ok((books, set_aside))
        })?;
        let reader = if with_reader {
            let (p, k) = (path.to_path_buf(), key.clone());
            Lane::start("reader", move || Ok((Books::reader_at(&p, &k)?, ())))
                .inspect_err(|e| tracing::warn!("no second connection for reads: {e}"))
                .ok()
                .map(|(lane, ())| lane)
        } else {
            None
        };
        Ok(OpenedHandle {
            books: BooksHandle {
                inner: Arc::new(Inner {
                    writer,
                    reader,
                    path: Some(path.to_path_buf()),
                }),
            },
            set_aside,
        })
    }

    /// As [`BooksHandle::open`], waiting without blocking an async thread.
    pub async fn open_async(
        path: std::path::PathBuf,
        key: qonto_client::secret::Secret,
        with_reader: bool,
    ) -> Result<OpenedHandle, BooksError> {
        tokio::task::spawn_blocking(move || Self::open(&path, &key, with_reader))
            .await
            .map_err(|e| BooksError::Thread(e.to_string()))?
    }

    /// The database at `path` for reading only, on its own thread (see
    /// [`Books::open_to_read`]): for the commands that only read.
    pub async fn open_to_read(
        path: std::path::PathBuf,
        key: qonto_client::secret::Secret,
    ) -> Result<BooksHandle, BooksError> {
        tokio::task::spawn_blocking(move || {
            let p = path.clone();
            let (reader, ()) =
                Lane::start("reader", move || Ok((Books::open_to_read(&p, &key)?, ())))?;
            Ok(BooksHandle {
                inner: Arc::new(Inner {
                    writer: reader,
                    reader: None,
                    path: Some(path),
                }),
            })
        })
        .await
        .map_err(|e| BooksError::Thread(e.to_string()))?
    }

    /// Books in memory only (the demo, `cache = false`), on their own thread.
    pub fn in_memory() -> Result<BooksHandle, BooksError> {
        let (writer, ()) = Lane::start("memory", || Ok((Books::in_memory()?, ())))?;
        Ok(BooksHandle {
            inner: Arc::new(Inner {
                writer,
                reader: None,
                path: None,
            }),
        })
    }

    /// Where the database is, if on disk.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.inner.path.as_deref()
    }

    /// Runs `work` on the writer's thread and waits for its answer without blocking.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Books) -> T + Send + 'static,
    ) -> Result<T, BooksError> {
        // Background work waits while a person reads (`readers_first`).
        crate::readers_first::wait_turn().await;
        submit(&self.inner.writer, work)?.await
    }

    /// Sends `work` to the writer's thread now; its answer is awaited later, so the caller
    /// goes on (fetching the next pages) while it runs.
    pub fn submit_write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Books) -> T + Send + 'static,
    ) -> Result<Pending<T>, BooksError> {
        submit(&self.inner.writer, work)
    }

    /// Sends an account's backfill batch to be stored with where its backfill stands after
    /// it ([`Books::put_backfill`]); batches of other accounts queued behind it go in the same
    /// commit. The answer is awaited later, as [`BooksHandle::submit_write`]'s.
    pub fn submit_backfill(
        &self,
        org_id: &str,
        account_id: &str,
        transactions: Arc<Vec<qonto_client::api::models::Transaction>>,
        state: crate::write::SyncState,
    ) -> Result<Pending<Result<crate::write::Upserted, BooksError>>, BooksError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.inner.writer.send_command(Command::Backfill(Box::new(
            crate::group_commit::Batch {
                org_id: org_id.to_string(),
                account_id: account_id.to_string(),
                transactions,
                state,
                answer,
            },
        )))?;
        Ok(Pending(answered))
    }

    /// Runs `work` on the writer's connection, which sees every write sent before it (a sync
    /// reading back where it stands).
    pub async fn read_fresh<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Books) -> T + Send + 'static,
    ) -> Result<T, BooksError> {
        submit(&self.inner.writer, move |books: &mut Books| work(books))?.await
    }

    /// Runs `work` on the read-only connection's thread (the writer's where there is none).
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Books) -> T + Send + 'static,
    ) -> Result<T, BooksError> {
        submit(self.reads(), move |books: &mut Books| work(books))?.await
    }

    /// Sends `work` to the writer's thread without waiting for it (work sent from one place
    /// is done in the order sent).
    pub fn write_later(
        &self,
        work: impl FnOnce(&mut Books) + Send + 'static,
    ) -> Result<(), BooksError> {
        self.inner.writer.send(Box::new(work))
    }

    fn reads(&self) -> &Lane {
        self.inner.reader.as_deref().unwrap_or(&self.inner.writer)
    }

    /// Ends the owner threads once the work sent before is done, and waits for them.
    pub async fn close(self) {
        let inner = self.inner;
        // Joining blocks: it is done on the blocking pool, which touches no database.
        let _ = tokio::task::spawn_blocking(move || inner.close()).await;
    }
}

/// The answer to work sent to an owner thread, to be awaited.
pub struct Pending<T>(tokio::sync::oneshot::Receiver<T>);

impl<T> std::future::Future for Pending<T> {
    type Output = Result<T, BooksError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|answer| answer.map_err(|_| BooksError::Closed))
    }
}

fn submit<T: Send + 'static>(
    lane: &Lane,
    work: impl FnOnce(&mut Books) -> T + Send + 'static,
) -> Result<Pending<T>, BooksError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    lane.send(Box::new(move |books: &mut Books| {
        let _ = tx.send(work(books));
    }))?;
    Ok(Pending(rx))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use qonto_client::api::models::UserOrganization;

    fn org(id: &str) -> UserOrganization {
        serde_json::from_value(serde_json::json!({"id": id, "name": format!("Org {id}")})).unwrap()
    }

    fn key() -> qonto_client::secret::Secret {
        qonto_client::secret::Secret::new("0f".repeat(32))
    }

    /// Tests that open handles take turns (`close_all`, which ends every handle of a process,
    /// is tested in its own process: `tests/close_all.rs`).
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[tokio::test]
    async fn work_runs_on_the_owner_threads_and_reads_see_what_was_written() {
        let _turn = ONE_AT_A_TIME.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let opened = BooksHandle::open_async(dir.path().join("b.db"), key(), true)
            .await
            .unwrap();
        let books = opened.books;
        let on = books
            .write(|b| {
                b.put_organization(&org("o1"), 1).unwrap();
                std::thread::current().name().map(str::to_string)
            })
            .await
            .unwrap();
        assert_eq!(on.as_deref(), Some("books-writer"));
        let (on, ids) = books
            .read(|b| {
                let name = std::thread::current().name().map(str::to_string);
                (name, b.organization_ids().unwrap())
            })
            .await
            .unwrap();
        assert_eq!(on.as_deref(), Some("books-reader"));
        assert_eq!(ids.len(), 1);
        // Sent without waiting, then read back on the writer: in the order sent.
        books
            .write_later(|b| b.put_organization(&org("o2"), 1).unwrap())
            .unwrap();
        let count = books
            .read_fresh(|b| b.organization_ids().unwrap().len())
            .await
            .unwrap();
        assert_eq!(count, 2);
        books.close().await;
    }

    #[tokio::test]
    async fn a_closed_handle_answers_closed_and_its_threads_are_gone() {
        let _turn = ONE_AT_A_TIME.lock().await;
        let books = BooksHandle::in_memory().unwrap();
        let other = books.clone();
        let thread_alive = Arc::downgrade(&books.inner);
        books.close().await;
        // Every clone sees the books closed; none of them can reach the connection again.
        let after = other.read(|b| b.organization_ids().map(|o| o.len())).await;
        assert!(matches!(after, Err(BooksError::Closed)), "{after:?}");
        assert!(matches!(other.write_later(|_| {}), Err(BooksError::Closed)));
        let lane = other.inner.writer.thread.lock().unwrap();
        assert!(lane.is_none(), "the thread was joined");
        drop(lane);
        drop(other);
        assert!(thread_alive.upgrade().is_none());
    }

    #[tokio::test]
    async fn a_malformed_key_is_an_error() {
        let _turn = ONE_AT_A_TIME.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(BooksHandle::open(&path, &key(), false).unwrap());
        let wrong = qonto_client::secret::Secret::new("zz".repeat(32));
        assert!(BooksHandle::open(&path, &wrong, false).is_err());
    }
}
