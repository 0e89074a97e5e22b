//! Requests members make for an approver: transfers, multi-transfers, flash and virtual cards,
//! seeded per organization from its members (most pending, some already approved, declined or
//! canceled), and declined through the API as Qonto does it: only a pending one, with a note,
//! under an idempotency key whose first answer is kept 30 minutes.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::data::{Org, format_timestamp};
use crate::rng::SeededRng;

/// The kinds of request, as the path names them (`transfers`) and as the body does (`transfer`).
pub const KINDS: [(&str, &str); 4] = [
    ("transfers", "transfer"),
    ("multi_transfers", "multi_transfer"),
    ("flash_cards", "flash_card"),
    ("virtual_cards", "virtual_card"),
];

#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    /// `transfer`, `multi_transfer`, `flash_card`, `virtual_card`.
    pub kind: &'static str,
    pub status: &'static str,
    pub initiator_id: String,
    pub note: String,
    pub declined_note: Option<String>,
    /// Whose credential declined it (as [`crate::api::Scoped::made_by`] names it).
    pub declined_by: Option<String>,
    pub amount_cents: i64,
    /// Who is paid (transfers), or the card's nickname.
    pub counterparty: String,
    pub created_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

impl Request {
    pub fn json(&self) -> Value {
        let amount = format!("{}.{:02}", self.amount_cents / 100, self.amount_cents % 100);
        let mut v = json!({
            "id": self.id,
            "request_type": self.kind,
            "status": self.status,
            "initiator_id": self.initiator_id,
            "approver_id": Value::Null,
            "note": self.note,
            "declined_note": self.declined_note,
            "created_at": format_timestamp(self.created_at),
            "processed_at": self.processed_at.map(format_timestamp),
        });
        match self.kind {
            "transfer" => {
                v["creditor_name"] = json!(self.counterparty);
                v["amount"] = json!(amount);
                v["currency"] = json!("EUR");
            }
            "multi_transfer" => {
                v["total_transfers_amount"] = json!(amount);
                v["total_transfers_amount_currency"] = json!("EUR");
                v["total_transfers_count"] = json!(3);
            }
            "flash_card" => {
                v["payment_lifespan_limit"] = json!(amount);
                v["card_nickname"] = json!(self.counterparty);
            }
            _ => {
                v["payment_monthly_limit"] = json!(amount);
                v["card_nickname"] = json!(self.counterparty);
            }
        }
        v
    }
}

const WHAT: [(&str, &str, i64, i64); 8] = [
    ("transfer", "Imprimerie Rapide", 18_000, 240_000),
    ("transfer", "Studio Graphique Lune", 45_000, 380_000),
    ("transfer", "Leroy Merlin Pro", 9_000, 120_000),
    ("multi_transfer", "Freelancers November", 150_000, 900_000),
    ("flash_card", "Salon Maison&Objet", 30_000, 150_000),
    ("flash_card", "Team dinner", 15_000, 60_000),
    ("virtual_card", "SaaS tools", 20_000, 100_000),
    ("virtual_card", "Ads budget", 50_000, 300_000),
];

const NOTES: [&str; 5] = [
    "Invoice attached in the shared folder",
    "Urgent: supplier asks before Friday",
    "As agreed in the budget meeting",
    "Deposit, balance next month",
    "Recurring, same as last month",
];

/// `org`'s requests, drawn from `seed`, created before `anchor`.
pub fn seeded(seed: u64, org: &Org, anchor: DateTime<Utc>) -> Vec<Request> {
    let mut rng = SeededRng::derive(seed, &format!("requests-{}", org.id));
    let count = rng.range(5, 9);
    (0..count)
        .map(|n| {
            let (kind, who, lo, hi) = WHAT[rng.range(0, WHAT.len() as i64 - 1) as usize];
            let created_at = anchor - Duration::hours(rng.range(2, 24 * 20));
            let status = match n % 6 {
                4 => "approved",
                5 => "declined",
                _ if rng.chance(8) => "canceled",
                _ => "pending",
            };
            let initiator = rng
                .pick(&org.members)
                .map(|m| m.id.clone())
                .unwrap_or_default();
            Request {
                id: rng.uuid(),
                kind,
                status,
                initiator_id: initiator,
                note: NOTES[n as usize % NOTES.len()].to_string(),
                declined_note: (status == "declined").then(|| "Over budget this month".into()),
                declined_by: None,
                amount_cents: rng.range(lo, hi),
                counterparty: who.to_string(),
                created_at,
                processed_at: (status != "pending")
                    .then(|| created_at + Duration::hours(rng.range(1, 48))),
            }
        })
        .collect()
}

/// Why a decline was not done.
pub enum Refusal {
    NotFound,
    NotPending(&'static str),
}

/// A first answer kept: per (credential digest, key), the answer and when it was given.
type Answers = HashMap<(String, String), (Value, DateTime<Utc>)>;

/// Every organization's requests as they stand, and the answers kept per idempotency key.
pub struct Requests {
    seed: u64,
    anchor: DateTime<Utc>,
    per_org: Mutex<HashMap<String, Vec<Request>>>,
    answers: Mutex<Answers>,
}

impl Requests {
    /// Requests drawn from `seed`, made before `anchor`.
    pub fn new(seed: u64, anchor: DateTime<Utc>) -> Self {
        Self {
            seed,
            anchor,
            per_org: Mutex::default(),
            answers: Mutex::default(),
        }
    }

    fn orgs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Request>>> {
        self.per_org.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `org`'s requests, seeded on first use.
    pub fn of(&self, org: &Org) -> Vec<Request> {
        self.orgs()
            .entry(org.id.clone())
            .or_insert_with(|| seeded(self.seed, org, self.anchor))
            .clone()
    }

    /// Declines `id` (of `kind`) with `note`, by the credential `by`, if it is pending.
    pub fn decline(
        &self,
        org: &Org,
        kind: &str,
        id: &str,
        note: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Request, Refusal> {
        let mut orgs = self.orgs();
        let list = orgs
            .entry(org.id.clone())
            .or_insert_with(|| seeded(self.seed, org, self.anchor));
        let request = list
            .iter_mut()
            .find(|r| r.id == id && r.kind == kind)
            .ok_or(Refusal::NotFound)?;
        if request.status != "pending" {
            return Err(Refusal::NotPending(request.status));
        }
        request.status = "declined";
        request.declined_note = Some(note.to_string());
        request.declined_by = Some(by.to_string());
        request.processed_at = Some(now);
        Ok(request.clone())
    }

    /// The answer kept for (credential, key), if younger than 30 minutes at `now`.
    pub fn kept(&self, credential: &str, key: &str, now: DateTime<Utc>) -> Option<Value> {
        let answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        answers
            .get(&(credential.to_string(), key.to_string()))
            .filter(|(_, at)| now - *at < Duration::minutes(30))
            .map(|(v, _)| v.clone())
    }

    pub fn keep(&self, credential: &str, key: &str, answer: Value, now: DateTime<Utc>) {
        self.answers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((credential.to_string(), key.to_string()), (answer, now));
    }
}
