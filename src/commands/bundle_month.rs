//! One organization's month in a bundle, made from the local copy: `transactions.csv` with
//! each row's receipt files, `missing-receipts.csv`, the transactions in the chosen format
//! beside them (OFX, camt.053 or JSON lines), and the month's `README.txt` saying what is there.

use std::collections::{BTreeMap, HashMap};

use qonto_books::export::shape::{OnlyMissingReceipts, WithReceiptFiles};
use qonto_books::export::{
    CsvStyle, ExportError, Format, Skipped, accounts, cannot_write, export_accounts, money, sink,
};
use qonto_books::{Books, Period};

/// What the local copy gives a month's folder.
pub struct MonthFiles {
    /// Each file's name and bytes, in the order they are listed in `README.txt`.
    pub files: Vec<(String, Vec<u8>)>,
    pub transactions: usize,
    pub missing_receipts: usize,
    /// The signed sum per currency, in cents.
    pub totals_cents: BTreeMap<String, i64>,
    /// Accounts the chosen format could not hold (a role that hides balances).
    pub skipped: Vec<Skipped>,
}

/// The date OFX and camt.053 documents of the month carry: the month's end, or today's start
/// for a month not over. Stable, so that a bundle made again finds its files `unchanged`.
fn document_date(period: &Period) -> chrono::DateTime<chrono::Utc> {
    let today = chrono::Utc::now()
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    period
        .until
        .as_deref()
        .and_then(|u| chrono::NaiveDate::parse_from_str(u, "%Y-%m-%d").ok())
        .map(|u| u.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_or(today, |end| end.min(today))
}

/// The file the chosen format adds beside the CSV, if it adds one.
fn beside_csv(format: Format) -> Option<String> {
    match format {
        Format::Csv => None,
        Format::Json => Some("transactions.jsonl".into()),
        Format::Ofx(_) => Some("statement.ofx".into()),
        Format::Camt053(v) => Some(format!("statement.camt053.001.{}.xml", v.number())),
    }
}

/// The month's files for `org_id`, or `None` when it holds no transaction (no folder then).
/// `receipt_files` gives each transaction's receipts as saved (`receipts/NAME`).
pub fn month_files(
    books: &Books,
    org_id: &str,
    period: &Period,
    statuses: &[String],
    style: CsvStyle,
    format: Format,
    receipt_files: &HashMap<String, Vec<String>>,
) -> Result<Option<MonthFiles>, ExportError> {
    let now = document_date(period);
    let org = [org_id.to_string()];
    let heads = accounts(books, &org, period)?;

    let mut csv = Vec::new();
    let written = {
        let mut out = sink(Format::Csv, style, Box::new(&mut csv), now)?;
        let mut named = WithReceiptFiles {
            sink: out.as_mut(),
            files: receipt_files,
        };
        export_accounts(
            books,
            Format::Csv,
            heads.clone(),
            period,
            statuses,
            &mut named,
        )?
    };
    if written.transactions == 0 {
        return Ok(None);
    }
    let mut missing = Vec::new();
    let missing_receipts = {
        let mut out = sink(Format::Csv, style, Box::new(&mut missing), now)?;
        let mut only = OnlyMissingReceipts {
            sink: out.as_mut(),
            passed: 0,
        };
        export_accounts(
            books,
            Format::Csv,
            heads.clone(),
            period,
            statuses,
            &mut only,
        )?;
        only.passed
    };
    let mut files = vec![
        ("transactions.csv".to_string(), csv),
        ("missing-receipts.csv".to_string(), missing),
    ];
    let mut skipped = Vec::new();
    if let Some(name) = beside_csv(format) {
        let (fit, cannot): (Vec<_>, Vec<_>) = heads
            .into_iter()
            .partition(|h| cannot_write(format, h).is_none());
        skipped.extend(cannot.iter().filter_map(|h| cannot_write(format, h)));
        if !fit.is_empty() {
            let mut bytes = Vec::new();
            {
                let mut out = sink(format, style, Box::new(&mut bytes), now)?;
                let mut named = WithReceiptFiles {
                    sink: out.as_mut(),
                    files: receipt_files,
                };
                export_accounts(books, format, fit, period, statuses, &mut named)?;
            }
            files.push((name, bytes));
        }
    }
    Ok(Some(MonthFiles {
        files,
        transactions: written.transactions,
        missing_receipts,
        totals_cents: written.totals_cents,
        skipped,
    }))
}

/// The month's `README.txt`: what the folder holds and what was left out, in plain words.
/// Nothing in it changes from run to run unless the books do, so a bundle made again is
/// `unchanged`.
pub fn readme(
    org_name: &str,
    month: &str,
    files: Option<&MonthFiles>,
    statements: usize,
    receipts: usize,
    failed: &[String],
) -> String {
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let mut text = format!("{org_name} - {month}\n\n");
    match files {
        Some(m) => {
            let totals: Vec<String> = m
                .totals_cents
                .iter()
                .map(|(currency, cents)| format!("{} {currency}", money::decimal(*cents, '.')))
                .collect();
            text += &format!(
                "{:<22}{}, net {}; each row's receipt_files names its receipts\n",
                "transactions.csv",
                plural(m.transactions, "transaction"),
                totals.join(", ")
            );
            text += &format!(
                "{:<22}{} that need a receipt and have none\n",
                "missing-receipts.csv",
                plural(m.missing_receipts, "transaction"),
            );
            for (name, _) in m.files.iter().skip(2) {
                text += &format!("{name:<22}the same transactions, for accounting software\n");
            }
        }
        None => text += "No transaction this month.\n",
    }
    text += &format!("{:<22}{}\n", "statements (PDF)", plural(statements, "file"));
    text += &format!("{:<22}{}\n", "receipts/", plural(receipts, "file"));
    let skipped = files.map_or(&[][..], |m| &m.skipped[..]);
    if !skipped.is_empty() || !failed.is_empty() {
        text += "\nLeft out:\n";
        for s in skipped {
            text += &format!("- {} ({}): {}\n", s.account, s.org_name, s.why);
        }
        for f in failed {
            text += &format!("- {f}\n");
        }
    }
    text
}
