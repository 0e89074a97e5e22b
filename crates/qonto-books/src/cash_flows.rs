//! Money in and out of each organization for the cash view, worked out two ways that agree:
//! from the sums the books keep per day and month (schema 15), or, while those are stale (the
//! user's own IBANs changed since), from the rows themselves.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};

use super::cash::{Flow, GroupCash, MONTHS, OrgCash, WEEKS, compact};
use super::{Books, BooksError};

/// The days the cash view looks at, as of `today`.
pub(crate) struct Window {
    today: NaiveDate,
    month_start: NaiveDate,
    /// The first day of each charted month, oldest first, the last one this month.
    pub(crate) months: Vec<NaiveDate>,
}

impl Window {
    pub(crate) fn new(today: NaiveDate) -> Window {
        let month_start = today.with_day(1).unwrap_or(today);
        let mut months = vec![month_start];
        while months.len() < MONTHS {
            let first = months[0];
            months.insert(0, crate::month_end::previous_month(first));
        }
        Window {
            today,
            month_start,
            months,
        }
    }

    fn since(&self, days: i64) -> NaiveDate {
        self.today - Duration::days(days)
    }

    fn first_month(&self) -> NaiveDate {
        self.months.first().copied().unwrap_or(self.month_start)
    }

    /// The first day counted day by day: the 90 days, this month and the weeks charted.
    fn first_day(&self) -> NaiveDate {
        self.since(90)
            .min(self.month_start)
            .min(self.since(7 * WEEKS as i64))
    }

    /// Which charted month `day` falls in.
    fn month_of(&self, day: NaiveDate) -> Option<usize> {
        let first = self.first_month();
        let months = (day.year() - first.year()) * 12 + day.month() as i32 - first.month() as i32;
        usize::try_from(months).ok().filter(|m| *m < MONTHS)
    }
}

/// One day's (or month's) money of an organization in one currency.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    /// Signed cents of what settled, own transfers included: they move the balance.
    settled_net: i64,
    /// Money in and out, own transfers left out, pending ones in.
    flow: Flow,
    internal_count: usize,
    internal_cents: i64,
}

impl Sums {
    /// One transaction's share.
    fn of(credit: bool, cents: i64, settled: bool, internal: bool) -> Sums {
        let mut sums = Sums::default();
        if settled {
            sums.settled_net = if credit { cents } else { -cents };
        }
        if internal {
            sums.internal_count = 1;
            sums.internal_cents = cents;
        } else {
            sums.flow.add(credit, cents);
        }
        sums
    }
}

/// What `org` moved per charted month; its windows filled as days are counted.
struct Counting<'a> {
    window: &'a Window,
    org: &'a mut OrgCash,
    moved: [i64; MONTHS],
}

impl<'a> Counting<'a> {
    fn new(window: &'a Window, org: &'a mut OrgCash) -> Counting<'a> {
        org.weekly_net = vec![0; WEEKS];
        org.monthly = vec![Flow::default(); MONTHS];
        Counting {
            window,
            org,
            moved: [0; MONTHS],
        }
    }

    /// A day's sums in `currency`; the group's own-transfer figures grow too.
    fn day(&mut self, group: (&mut usize, &mut i64), day: NaiveDate, currency: &str, s: Sums) {
        let w = self.window;
        if day > w.today {
            return;
        }
        if day >= w.since(90) {
            self.org.internal_count += s.internal_count;
            *group.0 += s.internal_count;
            *group.1 += s.internal_cents;
        }
        if currency != self.org.currency {
            return;
        }
        if day >= w.month_start {
            self.month(MONTHS - 1, s);
            self.org.month_to_date.add_flow(s.flow);
        }
        if day > w.since(30) {
            self.org.last_30_days.add_flow(s.flow);
        }
        if day > w.since(90) {
            self.org.last_90_days.add_flow(s.flow);
        }
        let weeks_ago = ((w.today - day).num_days() / 7) as usize;
        if weeks_ago < WEEKS {
            self.org.weekly_net[WEEKS - 1 - weeks_ago] += s.flow.net();
        }
    }

    /// A charted month's sums in the organization's currency.
    fn month(&mut self, m: usize, s: Sums) {
        if let Some(moved) = self.moved.get_mut(m) {
            *moved += s.settled_net;
        }
        if let Some(flow) = self.org.monthly.get_mut(m) {
            flow.add_flow(s.flow);
        }
    }
}

