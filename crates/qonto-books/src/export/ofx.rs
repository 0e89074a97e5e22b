//! OFX 2.2 (the XML form): one statement response per account, with its transactions, its
//! ledger balance at the period's end, and each transaction's Qonto id as `FITID`, so that
//! importing the same month twice adds nothing.

use std::io::{self, BufWriter, Write};

use chrono::{DateTime, NaiveDate, Utc};

use super::money::decimal;
use super::text::{day, xml};
use super::{OfxText, Sink};
use crate::values::OperationType as Op;
use crate::{AccountHead, ExportRow, Period};

pub struct Ofx<'a> {
    out: BufWriter<Box<dyn Write + 'a>>,
    /// Whether the bank message set has been opened (by the first account).
    opened: bool,
    statements: usize,
    now: DateTime<Utc>,
    text: OfxText,
}

/// `text` folded to ASCII: accents dropped, a few letters and signs spelled out, anything else
/// `?`.
fn ascii(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        match c {
            c if c.is_ascii() => out.push(c),
            c if unicode_normalization::char::is_combining_mark(c) => {}
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("OE"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            'ß' => out.push_str("ss"),
            'ø' => out.push('o'),
            'Ø' => out.push('O'),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            '€' => out.push_str("EUR"),
            '‘' | '’' | '‚' | '′' => out.push('\''),
            '“' | '”' | '„' | '«' | '»' => out.push('"'),
            '–' | '—' | '‐' | '−' => out.push('-'),
            c if c.is_whitespace() => out.push(' '),
            _ => out.push('?'),
        }
    }
    out
}

/// `YYYY-MM-DD` as OFX writes a date (`YYYYMMDD`).
fn ofx_day(day: &str) -> String {
    day.replace('-', "")
}

/// Where the account is: French IBANs carry the bank, branch, account number and key that
/// French accounting software matches on; others give the IBAN itself (cut to OFX's 22).
fn account_from(iban: Option<&str>, account_id: &str) -> String {
    let compact: String = iban
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let (bank, branch, number, key) = if compact.len() == 27 && compact.starts_with("FR") {
        (
            compact[4..9].to_string(),
            Some(compact[9..14].to_string()),
            compact[14..25].to_string(),
            Some(compact[25..27].to_string()),
        )
    } else if !compact.is_empty() {
        let tail = compact.len().saturating_sub(22);
        (
            compact[4.min(compact.len())..12.min(compact.len())].to_string(),
            None,
            compact[tail..].to_string(),
            None,
        )
    } else {
        let id: String = account_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        ("QONTO".into(), None, id.chars().take(22).collect(), None)
    };
    let mut out = format!("<BANKACCTFROM><BANKID>{}</BANKID>", xml(&bank, 9));
    if let Some(branch) = branch {
        out += &format!("<BRANCHID>{}</BRANCHID>", xml(&branch, 22));
    }
    out += &format!(
        "<ACCTID>{}</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE>",
        xml(&number, 22)
    );
    if let Some(key) = key {
        out += &format!("<ACCTKEY>{}</ACCTKEY>", xml(&key, 22));
    }
    out + "</BANKACCTFROM>"
}

/// OFX's transaction type for Qonto's operation type and side.
fn transaction_type(row: &ExportRow) -> &'static str {
    let credit = row.amount_cents >= 0;
    match row.operation_type {
        Some(Op::Card) if !credit => "POS",
        Some(Op::DirectDebit) if !credit => "DIRECTDEBIT",
        Some(Op::QontoFee) => "FEE",
        Some(Op::Transfer | Op::Income) => "XFER",
        _ if credit => "CREDIT",
        _ => "DEBIT",
    }
}

impl<'a> Ofx<'a> {
    pub fn start(out: Box<dyn Write + 'a>, now: DateTime<Utc>, text: OfxText) -> io::Result<Self> {
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
             <?OFX OFXHEADER=\"200\" VERSION=\"220\" SECURITY=\"NONE\" OLDFILEUID=\"NONE\" NEWFILEUID=\"NONE\"?>\n\
             <OFX>\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>\
             <DTSERVER>{}</DTSERVER><LANGUAGE>FRA</LANGUAGE></SONRS></SIGNONMSGSRSV1>\n",
            now.format("%Y%m%d%H%M%S")
        )?;
        Ok(Self {
            out,
            opened: false,
            statements: 0,
            now,
            text,
        })
    }

    /// Text from Qonto as this file carries it, escaped for XML and cut to `max` characters.
    fn text(&self, value: &str, max: usize) -> String {
        match self.text {
            OfxText::Utf8 => xml(value, max),
            OfxText::Ascii => xml(&ascii(value), max),
        }
    }
}

