//! A folder of receipts read for matching: each regular file in it (links and folders are left
//! alone, so nothing outside the inbox is read through it), read safely, its text read once
//! (kept in the local copy by the file's SHA-256), and what the matcher proposes for it among
//! every organization's transactions that miss a receipt; and, once one is attached, the file
//! kept in `attached/ORGANIZATION/` inside the inbox, never deleted. The command line and the
//! TUI's inbox view both read their inbox here.

use std::path::{Path, PathBuf};

use qonto_books::BooksHandle;
use qonto_books::matching::{Matcher, read};
use qonto_client::api::writes::ReceiptKind;
use qonto_client::printable::printable;

use crate::receipt_text::{Extracted, Limits, Method, extract};
use crate::writes::receipts::{ReceiptFile, read_receipt};

/// At most this many files of a folder are read in one run.
pub const MAX_FILES: usize = 1000;
/// Where attached receipts are moved, inside the inbox.
pub const ATTACHED: &str = "attached";

pub use crate::outcome::{InboxItem as Item, KeepError, Skipped};

/// The files of `dir` worth reading (regular files, sorted by name), and those set aside.
pub fn list(dir: &Path) -> Result<(Vec<PathBuf>, Vec<Skipped>), std::io::Error> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for entry in std::fs::read_dir(dir)?.filter_map(Result::ok) {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_file() => files.push(path),
            Ok(t) if t.is_symlink() => skipped.push(Skipped {
                path,
                why: "a link: only files in the inbox itself are read".into(),
            }),
            _ => {}
        }
    }
    files.sort();
    if files.len() > MAX_FILES {
        for path in files.split_off(MAX_FILES) {
            skipped.push(Skipped {
                path,
                why: format!("more than {MAX_FILES} files: the rest wait for the next run"),
            });
        }
    }
    Ok((files, skipped))
}

/// Reads each of `paths` and proposes a transaction for it among the matcher's, telling
/// `progress` how many files are done after each.
pub async fn match_files(
    books: &BooksHandle,
    paths: &[PathBuf],
    matcher: &Matcher,
    limits: Limits,
    mut progress: impl FnMut(usize),
) -> (Vec<Item>, Vec<Skipped>) {
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    for (done, path) in paths.iter().enumerate() {
        progress(done);
        let file = match read_receipt(path).await {
            Ok(file) => file,
            Err(e) => {
                // Said without the write's "nothing was sent": a match sends nothing anyway.
                let why = match e {
                    crate::writes::WriteError::File(why) => why,
                    other => other.to_string(),
                };
                skipped.push(Skipped {
                    path: path.clone(),
                    why: printable(&why, 300),
                });
                continue;
            }
        };
        let read_text = text_of(books, &file, limits).await;
        let mut facts = read(&read_text.text);
        // The file's name speaks too (`urssaf-2026-11.pdf`).
        let named = read(&file.name.replace(['-', '_', '.'], " "));
        facts.words.extend(named.words);
        facts.words.sort_unstable();
        facts.words.dedup();
        let proposal = matcher.propose(&facts);
        items.push(Item {
            path: file.path,
            name: file.name,
            sha256: file.sha256,
            method: read_text.method,
            note: read_text.note,
            proposal,
        });
    }
    (items, skipped)
}

/// The text of `file`: kept from an earlier run, or read now (off the async threads) and kept
/// when it was read in full.
async fn text_of(books: &BooksHandle, file: &ReceiptFile, limits: Limits) -> Extracted {
    let sha = file.sha256.clone();
    if let Ok(Ok(Some((method, text)))) = books.read_fresh(move |b| b.receipt_text(&sha)).await {
        return Extracted {
            text,
            method: Method::parse(&method),
            note: None,
        };
    }
    let Some(kind) = ReceiptKind::of(&file.bytes) else {
        return Extracted {
            text: String::new(),
            method: Method::None,
            note: Some("not a PDF, JPEG or PNG".into()),
        };
    };
    let bytes = file.bytes.clone();
    let extracted = tokio::task::spawn_blocking(move || extract(&bytes, kind, limits))
        .await
        .unwrap_or_else(|e| Extracted {
            text: String::new(),
            method: Method::None,
            note: Some(format!("reading stopped: {e}")),
        });
    if extracted.note.is_none() {
        let (sha, method, text) = (
            file.sha256.clone(),
            extracted.method.as_str(),
            extracted.text.clone(),
        );
        let now = crate::writes::now();
        match books
            .write(move |b| b.keep_receipt_text(&sha, method, &text, now))
            .await
        {
            Ok(Ok(())) => {}
            Ok(Err(e)) | Err(e) => tracing::warn!("a receipt's text was not kept: {e}"),
        }
    }
    extracted
}

/// Keeps the attached file `path` (digest `sha256`) in `FOLDER/attached/ORGANIZATION/`:
/// written anew, exclusively, 0600, under a free name; then removes it from the inbox. A file
/// that no longer holds what was attached is left alone.
pub async fn keep_attached(
    folder: &Path,
    org_name: &str,
    path: &Path,
    sha256: &str,
) -> Result<PathBuf, KeepError> {
    let (folder, org) = (folder.to_path_buf(), org_name.to_string());
    let shown = printable(&path.display().to_string(), 200);
    let file = read_receipt(path)
        .await
        .map_err(|_| KeepError::Changed(shown.clone()))?;
    if file.sha256 != sha256 {
        return Err(KeepError::Changed(shown));
    }
    tokio::task::spawn_blocking(move || {
        let io = |what: &str, e: &dyn std::fmt::Display| KeepError::Io {
            what: what.to_string(),
            cause: printable(&e.to_string(), 200),
        };
        let target = qonto_files::Folder::open(&folder)
            .and_then(|f| f.child(ATTACHED))
            .and_then(|f| f.child(&qonto_files::names::readable(&org)))
            .map_err(|e| io("the attached folder", &e))?;
        let kept = target
            .write(&file.name, &file.bytes, qonto_files::Existing::NextFree)
            .map_err(|e| io("the attached copy", &e))?;
        std::fs::remove_file(&file.path).map_err(|e| io("removing it from the inbox", &e))?;
        Ok(kept.path)
    })
    .await
    .map_err(|e| KeepError::Io {
        what: "moving it".into(),
        cause: e.to_string(),
    })?
}
