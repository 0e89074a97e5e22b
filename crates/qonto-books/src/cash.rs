//! The group's cash from the books: each organization's accounts and balances, totals per
//! currency, money in and out over recent periods, and transfers between the user's own
//! organizations recognised (the counterparty's IBAN is one of their accounts) and kept apart.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::cash_flows::Window;
use super::{Books, BooksError};

/// Weeks drawn in each organization's chart.
pub const WEEKS: usize = 13;
/// Months drawn in the balance and in-and-out charts, the last one this month.
pub const MONTHS: usize = 12;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupCash {
    pub orgs: Vec<OrgCash>,
    /// Visible balances summed per currency, across every organization.
    pub totals: BTreeMap<String, i64>,
    /// Accounts whose balance the user's role does not see (not counted as zero).
    pub hidden: usize,
    /// Transfers between the user's own accounts in the last 90 days (each leg counted).
    pub internal_count: usize,
    pub internal_cents: i64,
    /// The first day of each charted month, oldest first, the last one this month.
    pub months: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgCash {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub accounts: Vec<AccountCash>,
    pub totals: BTreeMap<String, i64>,
    pub hidden: usize,
    /// Money in and out, internal transfers left out, in the currency of its main account.
    pub currency: String,
    pub month_to_date: Flow,
    pub last_30_days: Flow,
    pub last_90_days: Flow,
    /// Net per week, oldest first, the last one this week.
    pub weekly_net: Vec<i64>,
    pub internal_count: usize,
    /// Money in and out per month of `GroupCash::months` (internal transfers left out), in
    /// `currency`.
    pub monthly: Vec<Flow>,
    /// The balance in `currency` at the end of each month of `GroupCash::months` (the last:
    /// now), worked back from today's balance through every transaction since; `None` when
    /// the role hides every balance.
    pub month_end_balance: Vec<Option<i64>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountCash {
    pub id: String,
    pub name: Option<String>,
    pub iban: Option<String>,
    pub currency: String,
    /// `None`: the user's role does not see it.
    pub balance_cents: Option<i64>,
}

/// Cents in (credits) and out (debits, as a positive number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    pub in_cents: i64,
    pub out_cents: i64,
}

impl Flow {
    pub fn net(&self) -> i64 {
        self.in_cents - self.out_cents
    }

    pub(crate) fn add_flow(&mut self, other: Flow) {
        self.in_cents += other.in_cents;
        self.out_cents += other.out_cents;
    }

    pub(crate) fn add(&mut self, credit: bool, cents: i64) {
        if credit {
            self.in_cents += cents;
        } else {
            self.out_cents += cents;
        }
    }
}

/// An IBAN as compared: no spaces, upper case. ASCII only, as IBANs are, and as the SQL the
/// books keep their sums with does it (`compact_sql!`: SQLite's `upper` folds ASCII only).
pub(crate) fn compact(iban: &str) -> String {
    iban.chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Books {
    /// The group's cash as of `now`: from the sums the books keep, or from the rows while
    /// those are stale.
    pub fn group_cash(&self, now: DateTime<Utc>) -> Result<GroupCash, BooksError> {
        let from_sums = self.cash_sums_current()?;
        self.work_out_group_cash(now, from_sums)
    }

    /// [`Books::group_cash`] read from every row of the window, whatever the kept sums say:
    /// what those sums are checked against.
    pub fn group_cash_from_rows(&self, now: DateTime<Utc>) -> Result<GroupCash, BooksError> {
        self.work_out_group_cash(now, false)
    }

    fn work_out_group_cash(
        &self,
        now: DateTime<Utc>,
        from_sums: bool,
    ) -> Result<GroupCash, BooksError> {
        let mut group = GroupCash::default();
        let mut own_ibans = HashSet::new();
        {
            let mut q = self.db.prepare_cached(
                "SELECT id, name, membership_role FROM organizations ORDER BY name COLLATE NOCASE",
            )?;
            let rows = q.query_map([], |r| {
                Ok(OrgCash {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    ..OrgCash::default()
                })
            })?;
            group.orgs = rows.collect::<Result<_, _>>()?;
        }
        let mut q = self.db.prepare_cached(
            "SELECT id, name, iban, coalesce(currency, 'EUR'), balance_cents, main
             FROM accounts WHERE org_id = ?1 ORDER BY main DESC, name",
        )?;
        for org in &mut group.orgs {
            let rows = q.query_map([&org.id], |r| {
                Ok(AccountCash {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    iban: r.get(2)?,
                    currency: r.get(3)?,
                    balance_cents: r.get(4)?,
                })
            })?;
            org.accounts = rows.collect::<Result<_, _>>()?;
            org.currency = org
                .accounts
                .first()
                .map_or_else(|| "EUR".to_string(), |a| a.currency.clone());
            for account in &org.accounts {
                if let Some(iban) = &account.iban {
                    own_ibans.insert(compact(iban));
                }
                match account.balance_cents {
                    Some(cents) => {
                        *org.totals.entry(account.currency.clone()).or_default() += cents;
                        *group.totals.entry(account.currency.clone()).or_default() += cents;
                    }
                    None => org.hidden += 1,
                }
            }
            group.hidden += org.hidden;
        }
        let window = Window::new(now.date_naive());
        group.months = window.months.clone();
        if from_sums {
            self.flows_from_sums(&mut group, &window)?;
        } else {
            self.flows_from_rows(&mut group, &window, &own_ibans)?;
        }
        Ok(group)
    }
}
