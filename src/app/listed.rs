//! A transaction as an account's list keeps it: only what the rows show, the `/` filter reads
//! and the marks need, in boxed strings. A list of 100,000 holds a third of what full
//! transactions took (561 against 1,791 B each, `cargo bench --bench perf -- memory`); the
//! detail is read again by id from the local copy.

use qonto_client::api::models::Transaction;
use qonto_client::api::values::{OperationType, Side, Status};

#[derive(Debug, Clone, PartialEq)]
pub struct ListedTransaction {
    id: Option<Box<str>>,
    /// Signed by side, as [`Transaction::signed_cents`] gives it.
    signed_cents: Option<i64>,
    currency: Option<Box<str>>,
    side: Option<Side>,
    status: Option<Status>,
    operation_type: Option<OperationType>,
    /// Settled, else emitted (pending ones): the date shown and the key the rest is read after.
    date: Option<Box<str>>,
    settled: bool,
    counterparty: Option<Box<str>>,
    reference: Option<Box<str>>,
    note: Option<Box<str>>,
}

fn boxed(text: Option<String>) -> Option<Box<str>> {
    text.map(String::into_boxed_str)
}

impl From<Transaction> for ListedTransaction {
    fn from(t: Transaction) -> Self {
        let signed_cents = t.signed_cents();
        let settled = t.settled_at.is_some();
        let counterparty = t.clean_counterparty_name.or(t.label);
        Self {
            id: boxed(t.id),
            signed_cents,
            currency: boxed(t.currency),
            side: t.side,
            status: t.status,
            operation_type: t.operation_type,
            date: boxed(t.settled_at.or(t.emitted_at)),
            settled,
            counterparty: boxed(counterparty),
            reference: boxed(t.reference),
            note: boxed(t.note),
        }
    }
}

impl ListedTransaction {
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Qonto's currency code; `EUR` when it says none.
    pub fn currency(&self) -> &str {
        self.currency.as_deref().unwrap_or("EUR")
    }

    pub fn is_credit(&self) -> bool {
        self.side == Some(Side::Credit)
    }

    /// Signed by side: credits positive, debits negative.
    pub fn signed_cents(&self) -> Option<i64> {
        self.signed_cents
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    pub fn operation_type(&self) -> Option<&OperationType> {
        self.operation_type.as_ref()
    }

    /// The date shown: settled, else emitted.
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }

    /// Whether [`Self::date`] is the settlement's (else it is when a pending one was made).
    pub fn is_settled(&self) -> bool {
        self.settled
    }

    pub fn counterparty(&self) -> &str {
        self.counterparty.as_deref().unwrap_or("—")
    }

    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transaction(json: serde_json::Value) -> Transaction {
        serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn it_shows_what_the_full_transaction_shows() {
        let full = transaction(serde_json::json!({
            "id": "t1", "amount_cents": 12_345, "currency": "USD", "side": "debit",
            "status": "pending", "operation_type": "card", "label": "AWS EMEA",
            "emitted_at": "2026-12-01T10:00:00.000Z", "reference": "inv 7", "note": "team"
        }));
        let listed = ListedTransaction::from(full.clone());
        assert_eq!(listed.id(), full.id.as_deref());
        assert_eq!(listed.signed_cents(), full.signed_cents());
        assert_eq!(listed.signed_cents(), Some(-12_345));
        assert_eq!(listed.currency(), "USD");
        assert_eq!(listed.counterparty(), full.counterparty());
        assert_eq!(listed.date(), full.date());
        assert!(!listed.is_settled());
        assert_eq!(listed.status(), full.status.as_ref());
        assert_eq!(listed.operation_type(), full.operation_type.as_ref());
        assert_eq!(
            (listed.reference(), listed.note()),
            (Some("inv 7"), Some("team"))
        );
    }

    #[test]
    fn a_settled_credit_named_by_qonto_keeps_the_clean_name_and_the_settlement_day() {
        let listed = ListedTransaction::from(transaction(serde_json::json!({
            "id": "t2", "amount": 10.5, "side": "credit", "status": "completed",
            "label": "VIR SEPA STRIPE", "clean_counterparty_name": "Stripe",
            "emitted_at": "2026-11-30T10:00:00.000Z", "settled_at": "2026-12-01T08:00:00.000Z"
        })));
        assert_eq!(listed.signed_cents(), Some(1_050));
        assert_eq!(listed.currency(), "EUR");
        assert_eq!(listed.counterparty(), "Stripe");
        assert_eq!(listed.date(), Some("2026-12-01T08:00:00.000Z"));
        assert!(listed.is_settled());
    }

    #[test]
    fn a_row_is_a_fraction_of_a_full_transaction() {
        // What keeps a list of 100,000 under the memory row's bound (issue 32).
        assert!(
            std::mem::size_of::<ListedTransaction>() * 3 < std::mem::size_of::<Transaction>(),
            "{} against {}",
            std::mem::size_of::<ListedTransaction>(),
            std::mem::size_of::<Transaction>()
        );
    }
}
