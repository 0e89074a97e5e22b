//! Qonto's per-IP rate budget shared by every copy of the app one user runs (the TUI beside a
//! `sync`, two commands at once): token buckets kept in a small file and changed under an
//! exclusive lock on it, so the copies together stay under the limit one copy alone keeps.
//!
//! A bucket of capacity C refilled at R a second lets at most C + R·W through in any window of
//! W seconds: the buckets are sized so that bound stays under Qonto's limits.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One bucket: how many requests may go at once, and how many it earns back a second.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    pub capacity: f64,
    pub per_second: f64,
}

/// The buckets in one file.
#[derive(Debug, Clone)]
pub struct SharedBudget {
    path: PathBuf,
    buckets: Vec<Bucket>,
}

/// The state file's largest sensible size: anything longer is not ours and starts afresh.
const MAX_STATE: u64 = 256;

impl SharedBudget {
    /// Qonto's limits, 1,000 requests per 10 s and 10,000 per 10 min per IP: at most
    /// 150 + 75·10 = 900 in any 10 s, and 6,000 + 6·600 = 9,600 in any 10 min, whoever sends.
    pub fn qonto(path: PathBuf) -> Self {
        Self::new(
            path,
            vec![
                Bucket {
                    capacity: 150.0,
                    per_second: 75.0,
                },
                Bucket {
                    capacity: 6_000.0,
                    per_second: 6.0,
                },
            ],
        )
    }

    pub fn new(path: PathBuf, buckets: Vec<Bucket>) -> Self {
        Self { path, buckets }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes one request from every bucket: `Duration::ZERO` when it was taken, else how long
    /// to wait before asking again. Blocking (a file lock): call it off the async threads.
    pub fn take(&self) -> std::io::Result<Duration> {
        let mut file = open_private(&self.path)?;
        file.lock()?;
        let now = now_us();
        let mut levels = read_state(&mut file, &self.buckets, now);
        let elapsed = (now.saturating_sub(levels.0)) as f64 / 1_000_000.0;
        let mut wait = 0f64;
        for (level, bucket) in levels.1.iter_mut().zip(&self.buckets) {
            *level = (*level + elapsed * bucket.per_second).min(bucket.capacity);
            if *level < 1.0 {
                wait = wait.max((1.0 - *level) / bucket.per_second);
            }
        }
        // Written only when a request is taken: a refusal leaves the file as it was, so
        // asking often earns nothing.
        if wait == 0.0 {
            levels.1.iter_mut().for_each(|level| *level -= 1.0);
            write_state(&mut file, now, &levels.1)?;
        }
        // The lock goes with the file.
        Ok(Duration::from_secs_f64(wait))
    }
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

fn open_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
}

/// `(when last changed, each bucket's level)`; full buckets when the file is new, damaged,
/// from a clock that went back, or not ours.
fn read_state(file: &mut File, buckets: &[Bucket], now: u64) -> (u64, Vec<f64>) {
    let full = (now, buckets.iter().map(|b| b.capacity).collect::<Vec<_>>());
    let mut text = String::new();
    if file.metadata().map_or(true, |m| m.len() > MAX_STATE)
        || file.rewind().is_err()
        || file.read_to_string(&mut text).is_err()
    {
        return full;
    }
    let mut fields = text.split_whitespace();
    if fields.next() != Some("v1") {
        return full;
    }
    let Some(at) = fields.next().and_then(|f| f.parse::<u64>().ok()) else {
        return full;
    };
    let levels: Vec<f64> = fields.filter_map(|f| f.parse::<f64>().ok()).collect();
    let sane = levels.len() == buckets.len()
        && levels
            .iter()
            .zip(buckets)
            .all(|(l, b)| l.is_finite() && *l <= b.capacity && *l > -b.capacity);
    if !sane || at > now {
        return full;
    }
    (at, levels)
}

fn write_state(file: &mut File, at: u64, levels: &[f64]) -> std::io::Result<()> {
    let mut text = format!("v1 {at}");
    for level in levels {
        text.push_str(&format!(" {level:.6}"));
    }
    text.push('\n');
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn budget(path: &Path) -> SharedBudget {
        SharedBudget::new(
            path.to_path_buf(),
            vec![Bucket {
                capacity: 5.0,
                per_second: 100.0,
            }],
        )
    }

    /// Takes `n` requests from `budget`, waiting as told.
    fn take_all(budget: &SharedBudget, n: usize) {
        for _ in 0..n {
            loop {
                let wait = budget.take().unwrap_or(Duration::from_millis(1));
                if wait.is_zero() {
                    break;
                }
                std::thread::sleep(wait);
            }
        }
    }

    /// Two copies on one file share one budget: 2 × 40 requests at 100 a second after a burst
    /// of 5 take at least 0.75 s together; each on its own would be done in 0.35 s.
    #[test]
    fn copies_on_one_file_share_one_budget() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("budget");
        let started = Instant::now();
        let copies: Vec<_> = (0..2)
            .map(|_| {
                let budget = budget(&path);
                std::thread::spawn(move || take_all(&budget, 40))
            })
            .collect();
        for c in copies {
            c.join().unwrap_or_else(|_| panic!("a copy panicked"));
        }
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(700), "{took:?}");
    }

    #[test]
    fn a_damaged_or_foreign_file_starts_afresh() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("budget");
        for junk in [
            "",
            "v1 x",
            "v1 1 NaN",
            "v1 99999999999999999 1",
            "not ours at all",
        ] {
            std::fs::write(&path, junk).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(budget(&path).take().ok(), Some(Duration::ZERO), "{junk:?}");
        }
        // Never through a link.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap_or_else(|e| panic!("{e}"));
        assert!(budget(&link).take().is_err());
    }
}
