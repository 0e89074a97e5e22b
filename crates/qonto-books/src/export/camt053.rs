//! ISO 20022 camt.053 (001.02, 001.04 or 001.08), the bank-to-customer statement: one `Stmt` per account with its
//! opening and closing booked balances and one `Ntry` per transaction (booked or pending),
//! the counterparty and its IBAN as the related party, Qonto's id as the servicer's reference.
//! Lengths and patterns follow the schema (a test validates each version against ISO's XSD).
//! The versions differ, for what is written here, in three places: the BIC's element (`BICFI`
//! from 001.04), the entry's status (a code inside `Cd` in 001.08) and a related party (inside
//! `Pty` in 001.08).

use std::io::{self, BufWriter, Write};

use chrono::{DateTime, NaiveDate, Utc};

use super::money::absolute;
use super::text::{day, xml};
use super::{CamtVersion, Sink};
use crate::values::{OperationType as Op, Status};
use crate::{AccountHead, ExportRow, Period};

/// Qonto's BIC: the servicer of every account exported.
const QONTO_BIC: &str = "QNTOFRP1XXX";

pub struct Camt053<'a> {
    out: BufWriter<Box<dyn Write + 'a>>,
    now: DateTime<Utc>,
    statements: usize,
    version: CamtVersion,
}

/// Whether `iban` fits the schema's IBAN pattern (`[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}`).
fn valid_iban(iban: &str) -> bool {
    let b = iban.as_bytes();
    b.len() >= 5
        && b.len() <= 34
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_alphanumeric)
}

fn compact(iban: Option<&str>) -> Option<String> {
    let iban: String = iban?.chars().filter(|c| !c.is_whitespace()).collect();
    valid_iban(&iban).then_some(iban)
}

/// A balance entry: `code` OPBD or CLBD, dated `date`.
fn balance(code: &str, cents: i64, currency: &str, date: &str) -> String {
    format!(
        "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">{}</Amt>\
         <CdtDbtInd>{}</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>\n",
        absolute(cents),
        if cents < 0 { "DBIT" } else { "CRDT" },
    )
}

/// ISO's bank transaction code (domain, family, sub-family) for Qonto's operation type.
fn domain_code(row: &ExportRow) -> Option<(&'static str, &'static str)> {
    let credit = row.amount_cents >= 0;
    Some(match (row.operation_type.as_ref()?, credit) {
        (Op::Transfer, false) => ("ICDT", "ESCT"),
        (Op::Transfer | Op::Income, true) => ("RCDT", "ESCT"),
        (Op::Card, false) => ("CCRD", "POSD"),
        (Op::Card, true) => ("CCRD", "RIMB"),
        (Op::DirectDebit, false) => ("IDDT", "ESDD"),
        (Op::DirectDebit, true) => ("RDDT", "ESDD"),
        _ => return None,
    })
}

/// A currency code as the schema wants it (three capitals), else EUR.
fn currency(code: &str) -> &str {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        code
    } else {
        "EUR"
    }
}

impl<'a> Camt053<'a> {
    pub fn start(
        out: Box<dyn Write + 'a>,
        now: DateTime<Utc>,
        version: CamtVersion,
    ) -> io::Result<Self> {
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{}\">\n\
             <BkToCstmrStmt>\n<GrpHdr><MsgId>QONTO-TUI-{}</MsgId><CreDtTm>{}</CreDtTm></GrpHdr>\n",
            version.number(),
            now.format("%Y%m%d%H%M%S%3f"),
            now.format("%Y-%m-%dT%H:%M:%S"),
        )?;
        Ok(Self {
            out,
            now,
            statements: 0,
            version,
        })
    }

    /// A party's name as the version nests it.
    fn party(&self, name: &str) -> String {
        let name = format!("<Nm>{}</Nm>", xml(name, 140));
        match self.version {
            CamtVersion::V02 | CamtVersion::V04 => name,
            CamtVersion::V08 => format!("<Pty>{name}</Pty>"),
        }
    }

    /// The period's first and last days (the last is the day before `until`).
    fn days(&self, period: &Period) -> (String, String) {
        let today = self.now.date_naive();
        // Only a real date reaches the file, whatever the period holds.
        let first = super::text::day(period.from.as_deref())
            .map_or_else(|| today.to_string(), str::to_string);
        let last = period
            .until
            .as_deref()
            .and_then(|u| NaiveDate::parse_from_str(u, "%Y-%m-%d").ok())
            .and_then(|u| u.pred_opt())
            .unwrap_or(today)
            .to_string();
        (first, last)
    }
}

