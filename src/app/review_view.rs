//! What waits for a decision, every organization: members' pending requests and supplier
//! invoices to review, to approve or to pay. A decline or a rejection takes a note, then a
//! yes to a question naming the organization, the counterparty and the amount (Qonto cannot
//! take either back); marking an invoice paid is done at once (it can be taken back).

use std::time::Instant;

use tui_input::Input;

use crate::outcome::{OrgInvoice, OrgRequest, WriteError};

/// One row: a request or an invoice.
#[derive(Debug, Clone)]
pub enum Item {
    Request(OrgRequest),
    Invoice(OrgInvoice),
}

impl Item {
    pub fn org_name(&self) -> &str {
        match self {
            Item::Request(r) => &r.org_name,
            Item::Invoice(i) => &i.org_name,
        }
    }

    /// `transfer request`, `invoice to review`.
    pub fn kind(&self) -> String {
        match self {
            Item::Request(r) => format!("{} request", r.request.request_type.replace('_', " ")),
            Item::Invoice(i) => format!("invoice {}", i.invoice.status.replace('_', " ")),
        }
    }

    /// Who is paid (a request's creditor or card, else its note), or the supplier.
    pub fn counterparty(&self) -> &str {
        match self {
            Item::Request(r) if r.request.counterparty().is_empty() => {
                r.request.note.as_deref().unwrap_or("")
            }
            Item::Request(r) => r.request.counterparty(),
            Item::Invoice(i) => i.invoice.supplier_name.as_deref().unwrap_or(""),
        }
    }

    /// The amount as Qonto writes it, with its currency.
    pub fn amount(&self) -> String {
        let (value, currency) = match self {
            Item::Request(r) => (r.request.amount(), r.request.currency.as_deref()),
            Item::Invoice(i) => (
                i.invoice.total_amount.value.as_deref(),
                i.invoice.total_amount.currency.as_deref(),
            ),
        };
        value
            .map(|v| format!("{v} {}", currency.unwrap_or("EUR")))
            .unwrap_or_default()
    }

    /// The day that matters: an invoice's due date, a request's creation.
    pub fn day(&self) -> &str {
        let raw = match self {
            Item::Request(r) => r.request.created_at.as_deref(),
            Item::Invoice(i) => i.invoice.due_date.as_deref(),
        };
        raw.and_then(|d| d.get(..10)).unwrap_or("")
    }

    /// A short name of what it is, for narrow screens: `transfer`, `card`, `inv. to pay`.
    pub fn short_kind(&self) -> &'static str {
        match self {
            Item::Request(r) => match r.request.request_type.as_str() {
                "transfer" => "transfer",
                "multi_transfer" => "transfers",
                "flash_card" | "virtual_card" => "card",
                _ => "request",
            },
            Item::Invoice(i) => match i.invoice.status.as_str() {
                "to_review" => "inv. review",
                "to_approve" => "inv. approve",
                "awaiting_payment" => "inv. to pay",
                _ => "invoice",
            },
        }
    }

    /// Days from `day()` to `today`: a request's age; for an invoice, how overdue it is
    /// (negative: due in that many days).
    pub fn days_to(&self, today: chrono::NaiveDate) -> Option<i64> {
        let day = chrono::NaiveDate::parse_from_str(self.day(), "%Y-%m-%d").ok()?;
        Some((today - day).num_days())
    }

    /// The amount in cents with its currency, read exactly from Qonto's decimal text.
    pub fn cents(&self) -> Option<(String, i64)> {
        let (value, currency) = match self {
            Item::Request(r) => (r.request.amount()?, r.request.currency.as_deref()),
            Item::Invoice(i) => (
                i.invoice.total_amount.value.as_deref()?,
                i.invoice.total_amount.currency.as_deref(),
            ),
        };
        Some((currency.unwrap_or("EUR").to_string(), decimal_cents(value)?))
    }

    /// An e-invoice (rejecting it may need an AFNOR reason code).
    pub fn is_einvoice(&self) -> bool {
        matches!(self, Item::Invoice(i) if i.invoice.is_einvoice)
    }

    pub fn note(&self) -> &str {
        match self {
            Item::Request(r) => r.request.note.as_deref().unwrap_or(""),
            Item::Invoice(i) => i.invoice.invoice_number.as_deref().unwrap_or(""),
        }
    }
}

