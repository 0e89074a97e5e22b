//! CSV as a spreadsheet of the user's locale reads it: its separator and decimal mark, UTF-8
//! with a byte-order mark when Excel is to open it, every text cell quoted as RFC 4180 says
//! and guarded against being read as a formula.

use std::io::{self, BufWriter, Write};

use super::money::decimal;
use super::text::{clean, day};
use super::{CsvStyle, Sink};
use crate::values::OperationType;
use crate::{AccountHead, ExportRow, Period};

/// The columns, in order (scripts read them by name).
/// `booked_on` is the day the period is chosen by and the screen shows (settled, else
/// emitted); `emitted_on` and `settled_on` are Qonto's two dates as they are.
pub const COLUMNS: [&str; 28] = [
    "organization",
    "organization_id",
    "account",
    "iban",
    "booked_on",
    "emitted_on",
    "settled_on",
    "counterparty",
    "counterparty_iban",
    "amount",
    "currency",
    "vat_rate",
    "vat_amount",
    "vat_lines",
    "side",
    "status",
    "type",
    "labels",
    "reference",
    "note",
    "category",
    "cashflow_category",
    "card_last_digits",
    "initiator",
    "receipts",
    "receipt_files",
    "missing_receipt",
    "transaction_id",
];

pub struct Csv<'a> {
    out: BufWriter<Box<dyn Write + 'a>>,
    style: CsvStyle,
}

impl<'a> Csv<'a> {
    pub fn start(out: Box<dyn Write + 'a>, style: CsvStyle) -> io::Result<Self> {
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        if style.bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut csv = Self { out, style };
        let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        csv.line(&header)?;
        Ok(csv)
    }

    fn line(&mut self, cells: &[String]) -> io::Result<()> {
        let mut separator = [0; 4];
        let separator = self.style.separator.encode_utf8(&mut separator);
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.write_all(separator.as_bytes())?;
            }
            self.out
                .write_all(quoted(cell, self.style.separator).as_bytes())?;
        }
        // RFC 4180 ends records with CRLF; every spreadsheet reads it.
        self.out.write_all(b"\r\n")
    }
}

/// A text cell from outside: cleaned, and kept from starting a formula (`=`, `+`, `-`, `@`)
/// by a leading apostrophe, as OWASP advises for CSV meant for spreadsheets.
fn text(value: Option<&str>) -> String {
    let value = clean(value.unwrap_or(""), 1_000);
    if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value
    }
}

/// `Operations / Software`: the cash-flow category and subcategory; empty when not filed.
fn cashflow(row: &ExportRow) -> String {
    [
        row.cashflow_category.as_deref(),
        row.cashflow_subcategory.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" / ")
}

/// The VAT lines as `10%: 4,55 / 20%: 3,90` (each rate and the VAT at it).
fn vat_lines(row: &ExportRow, mark: char) -> String {
    row.vat_lines
        .iter()
        .map(|line| {
            format!(
                "{}%: {}",
                line.rate
                    .map(|r| rate(r, mark))
                    .unwrap_or_else(|| "?".into()),
                line.vat_amount_cents
                    .map(|c| decimal(c, mark))
                    .unwrap_or_else(|| "?".into())
            )
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A VAT rate in percent with the locale's decimal mark: `20`, `5,5`, `2,1`.
fn rate(percent: f64, mark: char) -> String {
    if !percent.is_finite() {
        return String::new();
    }
    let text = format!("{:.2}", percent);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', &mark.to_string())
}

/// `cell` quoted when it holds the separator, a quote or a line break.
fn quoted(cell: &str, separator: char) -> String {
    if cell.contains([separator, '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

impl Sink for Csv<'_> {
    fn account(&mut self, _: &AccountHead, _: &Period) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, head: &AccountHead, row: &ExportRow) -> io::Result<()> {
        let mark = self.style.decimal;
        let cells = [
            text(Some(&head.org_name)),
            text(Some(&head.org_id)),
            text(Some(&head.account_name)),
            text(head.iban.as_deref()),
            row.booked_on().unwrap_or("").to_string(),
            day(row.emitted_at.as_deref()).unwrap_or("").to_string(),
            day(row.settled_at.as_deref()).unwrap_or("").to_string(),
            text(row.counterparty.as_deref()),
            text(row.counterparty_iban.as_deref()),
            decimal(row.amount_cents, mark),
            text(Some(&row.currency)),
            row.vat_rate.map(|r| rate(r, mark)).unwrap_or_default(),
            row.vat_amount_cents
                .map(|v| decimal(v, mark))
                .unwrap_or_default(),
            vat_lines(row, mark),
            text(Some(row.side.as_str())),
            text(Some(row.status.as_str())),
            text(row.operation_type.as_ref().map(OperationType::as_str)),
            text(Some(&row.labels.join(", "))),
            text(row.reference.as_deref()),
            text(row.note.as_deref()),
            text(row.category.as_deref()),
            text(Some(&cashflow(row))),
            text(row.card_last_digits.as_deref()),
            text(row.initiator.as_deref()),
            row.attachments.to_string(),
            text(Some(&row.receipt_files.join(" "))),
            if row.missing_receipt { "yes" } else { "no" }.to_string(),
            text(Some(&row.id)),
        ];
        self.line(&cells)
    }

    fn end_account(&mut self, _: &AccountHead, _: &Period) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_kept_from_formulas() {
        assert_eq!(quoted("a;b", ';'), "\"a;b\"");
        assert_eq!(quoted("say \"hi\"", ','), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("a,b", ';'), "a,b");
        assert_eq!(text(Some("=HYPERLINK(\"x\")")), "'=HYPERLINK(\"x\")");
        assert_eq!(text(Some("-2+3")), "'-2+3");
        assert_eq!(text(Some("URSSAF\u{1b}[31m")), "URSSAF[31m");
        assert_eq!(rate(20.0, ','), "20");
        assert_eq!(rate(5.5, ','), "5,5");
        assert_eq!(rate(2.1, '.'), "2.1");
        assert_eq!(rate(f64::NAN, '.'), "");
    }
}
