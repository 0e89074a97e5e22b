//! `qonto-tui export --bundle --output DIR`: what an accountant asks for at a month's end, per
//! organization and month: `DIR/ORGANIZATION/YYYY-MM/` holds the transactions CSV, the
//! statement PDFs and `receipts/`. The CSV comes from the local copy; statements and receipts
//! from Qonto.

use std::path::PathBuf;

use super::export::{EXIT_USAGE, ExportArgs, csv_style, write_file};
use super::files::{Saved, months, report};
use super::local::{Usage, choose_orgs, file_slug, open_copy, period};
use super::reach::Reach;
use super::receipts::{fetch_receipts, receipt_jobs};
use super::statements::save_statements;
use crate::config::Config;
use qonto_books::Period;
use qonto_books::export::Format;

/// Each month from `first` to `last`, as a whole-month period with its `YYYY-MM`.
fn each_month(first: (i32, u32), last: (i32, u32)) -> Vec<(String, Period, (i32, u32))> {
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last && out.len() < 1200 {
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
    let books = open_copy(config).await?;
    let known = books.read(|b| b.organization_ids()).await??;
    let orgs = match choose_orgs(known, &args.orgs, args.all) {
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
    let folder = |org: &str, month: &str| -> PathBuf { dir.join(file_slug(org)).join(month) };
    let mut saved: Vec<Saved> = Vec::new();
    let mut failed = Vec::new();
    for (month, whole, key) in each_month(first, last) {
        for (org_id, org_name) in &orgs {
            let path = folder(org_name, &month).join("transactions.csv");
            let (p, id) = (path.clone(), org_id.clone());
            let statuses = args.status.clone();
            let period = whole.clone();
            let written = books
                .read(move |books| {
                    write_file(
                        books,
                        Format::Csv,
                        style,
                        std::slice::from_ref(&id),
                        &period,
                        &statuses,
                        Some(&p),
                    )
                })
                .await?;
            match written {
                Ok(w) => saved.push(Saved {
                    org_id: org_id.clone(),
                    path: path.display().to_string(),
                    bytes: std::fs::metadata(&path).map_or(0, |m| m.len() as usize),
                    of: format!("{month}: {} transactions", w.transactions),
                }),
                Err(e) => failed.push(format!("{}: {e:#}", path.display())),
            }
            let pair = (org_id.clone(), org_name.clone());
            let one = std::slice::from_ref(&pair);
            let (s, f) = save_statements(&reach.api, one, key, key, &folder).await;
            saved.extend(s);
            failed.extend(f);
            let (one, whole, month, dir) =
                (one.to_vec(), whole.clone(), month.clone(), dir.clone());
            let jobs = books
                .read(move |books| {
                    receipt_jobs(books, &one, &whole, &|org| {
                        dir.join(file_slug(org)).join(&month).join("receipts")
                    })
                })
                .await??;
            let (s, f) = fetch_receipts(&reach.api, jobs).await;
            saved.extend(s);
            failed.extend(f);
        }
    }
    books.close().await;
    Ok(report(&saved, &failed, args.json, "files"))
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
