//! Exports of the books for an accountant, from the local copy: CSV a spreadsheet opens as it
//! should, JSON lines for scripts, OFX 2 and camt.053 for accounting software. Each format is
//! a [`Sink`] fed one account at a time and one transaction at a time, so an export of any
//! size streams from the database to the file.

pub mod camt053;
pub mod csv;
pub mod jsonl;
pub mod money;
pub mod ofx;
pub mod rows;
pub mod shape;
mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use crate::{AccountHead, Books, BooksError, ExportRow, Period};

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Books(#[from] BooksError),
    /// Writing failed (a full disk, or a reader that went away: `ErrorKind::BrokenPipe`).
    #[error("the export could not be written: {0}")]
    Write(#[from] io::Error),
}

impl ExportError {
    /// Whether the reader of what was written went away (`| head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, ExportError::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// The file formats an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- or semicolon-separated values, as the locale's spreadsheet reads them.
    Csv,
    /// JSON lines: one transaction per line.
    Json,
    /// OFX 2.2 (XML): what most accounting software imports; its text as given.
    Ofx(OfxText),
    /// ISO 20022 camt.053 bank-to-customer statement (XML), in the schema version given.
    Camt053(CamtVersion),
}

/// How an OFX file carries text from Qonto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OfxText {
    /// UTF-8, as declared: GnuCash and KMyMoney (libofx), ofxtools and most software read it.
    #[default]
    Utf8,
    /// Folded to ASCII (`é` → `e`, `œ` → `oe`): for Odoo, whose reader (ofxparse) takes an OFX 2
    /// file as ASCII and fails on any other character.
    Ascii,
}

/// The versions of camt.053 written: 001.02 (2009, what most software reads), 001.04 (what
/// AqBanking detects) and 001.08 (2019, what many banks now issue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CamtVersion {
    #[default]
    V02,
    V04,
    V08,
}

impl CamtVersion {
    /// `02`, `04` or `08`, as in `camt.053.001.02`.
    pub fn number(self) -> &'static str {
        match self {
            CamtVersion::V02 => "02",
            CamtVersion::V04 => "04",
            CamtVersion::V08 => "08",
        }
    }
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "jsonl",
            Format::Ofx(_) => "ofx",
            Format::Camt053(_) => "xml",
        }
    }

    /// The format's name as the command line writes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ofx(_) => "ofx",
            Format::Camt053(_) => "camt053",
        }
    }

    /// Whether the format states balances, which a role that hides them cannot give.
    pub fn needs_balances(self) -> bool {
        matches!(self, Format::Ofx(_) | Format::Camt053(_))
    }
}

/// How a CSV is written: its separator, its decimal mark, and whether it starts with a
/// byte-order mark (what Excel needs to read UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvStyle {
    pub separator: char,
    pub decimal: char,
    pub bom: bool,
}

impl CsvStyle {
    /// What a spreadsheet of the locale expects: where the decimal mark is a comma, the
    /// separator is a semicolon.
    pub fn for_decimal(decimal: char, bom: bool) -> Self {
        Self {
            separator: if decimal == ',' { ';' } else { ',' },
            decimal,
            bom,
        }
    }
}

/// Where an export's accounts and transactions go.
pub trait Sink {
    /// An account's section begins (its statement, in OFX and camt.053).
    fn account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()>;
    fn row(&mut self, head: &AccountHead, row: &ExportRow) -> io::Result<()>;
    fn end_account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()>;
    /// Closes the document and flushes it.
    fn finish(&mut self) -> io::Result<()>;
}

/// The sink for `format`, writing to `out`; `now` dates the document.
pub fn sink<'a>(
    format: Format,
    style: CsvStyle,
    out: Box<dyn Write + 'a>,
    now: DateTime<Utc>,
) -> io::Result<Box<dyn Sink + 'a>> {
    Ok(match format {
        Format::Csv => Box::new(csv::Csv::start(out, style)?),
        Format::Json => Box::new(jsonl::JsonLines::new(out)),
        Format::Ofx(text) => Box::new(ofx::Ofx::start(out, now, text)?),
        Format::Camt053(version) => Box::new(camt053::Camt053::start(out, now, version)?),
    })
}