/// `"1234.5"` as 123450 cents: the decimal text Qonto writes, read exactly (no float).
fn decimal_cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (units, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if units.is_empty() || fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = units.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -cents } else { cents })
}

/// How far a row's change came.
#[derive(Debug, Clone)]
pub enum RowState {
    Open,
    Sending(u64),
    Done(String),
    Failed(WriteError),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub item: Item,
    pub state: RowState,
}

/// A decline or a rejection being asked, of one row or of every marked one: the note typed,
/// then the yes.
#[derive(Debug)]
pub enum Prompt {
    Note {
        rows: Vec<usize>,
        input: Input,
    },
    /// A French e-invoice is rejected only with an AFNOR reason code: asked after the note
    /// when an e-invoice is among the rows (empty: none).
    Code {
        rows: Vec<usize>,
        note: String,
        input: Input,
    },
    Confirm {
        rows: Vec<usize>,
        note: String,
        code: Option<String>,
    },
}

impl Prompt {
    pub fn rows(&self) -> &[usize] {
        match self {
            Prompt::Note { rows, .. }
            | Prompt::Code { rows, .. }
            | Prompt::Confirm { rows, .. } => rows,
        }
    }
}

#[derive(Debug)]
pub struct ReviewView {
    pub generation: u64,
    pub loading: Option<Instant>,
    pub error: Option<String>,
    pub rows: Vec<Row>,
    /// Organizations that could not be read, and why.
    pub unread: Vec<String>,
    pub cursor: usize,
    pub scroll: std::cell::Cell<usize>,
    pub prompt: Option<Prompt>,
    /// Rows marked (Space, Shift-↑↓, ^X): what `x` and `p` act on, when any.
    pub marked: std::collections::BTreeSet<usize>,
    /// The day ages and due dates are counted to.
    pub today: chrono::NaiveDate,
}

impl ReviewView {
    pub fn new(generation: u64, now: Instant) -> Self {
        Self {
            generation,
            loading: Some(now),
            error: None,
            rows: Vec::new(),
            unread: Vec::new(),
            cursor: 0,
            scroll: std::cell::Cell::new(0),
            prompt: None,
            marked: Default::default(),
            today: chrono::Local::now().date_naive(),
        }
    }

    /// What an action applies to: the marked rows, else the row under the cursor.
    pub fn targets(&self) -> Vec<usize> {
        if self.marked.is_empty() {
            (self.cursor < self.rows.len())
                .then_some(self.cursor)
                .into_iter()
                .collect()
        } else {
            self.marked.iter().copied().collect()
        }
    }

    /// What the marked rows add up to, per currency.
    pub fn marked_total(&self) -> Vec<(String, i64)> {
        let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
        for (currency, cents) in self
            .marked
            .iter()
            .filter_map(|i| self.rows.get(*i)?.item.cents())
        {
            let sum = sums.entry(currency).or_default();
            *sum = sum.saturating_add(cents);
        }
        sums.into_iter().collect()
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    pub fn row_for_ticket(&mut self, ticket: u64) -> Option<&mut Row> {
        self.rows
            .iter_mut()
            .find(|r| matches!(r.state, RowState::Sending(t) if t == ticket))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn qontos_decimal_text_is_read_to_the_cent() {
        use super::decimal_cents as c;
        assert_eq!(c("3570.77"), Some(357_077));
        assert_eq!(c("1229"), Some(122_900));
        assert_eq!(c("12.5"), Some(1_250));
        assert_eq!(c("-0.05"), Some(-5));
        assert_eq!(c("1.234"), None);
        assert_eq!(c("abc"), None);
        assert_eq!(c(".5"), None);
    }
}
