//! A client-side limit under Qonto's documented rate limits (1,000 requests per 10 s and
//! 10,000 per 10 min per IP), so no amount of key mashing can get the user throttled.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

pub struct Throttle {
    limits: Vec<(usize, Duration)>,
    sent: Mutex<VecDeque<Instant>>,
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
        }
    }

    /// Waits until one more request fits under every limit, then counts it.
    pub async fn acquire(&self) {
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
