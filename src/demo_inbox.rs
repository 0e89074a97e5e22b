//! The demo's receipts inbox: a private folder in the app's data folder (`demo-inbox-PID`, 0700,
//! removed when the demo ends; one a killed demo left is removed by the next once its process
//! is gone) holding receipts the sandbox makes from its own books, real PDFs with text for transactions
//! that miss theirs, and decoys that match nothing; two of them are turned into scans (PNG,
//! greyscale, as a phone or scanner hands them over) when `pdftoppm` is installed, so the OCR
//! path shows too. A new user can match and attach without a Qonto account.

use std::os::unix::fs::DirBuilderExt;
use std::path::Path;
use std::process::{Command, Stdio};

use qonto_files::{Existing, Folder};
use qonto_sandbox::Sandbox;

/// Receipts of the demo's transactions, decoys, and how many of the receipts become scans.
const RECEIPTS: usize = 10;
const DECOYS: usize = 3;
const SCANS: usize = 2;
/// A scan larger than this is not kept (a page at 150 dpi is a few hundred KB).
const MAX_SCAN: usize = 15 * 1024 * 1024;

/// The inbox, alive as long as this is.
pub struct DemoInbox {
    dir: std::path::PathBuf,
}

impl Drop for DemoInbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const PREFIX: &str = "demo-inbox-";

/// Removes the inboxes of demos whose process is gone (where the system says which are alive).
fn remove_stale(base: &Path) {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let ours = entry.file_type().is_ok_and(|t| t.is_dir());
        if ours && pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl DemoInbox {
    /// Makes the inbox; a failure is said in the log and the demo goes on without one.
    pub fn make(sandbox: &Sandbox) -> Option<Self> {
        match Self::try_make(sandbox) {
            Ok(inbox) => Some(inbox),
            Err(e) => {
                tracing::warn!("the demo's receipts inbox was not made: {e}");
                None
            }
        }
    }

    fn try_make(sandbox: &Sandbox) -> Result<Self, Box<dyn std::error::Error>> {
        let base = crate::config::data_dir();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&base)?;
        remove_stale(&base);
        let name = format!("{PREFIX}{}", std::process::id());
        // A folder of this name is a demo's of an earlier process with this id: made anew.
        let _ = std::fs::remove_dir_all(base.join(&name));
        let folder = Folder::open(&base)?.child(&name)?;
        let dir = folder.path().to_path_buf();
        let mut scans = Vec::new();
        for file in sandbox.inbox(RECEIPTS, DECOYS) {
            let placed = folder.write(&file.name, &file.bytes, Existing::Keep)?;
            if file.transaction.is_some() && scans.len() < SCANS {
                scans.push((placed.path, format!("IMG_{:04}", 2041 + scans.len())));
            }
        }
        // Rendering takes a moment: done aside, the demo starts at once.
        let at = dir.clone();
        std::thread::spawn(move || {
            for (pdf, name) in scans {
                scan(&at, &pdf, &name);
            }
        });
        Ok(Self { dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

/// Replaces `pdf` by a greyscale PNG of its page named `NAME.png` (as a phone names a photo:
/// nothing in the name helps the matcher), if `pdftoppm` runs. The image comes back on
/// `pdftoppm`'s standard output and is written by the app's own writer (exclusively, 0600).
fn scan(folder: &Path, pdf: &Path, name: &str) {
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", "-singlefile"])
        .arg(pdf)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let Ok(out) = rendered else { return };
    if !out.status.success() || !out.stdout.starts_with(b"\x89PNG") || out.stdout.len() > MAX_SCAN {
        return;
    }
    let written = Folder::open(folder)
        .and_then(|f| f.write(&format!("{name}.png"), &out.stdout, Existing::Keep));
    if written.is_ok() {
        let _ = std::fs::remove_file(pdf);
    }
}
