//! Money in and out of each organization over a period of days, transfers between the user's
//! own accounts set apart: "how much came in last quarter, all companies together" in one read
//! of the period's rows, through the `(org_key, sort_at)` index.

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
            "SELECT ok.id, coalesce(o.name, ok.id), coalesce(t.currency, 'EUR'),
                 t.side = 'credit', t.counterparty_iban, count(*), sum(abs(t.amount_cents))
             FROM transactions t JOIN id_keys ok ON ok.key = t.org_key
             LEFT JOIN organizations o ON o.id = ok.id
             WHERE t.org_key IN (SELECT key FROM id_keys WHERE id IN ({marks})) AND t.sort_at >= ? AND t.sort_at < ?
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
