//! Supplier invoices: seeded per organization in every status (to review, to approve, awaiting
//! payment, paid, rejected), with suppliers, invoice numbers, amounts, due dates, a PDF each
//! and, once paid, the transaction they were matched to; and their state machine as Qonto runs
//! it: marked paid (with a date) and unmarked, rejected with a note only from to review, to
//! approve or awaiting payment, a French e-invoice needing an AFNOR reason code from
//! 2026-09-01, and new ones uploaded in bulk.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use crate::data::{Org, format_timestamp};
use crate::rng::SeededRng;

/// From this day, a French e-invoice is rejected only with an AFNOR reason code.
pub fn afnor_rule_from() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// The statuses an invoice may be rejected from.
pub const REJECTABLE: [&str; 3] = ["to_review", "to_approve", "awaiting_payment"];

#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: String,
    pub status: &'static str,
    pub supplier_name: String,
    pub invoice_number: String,
    pub amount_cents: i64,
    pub due_date: NaiveDate,
    pub issue_date: NaiveDate,
    pub payment_date: Option<NaiveDate>,
    pub is_einvoice: bool,
    pub file_name: String,
    pub attachment_id: String,
    pub matched_transaction_ids: Vec<String>,
    pub declined_note: Option<String>,
    pub declined_reason_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Invoice {
    pub fn json(&self) -> Value {
        let amount = format!("{}.{:02}", self.amount_cents / 100, self.amount_cents % 100);
        json!({
            "id": self.id,
            "status": self.status,
            "supplier_name": self.supplier_name,
            "invoice_number": self.invoice_number,
            "total_amount": { "value": amount, "currency": "EUR" },
            "due_date": self.due_date.to_string(),
            "issue_date": self.issue_date.to_string(),
            "payment_date": self.payment_date.map(|d| d.to_string()),
            "is_einvoice": self.is_einvoice,
            "file_name": self.file_name,
            "attachment_id": self.attachment_id,
            "matched_transactions_ids": self.matched_transaction_ids,
            "declined_note": self.declined_note,
            "declined_reason_code": self.declined_reason_code,
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
        })
    }
}

const SUPPLIERS: [(&str, i64, i64); 6] = [
    ("Imprimerie Rapide", 12_000, 180_000),
    ("OVHcloud", 4_000, 40_000),
    ("Studio Graphique Lune", 60_000, 450_000),
    ("Cabinet Conseil Martin", 90_000, 600_000),
    ("Metro Cash & Carry", 20_000, 250_000),
    ("Leroy Merlin Pro", 8_000, 120_000),
];

const STATUSES: [&str; 6] = [
    "to_review",
    "to_approve",
    "awaiting_payment",
    "awaiting_payment",
    "paid",
    "rejected",
];

/// `org`'s invoices, drawn from `seed`, issued before `anchor`.
pub fn seeded(seed: u64, org: &Org, anchor: DateTime<Utc>) -> Vec<Invoice> {
    let mut rng = SeededRng::derive(seed, &format!("invoices-{}", org.id));
    let count = rng.range(6, 12);
    (0..count)
        .map(|n| {
            let (supplier, lo, hi) = SUPPLIERS[rng.range(0, SUPPLIERS.len() as i64 - 1) as usize];
            let status = STATUSES[n as usize % STATUSES.len()];
            let issued = anchor - Duration::days(rng.range(3, 75));
            let due = issued + Duration::days(30);
            let number = format!("F-{}-{:04}", issued.format("%Y"), rng.range(1, 9999));
            Invoice {
                id: rng.uuid(),
                status,
                supplier_name: supplier.to_string(),
                invoice_number: number.clone(),
                amount_cents: rng.range(lo, hi),
                due_date: due.date_naive(),
                issue_date: issued.date_naive(),
                payment_date: (status == "paid").then(|| (due - Duration::days(2)).date_naive()),
                is_einvoice: org.legal_country == "FR" && rng.chance(50),
                file_name: format!("{number}.pdf"),
                attachment_id: rng.uuid(),
                matched_transaction_ids: Vec::new(),
                declined_note: (status == "rejected").then(|| "Duplicate".to_string()),
                declined_reason_code: None,
                created_at: issued,
                updated_at: issued,
            }
        })
        .collect()
}

