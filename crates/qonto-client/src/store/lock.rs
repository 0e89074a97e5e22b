//! One refresh at a time across every process that shares a token store: an advisory lock on a
//! file beside it, waited for without blocking the runtime and never for long.

use std::path::Path;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(25);

/// Held while one process refreshes; released when dropped (closing the file unlocks it).
pub struct RefreshLock {
    _file: std::fs::File,
}

/// Takes the lock at `path`, waiting at most `limit` for another process to release it. `None`
/// when it cannot be had (another process holds it too long, or the file cannot be opened): the
/// caller goes on without it, since a refresh that may race is better than none.
pub async fn acquire(path: &Path, limit: Duration) -> Option<RefreshLock> {
    let file = match open(path) {
        Ok(file) => file,
        Err(e) => {
            tracing::warn!("refresh lock {} unusable: {e}", path.display());
            return None;
        }
    };
    let deadline = Instant::now() + limit;
    loop {
        match file.try_lock() {
            Ok(()) => return Some(RefreshLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                tokio::time::sleep(POLL).await;
            }
            Err(e) => {
                tracing::warn!("refresh lock {} not taken: {e}", path.display());
                return None;
            }
        }
    }
}

fn open(path: &Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_then_gives_up_and_gets_it_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.lock");
        let first = acquire(&path, Duration::from_millis(100)).await;
        assert!(first.is_some());
        let started = Instant::now();
        assert!(acquire(&path, Duration::from_millis(150)).await.is_none());
        assert!(started.elapsed() >= Duration::from_millis(150));
        drop(first);
        assert!(acquire(&path, Duration::from_millis(100)).await.is_some());
    }
}
