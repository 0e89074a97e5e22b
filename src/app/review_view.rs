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

    pub fn note(&self) -> &str {
        match self {
            Item::Request(r) => r.request.note.as_deref().unwrap_or(""),
            Item::Invoice(i) => i.invoice.invoice_number.as_deref().unwrap_or(""),
        }
    }
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

/// A decline or rejection being asked: the note typed, then the yes.
#[derive(Debug)]
pub enum Prompt {
    Note { row: usize, input: Input },
    Confirm { row: usize, note: String },
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
            today: chrono::Local::now().date_naive(),
        }
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
