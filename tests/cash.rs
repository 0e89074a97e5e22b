//! The group's cash from the local books equals what the sandbox says: totals are the sum of
//! the balances Qonto gives (hidden ones said, not counted), transfers between the user's own
//! organizations are recognised on both sides and kept apart, and money in and out adds up the
//! sandbox's other transactions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use chrono::{Datelike, Duration};
use qonto_sandbox::data::{Side, TxStatus, fixed_anchor};

#[tokio::test(flavor = "multi_thread")]
async fn group_totals_are_the_sum_of_the_balances_qonto_gives() {
    let sb = common::sandbox().await;
    let (api, books) = common::synced_books(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let now = fixed_anchor();
    let cash = books.group_cash(now).unwrap();

    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    let mut hidden = 0;
    for org in &orgs {
        for account in api.organization(&org.id).await.unwrap().bank_accounts {
            let currency = account.currency.clone().unwrap_or_else(|| "EUR".into());
            match account.balance_in_cents() {
                Some(cents) => *totals.entry(currency).or_default() += cents,
                None => hidden += 1,
            }
        }
    }
    assert!(hidden > 0, "the sandbox has a role that hides balances");
    assert_eq!(cash.totals, totals);
    assert_eq!(cash.hidden, hidden);
    for org in &cash.orgs {
        let sum: i64 = org.accounts.iter().filter_map(|a| a.balance_cents).sum();
        assert_eq!(org.totals.values().sum::<i64>(), sum, "{}", org.name);
    }

    // The transfers between the user's own organizations, both legs of each, in 90 days.
    let today = now.date_naive();
    let own = |tx: &qonto_sandbox::data::Tx| tx.counterparty >= sb.data().pool_size;
    let legs: Vec<_> = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| o.accounts.iter())
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .filter(|tx| own(tx) && tx.emitted_at.date_naive() >= today - Duration::days(90))
        .collect();
    assert!(
        legs.len() >= 2,
        "the sandbox has transfers between its organizations"
    );
    let debits = legs.iter().filter(|t| t.side == Side::Debit).count();
    assert_eq!(debits * 2, legs.len(), "each debit has its credit");
    assert_eq!(cash.internal_count, legs.len());
    assert_eq!(
        cash.internal_cents,
        legs.iter().map(|t| t.amount_cents.abs()).sum::<i64>()
    );

    // Money in and out over the last 30 days, from the sandbox's own ledgers, those left out.
    for org in &sb.data().orgs {
        let mut expected = (0, 0);
        for account in &org.accounts {
            for tx in &sb.ledger_now(account).transactions {
                let day = tx.settled_at.unwrap_or(tx.emitted_at).date_naive();
                if own(tx) || tx.status == TxStatus::Declined || day <= today - Duration::days(30) {
                    continue;
                }
                if day > today {
                    continue;
                }
                match tx.side {
                    Side::Credit => expected.0 += tx.amount_cents.abs(),
                    Side::Debit => expected.1 += tx.amount_cents.abs(),
                }
            }
        }
        let found = cash.orgs.iter().find(|o| o.id == org.id).unwrap();
        let flow = found.last_30_days;
        assert_eq!((flow.in_cents, flow.out_cents), expected, "{}", org.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_months_closing_balance_is_what_settled_by_then_and_the_months_flows_add_up() {
    let sb = common::sandbox().await;
    let (_api, books) = common::synced_books(&sb).await;
    let now = fixed_anchor();
    let cash = books.group_cash(now).unwrap();
    assert_eq!(cash.months.len(), qonto_books::MONTHS);
    assert_eq!(
        cash.months.last().copied(),
        now.date_naive().with_day(1),
        "the last month charted is this one"
    );
    let signed = |tx: &qonto_sandbox::data::Tx| match tx.side {
        Side::Credit => tx.amount_cents.abs(),
        Side::Debit => -tx.amount_cents.abs(),
    };
    let mut checked = 0;
    for org in &cash.orgs {
        let data = sb.data().orgs.iter().find(|o| o.id == org.id).unwrap();
        assert_eq!(org.monthly.len(), qonto_books::MONTHS);
        // This month's flows are the month to date's.
        assert_eq!(
            org.monthly.last().copied(),
            Some(org.month_to_date),
            "{}",
            org.name
        );
        if org.hidden > 0 {
            assert!(
                org.month_end_balance.iter().all(Option::is_none),
                "{}",
                org.name
            );
            continue;
        }
        for (m, first) in cash.months.iter().enumerate() {
            let next = qonto_books::month_end::next_month(*first);
            let mut want = 0;
            for account in &data.accounts {
                let ledger = sb.ledger_now(account);
                let settled: Vec<_> = ledger
                    .transactions
                    .iter()
                    .filter(|t| t.status == TxStatus::Completed)
                    .collect();
                let Some(first_tx) = settled.first() else {
                    want += ledger.balance_cents;
                    continue;
                };
                let opening = first_tx.settled_balance_cents.unwrap() - signed(first_tx);
                let by_then: i64 = settled
                    .iter()
                    .filter(|t| t.settled_at.unwrap_or(t.emitted_at).date_naive() < next)
                    .map(|t| signed(t))
                    .sum();
                want += opening + by_then;
            }
            assert_eq!(
                org.month_end_balance[m],
                Some(want),
                "{} at the end of {first}",
                org.name
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 24,
        "two organizations' years at least: {checked}"
    );
}
