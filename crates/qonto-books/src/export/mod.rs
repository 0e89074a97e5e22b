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
    #[error(
        "the balance of {account} ({org}) is hidden for your role, and {format} states balances: export it as csv or json"
    )]
    BalanceHidden {
        account: String,
        org: String,
        format: String,
    },
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
    /// OFX 2.2 (XML): what most accounting software imports.
    Ofx,
    /// ISO 20022 camt.053.001.02 bank-to-customer statement (XML).
    Camt053,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "jsonl",
            Format::Ofx => "ofx",
            Format::Camt053 => "xml",
        }
    }

    /// Whether the format states balances, which a role that hides them cannot give.
    fn needs_balances(self) -> bool {
        matches!(self, Format::Ofx | Format::Camt053)
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
        Format::Ofx => Box::new(ofx::Ofx::start(out, now)?),
        Format::Camt053 => Box::new(camt053::Camt053::start(out, now)?),
    })
}

/// What an export wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub accounts: usize,
    pub transactions: usize,
    /// The signed sum of what was written, in cents, per currency.
    pub totals_cents: BTreeMap<String, i64>,
    /// The reader of standard output went away before the end (`| head`): not a failure.
    #[serde(skip)]
    pub reader_left: bool,
}

impl Written {
    pub fn add(&mut self, other: &Written) {
        self.accounts += other.accounts;
        self.transactions += other.transactions;
        for (currency, cents) in &other.totals_cents {
            *self.totals_cents.entry(currency.clone()).or_default() += cents;
        }
    }
}

/// Writes every account of `org_ids` and their transactions of `period` whose status is one
/// of `statuses` to `sink`, and finishes it.
pub fn export(
    books: &Books,
    format: Format,
    org_ids: &[String],
    period: &Period,
    statuses: &[String],
    sink: &mut dyn Sink,
) -> Result<Written, ExportError> {
    let mut written = Written::default();
    for org_id in org_ids {
        for head in books.export_accounts(org_id, period)? {
            if format.needs_balances() && head.closing_cents.is_none() {
                return Err(ExportError::BalanceHidden {
                    account: text::clean(&head.account_name, 80),
                    org: text::clean(&head.org_name, 80),
                    format: format!("{format:?}").to_lowercase(),
                });
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