/// Today's balance, less what each later month moved, is the balance a month ended with.
pub(crate) fn month_end_balances(org: &OrgCash, moved: &[i64; MONTHS]) -> Vec<Option<i64>> {
    let now = org.totals.get(&org.currency).copied();
    let visible = now.is_some() || org.hidden == 0;
    let mut balance = now.unwrap_or(0);
    let mut ends = vec![None; MONTHS];
    for m in (0..MONTHS).rev() {
        if visible {
            ends[m] = Some(balance);
        }
        balance -= moved[m];
    }
    ends
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

impl Books {
    /// Each organization's flows from the kept sums: this month and the last 13 weeks day by
    /// day, the months before it whole (a few hundred rows an organization, however many
    /// transactions it has).
    pub(crate) fn flows_from_sums(
        &self,
        group: &mut GroupCash,
        window: &Window,
    ) -> Result<(), BooksError> {
        let mut days = self.db.prepare_cached(
            "SELECT day, currency, settled_net, in_cents, out_cents, internal_count,
                 internal_cents
             FROM cash_days WHERE org_id = ?1 AND day >= ?2",
        )?;
        let mut months = self.db.prepare_cached(
            "SELECT month, settled_net, in_cents, out_cents
             FROM cash_months WHERE org_id = ?1 AND currency = ?2 AND month >= ?3
                 AND month < ?4",
        )?;
        let first_day = window.first_day().format("%Y-%m-%d").to_string();
        let first_month = window.first_month().format("%Y-%m").to_string();
        let this_month = window.month_start.format("%Y-%m").to_string();
        let (internal_count, internal_cents) =
            (&mut group.internal_count, &mut group.internal_cents);
        for org in &mut group.orgs {
            let mut counting = Counting::new(window, org);
            let rows = days.query_map(rusqlite::params![counting.org.id, first_day], |r| {
                let sums = Sums {
                    settled_net: r.get(2)?,
                    flow: Flow {
                        in_cents: r.get(3)?,
                        out_cents: r.get(4)?,
                    },
                    internal_count: r.get::<_, i64>(5)?.max(0) as usize,
                    internal_cents: r.get(6)?,
                };
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, sums))
            })?;
            for row in rows {
                let (day, currency, sums) = row?;
                if let Some(day) = parse_day(&day) {
                    counting.day((internal_count, internal_cents), day, &currency, sums);
                }
            }
            let params = rusqlite::params![
                counting.org.id,
                counting.org.currency,
                first_month,
                this_month
            ];
            let rows = months.query_map(params, |r| {
                let sums = Sums {
                    settled_net: r.get(1)?,
                    flow: Flow {
                        in_cents: r.get(2)?,
                        out_cents: r.get(3)?,
                    },
                    ..Sums::default()
                };
                Ok((r.get::<_, String>(0)?, sums))
            })?;
            for row in rows {
                let (month, sums) = row?;
                let m = parse_day(&format!("{month}-01")).and_then(|d| window.month_of(d));
                if let Some(m) = m {
                    counting.month(m, sums);
                }
            }
            let moved = counting.moved;
            org.month_end_balance = month_end_balances(org, &moved);
        }
        Ok(())
    }

    /// Each organization's flows from its rows since the window's first charted month.
    pub(crate) fn flows_from_rows(
        &self,
        group: &mut GroupCash,
        window: &Window,
        own_ibans: &HashSet<String>,
    ) -> Result<(), BooksError> {
        let mut q = self.db.prepare_cached(concat!(
            "SELECT side, abs(amount_cents), coalesce(currency, 'EUR'), substr(sort_at, 1, 10),
                 counterparty_iban, status = 'completed'
             FROM transactions
             WHERE org_key = ",
            key_of!("?1"),
            " AND sort_at >= ?2 AND status IS NOT 'declined'"
        ))?;
        let from = window.first_day().min(window.first_month());
        let from = from.format("%Y-%m-%d").to_string();
        let (internal_count, internal_cents) =
            (&mut group.internal_count, &mut group.internal_cents);
        for org in &mut group.orgs {
            let mut counting = Counting::new(window, org);
            let rows = q.query_map(rusqlite::params![counting.org.id, from], |r| {
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
                let (Some(cents), Some(day)) = (cents, day.as_deref().and_then(parse_day)) else {
                    continue;
                };
                let credit = side.as_deref() == Some("credit");
                let internal = counterparty.is_some_and(|c| own_ibans.contains(&compact(&c)));
                let sums = Sums::of(credit, cents, settled, internal);
                if day >= window.month_start || day >= window.first_day() {
                    counting.day((internal_count, internal_cents), day, &currency, sums);
                }
                if day < window.month_start
                    && currency == counting.org.currency
                    && let Some(m) = window.month_of(day)
                {
                    counting.month(m, sums);
                }
            }
            let moved = counting.moved;
            org.month_end_balance = month_end_balances(org, &moved);
        }
        Ok(())
    }
}
