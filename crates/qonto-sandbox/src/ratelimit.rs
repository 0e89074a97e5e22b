//! Qonto's documented rate limits (1,000 requests per 10 s and 10,000 per 10 min, per IP), so
//! the app can be shown never to exceed them.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: usize,
    pub window: Duration,
}

pub const QONTO_LIMITS: [Limit; 2] = [
    Limit {
        max: 1_000,
        window: Duration::from_secs(10),
    },
    Limit {
        max: 10_000,
        window: Duration::from_secs(600),
    },
];

pub struct RateLimiter {
    limits: Vec<Limit>,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(limits: Vec<Limit>) -> Self {
        Self {
            limits,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records a request; `Err(retry_after)` when it is over a limit (and then not counted).
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let longest = self
            .limits
            .iter()
            .map(|l| l.window)
            .max()
            .unwrap_or_default();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let times = seen.entry(ip).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > longest)
        {
            times.pop_front();
        }
        for limit in &self.limits {
            let in_window: Vec<&Instant> = times
                .iter()
                .rev()
                .take_while(|t| now.duration_since(**t) <= limit.window)
                .collect();
            if in_window.len() >= limit.max {
                let oldest = in_window.last().map(|t| **t).unwrap_or(now);
                let wait = limit.window.saturating_sub(now.duration_since(oldest));
                return Err(wait.max(Duration::from_secs(1)));
            }
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_recovers_after_the_window() {
        let rl = RateLimiter::new(vec![Limit {
            max: 3,
            window: Duration::from_secs(10),
        }]);
        let ip: IpAddr = [127, 0, 0, 1].into();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rl.check(ip, t0).is_ok());
        }
        let wait = rl.check(ip, t0).unwrap_err();
        assert!(wait >= Duration::from_secs(1) && wait <= Duration::from_secs(10));
        assert!(rl.check(ip, t0 + Duration::from_secs(11)).is_ok());
    }
}
