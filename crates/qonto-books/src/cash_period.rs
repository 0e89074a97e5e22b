//! Money in and out of each organization over a period of days, transfers between the user's
//! own accounts set apart: "how much came in last quarter, all companies together" in one read
//! of the period's rows, through the `(org_id, sort_at)` index.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rusqlite::types::Value;

pub(crate) use super::cash::compact;
use super::{Books, BooksError};

/// One organization's money over a period, in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PeriodCash {
    pub org_id: String,
    pub org_name: String,
    pub currency: String,
    /// Credits and debits (as a positive number), transfers between own accounts left out.
    pub in_cents: i64,
    pub out_cents: i64,
    pub transactions: usize,
    /// Transfers between the user's own accounts (the counterparty's IBAN is one of the
    /// accounts the books hold), apart.
    pub internal_in_cents: i64,
    pub internal_out_cents: i64,
    pub internal_transactions: usize,
}

impl PeriodCash {
    /// In minus out, internal transfers left out.
    pub fn net_cents(&self) -> i64 {
        self.in_cents - self.out_cents
    }
}

impl Books {
    /// Each of `orgs`' money in and out from `first` to `last` (days, inclusive, of the date a
    /// transaction shows: settled, else emitted), per currency, ordered by organization name;
    /// pending transactions count, declined ones do not. An organization with no transaction
    /// in the period is left out.
    pub fn cash_between(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        orgs: &[String],
    ) -> Result<Vec<PeriodCash>, BooksError> {
        let own: HashSet<String> = {
            let mut q = self
                .db
                .prepare_cached("SELECT iban FROM accounts WHERE iban IS NOT NULL")?;
            let rows = q.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|iban| iban.map(|i| compact(&i)))
                .collect::<Result<_, _>>()?
        };
        let after = last.succ_opt().unwrap_or(last);
        let marks = vec!["?"; orgs.len()].join(", ");
        let mut params: Vec<Value> = orgs.iter().cloned().map(Value::Text).collect();
        params.push(Value::Text(first.format("%Y-%m-%d").to_string()));
        params.push(Value::Text(after.format("%Y-%m-%d").to_string()));
        // Grouped by counterparty IBAN too, so that each group is internal or not as a whole.
        let mut q = self.db.prepare(&format!(
            "SELECT t.org_id, coalesce(o.name, t.org_id), coalesce(t.currency, 'EUR'),
                 t.side = 'credit', t.counterparty_iban, count(*), sum(abs(t.amount_cents))
             FROM transactions t LEFT JOIN organizations o ON o.id = t.org_id
             WHERE t.org_id IN ({marks}) AND t.sort_at >= ? AND t.sort_at < ?
                 AND t.status IS NOT 'declined' AND t.amount_cents IS NOT NULL
             GROUP BY 1, 3, 4, 5"
        ))?;
        let rows = q.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(CashGroup {
                org_id: r.get(0)?,
                org_name: r.get(1)?,
                currency: r.get(2)?,
                credit: r.get::<_, Option<bool>>(3)?.unwrap_or(false),
                counterparty_iban: r.get(4)?,
                count: r.get(5)?,
                cents: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
            })
        })?;
        Ok(period_cash(rows.collect::<Result<Vec<_>, _>>()?, &own))
    }
}

/// A period's transactions of one organization, currency, side and counterparty IBAN: the
/// group both engines count, so that a group is internal or not as a whole.
pub(crate) struct CashGroup {
    pub org_id: String,
    pub org_name: String,
    pub currency: String,
    pub credit: bool,
    pub counterparty_iban: Option<String>,
    pub count: i64,
    pub cents: i64,
}

