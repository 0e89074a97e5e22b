//! `qonto-tui search QUERY [--json]`: every organization's transactions that match, from the
//! local copy of the books (no request to Qonto), newest first; from the firm's books on
//! PostgreSQL when the config names them (`books`).

use qonto_books::values::{Side, Status};
use std::io::IsTerminal;

use super::reach::clean;
use crate::config::Config;
use qonto_books::query::{self, FILTERS};

/// Exit code when nothing matched (scripts test it; 1 stays "it failed").
pub const EXIT_NO_MATCH: u8 = 3;
/// Exit code when the query could not be read.
pub const EXIT_BAD_QUERY: u8 = 2;

pub async fn search(
    config: &Config,
    words: &[String],
    as_json: bool,
    limit: usize,
) -> anyhow::Result<u8> {
    let text = words.join(" ");
    let query = match query::parse(&text) {
        Ok(query) => query,
        Err(e) => {
            eprintln!(
                "qonto-tui: the search could not be read: {e}.\nFilters: {FILTERS}; amounts >1000, <50, 100..250; periods 2026-10, 2026-10-01..2026-10-15."
            );
            return Ok(EXIT_BAD_QUERY);
        }
    };
    let cap = if limit == 0 { usize::MAX >> 1 } else { limit };
    let (found, total) = match config.firm_reads() {
        // The firm's books (or their replica), as the staff member the address names:
        // PostgreSQL keeps them to the organizations granted to them.
        Some(url) => {
            let firm = qonto_books::firm::Firm::connect(url.expose()).await?;
            let mut found =
                qonto_books::firm::search::search(firm.client(), &query, cap.saturating_add(1))
                    .await?;
            let total = found.len();
            found.truncate(cap);
            (found, total)
        }
        None => {
            let books = crate::local_copy::open_to_read(config).await?;
            let answer = books
                .read(move |b| b.search(&query, cap, cap.saturating_add(1)))
                .await;
            books.close().await;
            answer??
        }
    };
    if as_json {
        let rows: Vec<serde_json::Value> = found
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(f).unwrap_or_default();
                clean_strings(&mut v);
                // One sign convention with `export` and `watch`: money out is negative.
                if let Some(cents) = f.tx.amount_cents {
                    let signed = if f.tx.side == Some(Side::Credit) {
                        cents.abs()
                    } else {
                        -cents.abs()
                    };
                    v["amount_cents"] = serde_json::json!(signed);
                }
                v
            })
            .collect();
        crate::say!("{}", serde_json::Value::Array(rows))?;
    } else {
        let locale = crate::locale::Locale::from_env(&|k| std::env::var(k).ok());
        for f in &found {
            let cents = f.tx.amount_cents.unwrap_or(0).abs();
            let signed = if f.tx.side == Some(Side::Credit) {
                cents
            } else {
                -cents
            };
            let receipt = if f.missing_receipt {
                "  no receipt"
            } else {
                ""
            };
            crate::say!(
                "{}  {:<24}  {:<28}  {:>14}  {}{receipt}",
                f.tx.settled_at
                    .as_deref()
                    .or(f.tx.emitted_at.as_deref())
                    .map(|d| clean(&d.chars().take(10).collect::<String>()))
                    .unwrap_or_default(),
                cut(&clean(f.org_name.as_deref().unwrap_or(&f.tx.org_id)), 24),
                cut(&clean(f.tx.counterparty.as_deref().unwrap_or("—")), 28),
                locale.signed_money(signed, f.tx.currency.as_deref().unwrap_or("EUR")),
                clean(f.tx.status.as_ref().map_or("", Status::as_str)),
            )?;
        }
        if std::io::stdout().is_terminal() || found.is_empty() {
            let more = if total > found.len() {
                format!(" (the newest {}; --limit 0 lists them all)", found.len())
            } else {
                String::new()
            };
            eprintln!("{} found{more}.", total.min(cap));
        }
    }
    Ok(if found.is_empty() { EXIT_NO_MATCH } else { 0 })
}

/// At most `width` characters.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Every string of a value stripped of control characters, C1 ones too, which JSON does not
/// escape (names and notes come from Qonto).
fn clean_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = qonto_client::printable::printable(s, 4_000),
        serde_json::Value::Array(items) => items.iter_mut().for_each(clean_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(clean_strings),
        _ => {}
    }
}
