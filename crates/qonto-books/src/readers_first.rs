//! A person's reads before the background's writes: any commit to the books makes SQLite drop
//! the reading connection's whole page cache (WAL: a reader that sees the database changed
//! starts its next read from nothing), so the search key typed after a background sync's
//! commit reads every page again, decrypting each (over 5,000,000 stored, the benchmark typing
//! while the TUI's sync wrote: a word's search took 4.6 ms at the median right after a commit,
//! 1.7 ms otherwise).
//! Writes sent inside [`ReadersFirst::in_background`] wait while a person is reading, for a
//! bounded time.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

tokio::task_local! {
    static BACKGROUND: Arc<ReadersFirst>;
}

/// A person counts as reading this long after their last read (a key typed in the search).
pub const READING_FOR: Duration = Duration::from_secs(1);
/// No background write waits longer than this, however long a person goes on reading: the
/// books still take in what the sync fetched.
pub const HELD_AT_MOST: Duration = Duration::from_secs(10);

/// When a person last read the books.
#[derive(Default)]
pub struct ReadersFirst {
    last_read: Mutex<Option<Instant>>,
}

impl ReadersFirst {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// A person just read the books (and is likely to again in a moment).
    pub fn person_read(&self) {
        *self.lock() = Some(Instant::now());
    }

    /// Runs `work` as background work: each write it sends through a
    /// [`crate::BooksHandle`] waits its turn while a person reads. (Work spawned onto other
    /// tasks from inside is not covered.)
    pub async fn in_background<F: Future>(self: &Arc<Self>, work: F) -> F::Output {
        BACKGROUND.scope(self.clone(), work).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.last_read.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long a write that began waiting at `since` must still wait at `now`.
    fn write_wait(&self, since: Instant, now: Instant) -> Duration {
        let Some(read) = *self.lock() else {
            return Duration::ZERO;
        };
        let quiet = (read + READING_FOR).saturating_duration_since(now);
        let bound = (since + HELD_AT_MOST).saturating_duration_since(now);
        quiet.min(bound)
    }
}

/// Waits for the current task's turn to write; returns at once outside background work.
pub(crate) async fn wait_turn() {
    let Ok(gate) = BACKGROUND.try_with(Arc::clone) else {
        return;
    };
    let since = Instant::now();
    loop {
        let wait = gate.write_wait(since, Instant::now());
        if wait.is_zero() {
            return;
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn a_turn() -> Duration {
        let start = Instant::now();
        wait_turn().await;
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_goes_at_once_when_nobody_reads() {
        let gate = ReadersFirst::new();
        assert_eq!(gate.in_background(a_turn()).await, Duration::ZERO);
        gate.person_read();
        tokio::time::sleep(READING_FOR).await;
        assert_eq!(gate.in_background(a_turn()).await, Duration::ZERO);
    }

    /// A person typing `keys` keys `apart`, from now on.
    async fn typing(
        gate: &Arc<ReadersFirst>,
        keys: usize,
        apart: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let gate = gate.clone();
        let person = tokio::spawn(async move {
            for _ in 0..keys {
                gate.person_read();
                tokio::time::sleep(apart).await;
            }
        });
        tokio::task::yield_now().await;
        person
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_waits_until_the_reading_pauses() {
        let gate = ReadersFirst::new();
        // Twenty keys, 150 ms apart: the last at 2.85 s.
        let person = typing(&gate, 20, Duration::from_millis(150)).await;
        let waited = gate.in_background(a_turn()).await;
        assert_eq!(waited, Duration::from_millis(2_850) + READING_FOR);
        let _ = person.await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_is_held_no_longer_than_the_bound() {
        let gate = ReadersFirst::new();
        let person = typing(&gate, 200, Duration::from_millis(100)).await;
        assert_eq!(gate.in_background(a_turn()).await, HELD_AT_MOST);
        person.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn the_persons_own_writes_are_never_held() {
        let gate = ReadersFirst::new();
        gate.person_read();
        // Outside `in_background`: no wait, however recent the read.
        assert_eq!(a_turn().await, Duration::ZERO);
    }
}
