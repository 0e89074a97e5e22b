//! `qonto-tui export`: every chosen organization's transactions of a period, from the local
//! copy, as CSV, JSON lines, OFX or camt.053; to standard output, one file, or one file per
//! organization. A file appears whole or not at all (written aside, then renamed).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::local::{Usage, open_copy, period};
use crate::config::Config;
use qonto_books::export::{
    CamtVersion, CsvStyle, Format, OfxText, Written, accounts, export_accounts, sink,
};
use qonto_books::{AccountHead, Books, Period};
use qonto_files::{Existing, Folder, Placed, names};

/// Exit code when the period holds no transaction (the files are still written), or when
/// accounts were left out (a role that hides balances, with OFX or camt.053).
pub const EXIT_NOTHING: u8 = 3;
/// Exit code for a mistake in what was asked.
pub const EXIT_USAGE: u8 = 2;

/// The formats as the command line names them (the engine's [`Format`] knows no clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Comma- or semicolon-separated values, as the locale's spreadsheet reads them.
    Csv,
    /// JSON lines: one transaction per line.
    Json,
    /// OFX 2.2 (XML): what most accounting software imports.
    Ofx,
    /// ISO 20022 camt.053 bank-to-customer statement (XML); the version is --camt-version.
    Camt053,
}

/// camt.053's schema versions as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CamtVersionArg {
    /// camt.053.001.02 (2009): what most accounting software reads.
    #[value(name = "02")]
    V02,
    /// camt.053.001.04: the version AqBanking detects by itself.
    #[value(name = "04")]
    V04,
    /// camt.053.001.08 (2019): what many banks now issue.
    #[value(name = "08")]
    V08,
}

