//! The demo's receipts inbox: a private temporary folder (0700, removed when the demo ends)
//! holding receipts the sandbox makes from its own books, real PDFs with text for transactions
//! that miss theirs, and decoys that match nothing; two of them are turned into scans (PNG,
//! greyscale, as a phone or scanner hands them over) when `pdftoppm` is installed, so the OCR
//! path shows too. A new user can match and attach without a Qonto account.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use qonto_files::{Existing, Folder};
use qonto_sandbox::Sandbox;

/// Receipts of the demo's transactions, decoys, and how many of the receipts become scans.
const RECEIPTS: usize = 10;
const DECOYS: usize = 3;
const SCANS: usize = 2;

/// The inbox, alive as long as this is.
pub struct DemoInbox {
    dir: tempfile::TempDir,
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
        let dir = tempfile::Builder::new()
            .prefix("qonto-tui-demo-inbox-")
            .tempdir()?;
        let folder = Folder::open(dir.path())?;
        let mut scans = Vec::new();
        for file in sandbox.inbox(RECEIPTS, DECOYS) {
            let placed = folder.write(&file.name, &file.bytes, Existing::Keep)?;
            if file.transaction.is_some() && scans.len() < SCANS {
                scans.push((placed.path, format!("IMG_{:04}", 2041 + scans.len())));
            }
        }
        // Rendering takes a moment: done aside, the demo starts at once.
        let at = dir.path().to_path_buf();
        std::thread::spawn(move || {
            for (pdf, name) in scans {
                scan(&at, &pdf, &name);
            }
        });
        Ok(Self { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Replaces `pdf` by a greyscale PNG of its page named `NAME.png` (as a phone names a photo:
/// nothing in the name helps the matcher), if `pdftoppm` runs.
fn scan(folder: &Path, pdf: &Path, name: &str) {
    let out: PathBuf = folder.join(name);
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", "-singlefile"])
        .arg(pdf)
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if rendered {
        let _ = std::fs::remove_file(pdf);
    }
}