impl Sink for Ofx<'_> {
    fn account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()> {
        if !self.opened {
            self.out.write_all(b"<BANKMSGSRSV1>\n")?;
            self.opened = true;
        }
        self.statements += 1;
        let today = self.now.format("%Y%m%d").to_string();
        // Only a real date reaches the file, whatever the period holds.
        let start = day(period.from.as_deref())
            .map(ofx_day)
            .unwrap_or(today.clone());
        let end = day(period.until.as_deref()).map(ofx_day).unwrap_or(today);
        write!(
            self.out,
            "<STMTTRNRS><TRNUID>{}</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>\n\
             <STMTRS><CURDEF>{}</CURDEF>{}\n<BANKTRANLIST><DTSTART>{start}</DTSTART><DTEND>{end}</DTEND>\n",
            self.statements,
            self.text(&head.currency, 3),
            account_from(head.iban.as_deref(), &head.account_id),
        )
    }

    fn row(&mut self, _: &AccountHead, row: &ExportRow) -> io::Result<()> {
        let posted = day(row.settled_at.as_deref())
            .or(day(row.emitted_at.as_deref()))
            .map(ofx_day)
            .unwrap_or_default();
        let user = day(row.emitted_at.as_deref())
            .map(|d| format!("<DTUSER>{}</DTUSER>", ofx_day(d)))
            .unwrap_or_default();
        let name = row
            .counterparty
            .as_deref()
            .or(row.label.as_deref())
            .unwrap_or("Qonto");
        // ASCII between the parts: Odoo's OFX reader (ofxparse) fails on a whole file over one
        // em dash of ours, while Qonto's own text passes through as it is.
        let memo = [row.reference.as_deref(), row.note.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" - ");
        let memo = if memo.is_empty() {
            String::new()
        } else {
            format!("<MEMO>{}</MEMO>", self.text(&memo, 255))
        };
        writeln!(
            self.out,
            "<STMTTRN><TRNTYPE>{}</TRNTYPE><DTPOSTED>{posted}</DTPOSTED>{user}<TRNAMT>{}</TRNAMT>\
             <FITID>{}</FITID><NAME>{}</NAME>{memo}</STMTTRN>",
            transaction_type(row),
            decimal(row.amount_cents, '.'),
            self.text(&row.id, 255),
            self.text(name, 32),
        )
    }

    fn end_account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()> {
        // The balance as of the period's last day.
        let as_of = period
            .until
            .as_deref()
            .and_then(|u| NaiveDate::parse_from_str(u, "%Y-%m-%d").ok())
            .and_then(|u| u.pred_opt())
            .map(|d| d.format("%Y%m%d").to_string())
            .unwrap_or_else(|| self.now.format("%Y%m%d").to_string());
        writeln!(
            self.out,
            "</BANKTRANLIST>\n<LEDGERBAL><BALAMT>{}</BALAMT><DTASOF>{as_of}</DTASOF></LEDGERBAL>\n\
             </STMTRS></STMTTRNRS>",
            decimal(head.closing_cents.unwrap_or(0), '.'),
        )
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.opened {
            self.out.write_all(b"</BANKMSGSRSV1>\n")?;
        }
        self.out.write_all(b"</OFX>\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the export_writers fuzz target in CI: a transaction id outside ASCII reached an
    /// ASCII file as it was. Every text from outside goes through the file's text rule.
    #[test]
    fn an_ascii_file_is_ascii_whatever_the_ids() {
        let head = AccountHead {
            org_id: "o".into(),
            org_name: "o".into(),
            org_legal_name: None,
            account_id: "é".into(),
            account_name: "é".into(),
            iban: Some("ÉÉ".into()),
            currency: "€".into(),
            closing_cents: Some(1),
            opening_cents: Some(1),
        };
        let row = ExportRow {
            id: "\u{fffd}".into(),
            amount_cents: 1,
            currency: "€".into(),
            side: crate::values::Side::Credit,
            status: crate::values::Status::Completed,
            operation_type: None,
            counterparty: Some("é".into()),
            counterparty_iban: None,
            counterparty_bic: None,
            label: None,
            reference: Some("é".into()),
            note: Some("é".into()),
            category: None,
            emitted_at: None,
            settled_at: None,
            vat_amount_cents: None,
            vat_rate: None,
            cashflow_category: None,
            cashflow_subcategory: None,
            vat_lines: Vec::new(),
            card_last_digits: None,
            initiator: None,
            labels: Vec::new(),
            attachments: 0,
            missing_receipt: false,
            receipt_files: Vec::new(),
        };
        let period = Period {
            from: None,
            until: None,
        };
        let mut bytes = Vec::new();
        {
            let mut ofx = Ofx::start(Box::new(&mut bytes), Utc::now(), OfxText::Ascii)
                .unwrap_or_else(|e| panic!("{e}"));
            for step in [
                ofx.account(&head, &period),
                ofx.row(&head, &row),
                ofx.end_account(&head, &period),
                ofx.finish(),
            ] {
                step.unwrap_or_else(|e| panic!("{e}"));
            }
        }
        assert!(bytes.is_ascii(), "{}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn ascii_text_keeps_the_words() {
        assert_eq!(
            ascii("Café Lumière – Dîner d’équipe"),
            "Cafe Lumiere - Diner d'equipe"
        );
        assert_eq!(ascii("Œuvre Straße 5 €"), "OEuvre Strasse 5 EUR");
        assert_eq!(ascii("株式会社"), "????");
        assert!(ascii("ﬁ½x").is_ascii());
    }

    #[test]
    fn a_french_iban_gives_bank_branch_number_and_key() {
        let from = account_from(Some("FR76 1695 8000 0112 3456 7890 123"), "x");
        assert!(from.contains("<BANKID>16958</BANKID>"), "{from}");
        assert!(from.contains("<BRANCHID>00001</BRANCHID>"), "{from}");
        assert!(from.contains("<ACCTID>12345678901</ACCTID>"), "{from}");
        assert!(from.contains("<ACCTKEY>23</ACCTKEY>"), "{from}");
        let other = account_from(Some("DE89370400440532013000"), "x");
        assert!(
            other.contains("<ACCTID>DE89370400440532013000</ACCTID>"),
            "{other}"
        );
    }
}