/// The groups summed per organization and currency, ordered by organization name (case
/// folded), id and currency; `own` holds the books' account IBANs, compacted.
pub(crate) fn period_cash(groups: Vec<CashGroup>, own: &HashSet<String>) -> Vec<PeriodCash> {
    let mut by_key: BTreeMap<(String, String), PeriodCash> = BTreeMap::new();
    for g in groups {
        let count = usize::try_from(g.count).unwrap_or(0);
        let internal = g
            .counterparty_iban
            .is_some_and(|i| own.contains(&compact(&i)));
        let entry = by_key
            .entry((g.org_id.clone(), g.currency.clone()))
            .or_insert_with(|| PeriodCash {
                org_id: g.org_id,
                org_name: g.org_name,
                currency: g.currency,
                ..PeriodCash::default()
            });
        let (sum, counted) = match (internal, g.credit) {
            (false, true) => (&mut entry.in_cents, &mut entry.transactions),
            (false, false) => (&mut entry.out_cents, &mut entry.transactions),
            (true, true) => (
                &mut entry.internal_in_cents,
                &mut entry.internal_transactions,
            ),
            (true, false) => (
                &mut entry.internal_out_cents,
                &mut entry.internal_transactions,
            ),
        };
        *sum += g.cents;
        *counted += count;
    }
    let mut out: Vec<PeriodCash> = by_key.into_values().collect();
    out.sort_by(|a, b| {
        a.org_name
            .to_lowercase()
            .cmp(&b.org_name.to_lowercase())
            .then_with(|| a.org_id.cmp(&b.org_id))
            .then_with(|| a.currency.cmp(&b.currency))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use qonto_client::api::models::{BankAccount, Transaction};

    fn account(id: &str, iban: &str) -> BankAccount {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": id, "iban": iban, "currency": "EUR", "balance_cents": 0,
            "status": "active", "main": true
        }))
        .unwrap()
    }

    fn tx(id: &str, cents: i64, side: &str, day: &str, iban: Option<&str>) -> Transaction {
        serde_json::from_value(serde_json::json!({
            "id": id, "amount_cents": cents, "currency": "EUR", "side": side,
            "status": if id.starts_with("declined") { "declined" } else { "completed" },
            "operation_type": "transfer", "clean_counterparty_name": "x",
            "settled_at": day, "emitted_at": day, "updated_at": day,
            "transfer": iban.map(|i| serde_json::json!({"counterparty_account_number": i})),
        }))
        .unwrap()
    }

    #[test]
    fn money_in_and_out_of_a_period_with_own_transfers_set_apart() {
        let mut books = Books::in_memory().unwrap();
        books
            .put_accounts("a", &[account("acc-a", "FR7600000000000000000000001")])
            .unwrap();
        books
            .put_accounts(
                "b",
                &[account("acc-b", "FR76 0000 0000 0000 0000 0000 002")],
            )
            .unwrap();
        let day = |d: &str| format!("2026-10-{d}T10:00:00.000Z");
        books
            .put_transactions(
                "a",
                "acc-a",
                &[
                    tx("in-1", 10_000, "credit", &day("01"), None),
                    tx("out-1", 2_500, "debit", &day("31"), Some("DE0012")),
                    // To the other organization's account, written with spaces.
                    tx(
                        "own-1",
                        7_000,
                        "debit",
                        &day("15"),
                        Some("fr76 0000 0000 0000 0000 0000 002"),
                    ),
                    tx("declined-1", 99_999, "debit", &day("15"), None),
                    tx("before", 1, "credit", "2026-09-30T23:00:00.000Z", None),
                    tx("after", 1, "credit", "2026-11-01T00:00:00.000Z", None),
                ],
            )
            .unwrap();
        books
            .put_transactions(
                "b",
                "acc-b",
                &[tx(
                    "own-2",
                    7_000,
                    "credit",
                    &day("15"),
                    Some("FR7600000000000000000000001"),
                )],
            )
            .unwrap();
        let oct = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        let all = ["a".to_string(), "b".to_string()];
        let cash = books.cash_between(oct(1), oct(31), &all).unwrap();
        assert_eq!(cash.len(), 2, "{cash:?}");
        let a = &cash[0];
        assert_eq!(
            (a.org_id.as_str(), a.in_cents, a.out_cents),
            ("a", 10_000, 2_500)
        );
        assert_eq!((a.transactions, a.internal_transactions), (2, 1));
        assert_eq!((a.internal_in_cents, a.internal_out_cents), (0, 7_000));
        assert_eq!(a.net_cents(), 7_500);
        let b = &cash[1];
        assert_eq!(
            (b.in_cents, b.internal_in_cents, b.transactions),
            (0, 7_000, 0)
        );
        // Only the organizations asked for.
        let only_b = books.cash_between(oct(1), oct(31), &all[1..]).unwrap();
        assert_eq!(only_b.len(), 1);
        assert_eq!(only_b[0].org_id, "b");
        assert!(books.cash_between(oct(1), oct(31), &[]).unwrap().is_empty());
    }
}