impl ExportArgs {
    /// The engine's format for what the flags ask.
    pub fn chosen_format(&self) -> Format {
        match self.format {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Ofx => Format::Ofx(if self.ofx_ascii {
                OfxText::Ascii
            } else {
                OfxText::Utf8
            }),
            FormatArg::Camt053 => Format::Camt053(match self.camt_version {
                CamtVersionArg::V02 => CamtVersion::V02,
                CamtVersionArg::V04 => CamtVersion::V04,
                CamtVersionArg::V08 => CamtVersion::V08,
            }),
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// An organization: its id or the beginning of it, its API key's login, or the beginning
    /// of its name (repeatable).
    #[arg(long = "org", value_name = "ORG")]
    pub orgs: Vec<String>,
    /// Every organization in the local copy.
    #[arg(long, conflicts_with = "orgs")]
    pub all: bool,
    /// The first day: YYYY-MM-DD, or YYYY-MM for the month's first.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// The last day, included: YYYY-MM-DD, or YYYY-MM for the month's last.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// A whole month (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to"])]
    pub month: Option<String>,
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// OFX text folded to ASCII (é → e): for Odoo, whose OFX reader (ofxparse) takes an OFX 2
    /// file as ASCII and fails on any accent.
    #[arg(long)]
    pub ofx_ascii: bool,
    /// The camt.053 schema version (with --format camt053).
    #[arg(long, value_enum, value_name = "02|04|08", default_value = "02")]
    pub camt_version: CamtVersionArg,
    /// The file to write (default: standard output); with --per-org or --bundle, a directory.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// One file per organization in the --output directory, instead of one file with an
    /// organization column.
    #[arg(long)]
    pub per_org: bool,
    /// One file per account in the --output directory: with OFX and camt.053, one statement
    /// per document, for software that takes no more.
    #[arg(long, conflicts_with = "per_org")]
    pub per_account: bool,
    /// The statuses to include, comma-separated: completed, pending, declined.
    #[arg(long, value_delimiter = ',', default_value = "completed")]
    pub status: Vec<String>,
    /// CSV separator: `;`, `,` or `tab` (default: `;` where the locale's decimal mark is a
    /// comma, as a French spreadsheet expects).
    #[arg(long, value_name = "CHAR")]
    pub separator: Option<String>,
    /// CSV decimal mark: `,` or `.` (default: the locale's, from LC_ALL, LC_NUMERIC, LANG).
    #[arg(long, value_name = "CHAR")]
    pub decimal: Option<char>,
    /// CSV without the UTF-8 byte-order mark that files get by default (Excel needs it).
    #[arg(long)]
    pub no_bom: bool,
    /// Per organization and month, the transactions CSV, the statement PDFs and the receipts
    /// in one folder (--output DIR): what an accountant asks for at the month's end; with
    /// --format ofx, camt053 or json, that file too, beside the CSV.
    #[arg(long, conflicts_with_all = ["per_org", "per_account"])]
    pub bundle: bool,
    /// Machine-readable: what was written, as one JSON object on standard output (needs
    /// --output).
    #[arg(long)]
    pub json: bool,
    /// Replace a file already there with other content (without it, it is left as it is and
    /// the export stops saying so; a file with the same content is left either way).
    #[arg(long)]
    pub force: bool,
}

/// What was asked, checked.
struct Plan {
    orgs: Vec<(String, String)>,
    period: Period,
    statuses: Vec<String>,
    style: CsvStyle,
}

/// The CSV style the flags and the locale ask for; a file gets a byte-order mark.
pub(super) fn csv_style(args: &ExportArgs, to_file: bool) -> Result<CsvStyle, Usage> {
    let locale = crate::locale::Locale::from_env(&|k| std::env::var(k).ok());
    let decimal = args.decimal.unwrap_or(locale.decimal);
    if decimal != ',' && decimal != '.' {
        return Err(Usage(format!("--decimal {decimal:?}: write , or .")));
    }
    let mut style = CsvStyle::for_decimal(decimal, to_file && !args.no_bom);
    if let Some(sep) = args.separator.as_deref() {
        style.separator = match sep {
            ";" => ';',
            "," => ',',
            "tab" | "\t" => '\t',
            other => return Err(Usage(format!("--separator {other:?}: write ; , or tab"))),
        };
    }
    if style.separator == style.decimal {
        return Err(Usage(format!(
            "the separator and the decimal mark are both {:?}",
            style.decimal
        )));
    }
    Ok(style)
}

fn plan(books: &Books, args: &ExportArgs, logins: &[(String, String)]) -> anyhow::Result<Plan> {
    let period = period(
        args.from.as_deref(),
        args.to.as_deref(),
        args.month.as_deref(),
    )?;
    for s in &args.status {
        if !["completed", "pending", "declined"].contains(&s.as_str()) {
            return Err(Usage(format!("--status {s:?}: completed, pending or declined")).into());
        }
    }
    if args.json && args.output.is_none() {
        return Err(Usage("--json describes the files written: give --output".into()).into());
    }
    if args.per_org && args.output.is_none() {
        return Err(Usage("--per-org writes into a directory: give --output DIR".into()).into());
    }
    if args.per_account && args.output.is_none() {
        return Err(
            Usage("--per-account writes into a directory: give --output DIR".into()).into(),
        );
    }
    Ok(Plan {
        orgs: super::local::choose_orgs_reached(
            books.organization_ids()?,
            logins,
            &args.orgs,
            args.all,
        )?,
        period,
        statuses: args.status.clone(),
        style: csv_style(args, args.output.is_some())?,
    })
}

/// One file written.
#[derive(Debug, serde::Serialize)]
struct FileWritten {
    path: Option<String>,
    /// `created`, `replaced` (with --force) or `unchanged` (the same file was already there).
    #[serde(skip_serializing_if = "Option::is_none")]
    fate: Option<&'static str>,
    org_ids: Vec<String>,
    #[serde(flatten)]
    written: Written,
}

/// Where an export goes.
pub enum Output<'a> {
    Stdout,
    /// The file `name` in `folder`, written aside and put in place as `existing` says.
    File {
        folder: &'a Folder,
        name: &'a str,
        existing: Existing,
    },
}

/// Writes `format` for the accounts `heads` to `output`, whole or not at all; says what was
/// written and, for a file, where it went.
pub fn write_file(
    books: &Books,
    format: Format,
    style: CsvStyle,
    heads: Vec<AccountHead>,
    period: &Period,
    statuses: &[String],
    output: Output<'_>,
) -> anyhow::Result<(Written, Option<Placed>)> {
    let now = chrono::Utc::now();
    let Output::File {
        folder,
        name,
        existing,
    } = output
    else {
        let stdout = std::io::stdout().lock();
        let mut sink = sink(format, style, Box::new(stdout), now)?;
        return match export_accounts(books, format, heads, period, statuses, sink.as_mut()) {
            // The reader stopped early (`| head`): what it wanted, it has.
            Err(e) if e.is_broken_pipe() => Ok((
                Written {
                    reader_left: true,
                    ..Written::default()
                },
                None,
            )),
            other => Ok((other?, None)),
        };
    };
    // Dropped on an error before it is placed, the file aside is removed.
    let mut file = folder.create(name)?;
    let mut sink = sink(format, style, Box::new(&mut file), now)?;
    let written = export_accounts(books, format, heads, period, statuses, sink.as_mut())?;
    drop(sink);
    let placed = file.place(existing)?;
    Ok((written, Some(placed)))
}

/// The folder and the name `--output PATH` asks for: the user's folder is taken as it is;
/// the name must be a file's.
fn output_file(path: &Path) -> anyhow::Result<(Folder, String)> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|_| !path.as_os_str().to_string_lossy().ends_with('/'))
        .ok_or_else(|| Usage(format!("--output {}: give a file's path", path.display())))?;
    let folder = Folder::open(path.parent().unwrap_or(Path::new("")))?;
    Ok((folder, name.to_string()))
}

