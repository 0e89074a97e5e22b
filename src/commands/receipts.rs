//! `qonto-tui receipts`: the files attached to every chosen organization's transactions of a
//! period (the local copy says which have some), saved as
//! `DIR/ORGANIZATION/receipts/DATE-COUNTERPARTY-AMOUNT[-N].EXT`.

use futures_util::StreamExt;

use super::files::{AT_ONCE, FilesArgs, MAX_FILE, Saved, report, save};
use super::local::{Usage, choose_orgs, file_slug, open_copy};
use super::reach::Reach;
use crate::config::Config;
use qonto_books::export::money::decimal;
use qonto_books::{Books, Period, WithReceipts};
use qonto_client::api::ApiClient;

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
    let orgs = match choose_orgs(known, &args.orgs, args.all) {
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
    let dir = args.dir.clone();
    let jobs = books
        .read(move |b| {
            receipt_jobs(b, &orgs, &period, &|org: &str| {
                dir.join(file_slug(org)).join("receipts")
            })
        })
        .await??;
    // What is left is Qonto's: the books are closed first.
    books.close().await;
    let (saved, failed) = fetch_receipts(&reach.api, jobs).await;
    Ok(report(&saved, &failed, args.json, "receipts"))
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

/// The file name a transaction's `n`th receipt gets.
fn receipt_name(t: &WithReceipts, n: usize, ext: &str) -> String {
    let counterparty = file_slug(t.counterparty.as_deref().unwrap_or("transaction"));
    let amount = decimal(t.amount_cents.saturating_abs(), '.');
    let suffix = if n == 0 {
        String::new()
    } else {
        format!("-{}", n + 1)
    };
    format!(
        "{}-{counterparty}-{amount}{suffix}.{ext}",
        file_slug(&t.day)
    )
}

/// A transaction whose receipts are to be fetched: its organization (id, name) and the folder
/// they go to.
pub struct ReceiptJob {
    org_id: String,
    org_name: String,
    folder: std::path::PathBuf,
    transaction: WithReceipts,
}

/// The transactions of `orgs` in `period` that have receipts, each with the folder
/// `folder(organization name)` gives.
pub fn receipt_jobs(
    books: &Books,
    orgs: &[(String, String)],
    period: &Period,
    folder: &dyn Fn(&str) -> std::path::PathBuf,
) -> anyhow::Result<Vec<ReceiptJob>> {
    let mut jobs = Vec::new();
    for (org_id, org_name) in orgs {
        for transaction in books.with_receipts(org_id, period)? {
            jobs.push(ReceiptJob {
                org_id: org_id.clone(),
                org_name: super::reach::clean(org_name),
                folder: folder(org_name),
                transaction,
            });
        }
    }
    Ok(jobs)
}

/// Fetches and saves the receipts of `jobs`, a few at a time.
pub async fn fetch_receipts(api: &ApiClient, jobs: Vec<ReceiptJob>) -> (Vec<Saved>, Vec<String>) {
    let results: Vec<Vec<Result<Saved, String>>> = futures_util::stream::iter(jobs)
        .map(|job| async move {
            let ReceiptJob {
                org_id,
                org_name: name,
                folder,
                transaction: t,
            } = job;
            let files = match api.transaction_attachments(&org_id, &t.id).await {
                Ok(files) => files,
                Err(e) => return vec![Err(format!("{name}: the receipts of {}: {e}", t.id))],
            };
            let mut out = Vec::new();
            for (n, file) in files.iter().enumerate() {
                let Some(url) = file.url.as_deref() else {
                    continue;
                };
                let ext = extension(file.file_name.as_deref(), file.file_content_type.as_deref());
                let path = folder.join(receipt_name(&t, n, ext));
                let fetched = api
                    .download(url, MAX_FILE)
                    .await
                    .map_err(|e| format!("{name}: a receipt of {}: {e}", t.id));
                let result = match fetched {
                    Ok(bytes) => {
                        let p = path.clone();
                        let len = bytes.len();
                        tokio::task::spawn_blocking(move || save(&p, &bytes))
                            .await
                            .map_err(|e| e.to_string())
                            .and_then(|r| r.map_err(|e| e.to_string()))
                            .map_err(|e| format!("{}: {e}", path.display()))
                            .map(|()| Saved {
                                org_id: org_id.clone(),
                                path: path.display().to_string(),
                                bytes: len,
                                of: t.id.clone(),
                            })
                    }
                    Err(e) => Err(e),
                };
                out.push(result);
            }
            out
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut saved = Vec::new();
    let mut failed = Vec::new();
    for r in results.into_iter().flatten() {
        match r {
            Ok(s) => saved.push(s),
            Err(e) => failed.push(e),
        }
    }
    saved.sort_by(|a, b| a.path.cmp(&b.path));
    (saved, failed)
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
        assert_eq!(
            receipt_name(&t, 0, "pdf"),
            "2026-10-05-cafe-lumiere-paris-42.50.pdf"
        );
        assert_eq!(
            receipt_name(&t, 1, "jpg"),
            "2026-10-05-cafe-lumiere-paris-42.50-2.jpg"
        );
        assert_eq!(extension(Some("../../etc/passwd"), None), "bin");
        assert_eq!(extension(None, Some("image/png")), "png");
    }
}