/// What an export wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub accounts: usize,
    pub transactions: usize,
    /// The signed sum of what was written, in cents, per currency.
    pub totals_cents: BTreeMap<String, i64>,
    /// Accounts left out because the format states balances the role hides.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// The reader of standard output went away before the end (`| head`): not a failure.
    #[serde(skip)]
    pub reader_left: bool,
}

/// An account an export left out, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub org_id: String,
    pub org_name: String,
    pub account: String,
    pub why: String,
}

impl Written {
    pub fn add(&mut self, other: &Written) {
        self.accounts += other.accounts;
        self.transactions += other.transactions;
        for (currency, cents) in &other.totals_cents {
            *self.totals_cents.entry(currency.clone()).or_default() += cents;
        }
        self.skipped.extend(other.skipped.iter().cloned());
    }
}

/// The accounts of `org_ids` with their balances at the ends of `period`, in that order.
pub fn accounts(
    books: &Books,
    org_ids: &[String],
    period: &Period,
) -> Result<Vec<AccountHead>, ExportError> {
    let mut heads = Vec::new();
    for org_id in org_ids {
        heads.extend(books.export_accounts(org_id, period)?);
    }
    Ok(heads)
}

/// Writes every account of `org_ids` and their transactions of `period` whose status is one
/// of `statuses` to `sink`, and finishes it. An account whose balances the role hides is left
/// out of a format that states balances, and said in [`Written::skipped`].
pub fn export(
    books: &Books,
    format: Format,
    org_ids: &[String],
    period: &Period,
    statuses: &[String],
    sink: &mut dyn Sink,
) -> Result<Written, ExportError> {
    let heads = accounts(books, org_ids, period)?;
    export_accounts(books, format, heads, period, statuses, sink)
}

/// Why `head` cannot be written in `format`, if it cannot.
pub fn cannot_write(format: Format, head: &AccountHead) -> Option<Skipped> {
    (format.needs_balances() && head.closing_cents.is_none()).then(|| Skipped {
        org_id: head.org_id.clone(),
        org_name: text::clean(&head.org_name, 80),
        account: text::clean(&head.account_name, 80),
        why: format!(
            "your role there hides balances, which {} states (csv and json do not)",
            format.name()
        ),
    })
}

/// [`export`] for the accounts `heads`.
pub fn export_accounts(
    books: &Books,
    format: Format,
    heads: Vec<AccountHead>,
    period: &Period,
    statuses: &[String],
    sink: &mut dyn Sink,
) -> Result<Written, ExportError> {
    let mut written = Written::default();
    for head in heads {
        if let Some(skipped) = cannot_write(format, &head) {
            written.skipped.push(skipped);
            continue;
        }
        sink.account(&head, period)?;
        written.accounts += 1;
        written.transactions +=
            books.export_transactions(&head.account_id, period, statuses, |row| {
                *written
                    .totals_cents
                    .entry(row.currency.clone())
                    .or_default() += row.amount_cents;
                sink.row(&head, &row).map_err(ExportError::from)
            })?;
        sink.end_account(&head, period)?;
    }
    sink.finish()?;
    Ok(written)
}

/// Writes the transactions `ids` (in that order; those no longer stored are skipped) to
/// `sink`, and finishes it: a list as the app shows it, whatever organizations it crosses.
pub fn export_ids(
    books: &Books,
    ids: &[String],
    sink: &mut dyn Sink,
) -> Result<Written, ExportError> {
    let mut written = Written::default();
    for id in ids {
        let Some((head, row)) = books.export_row(id)? else {
            continue;
        };
        *written
            .totals_cents
            .entry(row.currency.clone())
            .or_default() += row.amount_cents;
        written.transactions += 1;
        sink.row(&head, &row)?;
    }
    sink.finish()?;
    Ok(written)
}
