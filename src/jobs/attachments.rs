//! A transaction's receipts, fetched from Qonto: opened from a private temporary folder with
//! the platform's opener (or `BROWSER`), or saved to the download folder, named after the
//! transaction's date and counterparty.

use std::path::PathBuf;

pub use crate::outcome::{Placed, Placement, ReceiptsError};
use qonto_client::api::ApiClient;
use qonto_files::{Existing, Folder, names};

/// The largest receipt fetched (Qonto takes uploads of a few MB).
const MAX_FILE: usize = 50 * 1024 * 1024;
/// At most this many files per transaction are fetched at once.
const MAX_FILES: usize = 10;

/// Fetches every attachment of `transaction` and places them; says where.
pub async fn fetch(
    api: &ApiClient,
    org: &str,
    transaction: &str,
    stem: &str,
    placement: Placement,
    opener: Option<&str>,
) -> Result<Placed, ReceiptsError> {
    let list = api
        .transaction_attachments(org, transaction)
        .await
        .map_err(ReceiptsError::NotListed)?;
    if list.is_empty() {
        return Err(ReceiptsError::NoneListed);
    }
    let folder_path = match placement {
        Placement::Open => {
            super::receipt_folder::create().map_err(|e| ReceiptsError::NoFolder(e.to_string()))?
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
            .map_err(ReceiptsError::NotFetched)?;
        let name = attachment.file_name.as_deref().unwrap_or("receipt");
        let file = file_name(stem, name);
        let folder = folder_path.clone();
        // Written on a blocking thread: beside any file of the same name, never over it.
        let path = tokio::task::spawn_blocking(move || {
            Folder::open(&folder)?
                .write(&file, &bytes, Existing::NextFree)
                .map(|p| p.path)
        })
        .await
        .map_err(|e| ReceiptsError::NotWritten(e.to_string()))?
        .map_err(|e| ReceiptsError::NotWritten(e.to_string()))?;
        placed.push(path);
    }
    if placed.is_empty() {
        return Err(ReceiptsError::NoAddress);
    }
    if placement == Placement::Open {
        for path in &placed {
            let shown = path.display().to_string();
            if let Err(e) = crate::browser::open_browser(&shown, opener) {
                return Err(ReceiptsError::SavedNotOpened {
                    path: shown,
                    why: e.to_string(),
                });
            }
        }
    }
    Ok(Placed {
        count: placed.len(),
        folder: folder_path,
        placement,
    })
}

/// `2026-11-19 URSSAF receipt-1234.pdf`: safe in a file name on every platform, within the
/// byte limit of one, keeping the file's extension.
pub fn file_name(stem: &str, name: &str) -> String {
    let (base, ext) = match name.rsplit_once('.') {
        Some((base, ext))
            if !ext.is_empty()
                && ext.len() <= 8
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (base, ext)
        }
        _ => (name, ""),
    };
    names::fit(&names::readable(&format!("{stem} {base}")), ext)
}

/// Where saved receipts and exports go, the folder the hints name: the desktop's download
/// folder (`XDG_DOWNLOAD_DIR`), else `~/Downloads` (made, 0700, when missing), else the
/// temporary folder.
pub(crate) fn download_folder() -> PathBuf {
    let dirs = directories::UserDirs::new();
    if let Some(named) = dirs.as_ref().and_then(|u| u.download_dir()) {
        return named.to_path_buf();
    }
    let Some(home) = dirs.as_ref().map(|u| u.home_dir().join("Downloads")) else {
        return std::env::temp_dir();
    };
    if !home.is_dir() {
        let made = {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().mode(0o700).create(&home)
        };
        if let Err(e) = made {
            tracing::warn!("{} could not be made: {e}", home.display());
            return std::env::temp_dir();
        }
    }
    home
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_bounded_and_keep_their_extension() {
        assert_eq!(
            file_name("2026-11-19 URSSAF", "receipt-12.pdf"),
            "2026-11-19 URSSAF receipt-12.pdf"
        );
        assert_eq!(file_name("..", "a/b\\c:\u{1b}.pdf"), "a-b-c--.pdf");
        // Long non-ASCII names: bounded in bytes, not characters, the extension kept.
        let long = file_name(
            &"Ölgesellschaft Überseehandel ".repeat(12),
            "facture été.pdf",
        );
        assert!(long.len() <= 200, "{}", long.len());
        assert!(long.ends_with(".pdf"), "{long}");
    }
}
