//! `qonto-tui export`: every chosen organization's transactions of a period, from the local
//! copy, as CSV, JSON lines, OFX or camt.053; to standard output, one file, or one file per
//! organization. A file appears whole or not at all (written aside, then renamed).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::local::{Usage, choose_orgs, open_copy, period};
use crate::config::Config;
use qonto_books::export::{CsvStyle, Format, Written, export, sink};
use qonto_books::{Books, Period};
use qonto_files::{Existing, Folder, Placed, names};

/// Exit code when the period holds no transaction (the files are still written).
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
    /// ISO 20022 camt.053.001.02 bank-to-customer statement (XML).
    Camt053,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Ofx => Format::Ofx,
            FormatArg::Camt053 => Format::Camt053,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// An organization, by id or by the beginning of its name (repeatable).
    #[arg(long = "org", value_name = "ID")]
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
    /// The file to write (default: standard output); with --per-org or --bundle, a directory.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// One file per organization in the --output directory, instead of one file with an
    /// organization column.
    #[arg(long)]
    pub per_org: bool,
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
    /// in one folder (--output DIR): what an accountant asks for at the month's end.
    #[arg(long, conflicts_with_all = ["per_org", "format"])]
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

fn plan(books: &Books, args: &ExportArgs) -> anyhow::Result<Plan> {
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
    Ok(Plan {
        orgs: choose_orgs(books.organization_ids()?, &args.orgs, args.all)?,
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

/// Writes `format` for `orgs` to `output`, whole or not at all; says what was written and,
/// for a file, where it went.
pub fn write_file(
    books: &Books,
    format: Format,
    style: CsvStyle,
    orgs: &[String],
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
        return match export(books, format, orgs, period, statuses, sink.as_mut()) {
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
    let written = export(books, format, orgs, period, statuses, sink.as_mut())?;
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

pub async fn run(config: &Config, args: ExportArgs) -> anyhow::Result<u8> {
    let copy = open_copy(config).await?;
    // The whole export runs on the books' thread, streaming rows from the database to the file.
    let answer = copy
        .read(move |books| -> anyhow::Result<u8> {
            let plan = match plan(books, &args) {
                Ok(plan) => plan,
                Err(e) if e.is::<Usage>() => {
                    eprintln!("qonto-tui export: {e}");
                    return Ok(EXIT_USAGE);
                }
                Err(e) => return Err(e),
            };
            let mut files = Vec::new();
            let existing = if args.force {
                Existing::Replace
            } else {
                Existing::Keep
            };
            if args.per_org {
                let folder = Folder::open(args.output.as_deref().unwrap_or(Path::new("")))?;
                let ext = Format::from(args.format).extension();
                let stems: Vec<String> = plan
                    .orgs
                    .iter()
                    .map(|(_, name)| {
                        let slug = names::slug(name, "organization");
                        format!("{slug}{}", period_suffix(&plan.period))
                    })
                    .collect();
                let file_names = names::distinct(
                    plan.orgs
                        .iter()
                        .zip(&stems)
                        .map(|((id, _), stem)| (id.as_str(), stem.as_str(), ext)),
                );
                for ((id, _), name) in plan.orgs.iter().zip(&file_names) {
                    let (written, placed) = write_file(
                        books,
                        args.format.into(),
                        plan.style,
                        std::slice::from_ref(id),
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
                        org_ids: vec![id.clone()],
                        written,
                    });
                }
            } else {
                let ids: Vec<String> = plan.orgs.iter().map(|(id, _)| id.clone()).collect();
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
                    args.format.into(),
                    plan.style,
                    &ids,
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
            if args.json {
                let summary = serde_json::json!({ "files": files, "transactions": all.transactions,
                "accounts": all.accounts, "totals_cents": all.totals_cents });
                crate::say!("{summary}")?;
            } else if std::io::stderr().is_terminal() {
                let to = match (&args.output, args.per_org) {
                    (Some(p), true) => format!(" into {} ({} files)", p.display(), files.len()),
                    (Some(p), false) => format!(" to {}", p.display()),
                    (None, _) => String::new(),
                };
                let mut err = std::io::stderr();
                let _ = writeln!(
                    err,
                    "Exported {} transactions of {} organizations ({} accounts){to}.",
                    all.transactions,
                    plan.orgs.len(),
                    all.accounts
                );
            }
            let left = files.iter().any(|f| f.written.reader_left);
            Ok(if all.transactions == 0 && !left {
                EXIT_NOTHING
            } else {
                0
            })
        })
        .await;
    copy.close().await;
    answer?
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