/// One file of a directory export: its name's stem, unique among the others by `key`, and the
/// accounts it holds.
struct Part {
    key: String,
    stem: String,
    org_ids: Vec<String>,
    heads: Vec<AccountHead>,
}

/// The files `--per-org` or `--per-account` makes of `heads` (the accounts that can be
/// written): one per organization that has any, or one per account.
fn parts(plan: &Plan, heads: Vec<AccountHead>, per_account: bool) -> Vec<Part> {
    let suffix = period_suffix(&plan.period);
    let org_slug = |id: &str| {
        let name = plan.orgs.iter().find(|(o, _)| o == id).map(|(_, n)| n);
        names::slug(name.map_or(id, String::as_str), "organization")
    };
    if per_account {
        return heads
            .into_iter()
            .map(|head| Part {
                key: head.account_id.clone(),
                stem: format!(
                    "{}-{}{suffix}",
                    org_slug(&head.org_id),
                    names::slug(&head.account_name, "account")
                ),
                org_ids: vec![head.org_id.clone()],
                heads: vec![head],
            })
            .collect();
    }
    let mut heads = heads;
    plan.orgs
        .iter()
        .filter_map(|(id, _)| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut heads)
                .into_iter()
                .partition(|h| &h.org_id == id);
            heads = rest;
            (!mine.is_empty()).then(|| Part {
                key: id.clone(),
                stem: format!("{}{suffix}", org_slug(id)),
                org_ids: vec![id.clone()],
                heads: mine,
            })
        })
        .collect()
}