impl Sink for Camt053<'_> {
    fn account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()> {
        self.statements += 1;
        let (first, last) = self.days(period);
        let ccy = currency(&head.currency);
        let bic = match self.version {
            CamtVersion::V02 => "BIC",
            CamtVersion::V04 | CamtVersion::V08 => "BICFI",
        };
        let id = match compact(head.iban.as_deref()) {
            Some(iban) => format!("<IBAN>{iban}</IBAN>"),
            None => format!("<Othr><Id>{}</Id></Othr>", xml(&head.account_id, 34)),
        };
        write!(
            self.out,
            "<Stmt><Id>{}-{}</Id><CreDtTm>{}</CreDtTm>\
             <FrToDt><FrDtTm>{first}T00:00:00</FrDtTm><ToDtTm>{last}T23:59:59</ToDtTm></FrToDt>\n\
             <Acct><Id>{id}</Id><Ccy>{ccy}</Ccy><Nm>{}</Nm><Ownr><Nm>{}</Nm></Ownr>\
             <Svcr><FinInstnId><{bic}>{QONTO_BIC}</{bic}></FinInstnId></Svcr></Acct>\n",
            first.replace('-', ""),
            self.statements,
            self.now.format("%Y-%m-%dT%H:%M:%S"),
            xml(&head.account_name, 70),
            xml(
                head.org_legal_name.as_deref().unwrap_or(&head.org_name),
                140
            ),
        )?;
        let opening = head.opening_cents.unwrap_or(0);
        let closing = head.closing_cents.unwrap_or(0);
        self.out
            .write_all(balance("OPBD", opening, ccy, &first).as_bytes())?;
        self.out
            .write_all(balance("CLBD", closing, ccy, &last).as_bytes())
    }

    fn row(&mut self, head: &AccountHead, row: &ExportRow) -> io::Result<()> {
        let ccy = currency(&row.currency);
        let credit = row.amount_cents >= 0;
        let code = if row.status == Status::Completed {
            "BOOK"
        } else {
            "PDNG"
        };
        let status = match self.version {
            CamtVersion::V02 | CamtVersion::V04 => code.to_string(),
            CamtVersion::V08 => format!("<Cd>{code}</Cd>"),
        };
        let booked = day(row.settled_at.as_deref()).or(day(row.emitted_at.as_deref()));
        let mut dates = booked
            .map(|b| format!("<BookgDt><Dt>{b}</Dt></BookgDt>"))
            .unwrap_or_default();
        if let Some(value) = day(row.settled_at.as_deref()) {
            dates += &format!("<ValDt><Dt>{value}</Dt></ValDt>");
        }
        let domain = domain_code(row)
            .map(|(family, sub)| {
                format!("<Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn>")
            })
            .unwrap_or_default();
        let proprietary = xml(row.operation_type.as_ref().map_or("other", Op::as_str), 35);
        // Qonto's ids are UUIDs, one character over the schema's 35: without their dashes
        // they fit, and stay what they were.
        let reference = xml(&row.id.replace('-', ""), 35);
        let end_to_end = row
            .reference
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| format!("<EndToEndId>{}</EndToEndId>", xml(r, 35)))
            .unwrap_or_default();
        let name = row
            .counterparty
            .as_deref()
            .or(row.label.as_deref())
            .filter(|n| !n.trim().is_empty());
        let party = name.map(|n| self.party(n)).unwrap_or_default();
        let their_account = compact(row.counterparty_iban.as_deref())
            .map(|iban| format!("<Id><IBAN>{iban}</IBAN></Id>"));
        let own = compact(head.iban.as_deref()).map(|iban| format!("<Id><IBAN>{iban}</IBAN></Id>"));
        // Who paid whom: on a credit the counterparty is the debtor, on a debit the creditor.
        let (debtor, debtor_account, creditor, creditor_account) = if credit {
            (party.clone(), their_account, String::new(), own)
        } else {
            (String::new(), own, party.clone(), their_account)
        };
        let mut parties = String::new();
        if !debtor.is_empty() {
            parties += &format!("<Dbtr>{debtor}</Dbtr>");
        }
        if let Some(a) = debtor_account {
            parties += &format!("<DbtrAcct>{a}</DbtrAcct>");
        }
        if !creditor.is_empty() {
            parties += &format!("<Cdtr>{creditor}</Cdtr>");
        }
        if let Some(a) = creditor_account {
            parties += &format!("<CdtrAcct>{a}</CdtrAcct>");
        }
        if !parties.is_empty() {
            parties = format!("<RltdPties>{parties}</RltdPties>");
        }
        let remittance = [row.reference.as_deref(), row.note.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" - ");
        let remittance = if remittance.is_empty() {
            String::new()
        } else {
            format!("<RmtInf><Ustrd>{}</Ustrd></RmtInf>", xml(&remittance, 140))
        };
        // From 001.04 a transaction's details repeat its amount and side (required in 001.04).
        let tx_amount = match self.version {
            CamtVersion::V02 => String::new(),
            CamtVersion::V04 | CamtVersion::V08 => format!(
                "<Amt Ccy=\"{ccy}\">{}</Amt><CdtDbtInd>{}</CdtDbtInd>",
                absolute(row.amount_cents),
                if credit { "CRDT" } else { "DBIT" }
            ),
        };
        let info = name
            .map(|n| format!("<AddtlNtryInf>{}</AddtlNtryInf>", xml(n, 500)))
            .unwrap_or_default();
        writeln!(
            self.out,
            "<Ntry><Amt Ccy=\"{ccy}\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Sts>{status}</Sts>{dates}\
             <AcctSvcrRef>{reference}</AcctSvcrRef>\
             <BkTxCd>{domain}<Prtry><Cd>{proprietary}</Cd><Issr>Qonto</Issr></Prtry></BkTxCd>\
             <NtryDtls><TxDtls><Refs><AcctSvcrRef>{reference}</AcctSvcrRef>{end_to_end}</Refs>\
             {tx_amount}{parties}{remittance}</TxDtls></NtryDtls>{info}</Ntry>",
            absolute(row.amount_cents),
            if credit { "CRDT" } else { "DBIT" },
        )
    }

    fn end_account(&mut self, _: &AccountHead, _: &Period) -> io::Result<()> {
        self.out.write_all(b"</Stmt>\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.write_all(b"</BkToCstmrStmt>\n</Document>\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ibans_of_the_schemas_pattern_are_written_as_ibans() {
        assert!(valid_iban("FR7616958000011234567890123"));
        assert!(!valid_iban("fr76"));
        assert!(!valid_iban("FR76 1695"));
        assert_eq!(
            compact(Some("FR76 1695 8000 0112 3456 7890 123")).as_deref(),
            Some("FR7616958000011234567890123")
        );
    }
}
