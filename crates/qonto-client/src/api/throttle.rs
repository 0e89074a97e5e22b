//! A client-side limit under Qonto's documented rate limits (1,000 requests per 10 s and
//! 10,000 per 10 min per IP), so no amount of key mashing can get the user throttled.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

pub struct Throttle {
    limits: Vec<(usize, Duration)>,
    sent: Mutex<VecDeque<Instant>>,
    /// The budget every copy of the app of this user shares, when there is a place for it.
    shared: Option<super::shared_budget::SharedBudget>,
}

impl Throttle {
    /// Qonto's limits with a margin for other clients on the same IP.
    pub fn qonto() -> Self {
        Self::new(vec![
            (800, Duration::from_secs(10)),
            (8_000, Duration::from_secs(600)),
        ])
    }

    pub fn new(limits: Vec<(usize, Duration)>) -> Self {
        Self {
            limits,
            sent: Mutex::new(VecDeque::new()),
            shared: None,
        }
    }

    /// Also keeps to the budget shared through `budget`'s file with the user's other copies.
    pub fn sharing(mut self, budget: super::shared_budget::SharedBudget) -> Self {
        self.shared = Some(budget);
        self
    }

    /// Waits until the copies' shared budget has room for one more request, and takes it. A
    /// file that cannot be used is said once in the log and this copy keeps its own limit.
    async fn acquire_shared(&self) {
        let Some(budget) = self.shared.clone() else {
            return;
        };
        loop {
            let b = budget.clone();
            let wait = match tokio::task::spawn_blocking(move || b.take()).await {
                Ok(Ok(wait)) => wait,
                Ok(Err(e)) => {
                    tracing::warn!(
                        "the rate budget shared with other copies ({}) cannot be used: {e}",
                        budget.path().display()
                    );
                    return;
                }
                Err(_) => return,
            };
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits until one more request fits under every limit, then counts it. Background work
    /// first waits its turn behind the user (see [`super::user_first`]).
    pub async fn acquire(&self) {
        super::user_first::wait_turn().await;
        self.acquire_local().await;
        self.acquire_shared().await;
    }

    async fn acquire_local(&self) {
        loop {
            let wait = {
                let mut sent = self.sent.lock().await;
                let now = Instant::now();
                let longest = self
                    .limits
                    .iter()
                    .map(|(_, w)| *w)
                    .max()
                    .unwrap_or_default();
                while sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) > longest)
                {
                    sent.pop_front();
                }
                let mut wait = Duration::ZERO;
                for (max, window) in &self.limits {
                    let in_window = sent
                        .iter()
                        .rev()
                        .take_while(|t| now.duration_since(**t) <= *window)
                        .count();
                    if in_window >= *max {
                        let oldest_index = sent.len() - in_window;
                        if let Some(oldest) = sent.get(oldest_index) {
                            wait = wait.max(
                                window.saturating_sub(now.duration_since(*oldest))
                                    + Duration::from_millis(1),
                            );
                        }
                    }
                }
                if wait.is_zero() {
                    sent.push_back(now);
                    return;
                }
                wait
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_limit_in_a_window() {
        let t = Throttle::new(vec![(5, Duration::from_secs(10))]);
        let start = Instant::now();
        for _ in 0..5 {
            t.acquire().await;
        }
        assert!(start.elapsed() < Duration::from_millis(5));
        t.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(10));
    }
}
