//! `qonto-tui statements`: every chosen organization's monthly statement PDFs for a period,
//! saved as `DIR/ORGANIZATION/YYYY-MM-ACCOUNT.pdf`, fetched a few at a time.

use futures_util::StreamExt;

use super::files::{AT_ONCE, FilesArgs, MAX_FILE, Saved, months, report, save};
use super::local::{Usage, choose_orgs, file_slug};
use super::reach::Reach;
use crate::config::Config;
use crate::sources::listing;
use qonto_client::api::ApiClient;

/// Exit code for a mistake in what was asked.
const EXIT_USAGE: u8 = 2;

pub async fn run(config: &Config, args: FilesArgs) -> anyhow::Result<u8> {
    let period = match args.period() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("qonto-tui statements: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let Some((from, to)) = months(&period) else {
        eprintln!("qonto-tui statements: the period has no month");
        return Ok(EXIT_USAGE);
    };
    let reach = Reach::open(config).await?;
    let listing = listing::list(&reach.api, &reach.sources)
        .await
        .map_err(crate::auth::explain)?;
    let known = listing
        .orgs
        .iter()
        .map(|o| (o.id.clone(), o.display_name().to_string()))
        .collect();
    let orgs = match choose_orgs(known, &args.orgs, args.all) {
        Ok(orgs) => orgs,
        Err(Usage(e)) => {
            eprintln!("qonto-tui statements: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let dir = args.dir.clone();
    let folder = move |org: &str, _month: &str| dir.join(file_slug(org));
    let (saved, failed) = save_statements(&reach.api, &orgs, from, to, &folder).await;
    Ok(report(&saved, &failed, args.json, "statements"))
}

/// Fetches and saves every statement of `orgs` from month `from` to `to`, each in the folder
/// `folder(organization name, YYYY-MM)` gives; what was saved, and what could not be, said in a
/// sentence each.
pub async fn save_statements(
    api: &ApiClient,
    orgs: &[(String, String)],
    from: (i32, u32),
    to: (i32, u32),
    folder: &(dyn Fn(&str, &str) -> std::path::PathBuf + Sync),
) -> (Vec<Saved>, Vec<String>) {
    let mut jobs = Vec::new();
    let mut failed = Vec::new();
    for (org_id, org_name) in orgs {
        let name = super::reach::clean(org_name);
        let statements = match api.statements(org_id, from, to).await {
            Ok(s) => s,
            Err(e) => {
                failed.push(format!("{name}: the statements could not be listed: {e}"));
                continue;
            }
        };
        // Accounts by id, for names in the files'.
        let accounts = api
            .organization(org_id)
            .await
            .map(|o| o.bank_accounts)
            .unwrap_or_default();
        for s in statements {
            let (Some(file), Some(period)) = (s.file, s.period.as_deref()) else {
                continue;
            };
            let Some((month, year)) = period.split_once('-') else {
                continue;
            };
            let month = format!("{}-{}", file_slug(year), file_slug(month));
            let account = accounts
                .iter()
                .find(|a| a.id == s.bank_account_id)
                .map(|a| {
                    let iban = a.iban.as_deref().unwrap_or("");
                    let last4 = &iban[iban.len().saturating_sub(4)..];
                    format!(
                        "{}-{}",
                        file_slug(a.name.as_deref().unwrap_or("account")),
                        file_slug(last4)
                    )
                })
                .unwrap_or_else(|| file_slug(s.bank_account_id.as_deref().unwrap_or("account")));
            let path = folder(org_name, &month).join(format!("{month}-{account}.pdf"));
            jobs.push((org_id.clone(), name.clone(), month, path, file));
        }
    }
    let results: Vec<_> = futures_util::stream::iter(jobs)
        .map(|(org_id, name, month, path, file)| async move {
            let Some(url) = file.file_url.as_deref() else {
                return Err(format!("{name}: the {month} statement has no file"));
            };
            let bytes = api
                .download(url, MAX_FILE)
                .await
                .map_err(|e| format!("{name}: the {month} statement: {e}"))?;
            if let Some(size) = file.file_size
                && usize::try_from(size).ok() != Some(bytes.len())
            {
                return Err(format!(
                    "{name}: the {month} statement came with {} bytes of the {size} announced",
                    bytes.len()
                ));
            }
            let p = path.clone();
            let b = bytes.clone();
            tokio::task::spawn_blocking(move || save(&p, &b))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Saved {
                org_id,
                path: path.display().to_string(),
                bytes: bytes.len(),
                of: month,
            })
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
