//! The MCP tools' answers as JSON: amounts as signed decimals beside their cents (money out
//! negative, as `export` and `search --json` write them), dates as Qonto gives them, every
//! string bounded and stripped of control characters, IBANs and card digits masked unless the
//! config says otherwise.

use qonto_books::values::Side;
use qonto_books::{Detail, Found, TxRow};
use serde_json::{Value, json};

use super::mask;
use super::orgs::ShownOrg;

/// Characters kept of a free-text field (a note, a reference).
const TEXT_CHARS: usize = 500;

/// How strings are written out: bounded, printable, masked or not.
#[derive(Debug, Clone, Copy)]
pub struct Writer {
    pub mask: bool,
}

impl Writer {
    /// Free text from the books: bounded, printable, IBAN-shaped runs masked.
    pub fn text(&self, text: Option<&str>) -> Value {
        match text {
            None => Value::Null,
            Some(t) => {
                let clean = qonto_client::printable::printable(t, TEXT_CHARS);
                Value::String(if self.mask {
                    mask::ibans_in(&clean)
                } else {
                    clean
                })
            }
        }
    }

    fn iban(&self, iban: Option<&str>) -> Value {
        match iban {
            None => Value::Null,
            Some(i) if self.mask => Value::String(mask::iban(i)),
            Some(i) => Value::String(qonto_client::printable::printable(i, 64)),
        }
    }

    fn card(&self, digits: Option<&str>) -> Value {
        match digits {
            None => Value::Null,
            Some(d) if self.mask => Value::String(mask::card(d)),
            Some(d) => Value::String(qonto_client::printable::printable(d, 16)),
        }
    }

    /// A transaction as a search lists it.
    pub fn found(&self, f: &Found) -> Value {
        let mut v = self.row(&f.tx);
        v["organization"] = self.text(f.org_name.as_deref());
        v["account"] = self.text(f.account_name.as_deref());
        v["receipts_attached"] = json!(f.attachments);
        v["missing_receipt"] = json!(f.missing_receipt);
        v
    }

    /// A transaction in full.
    pub fn detail(&self, d: &Detail) -> Value {
        let mut v = self.row(&d.tx);
        let extra = json!({
            "organization": self.text(d.org_name.as_deref()),
            "account": self.text(d.account_name.as_deref()),
            "account_iban": self.iban(d.account_iban.as_deref()),
            "counterparty_iban": self.iban(d.counterparty_iban.as_deref()),
            "counterparty_bic": self.text(d.counterparty_bic.as_deref()),
            "emitted_at": self.text(d.tx.emitted_at.as_deref()),
            "settled_at": self.text(d.tx.settled_at.as_deref()),
            "label": self.text(d.label.as_deref()),
            "labels": d.labels.iter().map(|l| self.text(Some(l))).collect::<Vec<_>>(),
            "local_amount": d.local_amount_cents.map(|c| decimal(signed(&d.tx, c))),
            "local_currency": self.text(d.local_currency.as_deref()),
            "vat_amount": d.vat_amount_cents.map(decimal),
            "vat_rate": d.vat_rate,
            "card_last_digits": self.card(d.card_last_digits.as_deref()),
            "initiator": self.text(d.initiator.as_deref()),
            "receipts_attached": d.attachment_ids.len(),
            "receipt_required": d.attachment_required,
            "receipt_lost": d.attachment_lost,
            "missing_receipt": d.missing_receipt,
            "cashflow_category": self.text(d.cashflow_category.as_deref()),
            "cashflow_subcategory": self.text(d.cashflow_subcategory.as_deref()),
            "balance_after": d.settled_balance_cents.map(decimal),
        });
        if let (Value::Object(into), Value::Object(from)) = (&mut v, extra) {
            into.extend(from);
        }
        v
    }

    /// The fields every transaction answer has.
    fn row(&self, t: &TxRow) -> Value {
        let signed = t.amount_cents.map(|c| signed(t, c));
        json!({
            "id": self.text(Some(&t.id)),
            "organization_id": self.text(Some(&t.org_id)),
            "date": self.text(t.settled_at.as_deref().or(t.emitted_at.as_deref())),
            "amount": signed.map(decimal),
            "amount_cents": signed,
            "currency": self.text(t.currency.as_deref()),
            "side": t.side.as_ref().map(|s| s.as_str().to_string()),
            "status": t.status.as_ref().map(|s| s.as_str().to_string()),
            "type": t.operation_type.as_ref().map(|s| s.as_str().to_string()),
            "counterparty": self.text(t.counterparty.as_deref()),
            "reference": self.text(t.reference.as_deref()),
            "note": self.text(t.note.as_deref()),
            "category": self.text(t.category.as_deref()),
        })
    }

    /// An organization as `list_organizations` gives it.
    pub fn organization(&self, o: &ShownOrg) -> Value {
        json!({
            "id": self.text(Some(&o.id)),
            "name": self.text(Some(&o.name)),
            "legal_name": self.text(o.legal_name.as_deref()),
            "reached_through": o.reached_through,
            "role": self.text(o.role.as_deref()),
            "last_synced_at": o.synced_at.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        })
    }

    /// A bank account with its balance (`null`: the user's role does not see it).
    pub fn account(&self, a: &qonto_client::api::models::BankAccount) -> Value {
        json!({
            "id": self.text(a.key()),
            "name": self.text(a.name.as_deref()),
            "iban": self.iban(a.iban.as_deref()),
            "currency": self.text(a.currency.as_deref()),
            "balance": a.balance_in_cents().map(decimal),
            "authorized_balance": a.authorized_in_cents().map(decimal),
            "status": self.text(a.status.as_deref()),
            "main": a.main,
        })
    }
}

/// `cents` of `t` with its sign: money out negative.
fn signed(t: &TxRow, cents: i64) -> i64 {
    if t.side == Some(Side::Credit) {
        cents.abs()
    } else {
        -cents.abs()
    }
}

/// Cents as a signed decimal with two places: `-1234.5` euros is `"-1234.50"`.
pub fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_written_as_decimals_with_their_sign() {
        assert_eq!(decimal(-123_450), "-1234.50");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(0), "0.00");
        assert_eq!(decimal(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn free_text_is_bounded_printable_and_masked() {
        let masked = Writer { mask: true };
        let v = masked.text(Some("to FR7630006000011234567890189\u{1b}[2J now"));
        // The escape is gone, the IBAN before it masked.
        assert_eq!(v, "to FR76 •••• 0189[2J now");
        let plain = Writer { mask: false };
        let long = "é".repeat(2_000);
        // Cut with an ellipsis.
        assert_eq!(
            plain.text(Some(&long)).as_str().unwrap().chars().count(),
            TEXT_CHARS + 1
        );
    }
}