pub async fn run(config: &Config, args: ExportArgs) -> anyhow::Result<u8> {
    let copy = open_copy(config).await?;
    let logins = super::local::logins(config);
    // The whole export runs on the books' thread, streaming rows from the database to the file.
    let answer = copy
        .read(move |books| -> anyhow::Result<u8> {
            let plan = match plan(books, &args, &logins) {
                Ok(plan) => plan,
                Err(e) if e.is::<Usage>() => {
                    eprintln!("qonto-tui export: {e}");
                    return Ok(EXIT_USAGE);
                }
                Err(e) => return Err(e),
            };
            let format = args.chosen_format();
            let ids: Vec<String> = plan.orgs.iter().map(|(id, _)| id.clone()).collect();
            // What this format cannot hold is set apart before any file is made, and said.
            let mut skipped = Vec::new();
            let heads: Vec<AccountHead> = accounts(books, &ids, &plan.period)?
                .into_iter()
                .filter(|head| match qonto_books::export::cannot_write(format, head) {
                    Some(why) => {
                        skipped.push(why);
                        false
                    }
                    None => true,
                })
                .collect();
            let existing = if args.force {
                Existing::Replace
            } else {
                Existing::Keep
            };
            let mut files = Vec::new();
            if args.per_org || args.per_account {
                let folder = Folder::open(args.output.as_deref().unwrap_or(Path::new("")))?;
                let parts = parts(&plan, heads, args.per_account);
                let file_names = names::distinct(
                    parts
                        .iter()
                        .map(|p| (p.key.as_str(), p.stem.as_str(), format.extension())),
                );
                for (part, name) in parts.into_iter().zip(&file_names) {
                    let (written, placed) = write_file(
                        books,
                        format,
                        plan.style,
                        part.heads,
                        &plan.period,
                        &plan.statuses,
                        Output::File {
                            folder: &folder,
                            name,
                            existing,
                        },
                    )?;
                    files.push(FileWritten {
                        path: placed.as_ref().map(|p| p.path.display().to_string()),
                        fate: placed.map(|p| p.fate.as_str()),
                        org_ids: part.org_ids,
                        written,
                    });
                }
            } else if !heads.is_empty() || skipped.is_empty() {
                let target = match args.output.as_deref().filter(|p| p.as_os_str() != "-") {
                    Some(path) => Some(output_file(path)?),
                    None => None,
                };
                let output = match &target {
                    Some((folder, name)) => Output::File {
                        folder,
                        name,
                        existing,
                    },
                    None => Output::Stdout,
                };
                let (written, placed) = write_file(
                    books,
                    format,
                    plan.style,
                    heads,
                    &plan.period,
                    &plan.statuses,
                    output,
                )?;
                files.push(FileWritten {
                    path: placed.as_ref().map(|p| p.path.display().to_string()),
                    fate: placed.map(|p| p.fate.as_str()),
                    org_ids: ids,
                    written,
                });
            }
            let mut all = Written::default();
            files.iter().for_each(|f| all.add(&f.written));
            all.skipped.extend(skipped);
            let to_file = args.output.as_deref().is_some_and(|p| p.as_os_str() != "-");
            if args.json {
                let summary = serde_json::json!({ "files": files, "transactions": all.transactions,
                "accounts": all.accounts, "totals_cents": all.totals_cents, "skipped": all.skipped });
                crate::say!("{summary}")?;
            } else if !files.iter().any(|f| f.written.reader_left) {
                // (A reader that left early, `| head`, has what it wanted: nothing to say.)
                let mut err = std::io::stderr();
                let _ = writeln!(err, "{}", said(&all, &plan, &args, files.len(), to_file));
            }
            for s in &all.skipped {
                let _ = writeln!(
                    std::io::stderr(),
                    "qonto-tui export: skipped {} of {}: {}",
                    s.account,
                    s.org_name,
                    s.why
                );
            }
            let left = files.iter().any(|f| f.written.reader_left);
            Ok(
                if (all.transactions == 0 && !left) || !all.skipped.is_empty() {
                    EXIT_NOTHING
                } else {
                    0
                },
            )
        })
        .await;
    copy.close().await;
    answer?
}

/// The one line that ends an export: how many, where, and what was left out.
fn said(all: &Written, plan: &Plan, args: &ExportArgs, files: usize, to_file: bool) -> String {
    let orgs = plan.orgs.len();
    let what = if all.transactions == 0 {
        format!("No transaction to export for {orgs} organizations in the period")
    } else {
        format!(
            "Exported {} transactions of {orgs} organizations ({} accounts)",
            all.transactions, all.accounts
        )
    };
    let out = args.output.as_deref().map(Path::display);
    let place = match (out, args.per_org || args.per_account, to_file) {
        (Some(dir), true, _) => format!(" into {dir} ({files} files)"),
        (Some(file), false, true) if files > 0 => format!(" to {file}"),
        (_, false, _) if files == 0 => ": nothing written".to_string(),
        _ => String::new(),
    };
    let skipped = match all.skipped.len() {
        0 => String::new(),
        n => format!("; {n} accounts skipped (below)"),
    };
    format!("{what}{place}{skipped}.")
}

/// `-2026-10-01-2026-10-31` for a file name, or nothing for an open period.
pub fn period_suffix(period: &Period) -> String {
    let last = period
        .until
        .as_deref()
        .and_then(|u| chrono::NaiveDate::parse_from_str(u, "%Y-%m-%d").ok())
        .and_then(|u| u.pred_opt());
    match (&period.from, last) {
        (Some(first), Some(last)) => format!("-{first}-{last}"),
        (Some(first), None) => format!("-from-{first}"),
        (None, Some(last)) => format!("-to-{last}"),
        (None, None) => String::new(),
    }
}
