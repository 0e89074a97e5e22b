//! `e` in the app: the list on screen (an account's transactions, or a search's matches)
//! written from the local copy as CSV into the download folder, in the locale's style.

use std::path::PathBuf;

use super::attachments::{download_folder, file_name};
use super::cache::Cache;
use crate::app::local_error::LocalCopyError;
use crate::app::msg::ExportWhat;
use qonto_books::export::{CsvStyle, ExportError, Format, export_ids, sink};
use qonto_files::{Existing, FileError, Folder};

/// A search exports at most this many matches (a spreadsheet's comfortable size).
const MAX_MATCHES: usize = 200_000;

/// The days the transactions `ids` (newest first) span: `2026-01-03..2026-11-20`.
async fn period_of(cache: &Cache, ids: &[String]) -> String {
    let (Some(newest), Some(oldest)) = (ids.first().cloned(), ids.last().cloned()) else {
        return "none".into();
    };
    let day = |d: Option<qonto_books::Detail>| {
        d.and_then(|d| {
            d.tx.settled_at
                .or(d.tx.emitted_at)
                .and_then(|at| at.get(..10).map(String::from))
        })
        .unwrap_or_default()
    };
    let read = cache
        .read(move |b| {
            Ok::<_, qonto_books::BooksError>((
                b.transaction_detail(&oldest)?,
                b.transaction_detail(&newest)?,
            ))
        })
        .await;
    match read {
        Ok(Ok((first, last))) => {
            let (first, last) = (day(first), day(last));
            if first == last {
                first
            } else {
                format!("{first}..{last}")
            }
        }
        _ => String::new(),
    }
}

/// Writes `what` and says where, and how many transactions.
pub async fn to_downloads(
    cache: &Cache,
    what: &ExportWhat,
    decimal: char,
) -> Result<(PathBuf, usize), LocalCopyError> {
    let ids = match what {
        ExportWhat::Account {
            only: Some((ids, _)),
            ..
        } => ids.clone(),
        ExportWhat::Account {
            account, declined, ..
        } => cache.account_ids(account.clone(), *declined).await?,
        ExportWhat::Search { text } => {
            let query = qonto_books::query::parse(text).map_err(LocalCopyError::Query)?;
            cache.search_ids(query, MAX_MATCHES).await?
        }
    };
    // Named after what it holds: whose, which rows, the period they span, and when.
    let stamp = chrono::Local::now().format("%Y-%m-%d %H%M%S");
    let period = period_of(cache, &ids).await;
    let stem = match what {
        ExportWhat::Account {
            name,
            only: Some((_, words)),
            ..
        } => format!("qonto-tui {name} filtered {words} {period} ({stamp})"),
        ExportWhat::Account { name, .. } => format!("qonto-tui {name} {period} ({stamp})"),
        ExportWhat::Search { text } => {
            format!("qonto-tui search {text} {period} ({stamp})")
        }
    };
    // The stem made safe (and bounded) as a receipt's is; the extension kept whatever its length.
    let name = format!("{}.csv", file_name(&stem, ""));
    let style = CsvStyle::for_decimal(decimal, true);
    // Named, created and written on the books' reader thread (no file work on the async
    // threads), streaming rows from the database to the file.
    cache
        .read(move |books| {
            let file_error = |e: FileError| match e {
                FileError::Io { path, cause } => LocalCopyError::File {
                    path,
                    cause: std::sync::Arc::new(cause),
                },
                other => LocalCopyError::File {
                    path: download_folder().join(&name),
                    cause: std::sync::Arc::new(std::io::Error::other(other.to_string())),
                },
            };
            let folder = Folder::open(&download_folder()).map_err(file_error)?;
            // Dropped on an error before it is placed, the file aside is removed.
            let mut file = folder.create(&name).map_err(file_error)?;
            let written = (|| -> Result<usize, ExportError> {
                let mut out = sink(Format::Csv, style, Box::new(&mut file), chrono::Utc::now())?;
                Ok(export_ids(books, &ids, out.as_mut())?.transactions)
            })()
            .map_err(LocalCopyError::from)?;
            // Beside any file of the same name, never over it.
            let placed = file.place(Existing::NextFree).map_err(file_error)?;
            Ok((placed.path, written))
        })
        .await?
}
