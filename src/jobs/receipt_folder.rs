//! The private folder receipts are opened from: one per running copy, made with a random name
//! by `tempfile` (0700) under `$XDG_RUNTIME_DIR`, or the cache folder, only when a receipt is
//! first opened; emptied when that copy quits, and the folders of copies that died swept on
//! the next start, so bank documents do not pile up. Nothing is ever deleted through a link.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

const PREFIX: &str = "qonto-tui-receipts-";
/// A viewer reads its file some moments after it is started; a receipt opened less than this
/// before quitting is left for the next start's sweep rather than pulled from under it.
const VIEWER_GRACE: Duration = Duration::from_secs(30);
/// Where no process table can be read, a folder this old is taken as abandoned.
const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 3600);

/// This copy's folder, once made.
static OWN: OnceLock<PathBuf> = OnceLock::new();

/// This copy's folder, made the first time: `qonto-tui-receipts-PID-RANDOM`, only this user
/// can read it (receipts are bank documents).
pub fn create() -> io::Result<PathBuf> {
    if let Some(folder) = OWN.get() {
        return Ok(folder.clone());
    }
    let base = base();
    std::fs::create_dir_all(&base)?;
    let folder = tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir_in(&base)?
        // Kept past this call: the viewer reads it later, and `tidy_own` removes it.
        .keep();
    Ok(OWN.get_or_init(|| folder).clone())
}

/// Where the folders are made: the user's private runtime folder, else their cache folder.
fn base() -> PathBuf {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && d.is_dir())
        .or_else(|| directories::BaseDirs::new().map(|b| b.cache_dir().join("qonto-tui")))
        .unwrap_or_else(std::env::temp_dir)
}

/// At quit: removes the receipts opened long enough ago, and the folder once empty. Nothing
/// when no receipt was opened.
pub fn tidy_own() {
    if let Some(folder) = OWN.get() {
        tidy(folder, SystemTime::now(), VIEWER_GRACE);
    }
}

/// At start: removes the folders of copies no longer running. Returns how many.
pub fn sweep_stale() -> usize {
    sweep(&base(), SystemTime::now(), &running)
}

fn tidy(folder: &Path, now: SystemTime, grace: Duration) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        // Only files: a link or a folder found here is not the app's and is left.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|at| now.duration_since(at).ok())
            .is_some_and(|age| age >= grace);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    // Fails, harmlessly, while a file is still there.
    let _ = std::fs::remove_dir(folder);
}

fn sweep(temp: &Path, now: SystemTime, running: &dyn Fn(u32) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return 0;
    };
    let mine = std::process::id();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        // Never through a link: only a real folder of ours is removed.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if pid == mine || !meta.is_dir() {
            continue;
        }
        let abandoned = meta
            .modified()
            .ok()
            .and_then(|at| now.duration_since(at).ok())
            .is_some_and(|age| age >= ABANDONED_AFTER);
        if (!running(pid) || abandoned) && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether a process with this id runs. Where that cannot be told, it is taken to run, and only
/// age sweeps its folder.
fn running(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("qonto-tui-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_default();
        dir
    }

    #[test]
    fn only_the_folders_of_copies_gone_are_swept_and_never_through_a_link() {
        let temp = scratch("sweep");
        let outside = scratch("sweep-outside");
        std::fs::write(outside.join("keep.pdf"), b"x").unwrap_or_default();
        let folder = |pid: u32| temp.join(format!("{PREFIX}{pid}-a1b2c3"));
        for pid in [10, 11, std::process::id()] {
            std::fs::create_dir_all(folder(pid)).unwrap_or_default();
            std::fs::write(folder(pid).join("r.pdf"), b"x").unwrap_or_default();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, folder(12)).unwrap_or_default();
        std::fs::write(temp.join(format!("{PREFIX}notapid")), b"x").unwrap_or_default();

        let removed = sweep(&temp, SystemTime::now(), &|pid| pid == 11);
        assert_eq!(removed, 1);
        assert!(!folder(10).exists(), "a copy that is gone");
        assert!(folder(11).exists(), "a copy still running");
        assert!(folder(std::process::id()).exists(), "this copy");
        assert!(outside.join("keep.pdf").exists(), "not through a link");

        // A day later even a folder whose copy seems to run is taken as abandoned.
        let later = SystemTime::now() + ABANDONED_AFTER;
        assert_eq!(sweep(&temp, later, &|_| true), 1);
        assert!(!folder(11).exists());
        let _ = std::fs::remove_dir_all(&temp);
        let _ = std::fs::remove_dir_all(&outside);
    }

    #[test]
    fn at_quit_a_receipt_just_opened_is_left_for_its_viewer() {
        let folder = scratch("tidy");
        std::fs::write(folder.join("old.pdf"), b"x").unwrap_or_default();
        std::fs::write(folder.join("new.pdf"), b"x").unwrap_or_default();
        if let Ok(file) = std::fs::File::options()
            .write(true)
            .open(folder.join("old.pdf"))
        {
            let _ = file.set_modified(SystemTime::now() - 2 * VIEWER_GRACE);
        }
        tidy(&folder, SystemTime::now(), VIEWER_GRACE);
        assert!(!folder.join("old.pdf").exists());
        assert!(folder.join("new.pdf").exists());
        tidy(&folder, SystemTime::now() + VIEWER_GRACE, VIEWER_GRACE);
        assert!(!folder.exists(), "emptied, then removed");
    }
}
