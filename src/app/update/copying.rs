//! Copying to the clipboard through the terminal (OSC 52, which works over SSH too): in a
//! transaction's detail `y` asks what to copy (`r` the row, `i` the IBAN, `a` the amount,
//! `d` the id); in the Transactions tab `y` copies the row under the cursor.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::msg::{Cmd, Effect};
use super::super::search_view::DetailView;
use super::super::state::{App, Notice, Tone};
use super::navigation::set_status;

/// A signed amount as a spreadsheet reads it: `-2998.78` (nothing when unknown).
fn plain_amount(cents: Option<i64>) -> String {
    cents
        .map(|c| {
            let sign = if c < 0 { "-" } else { "" };
            format!(
                "{sign}{}.{:02}",
                c.unsigned_abs() / 100,
                c.unsigned_abs() % 100
            )
        })
        .unwrap_or_default()
}

/// The day a transaction is booked under: settled, else made.
fn day(settled: Option<&str>, emitted: Option<&str>) -> String {
    settled
        .or(emitted)
        .and_then(|d| d.get(..10))
        .unwrap_or("")
        .to_string()
}

/// A row as a spreadsheet pastes it: date, counterparty, amount, currency, id, tab-separated.
fn row_text(
    date: &str,
    counterparty: &str,
    cents: Option<i64>,
    currency: &str,
    id: &str,
) -> String {
    let amount = plain_amount(cents);
    [date, counterparty, &amount, currency, id]
        .iter()
        .map(|f| f.replace(['\t', '\n', '\r'], " "))
        .collect::<Vec<_>>()
        .join("\t")
}

fn copied(app: &mut App, what: &str, text: String) -> Vec<Cmd> {
    set_status(
        app,
        Notice::Text(format!(
            "✓ Copied {what} (if your terminal allows OSC 52; else select it with the mouse)"
        )),
        Tone::Success,
    );
    vec![Effect::CopyToClipboard(text).into()]
}

/// The detail's `y`, and the key after it; `None`: not a copying key.
pub(super) fn detail_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let view = app.search.as_mut()?;
    let Some(DetailView::Ready(detail)) = &view.detail else {
        return None;
    };
    if !view.copying {
        if key.code == KeyCode::Char('y') && !key.modifiers.contains(KeyModifiers::CONTROL) {
            view.copying = true;
            set_status(
                app,
                Notice::Text("Copy: r the row · i the IBAN · a the amount · d the id".into()),
                Tone::Info,
            );
            return Some(Vec::new());
        }
        return None;
    }
    view.copying = false;
    let tx = &detail.tx;
    let currency = tx.currency.clone().unwrap_or_else(|| "EUR".into());
    let cents = tx.amount_cents.map(|c| {
        if tx.side == Some(qonto_books::values::Side::Credit) {
            c.abs()
        } else {
            -c.abs()
        }
    });
    let date = day(tx.settled_at.as_deref(), tx.emitted_at.as_deref());
    let (what, text) = match key.code {
        KeyCode::Char('r') => (
            "the row",
            row_text(
                &date,
                tx.counterparty.as_deref().unwrap_or(""),
                cents,
                &currency,
                &tx.id,
            ),
        ),
        KeyCode::Char('i') => match detail
            .counterparty_iban
            .clone()
            .or(detail.account_iban.clone())
        {
            Some(iban) => ("the IBAN", iban),
            None => {
                set_status(app, Notice::Text("No IBAN to copy.".into()), Tone::Info);
                return Some(Vec::new());
            }
        },
        KeyCode::Char('a') => ("the amount", plain_amount(cents)),
        KeyCode::Char('d') => ("the id", tx.id.clone()),
        _ => {
            set_status(app, Notice::Text("Nothing was copied.".into()), Tone::Info);
            return Some(Vec::new());
        }
    };
    Some(copied(app, what, text))
}

/// The Transactions tab's `y`: the row under the cursor.
pub(super) fn tab_row(app: &mut App, tx: &crate::app::listed::ListedTransaction) -> Vec<Cmd> {
    let date = day(tx.date(), None);
    let text = row_text(
        &date,
        tx.counterparty(),
        tx.signed_cents(),
        tx.currency(),
        tx.id().unwrap_or(""),
    );
    copied(app, "the row", text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_row_is_tab_separated_with_a_plain_signed_amount() {
        assert_eq!(
            super::row_text("2026-11-19", "URSSAF\tx", Some(-299_878), "EUR", "t1"),
            "2026-11-19\tURSSAF x\t-2998.78\tEUR\tt1"
        );
        assert_eq!(super::row_text("", "", Some(5), "", ""), "\t\t0.05\t\t");
    }
}
