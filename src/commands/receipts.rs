//! `qonto-tui receipts`: the files attached to every chosen organization's transactions of a
//! period (the local copy says which have some), saved as
//! `DIR/ORGANIZATION/receipts/DATE-COUNTERPARTY-AMOUNT[-N].EXT`.

use futures_util::StreamExt;

use super::files::{AT_ONCE, FilesArgs, Layout, MAX_FILE, Place, Saved, existing, report, save};
use super::local::{Usage, open_copy};
use super::reach::Reach;
use crate::config::Config;
use qonto_books::export::money::decimal;
use qonto_books::{Books, Period, WithReceipts};
use qonto_client::api::ApiClient;
use qonto_files::names;

const EXIT_USAGE: u8 = 2;

pub async fn run(config: &Config, args: FilesArgs) -> anyhow::Result<u8> {
    let period = match args.period() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("qonto-tui receipts: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let books = open_copy(config).await?;
    let known = books.read(|b| b.organization_ids()).await??;
    let orgs = match super::local::choose_orgs_reached(
        known,
        &super::local::logins(config),
        &args.orgs,
        args.all,
    ) {
        Ok(orgs) => orgs,
        Err(Usage(e)) => {
            eprintln!("qonto-tui receipts: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let reach = Reach::open(config).await?;
    // Sources other than the User flow route through their own credentials.
    crate::sources::listing::list(&reach.api, &reach.sources)
        .await
        .map_err(crate::auth::explain)?;
    let place = match Layout::new(&args.dir, &orgs, existing(args.force)) {
        Ok(layout) => Place::new(layout, false),
        Err(e) => {
            eprintln!("qonto-tui receipts: {e}");
            return Ok(1);
        }
    };
    let chosen = orgs.clone();
    let jobs = books
        .read(move |b| receipt_jobs(b, &chosen, &period, ""))
        .await??;
    // What is left is Qonto's: the books are closed first.
    books.close().await;
    let (saved, failed) = fetch_receipts(&reach.api, jobs, &place).await;
    Ok(report(&saved, &failed, args.json, "receipts", &args.dir)?)
}

/// The extension a receipt's file gets: from its name if it has a short plain one, else from
/// its content type.
fn extension(file_name: Option<&str>, content_type: Option<&str>) -> &'static str {
    let from_name = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase());
    match (from_name.as_deref(), content_type) {
        (Some("pdf"), _) | (_, Some("application/pdf")) => "pdf",
        (Some("png"), _) | (_, Some("image/png")) => "png",
        (Some("jpg" | "jpeg"), _) | (_, Some("image/jpeg")) => "jpg",
        (Some("heic"), _) | (_, Some("image/heic")) => "heic",
        _ => "bin",
    }
}

/// The name a transaction's `n`th receipt would like: `DATE-COUNTERPARTY-AMOUNT[-N]`.
fn receipt_stem(t: &WithReceipts, n: usize) -> String {
    let counterparty = names::slug(t.counterparty.as_deref().unwrap_or(""), "transaction");
    let amount = decimal(t.amount_cents.saturating_abs(), '.');
    let suffix = if n == 0 {
        String::new()
    } else {
        format!("-{}", n + 1)
    };
    format!(
        "{}-{counterparty}-{amount}{suffix}",
        names::slug(&t.day, "day")
    )
}

/// A transaction whose receipts are to be fetched: its organization (id, name), the month
/// folder of a bundle (empty otherwise), and the transaction.
pub struct ReceiptJob {
    org_id: String,
    org_name: String,
    month: String,
    transaction: WithReceipts,
}

/// The transactions of `orgs` in `period` that have receipts; `month` names a bundle's month
/// folder.
pub fn receipt_jobs(
    books: &Books,
    orgs: &[(String, String)],
    period: &Period,
    month: &str,
) -> anyhow::Result<Vec<ReceiptJob>> {
    let mut jobs = Vec::new();
    for (org_id, org_name) in orgs {
        for transaction in books.with_receipts(org_id, period)? {
            jobs.push(ReceiptJob {
                org_id: org_id.clone(),
                org_name: super::reach::clean(org_name),
                month: month.to_string(),
                transaction,
            });
        }
    }
    Ok(jobs)
}

/// One receipt to fetch, with the name it gets.
pub struct ReceiptFile {
    org_id: String,
    org_name: String,
    month: String,
    /// The transaction it belongs to.
    pub transaction: String,
    url: String,
    stem: String,
    ext: &'static str,
    /// Its file name in the receipts folder, once [`list_receipts`] has named them all.
    pub name: String,
}

/// Fetches and saves the receipts of `jobs`, a few at a time: listed first, so every file's
/// name is chosen before any is written (two receipts never share one), then fetched.
pub async fn fetch_receipts(
    api: &ApiClient,
    jobs: Vec<ReceiptJob>,
    place: &Place,
) -> (Vec<Saved>, Vec<String>) {
    let (files, mut failed) = list_receipts(api, jobs).await;
    let (saved, more) = save_receipts(api, files, place).await;
    failed.extend(more);
    (saved, failed)
}

/// The receipt files of `jobs` as Qonto lists them, each named, unique in its folder; and what
/// could not be listed, in words.
pub async fn list_receipts(
    api: &ApiClient,
    jobs: Vec<ReceiptJob>,
) -> (Vec<ReceiptFile>, Vec<String>) {
    let listed: Vec<Result<Vec<ReceiptFile>, String>> = futures_util::stream::iter(jobs)
        .map(|job| async move {
            let t = &job.transaction;
            let files = api
                .transaction_attachments(&job.org_id, &t.id)
                .await
                .map_err(|e| format!("{}: the receipts of {}: {e}", job.org_name, t.id))?;
            Ok(files
                .iter()
                .enumerate()
                .filter_map(|(n, file)| {
                    Some(ReceiptFile {
                        org_id: job.org_id.clone(),
                        org_name: job.org_name.clone(),
                        month: job.month.clone(),
                        transaction: t.id.clone(),
                        url: file.url.clone()?,
                        stem: receipt_stem(t, n),
                        ext: extension(
                            file.file_name.as_deref(),
                            file.file_content_type.as_deref(),
                        ),
                        name: format!("{}/{n}", t.id),
                    })
                })
                .collect())
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut failed = Vec::new();
    let mut files = Vec::new();
    for r in listed {
        match r {
            Ok(f) => files.extend(f),
            Err(e) => failed.push(e),
        }
    }
    name_receipts(&mut files);
    (files, failed)
}

/// Fetches `files` (named by [`list_receipts`]) and saves them, a few at a time.
pub async fn save_receipts(
    api: &ApiClient,
    files: Vec<ReceiptFile>,
    place: &Place,
) -> (Vec<Saved>, Vec<String>) {
    let mut failed = Vec::new();
    let results: Vec<Result<Saved, String>> = futures_util::stream::iter(files)
        .map(|file| async move {
            let who = format!("{}: a receipt of {}", file.org_name, file.transaction);
            let bytes = api
                .download(&file.url, MAX_FILE)
                .await
                .map_err(|e| format!("{who}: {e}"))?;
            let len = bytes.len();
            let place = place.clone();
            let (org, month, name) = (file.org_id.clone(), file.month, file.name);
            // Files are written on a blocking thread, never on the async workers.
            let placed = tokio::task::spawn_blocking(move || {
                let folder = place.receipts(&org, &month)?;
                save(&folder, &name, &bytes, place.existing())
            })
            .await
            .map_err(|e| format!("{who}: {e}"))?
            .map_err(|e| format!("{who}: {e}"))?;
            Ok(Saved::new(&file.org_id, &placed, len, file.transaction))
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut saved = Vec::new();
    for r in results {
        match r {
            Ok(s) => saved.push(s),
            Err(e) => failed.push(e),
        }
    }
    saved.sort_by(|a, b| a.path.cmp(&b.path));
    (saved, failed)
}

/// Gives each file its name, unique in its folder: two receipts of one counterparty and
/// amount on one day get their transactions' short ids.
fn name_receipts(files: &mut [ReceiptFile]) {
    let mut folders: std::collections::BTreeMap<(String, String), Vec<usize>> = Default::default();
    for (i, f) in files.iter().enumerate() {
        folders
            .entry((f.org_id.clone(), f.month.clone()))
            .or_default()
            .push(i);
    }
    for members in folders.values() {
        let chosen = names::distinct(members.iter().map(|&i| {
            let f = &files[i];
            (f.name.as_str(), f.stem.as_str(), f.ext)
        }));
        for (&i, name) in members.iter().zip(chosen) {
            files[i].name = name;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_named_by_date_counterparty_and_amount() {
        let t = WithReceipts {
            id: "x".into(),
            day: "2026-10-05".into(),
            counterparty: Some("Café Lumière / Paris".into()),
            amount_cents: -4_250,
            attachments: 2,
        };
        assert_eq!(receipt_stem(&t, 0), "2026-10-05-cafe-lumiere-paris-42.50");
        assert_eq!(receipt_stem(&t, 1), "2026-10-05-cafe-lumiere-paris-42.50-2");
        assert_eq!(extension(Some("../../etc/passwd"), None), "bin");
        assert_eq!(extension(None, Some("image/png")), "png");
    }
}
