//! `qonto-tui statements`: every chosen organization's monthly statement PDFs for a period,
//! saved as `DIR/ORGANIZATION/YYYY-MM-ACCOUNT.pdf`, fetched a few at a time.

use futures_util::StreamExt;

use super::files::{
    AT_ONCE, FilesArgs, Layout, MAX_FILE, Place, Saved, existing, months, report, save,
};
use super::local::Usage;
use super::reach::Reach;
use crate::config::Config;
use crate::sources::listing;
use qonto_client::api::ApiClient;
use qonto_files::names;

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
    let orgs = match super::local::choose_orgs_reached(
        known,
        &super::local::logins(config),
        &args.orgs,
        args.all,
    ) {
        Ok(orgs) => orgs,
        Err(Usage(e)) => {
            eprintln!("qonto-tui statements: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let layout = match Layout::new(&args.dir, &orgs, existing(args.force)) {
        Ok(layout) => layout,
        Err(e) => {
            eprintln!("qonto-tui statements: {e}");
            return Ok(1);
        }
    };
    let place = Place::new(layout, false);
    let (saved, failed) = save_statements(&reach.api, &orgs, from, to, &place).await;
    Ok(report(&saved, &failed, args.json, "statements", &args.dir)?)
}

/// Fetches and saves every statement of `orgs` from month `from` to `to`, each in the folder
/// `place` gives, named `YYYY-MM-ACCOUNT-LAST4.pdf` (unique in the
/// organization); what was saved, and what could not be, said in a sentence each.
pub async fn save_statements(
    api: &ApiClient,
    orgs: &[(String, String)],
    from: (i32, u32),
    to: (i32, u32),
    place: &Place,
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
        let mut found = Vec::new();
        for s in statements {
            let (Some(file), Some(period)) = (s.file, s.period.as_deref()) else {
                continue;
            };
            let Some((month, year)) = period.split_once('-') else {
                continue;
            };
            let month = format!(
                "{}-{}",
                names::slug(year, "year"),
                names::slug(month, "month")
            );
            let account_id = s.bank_account_id.clone().unwrap_or_default();
            let account = accounts
                .iter()
                .find(|a| a.id == s.bank_account_id)
                .map(|a| {
                    // The IBAN's last four characters, counted as characters: the server's
                    // text is never cut by bytes.
                    let iban: Vec<char> = a.iban.as_deref().unwrap_or("").chars().collect();
                    let last4: String = iban[iban.len().saturating_sub(4)..].iter().collect();
                    format!(
                        "{}-{}",
                        names::slug(a.name.as_deref().unwrap_or("account"), "account"),
                        names::slug(&last4, "x")
                    )
                })
                .unwrap_or_else(|| names::slug(&account_id, "account"));
            found.push((
                format!("{month}/{account_id}"),
                format!("{month}-{account}"),
                month,
                file,
            ));
        }
        let file_names = names::distinct(
            found
                .iter()
                .map(|(key, stem, _, _)| (key.as_str(), stem.as_str(), "pdf")),
        );
        for ((_, _, month, file), file_name) in found.into_iter().zip(file_names) {
            jobs.push((org_id.clone(), name.clone(), month, file_name, file));
        }
    }
    let results: Vec<_> = futures_util::stream::iter(jobs)
        .map(|(org_id, name, month, file_name, file)| async move {
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
            let len = bytes.len();
            let (place, folder_month) = (place.clone(), month.clone());
            let org = org_id.clone();
            // Files are written on a blocking thread, never on the async workers.
            let placed = tokio::task::spawn_blocking(move || {
                let folder = place.statements(&org, &folder_month)?;
                save(&folder, &file_name, &bytes, place.existing())
            })
            .await
            .map_err(|e| format!("{name}: the {month} statement: {e}"))?
            .map_err(|e| format!("{name}: the {month} statement: {e}"))?;
            Ok(Saved::new(&org_id, &placed, len, month))
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
