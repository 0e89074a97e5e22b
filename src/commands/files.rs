//! What `statements`, `receipts` and the bundle share: the organizations and months asked
//! for, the folder laid out one sub-folder per organization (names unique by construction),
//! files written through `qonto-files`, and the list of what was saved, as text or JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use qonto_files::{Existing, FileError, Folder, Placed, names};

use chrono::{Datelike, NaiveDate};

use super::local::{Usage, period};
use qonto_books::Period;

/// How many files are fetched at once (Qonto's rate budget is shared with everything else).
pub const AT_ONCE: usize = 4;
/// No file Qonto serves is larger than this (statements and receipts are PDFs and photos).
pub const MAX_FILE: usize = 50 * 1024 * 1024;

#[derive(Debug, Clone, clap::Args)]
pub struct FilesArgs {
    /// An organization: its id or the beginning of it, its API key's login, or the beginning
    /// of its name (repeatable).
    #[arg(long = "org", value_name = "ORG")]
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
    /// Replace files already there with other content (without it they are left as they are
    /// and said to differ; a file with the same content is left as it is either way).
    #[arg(long)]
    pub force: bool,
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

/// The line that ends a command that saves files: how many, where, what became of them.
pub fn said(saved: &[Saved], failed: usize, what: &str, dir: &Path) -> String {
    let dir = super::reach::clean(&dir.display().to_string());
    let failed = match failed {
        0 => String::new(),
        n => format!("; {n} failed (above)"),
    };
    if saved.is_empty() {
        return format!(
            "No {what} saved into {dir}: none for the chosen organizations and period{failed}."
        );
    }
    let count = |fate: &str| saved.iter().filter(|s| s.fate == fate).count();
    let fates: Vec<String> = [
        ("created", "new"),
        ("unchanged", "already there"),
        ("replaced", "replaced"),
    ]
    .into_iter()
    .filter_map(|(fate, word)| match count(fate) {
        0 => None,
        n => Some(format!("{n} {word}")),
    })
    .collect();
    let bytes: usize = saved.iter().map(|s| s.bytes).sum();
    format!(
        "{} {what} saved into {dir} ({}; {}){failed}.",
        saved.len(),
        fates.join(", "),
        size(bytes),
    )
}

/// `812 kB` or `4.1 MB`.
fn size(bytes: usize) -> String {
    if bytes < 1_000_000 {
        format!("{} kB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

/// One file saved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Saved {
    pub org_id: String,
    pub path: String,
    pub bytes: usize,
    /// What it is: the statement's month (`YYYY-MM`) or the receipt's transaction id.
    pub of: String,
    /// `created`, `replaced` (with --force) or `unchanged` (the same file was already there).
    pub fate: &'static str,
}

impl Saved {
    pub fn new(org_id: &str, placed: &Placed, bytes: usize, of: String) -> Self {
        Saved {
            org_id: org_id.to_string(),
            path: placed.path.display().to_string(),
            bytes,
            of,
            fate: placed.fate.as_str(),
        }
    }
}

/// What to do with a file already at a name: `--force` replaces it.
pub fn existing(force: bool) -> Existing {
    if force {
        Existing::Replace
    } else {
        Existing::Keep
    }
}

/// The folder files go to: the user's, with one sub-folder per organization named after it
/// (`acme`, or `acme-1a2b3c4d` when two organizations' names would make the same folder).
pub struct Layout {
    root: Folder,
    org_folders: HashMap<String, String>,
    pub existing: Existing,
}

impl Layout {
    /// Opens (or makes) `dir` for `orgs` (id, name).
    pub fn new(
        dir: &Path,
        orgs: &[(String, String)],
        existing: Existing,
    ) -> Result<Self, FileError> {
        let slugs: Vec<String> = orgs
            .iter()
            .map(|(_, name)| names::slug(name, "organization"))
            .collect();
        let folders = names::distinct(
            orgs.iter()
                .zip(&slugs)
                .map(|((id, _), slug)| (id.as_str(), slug.as_str(), "")),
        );
        Ok(Layout {
            root: Folder::open(dir)?,
            org_folders: orgs.iter().map(|(id, _)| id.clone()).zip(folders).collect(),
            existing,
        })
    }

    /// The folder of organization `org_id`, and `below` inside it, made as needed.
    pub fn folder(&self, org_id: &str, below: &[&str]) -> Result<Folder, FileError> {
        let org = self
            .org_folders
            .get(org_id)
            .map_or("organization", String::as_str);
        self.root
            .descend(std::iter::once(org).chain(below.iter().copied()))
    }

    /// The folder the user gave.
    pub fn root(&self) -> &Folder {
        &self.root
    }

    /// The name organization `org_id`'s folder has.
    pub fn org_folder(&self, org_id: &str) -> &str {
        self.org_folders
            .get(org_id)
            .map_or("organization", String::as_str)
    }
}

/// Where a run puts statements and receipts: `ORG/` (and `ORG/receipts/`), or for a bundle
/// `ORG/YYYY-MM/` (and `ORG/YYYY-MM/receipts/`). Cheap to clone into a blocking task.
#[derive(Clone)]
pub struct Place {
    layout: std::sync::Arc<Layout>,
    by_month: bool,
}

impl Place {
    pub fn new(layout: Layout, by_month: bool) -> Self {
        Place {
            layout: std::sync::Arc::new(layout),
            by_month,
        }
    }

    /// The folder of `org_id`'s statements of `month` (`YYYY-MM`).
    pub fn statements(&self, org_id: &str, month: &str) -> Result<Folder, FileError> {
        if self.by_month {
            self.layout.folder(org_id, &[month])
        } else {
            self.layout.folder(org_id, &[])
        }
    }

    /// The folder of `org_id`'s receipts of `month` (`YYYY-MM`).
    pub fn receipts(&self, org_id: &str, month: &str) -> Result<Folder, FileError> {
        if self.by_month {
            self.layout.folder(org_id, &[month, "receipts"])
        } else {
            self.layout.folder(org_id, &["receipts"])
        }
    }

    pub fn existing(&self) -> Existing {
        self.layout.existing
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}

/// Writes `bytes` as `name` in `folder`, whole or not at all, as `existing` says.
pub fn save(
    folder: &Folder,
    name: &str,
    bytes: &[u8],
    existing: Existing,
) -> Result<Placed, FileError> {
    folder.write(name, bytes, existing)
}

/// Prints what was saved (paths, or JSON) and what failed, and says how it went: 0 all
/// saved, 3 nothing to save, 1 some failed (the rest are saved).
pub fn report(
    saved: &[Saved],
    failed: &[String],
    as_json: bool,
    what: &str,
    dir: &Path,
) -> Result<u8, super::out::OutError> {
    if as_json {
        crate::say!(
            "{}",
            serde_json::to_string(saved).unwrap_or_else(|_| "[]".into())
        )?;
    } else {
        for s in saved {
            crate::say!("{}", s.path)?;
        }
    }
    for f in failed {
        eprintln!("qonto-tui: {f}");
    }
    if !as_json {
        eprintln!("{}", said(saved, failed.len(), what, dir));
    }
    Ok(match (saved.is_empty(), failed.is_empty()) {
        (_, false) => 1,
        (true, true) => 3,
        (false, true) => 0,
    })
}
