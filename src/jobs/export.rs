//! `e` in the app: the list on screen (an account's transactions, or a search's matches)
//! written from the local copy as CSV into the download folder, in the locale's style.

use std::path::PathBuf;

use super::attachments::{download_folder, file_name, free_path};
use super::cache::Cache;
use crate::app::local_error::LocalCopyError;
use crate::app::msg::ExportWhat;
use qonto_books::export::{CsvStyle, ExportError, Format, export_ids, sink};

/// A search exports at most this many matches (a spreadsheet's comfortable size).
const MAX_MATCHES: usize = 200_000;

/// Writes `what` and says where, and how many transactions.
pub async fn to_downloads(
    cache: &Cache,
    what: &ExportWhat,
    decimal: char,
) -> Result<(PathBuf, usize), LocalCopyError> {
    let ids = match what {
        ExportWhat::Account {
            account, declined, ..
        } => cache.account_ids(account.clone(), *declined).await?,
        ExportWhat::Search { text } => {
            let query = qonto_books::query::parse(text).map_err(LocalCopyError::Query)?;
            cache.search_ids(query, MAX_MATCHES).await?
        }
    };
    let stamp = chrono::Local::now().format("%Y-%m-%d %H%M%S");
    let stem = match what {
        ExportWhat::Account { name, .. } => format!("qonto-tui {name} {stamp}"),
        ExportWhat::Search { .. } => format!("qonto-tui search {stamp}"),
    };
    // The stem made safe (and bounded) as a receipt's is; the extension kept whatever its length.
    let name = format!("{}.csv", file_name(&stem, ""));
    let style = CsvStyle::for_decimal(decimal, true);
    // Named, created and written on the books' reader thread (no file work on the async
    // threads), streaming rows from the database to the file.
    cache
        .read(move |books| {
            let path = free_path(&download_folder(), &name);
            let file =
                qonto_books::export::private_file(&path).map_err(|e| LocalCopyError::File {
                    path: path.clone(),
                    cause: std::sync::Arc::new(e),
                })?;
            let written = (|| -> Result<usize, ExportError> {
                let mut out = sink(Format::Csv, style, Box::new(file), chrono::Utc::now())?;
                Ok(export_ids(books, &ids, out.as_mut())?.transactions)
            })();
            match written {
                Ok(n) => Ok((path, n)),
                Err(e) => {
                    let _ = std::fs::remove_file(&path);
                    Err(LocalCopyError::from(e))
                }
            }
        })
        .await?
}