/// Why a change was refused.
#[derive(Debug)]
pub enum Refusal {
    NotFound,
    /// Not from this status (Qonto's 400).
    Transition(&'static str),
    /// A French e-invoice needs an AFNOR reason code (Qonto's 422).
    ReasonCodeNeeded,
}

/// Per (credential digest, key): the invoice an upload made, and when.
type Keys = HashMap<(String, String), (String, DateTime<Utc>)>;

/// Every organization's invoices as they stand.
pub struct Invoices {
    seed: u64,
    anchor: DateTime<Utc>,
    per_org: Mutex<HashMap<String, Vec<Invoice>>>,
    keys: Mutex<Keys>,
}

impl Invoices {
    pub fn new(seed: u64, anchor: DateTime<Utc>) -> Self {
        Self {
            seed,
            anchor,
            per_org: Mutex::default(),
            keys: Mutex::default(),
        }
    }

    /// The invoice an upload under (credential, key) made, if younger than 30 minutes.
    pub fn by_key(&self, credential: &str, key: &str, now: DateTime<Utc>) -> Option<String> {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.get(&(credential.to_string(), key.to_string()))
            .filter(|(_, at)| now - *at < Duration::minutes(30))
            .map(|(id, _)| id.clone())
    }

    pub fn keep_key(&self, credential: &str, key: &str, id: &str, now: DateTime<Utc>) {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).insert(
            (credential.to_string(), key.to_string()),
            (id.to_string(), now),
        );
    }

    fn with<T>(&self, org: &Org, work: impl FnOnce(&mut Vec<Invoice>) -> T) -> T {
        let mut all = self.per_org.lock().unwrap_or_else(|p| p.into_inner());
        let list = all
            .entry(org.id.clone())
            .or_insert_with(|| seeded(self.seed, org, self.anchor));
        work(list)
    }

    pub fn of(&self, org: &Org) -> Vec<Invoice> {
        self.with(org, |l| l.clone())
    }

    fn change(
        &self,
        org: &Org,
        id: &str,
        now: DateTime<Utc>,
        apply: impl FnOnce(&mut Invoice) -> Result<(), Refusal>,
    ) -> Result<Invoice, Refusal> {
        self.with(org, |list| {
            let invoice = list
                .iter_mut()
                .find(|i| i.id == id)
                .ok_or(Refusal::NotFound)?;
            apply(invoice)?;
            invoice.updated_at = now;
            Ok(invoice.clone())
        })
    }

    /// Paid on `date`, from any status but rejected.
    pub fn mark_paid(
        &self,
        org: &Org,
        id: &str,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Invoice, Refusal> {
        self.change(org, id, now, |i| {
            if matches!(i.status, "rejected" | "paid") {
                return Err(Refusal::Transition(i.status));
            }
            i.status = "paid";
            i.payment_date = Some(date);
            Ok(())
        })
    }

    /// Back to awaiting payment, from paid.
    pub fn unmark_paid(&self, org: &Org, id: &str, now: DateTime<Utc>) -> Result<Invoice, Refusal> {
        self.change(org, id, now, |i| {
            if i.status != "paid" {
                return Err(Refusal::Transition(i.status));
            }
            i.status = "awaiting_payment";
            i.payment_date = None;
            Ok(())
        })
    }

    /// Rejected with `note` (and `code`), from to review, to approve or awaiting payment.
    pub fn reject(
        &self,
        org: &Org,
        id: &str,
        note: &str,
        code: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Invoice, Refusal> {
        let french = org.legal_country == "FR";
        self.change(org, id, now, |i| {
            if !REJECTABLE.contains(&i.status) {
                return Err(Refusal::Transition(i.status));
            }
            if i.is_einvoice && french && now >= afnor_rule_from() && code.is_none() {
                return Err(Refusal::ReasonCodeNeeded);
            }
            i.status = "rejected";
            i.declined_note = Some(note.to_string());
            i.declined_reason_code = code.map(String::from);
            Ok(())
        })
    }

    /// A new invoice from an uploaded PDF, to review.
    pub fn add(&self, org: &Org, file_name: &str, now: DateTime<Utc>) -> Invoice {
        let invoice = Invoice {
            id: crate::random::uuid_v4(),
            status: "to_review",
            supplier_name: String::new(),
            invoice_number: String::new(),
            amount_cents: 0,
            due_date: now.date_naive(),
            issue_date: now.date_naive(),
            payment_date: None,
            is_einvoice: false,
            file_name: file_name.to_string(),
            attachment_id: crate::random::uuid_v4(),
            matched_transaction_ids: Vec::new(),
            declined_note: None,
            declined_reason_code: None,
            created_at: now,
            updated_at: now,
        };
        self.with(org, |l| l.push(invoice.clone()));
        invoice
    }
}
