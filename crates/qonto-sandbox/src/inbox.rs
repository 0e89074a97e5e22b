//! A folder of receipts the sandbox makes from its own books, as a bookkeeper's inbox would hold
//! them: real PDFs with text for transactions that miss their receipt, written the way each
//! organization's country writes amounts and dates (French `1 234,56 EUR` and `19/11/2026`,
//! German `1.234,56 EUR` and `19.11.2026`, English `EUR 1,234.56` and `November 19, 2026`),
//! dated on the payment's day or up to two days before; and decoys that match nothing. Each file
//! says which transaction it belongs to: the truth a matcher is checked against.

use chrono::{DateTime, Duration, Utc};

use crate::api::files::pdf_lines;
use crate::data::{Org, Tx, TxStatus};
use crate::rng::SeededRng;
use crate::state::SandboxState;

/// One file of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxFile {
    pub name: String,
    pub bytes: Vec<u8>,
    /// The transaction it is the receipt of (`None`: a decoy).
    pub transaction: Option<String>,
}

/// How a country writes money and days.
#[derive(Clone, Copy)]
enum Style {
    French,
    German,
    English,
}

fn style(org: &Org) -> Style {
    match org.legal_country.as_str() {
        "DE" | "AT" => Style::German,
        "FR" | "BE" | "LU" => Style::French,
        _ => Style::English,
    }
}

fn grouped(units: i64, separator: &str) -> String {
    let digits = units.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

fn amount(cents: i64, style: Style) -> String {
    let (units, rest) = (cents / 100, cents % 100);
    match style {
        Style::French => format!("{},{rest:02} EUR", grouped(units, " ")),
        Style::German => format!("{},{rest:02} EUR", grouped(units, ".")),
        Style::English => format!("EUR {}.{rest:02}", grouped(units, ",")),
    }
}

fn date(at: DateTime<Utc>, style: Style) -> String {
    match style {
        Style::French => at.format("%d/%m/%Y").to_string(),
        Style::German => at.format("%d.%m.%Y").to_string(),
        Style::English => at.format("%B %-d, %Y").to_string(),
    }
}

fn receipt(org: &Org, merchant: &str, tx: &Tx, dated: DateTime<Utc>) -> Vec<u8> {
    let style = style(org);
    let (invoice, day, total) = match style {
        Style::French => ("Facture n", "Date :", "Total TTC :"),
        Style::German => ("Rechnung Nr.", "Datum:", "Gesamtbetrag:"),
        Style::English => ("Invoice No.", "Date:", "Total:"),
    };
    let mut lines = vec![
        merchant.to_string(),
        format!("{invoice} {}-{}", dated.format("%Y"), tx.number),
        format!("{day} {}", date(dated, style)),
        format!("Client: {}", org.legal_name),
        format!("{total} {}", amount(tx.amount_cents, style)),
    ];
    if let Some(card) = &tx.card_last_digits {
        lines.push(format!("Card **** {card}"));
    }
    pdf_lines(&lines.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Merchants no organization of the demo deals with.
const DECOYS: [&str; 6] = [
    "Cafe de la Gare",
    "Pharmacie Centrale",
    "Parking Vinci",
    "Bahnhofsbaeckerei",
    "Corner Shop Ltd",
    "Librairie Mollat",
];

/// Up to `count` receipts of transactions that miss one (spread over every organization), and
/// `decoys` that belong to none.
pub fn inbox(state: &SandboxState, count: usize, decoys: usize) -> Vec<InboxFile> {
    let data = &state.data;
    let mut rng = SeededRng::derive(data.options.seed, "inbox");
    let mut missing: Vec<(&Org, Tx)> = Vec::new();
    for org in &data.orgs {
        for account in &org.accounts {
            for tx in state.ledger(account).transactions.iter() {
                if tx.status == TxStatus::Completed
                    && crate::api::attachments::attachment_required(tx)
                    && crate::api::attachments::receipt_ids(state, tx).is_empty()
                {
                    missing.push((org, tx.clone()));
                }
            }
        }
    }
    // Spread the picks over the books: every n-th transaction that misses its receipt.
    let step = (missing.len() / count.max(1)).max(1);
    let mut files = Vec::new();
    for (org, tx) in missing.iter().step_by(step).take(count) {
        let merchant = data
            .counterparties
            .get(tx.counterparty)
            .map_or("Unknown", |c| c.name.as_str());
        let dated = tx.emitted_at - Duration::days(rng.range(0, 2));
        let name = format!(
            "{}-{}.pdf",
            merchant
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase(),
            tx.number
        );
        files.push(InboxFile {
            name,
            bytes: receipt(org, merchant, tx, dated),
            transaction: Some(tx.id.clone()),
        });
    }
    let anchor = data.options.anchor;
    for n in 0..decoys {
        let merchant = DECOYS[n % DECOYS.len()];
        let cents = rng.range(150, 4_999) + 7;
        let dated = anchor - Duration::days(rng.range(1, 120));
        let style = [Style::French, Style::German, Style::English][n % 3];
        files.push(InboxFile {
            name: format!("scan-{:03}.pdf", n + 1),
            bytes: pdf_lines(&[
                merchant,
                &format!("Ticket {}", 1000 + n),
                &date(dated, style),
                &format!("Total {}", amount(cents, style)),
                "Merci / Danke / Thank you",
            ]),
            transaction: None,
        });
    }
    files
}
