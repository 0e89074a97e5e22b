//! A transaction's receipts, fetched from Qonto: opened from a private temporary folder with
//! the platform's opener (or `BROWSER`), or saved to the download folder, named after the
//! transaction's date and counterparty.

use std::io::Write;
use std::path::{Path, PathBuf};

use qonto_client::api::ApiClient;

/// The largest receipt fetched (Qonto takes uploads of a few MB).
const MAX_FILE: usize = 50 * 1024 * 1024;
/// At most this many files per transaction are fetched at once.
const MAX_FILES: usize = 10;

/// What to do with the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In a private temporary folder, then handed to the opener.
    Open,
    /// In the download folder, kept.
    Save,
}

/// Fetches every attachment of `transaction` and places them; says what was done.
pub async fn fetch(
    api: &ApiClient,
    org: &str,
    transaction: &str,
    stem: &str,
    placement: Placement,
    opener: Option<&str>,
) -> Result<String, String> {
    let list = api
        .transaction_attachments(org, transaction)
        .await
        .map_err(|e| format!("the receipts could not be listed: {e}"))?;
    if list.is_empty() {
        return Err("Qonto lists no receipt on this transaction".into());
    }
    let folder = match placement {
        Placement::Open => {
            super::receipt_folder::create().map_err(|e| format!("no folder to open from: {e}"))?
        }
        Placement::Save => download_folder(),
    };
    let mut placed = Vec::new();
    for attachment in list.iter().take(MAX_FILES) {
        let Some(url) = attachment.url.as_deref() else {
            continue;
        };
        let bytes = api
            .download(url, MAX_FILE)
            .await
            .map_err(|e| format!("a receipt could not be fetched: {e}"))?;
        let name = attachment.file_name.as_deref().unwrap_or("receipt");
        let path = free_path(&folder, &file_name(stem, name));
        write_private(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        placed.push(path);
    }
    if placed.is_empty() {
        return Err("Qonto gave no address for the receipts".into());
    }
    match placement {
        Placement::Save => Ok(format!(
            "saved {} receipt{} in {}",
            placed.len(),
            if placed.len() == 1 { "" } else { "s" },
            folder.display()
        )),
        Placement::Open => {
            for path in &placed {
                crate::browser::open_browser(&path.display().to_string(), opener)?;
            }
            Ok(format!(
                "opened {} receipt{} ({})",
                placed.len(),
                if placed.len() == 1 { "" } else { "s" },
                folder.display()
            ))
        }
    }
}

/// `2026-11-19 URSSAF receipt-1234.pdf`: safe in a file name on every platform.
pub fn file_name(stem: &str, name: &str) -> String {
    let joined = format!("{stem} {name}");
    let safe: String = joined
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => '-',
            c => c,
        })
        .collect();
    let safe = safe.trim().trim_start_matches('.').trim().to_string();
    let short: String = safe.chars().take(120).collect();
    if short.is_empty() {
        "receipt".into()
    } else {
        short
    }
}

/// `path`, or `name (2).ext`… when it exists: nothing of the user's is overwritten.
pub(crate) fn free_path(folder: &Path, name: &str) -> PathBuf {
    let first = folder.join(name);
    if !first.exists() {
        return first;
    }
    let (base, ext) = match name.rsplit_once('.') {
        Some((b, e)) => (b.to_string(), format!(".{e}")),
        None => (name.to_string(), String::new()),
    };
    (2..1000)
        .map(|n| folder.join(format!("{base} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

pub(crate) fn download_folder() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(Path::to_path_buf))
        .or_else(|| directories::UserDirs::new().map(|u| u.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_nothing_is_overwritten() {
        assert_eq!(
            file_name("2026-11-19 URSSAF", "receipt-12.pdf"),
            "2026-11-19 URSSAF receipt-12.pdf"
        );
        assert_eq!(file_name("..", "a/b\\c:\u{1b}.pdf"), "a-b-c--.pdf");
        let dir = std::env::temp_dir().join(format!("qonto-tui-free-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let first = free_path(&dir, "r.pdf");
        write_private(&first, b"x").unwrap_or_default();
        assert_eq!(free_path(&dir, "r.pdf"), dir.join("r (2).pdf"));
        std::fs::remove_dir_all(&dir).unwrap_or_default();
    }
}
