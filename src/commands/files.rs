//! What `statements` and `receipts` share: the organizations and months asked for, files
//! written whole (aside, then renamed), and the list of what was saved, as text or JSON.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use super::local::{Usage, period};
use qonto_books::Period;

/// How many files are fetched at once (Qonto's rate budget is shared with everything else).
pub const AT_ONCE: usize = 4;
/// No file Qonto serves is larger than this (statements and receipts are PDFs and photos).
pub const MAX_FILE: usize = 50 * 1024 * 1024;

#[derive(Debug, Clone, clap::Args)]
pub struct FilesArgs {
    /// An organization, by id or by the beginning of its name (repeatable).
    #[arg(long = "org", value_name = "ID")]
    pub orgs: Vec<String>,
    /// Every organization.
    #[arg(long, conflicts_with = "orgs")]
    pub all: bool,
    /// A whole month (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to"])]
    pub month: Option<String>,
    /// The first month or day (YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// The last month or day, included (YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Where to save them, one folder per organization inside (default: the current one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Machine-readable: a JSON array of the files saved.
    #[arg(long)]
    pub json: bool,
}

impl FilesArgs {
    /// The period asked for; one must be.
    pub fn period(&self) -> Result<Period, Usage> {
        if self.month.is_none() && self.from.is_none() {
            return Err(Usage(
                "say which period: --month YYYY-MM, or --from and --to".into(),
            ));
        }
        period(
            self.from.as_deref(),
            self.to.as_deref(),
            self.month.as_deref(),
        )
    }
}

/// The first and last months `period` touches, as (year, month).
pub fn months(period: &Period) -> Option<((i32, u32), (i32, u32))> {
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let first = day(period.from.as_deref()?)?;
    let last = day(period.until.as_deref()?)?.pred_opt()?;
    Some(((first.year(), first.month()), (last.year(), last.month())))
}

/// One file saved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Saved {
    pub org_id: String,
    pub path: String,
    pub bytes: usize,
    /// What it is: the statement's month (`YYYY-MM`) or the receipt's transaction id.
    pub of: String,
}

/// Writes `bytes` to `path` whole: aside, then renamed over any earlier copy.
pub fn save(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut aside = path.as_os_str().to_owned();
    aside.push(".part");
    std::io::Write::write_all(
        &mut qonto_books::export::private_file(Path::new(&aside))?,
        bytes,
    )?;
    std::fs::rename(&aside, path)
}

/// Prints what was saved (paths, or JSON) and what failed, and says how it went: 0 all
/// saved, 3 nothing to save, 1 some failed (the rest are saved).
pub fn report(saved: &[Saved], failed: &[String], as_json: bool, what: &str) -> u8 {
    if as_json {
        println!(
            "{}",
            serde_json::to_string(saved).unwrap_or_else(|_| "[]".into())
        );
    } else {
        for s in saved {
            println!("{}", s.path);
        }
    }
    for f in failed {
        eprintln!("qonto-tui: {f}");
    }
    if std::io::stderr().is_terminal() && !as_json {
        let bytes: usize = saved.iter().map(|s| s.bytes).sum();
        eprintln!(
            "{} {what} saved ({:.1} MB){}.",
            saved.len(),
            bytes as f64 / 1e6,
            if failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed", failed.len())
            }
        );
    }
    match (saved.is_empty(), failed.is_empty()) {
        (_, false) => 1,
        (true, true) => 3,
        (false, true) => 0,
    }
}
