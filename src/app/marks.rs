//! Marked transactions, kept with what they add up to: the count and the marked total (per
//! currency) a list shows on its status line, and the ids a bulk action applies to.

use std::collections::BTreeMap;

use qonto_books::TxRow as Transaction;
use qonto_books::values::Side;

/// A marked transaction's signed amount, in cents, and its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedAmount {
    pub currency: String,
    pub cents: i64,
}

impl MarkedAmount {
    /// A transaction as Qonto listed it (the Transactions tab).
    pub fn of_listed(tx: &super::listed::ListedTransaction) -> Self {
        Self {
            currency: tx.currency().to_string(),
            cents: tx.signed_cents().unwrap_or_default(),
        }
    }

    pub fn of(tx: &Transaction) -> Self {
        Self {
            currency: tx.currency.clone().unwrap_or_else(|| "EUR".into()),
            cents: tx.amount_cents.map_or(0, |c| match tx.side {
                Some(Side::Credit) => c.abs(),
                _ => -c.abs(),
            }),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Marks {
    by_id: BTreeMap<String, MarkedAmount>,
}

impl Marks {
    pub fn insert(&mut self, tx: &Transaction) {
        self.by_id.insert(tx.id.clone(), MarkedAmount::of(tx));
    }

    /// Marks `tx`, or takes its mark away.
    pub fn toggle(&mut self, tx: &Transaction) {
        if self.by_id.remove(&tx.id).is_none() {
            self.insert(tx);
        }
    }

    /// Marks `id` (with what it adds), or takes its mark away.
    pub fn toggle_id(&mut self, id: &str, amount: MarkedAmount) {
        if self.by_id.remove(id).is_none() {
            self.by_id.insert(id.to_string(), amount);
        }
    }

    pub fn insert_id(&mut self, id: &str, amount: MarkedAmount) {
        self.by_id.insert(id.to_string(), amount);
    }

    pub fn extend(&mut self, marked: impl IntoIterator<Item = (String, MarkedAmount)>) {
        self.by_id.extend(marked);
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn clear(&mut self) {
        self.by_id.clear();
    }

    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.by_id.keys()
    }

    /// What the marked add up to, per currency, in the order of the currencies' codes.
    pub fn totals(&self) -> Vec<(String, i64)> {
        let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
        for amount in self.by_id.values() {
            let sum = sums.entry(amount.currency.as_str()).or_default();
            *sum = sum.saturating_add(amount.cents);
        }
        sums.into_iter().map(|(c, s)| (c.to_string(), s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(id: &str, cents: i64, side: Side, currency: &str) -> Transaction {
        Transaction {
            id: id.into(),
            amount_cents: Some(cents),
            side: Some(side),
            currency: Some(currency.into()),
            ..Transaction::default()
        }
    }

    #[test]
    fn the_total_is_signed_per_currency_and_a_second_toggle_takes_the_mark_away() {
        let mut marks = Marks::default();
        marks.toggle(&tx("a", 10_000, Side::Debit, "EUR"));
        marks.toggle(&tx("b", 2_500, Side::Credit, "EUR"));
        marks.toggle(&tx("c", 700, Side::Debit, "USD"));
        marks.insert(&tx("a", 10_000, Side::Debit, "EUR"));
        assert_eq!(marks.len(), 3);
        assert_eq!(
            marks.totals(),
            vec![("EUR".into(), -7_500), ("USD".into(), -700)]
        );
        marks.toggle(&tx("b", 2_500, Side::Credit, "EUR"));
        assert!(!marks.contains("b"));
        assert_eq!(marks.totals()[0], ("EUR".into(), -10_000));
    }
}
