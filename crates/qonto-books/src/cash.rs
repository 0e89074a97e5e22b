//! The group's cash from the books: each organization's accounts and balances, totals per
//! currency, money in and out over recent periods, and transfers between the user's own
//! organizations recognised (the counterparty's IBAN is one of their accounts) and kept apart.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

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

    fn add(&mut self, credit: bool, cents: i64) {
        if credit {
            self.in_cents += cents;
        } else {
            self.out_cents += cents;
        }
    }
}

/// An IBAN as compared: no spaces, upper case.
pub(crate) fn compact(iban: &str) -> String {
    iban.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

impl Books {
    /// The group's cash as of `now`.
    pub fn group_cash(&self, now: DateTime<Utc>) -> Result<GroupCash, BooksError> {
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
        let today = now.date_naive();
        let month_start = today.with_day(1).unwrap_or(today);
        let since = |days: i64| today - Duration::days(days);
        let mut months = vec![month_start];
        while months.len() < MONTHS {
            let first = months[0];
            months.insert(0, crate::month_end::previous_month(first));
        }
        group.months = months;
        let first_month = group.months.first().copied().unwrap_or(month_start);
        let window_start = since(90)
            .min(month_start)
            .min(since(7 * WEEKS as i64))
            .min(first_month);
        let month_of = |day: NaiveDate| -> Option<usize> {
            let months = (day.year() - first_month.year()) * 12 + day.month() as i32
                - first_month.month() as i32;
            usize::try_from(months).ok().filter(|m| *m < MONTHS)
        };
        let mut q = self.db.prepare_cached(
            "SELECT side, abs(amount_cents), coalesce(currency, 'EUR'), substr(sort_at, 1, 10),
                 counterparty_iban, status = 'completed'
             FROM transactions
             WHERE org_id = ?1 AND sort_at >= ?2 AND status IS NOT 'declined'",
        )?;
        for org in &mut group.orgs {
            org.weekly_net = vec![0; WEEKS];
            org.monthly = vec![Flow::default(); MONTHS];
            // Every transaction's net per month (internal ones too: they move the balance).
            let mut moved = [0i64; MONTHS];
            let from = window_start.format("%Y-%m-%d").to_string();
            let rows = q.query_map(rusqlite::params![org.id, from], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<bool>>(5)?.unwrap_or(false),
                ))
            })?;
            for row in rows {
                let (side, cents, currency, day, counterparty, settled) = row?;
                let (Some(cents), Some(day)) = (cents, day) else {
                    continue;
                };
                let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
                    continue;
                };
                if day > today {
                    continue;
                }
                let credit = side.as_deref() == Some("credit");
                let month = month_of(day);
                // Qonto's balance is what settled: a pending payment has not moved it yet.
                if settled
                    && currency == org.currency
                    && let Some(m) = month
                {
                    moved[m] += if credit { cents } else { -cents };
                }
                let internal = counterparty.is_some_and(|c| own_ibans.contains(&compact(&c)));
                if internal {
                    if day >= since(90) {
                        org.internal_count += 1;
                        group.internal_count += 1;
                        group.internal_cents += cents;
                    }
                    continue;
                }
                if currency != org.currency {
                    continue;
                }
                if let Some(m) = month {
                    org.monthly[m].add(credit, cents);
                }
                if day >= month_start {
                    org.month_to_date.add(credit, cents);
                }
                if day > since(30) {
                    org.last_30_days.add(credit, cents);
                }
                if day > since(90) {
                    org.last_90_days.add(credit, cents);
                }
                let weeks_ago = ((today - day).num_days() / 7) as usize;
                if weeks_ago < WEEKS {
                    let signed = if credit { cents } else { -cents };
                    org.weekly_net[WEEKS - 1 - weeks_ago] += signed;
                }
            }
            // Today's balance, less what each later month moved, is the balance a month ended
            // with.
            let now = org.totals.get(&org.currency).copied();
            let visible = now.is_some() || org.hidden == 0;
            let mut balance = now.unwrap_or(0);
            org.month_end_balance = vec![None; MONTHS];
            for m in (0..MONTHS).rev() {
                if visible {
                    org.month_end_balance[m] = Some(balance);
                }
                balance -= moved[m];
            }
        }
        Ok(group)
    }
}
