//! The user's requests before the background's: requests sent inside
//! [`UserFirst::in_background`] are spaced out while the user is waiting on Qonto, so a backfill
//! never takes more than a small, known share of the per-IP rate budget (and of the connection
//! pool) from what the user asked for.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

tokio::task_local! {
    static BACKGROUND: Arc<UserFirst>;
}

/// The user counts as waiting on Qonto this long after their last request.
pub const USER_ACTIVE_FOR: Duration = Duration::from_secs(2);
/// While the user is active, background requests go at most one per this interval (2 a
/// second: 2.5 % of the client-side limit of 80 a second).
pub const BACKGROUND_EVERY_WHILE_ACTIVE: Duration = Duration::from_millis(500);

/// When the user last asked Qonto something, and when the background may send next.
#[derive(Default)]
pub struct UserFirst {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    user_asked: Option<Instant>,
    next_background: Option<Instant>,
}

impl UserFirst {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// The user just asked for something that needs Qonto.
    pub fn user_asked(&self) {
        self.lock().user_asked = Some(Instant::now());
    }

    /// Runs `work` as background work: each of its requests waits its turn while the user is
    /// active. (Work spawned onto other tasks from inside is not covered.)
    pub async fn in_background<F: Future>(self: &Arc<Self>, work: F) -> F::Output {
        BACKGROUND.scope(self.clone(), work).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long a background request must still wait; zero when it may go now (and then its
    /// turn is taken).
    fn background_wait(&self, now: Instant) -> Duration {
        let mut state = self.lock();
        let active = state
            .user_asked
            .is_some_and(|at| now.duration_since(at) < USER_ACTIVE_FOR);
        if !active {
            state.next_background = None;
            return Duration::ZERO;
        }
        match state.next_background {
            Some(next) if next > now => next - now,
            _ => {
                state.next_background = Some(now + BACKGROUND_EVERY_WHILE_ACTIVE);
                Duration::ZERO
            }
        }
    }
}

/// Waits for the current task's background turn; returns at once outside background work.
pub(crate) async fn wait_turn() {
    let Ok(gate) = BACKGROUND.try_with(Arc::clone) else {
        return;
    };
    loop {
        let wait = gate.background_wait(Instant::now());
        if wait.is_zero() {
            return;
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ten_turns() -> Duration {
        let start = Instant::now();
        for _ in 0..10 {
            wait_turn().await;
        }
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn background_goes_freely_while_the_user_is_idle() {
        let gate = UserFirst::new();
        assert_eq!(gate.in_background(ten_turns()).await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn background_is_spaced_while_the_user_asks() {
        let gate = UserFirst::new();
        let user = {
            let gate = gate.clone();
            tokio::spawn(async move {
                for _ in 0..40 {
                    gate.user_asked();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        tokio::task::yield_now().await;
        let took = gate.in_background(ten_turns()).await;
        // The first goes at once, each of the nine others a turn later.
        assert_eq!(took, BACKGROUND_EVERY_WHILE_ACTIVE * 9);
        let _ = user.await;
    }

    #[tokio::test(start_paused = true)]
    async fn the_users_own_requests_are_never_held() {
        let gate = UserFirst::new();
        gate.user_asked();
        // Outside `in_background`: no wait, however active the user is.
        assert_eq!(ten_turns().await, Duration::ZERO);
    }
}
