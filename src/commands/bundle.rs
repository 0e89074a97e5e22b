//! `qonto-tui export --bundle --output DIR`: what an accountant asks for at a month's end, per
//! organization and month. `DIR/ORGANIZATION/YYYY-MM/` holds what the local copy gives
//! (`transactions.csv` naming each row's receipts, `missing-receipts.csv`, the chosen format
//! beside them: `bundle_month.rs`), the statement PDFs and `receipts/` from Qonto, and a
//! `README.txt`; a month with none of them makes no folder.

use std::collections::HashMap;

use super::bundle_month::{month_files, readme};
use super::export::{EXIT_USAGE, ExportArgs, csv_style};
use super::files::{Layout, Place, Saved, existing, months, said, save};
use super::local::{Usage, open_copy, period};
use super::reach::Reach;
use super::receipts::{list_receipts, receipt_jobs, save_receipts};
use super::statements::save_statements;
use crate::config::Config;
use qonto_books::Period;
use qonto_books::export::Skipped;
use qonto_files::Placed;

/// The most months one bundle holds: ten years, the time French law keeps accounting records.
const MAX_MONTHS: usize = 120;

/// Each month from `first` to `last`, as a whole-month period with its `YYYY-MM`.
fn each_month(first: (i32, u32), last: (i32, u32)) -> Vec<(String, Period, (i32, u32))> {
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last && out.len() <= MAX_MONTHS {
        let name = format!("{y:04}-{m:02}");
        if let Ok(p) = period(None, None, Some(&name)) {
            out.push((name, p, (y, m)));
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

pub async fn run(config: &Config, args: ExportArgs) -> anyhow::Result<u8> {
    let usage = |e: String| {
        eprintln!("qonto-tui export --bundle: {e}");
        Ok(EXIT_USAGE)
    };
    let Some(dir) = args.output.clone() else {
        return usage("the bundle is a folder: give --output DIR".into());
    };
    let asked = match period(
        args.from.as_deref(),
        args.to.as_deref(),
        args.month.as_deref(),
    ) {
        Ok(p) => p,
        Err(Usage(e)) => return usage(e),
    };
    let Some((first, last)) = months(&asked) else {
        return usage("say which months: --month YYYY-MM, or --from and --to".into());
    };
    let months_asked = each_month(first, last);
    if months_asked.len() > MAX_MONTHS {
        return usage(format!(
            "a bundle holds at most {MAX_MONTHS} months ({} asked): split the period",
            months_asked.len()
        ));
    }
    let books = open_copy(config).await?;
    let known = books.read(|b| b.organization_ids()).await??;
    let orgs = match super::local::choose_orgs_reached(
        known,
        &super::local::logins(config),
        &args.orgs,
        args.all,
    ) {
        Ok(orgs) => orgs,
        Err(Usage(e)) => return usage(e),
    };
    let reach = Reach::open(config).await?;
    crate::sources::listing::list(&reach.api, &reach.sources)
        .await
        .map_err(crate::auth::explain)?;
    let style = match csv_style(&args, true) {
        Ok(style) => style,
        Err(Usage(e)) => return usage(e),
    };
    let place = match Layout::new(&dir, &orgs, existing(args.force)) {
        Ok(layout) => Place::new(layout, true),
        Err(e) => {
            eprintln!("qonto-tui export --bundle: {e}");
            return Ok(1);
        }
    };
    let mut saved: Vec<Saved> = Vec::new();
    let mut failed = Vec::new();
    let mut tallies: Vec<Tally> = orgs.iter().map(|(_, name)| Tally::new(name)).collect();
    let mut skipped: Vec<Skipped> = Vec::new();
    let job = Job {
        books: &books,
        reach: &reach,
        place: &place,
        style,
        format: args.chosen_format(),
        statuses: &args.status,
    };
    for (month, whole, key) in months_asked {
        for ((org_id, org_name), tally) in orgs.iter().zip(tallies.iter_mut()) {
            let done = one_month(&job, (org_id, org_name), &month, &whole, key, tally).await?;
            saved.extend(done.saved);
            skipped.extend(done.skipped);
            failed.extend(done.failed);
        }
    }
    let format = job.format;
    books.close().await;
    // The paths go to --json; a person gets one screen: a line per organization, then the whole.
    if args.json {
        crate::say!(
            "{}",
            serde_json::to_string(&saved).unwrap_or_else(|_| "[]".into())
        )?;
    }
    for f in &failed {
        eprintln!("qonto-tui: {f}");
    }
    for s in &skipped {
        eprintln!(
            "qonto-tui export --bundle: no {} for {} of {}: {}",
            format.name(),
            s.account,
            s.org_name,
            s.why
        );
    }
    if !args.json {
        let width = tallies
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(0);
        for t in tallies
            .iter()
            .filter(|t| t.months > 0 || t.statements + t.receipts > 0)
        {
            eprintln!("{}", t.line(width));
        }
        eprintln!("{}", said(&saved, failed.len(), "files", &dir));
    }
    Ok(match (saved.is_empty(), failed.is_empty()) {
        (_, false) => 1,
        (true, true) => 3,
        (false, true) if !skipped.is_empty() => 3,
        (false, true) => 0,
    })
}

/// What the bundle needs for every organization and month.
struct Job<'a> {
    books: &'a qonto_books::BooksHandle,
    reach: &'a Reach,
    place: &'a Place,
    style: qonto_books::export::CsvStyle,
    format: qonto_books::export::Format,
    statuses: &'a [String],
}

/// What one organization's month added.
struct MonthDone {
    saved: Vec<Saved>,
    failed: Vec<String>,
    skipped: Vec<Skipped>,
}

/// One organization's month: receipts listed and named first (so the CSV can name each row's
/// files), the local copy's files, the statements, the receipts, then the README saying what
/// the folder holds.
async fn one_month(
    job: &Job<'_>,
    (org_id, org_name): (&String, &String),
    month: &str,
    whole: &Period,
    key: (i32, u32),
    tally: &mut Tally,
) -> anyhow::Result<MonthDone> {
    let (style, format) = (job.style, job.format);
    let mut saved = Vec::new();
    let mut skipped = Vec::new();
    // Receipts are listed and named first, so the CSV can name each row's files.
    let pair = (org_id.clone(), org_name.clone());
    let one = std::slice::from_ref(&pair);
    let (owned, period_of_month, m) = (one.to_vec(), whole.clone(), month.to_string());
    let jobs = job
        .books
        .read(move |books| receipt_jobs(books, &owned, &period_of_month, &m))
        .await??;
    let (receipt_files, mut month_failed) = list_receipts(&job.reach.api, jobs).await;
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    for file in &receipt_files {
        names
            .entry(file.transaction.clone())
            .or_default()
            .push(format!("receipts/{}", file.name));
    }
    let (id, statuses, period) = (org_id.clone(), job.statuses.to_vec(), whole.clone());
    let made = job
        .books
        .read(move |books| month_files(books, &id, &period, &statuses, style, format, &names))
        .await?;
    let made = match made {
        Ok(made) => made,
        Err(e) => {
            month_failed.push(format!(
                "{}: the {month} transactions: {e}",
                super::reach::clean(org_name)
            ));
            None
        }
    };
    if let Some(m) = &made {
        tally.months += 1;
        tally.transactions += m.transactions;
        tally.missing += m.missing_receipts;
        for (name, bytes) in &m.files {
            match save_in_month(job.place, org_id, month, name, bytes.clone()).await {
                Ok(placed) => saved.push(Saved::new(
                    org_id,
                    &placed,
                    bytes.len(),
                    format!("{month}: {name}"),
                )),
                Err(e) => month_failed.push(format!(
                    "{}: {month}/{name}: {e}",
                    super::reach::clean(org_name)
                )),
            }
        }
    }
    let (s, f) = save_statements(&job.reach.api, one, key, key, job.place).await;
    tally.statements += s.len();
    let statements = s.len();
    saved.extend(s);
    month_failed.extend(f);
    let (s, f) = save_receipts(&job.reach.api, receipt_files, job.place).await;
    tally.receipts += s.len();
    let receipts = s.len();
    saved.extend(s);
    month_failed.extend(f);
    // The month's README says what its folder holds; a month with nothing has none.
    if made.is_some() || statements + receipts > 0 {
        let text = readme(
            &super::reach::clean(org_name),
            month,
            made.as_ref(),
            statements,
            receipts,
            &month_failed,
        );
        let bytes = text.clone().into_bytes();
        match save_in_month(job.place, org_id, month, "README.txt", bytes).await {
            Ok(placed) => saved.push(Saved::new(
                org_id,
                &placed,
                text.len(),
                format!("{month}: README.txt"),
            )),
            Err(e) => month_failed.push(format!(
                "{}: {month}/README.txt: {e}",
                super::reach::clean(org_name)
            )),
        }
    }
    if let Some(m) = &made {
        skipped.extend(m.skipped.iter().cloned());
    }
    Ok(MonthDone {
        saved,
        failed: month_failed,
        skipped,
    })
}

/// Saves `bytes` as `name` in `org_id`'s folder of `month`, on a blocking thread: files are
/// never written on the async workers.
async fn save_in_month(
    place: &Place,
    org_id: &str,
    month: &str,
    name: &str,
    bytes: Vec<u8>,
) -> anyhow::Result<Placed> {
    let (place, org_id, month, name) = (
        place.clone(),
        org_id.to_string(),
        month.to_string(),
        name.to_string(),
    );
    tokio::task::spawn_blocking(move || {
        let folder = place.statements(&org_id, &month)?;
        Ok(save(&folder, &name, &bytes, place.existing())?)
    })
    .await?
}

/// What the bundle holds for one organization.
struct Tally {
    name: String,
    months: usize,
    transactions: usize,
    missing: usize,
    statements: usize,
    receipts: usize,
}

impl Tally {
    fn new(name: &str) -> Self {
        Tally {
            name: super::reach::clean(name),
            months: 0,
            transactions: 0,
            missing: 0,
            statements: 0,
            receipts: 0,
        }
    }

    /// `  Atelier Laurent   2 months  412 transactions  2 statements  57 receipts  3 missing`
    fn line(&self, width: usize) -> String {
        let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
        format!(
            "  {:<width$}  {:>9}  {:>16}  {:>13}  {:>12}  {} missing",
            self.name,
            plural(self.months, "month"),
            plural(self.transactions, "transaction"),
            plural(self.statements, "statement"),
            plural(self.receipts, "receipt"),
            self.missing,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_run_across_the_year_end() {
        let names: Vec<String> = each_month((2025, 11), (2026, 2))
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
        assert_eq!(names, ["2025-11", "2025-12", "2026-01", "2026-02"]);
    }
}
