//! The cash view's sums the books keep as rows are written (schema 15) say what the rows say,
//! through every kind of change: the sync's own writes, a stranger's IBAN becoming one of the
//! user's accounts (the sums stale until worked out again, the view reading rows meanwhile),
//! transactions changed (declined, amounts, dates moved), and an organization forgotten.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use chrono::Duration;
use qonto_books::Books;
use qonto_client::api::models::BankAccount;
use qonto_client::api::values::Status;
use qonto_sandbox::data::fixed_anchor;

/// The view from the kept sums is the view from the rows, on several days around the data.
fn agree(books: &Books, when: &str) {
    let anchor = fixed_anchor();
    for now in [
        anchor,
        anchor - Duration::days(40),
        anchor + Duration::days(20),
        anchor - Duration::days(400),
    ] {
        assert_eq!(
            books.group_cash(now).unwrap(),
            books.group_cash_from_rows(now).unwrap(),
            "{when}, as of {now}"
        );
    }
}

fn compact(iban: &str) -> String {
    iban.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_kept_sums_say_what_the_rows_say_through_every_kind_of_change() {
    let sb = common::sandbox().await;
    let (api, mut synced) = common::synced_books(&sb).await;
    let books: &mut Books = &mut synced;
    assert!(
        !books.bring_cash_up_to_date().unwrap(),
        "the sync left the sums current"
    );
    agree(books, "after the sync");
    let anchor = fixed_anchor();
    let first = books.group_cash(anchor).unwrap();
    assert!(first.internal_count > 0, "the sandbox has own transfers");

    // A stranger's IBAN, paid within the last 90 days, becomes one of the user's accounts.
    let orgs = api.user_organizations().await.unwrap();
    let mut accounts: Vec<(String, BankAccount)> = Vec::new();
    for org in &orgs {
        for a in api.organization(&org.id).await.unwrap().bank_accounts {
            accounts.push((org.id.clone(), a));
        }
    }
    let own: HashSet<String> = accounts
        .iter()
        .filter_map(|(_, a)| a.iban.as_deref().map(compact))
        .collect();
    let mut stranger = None;
    'find: for (org, account) in &accounts {
        let Some(id) = account.key() else { continue };
        let statuses = ["completed", "pending"];
        let page = api.transactions(org, id, &statuses, 1, 100).await.unwrap();
        for t in page.transactions {
            let iban = t
                .transfer
                .as_ref()
                .and_then(|d| d.counterparty_account_number.clone());
            if let Some(iban) = iban.filter(|i| !own.contains(&compact(i))) {
                stranger = Some(iban);
                break 'find;
            }
        }
    }
    let stranger = stranger.expect("a transfer to a stranger's IBAN");
    let (org, mut listed): (String, Vec<BankAccount>) = {
        let org = accounts[0].0.clone();
        let listed = accounts
            .iter()
            .filter(|(o, _)| *o == org)
            .map(|(_, a)| a.clone())
            .collect();
        (org, listed)
    };
    let mut new_account = listed[0].clone();
    new_account.id = Some("acc-new-own".into());
    new_account.slug = None;
    // Written as people write it: spaced, lower case.
    let spaced: String = stranger
        .to_lowercase()
        .chars()
        .enumerate()
        .flat_map(|(i, c)| (i > 0 && i % 4 == 0).then_some(' ').into_iter().chain([c]))
        .collect();
    new_account.iban = Some(spaced);
    listed.push(new_account);
    books.put_accounts(&org, &listed).unwrap();
    // Stale now: the view reads the rows, so it already counts the new own transfers.
    let meanwhile = books.group_cash(anchor).unwrap();
    assert_eq!(meanwhile, books.group_cash_from_rows(anchor).unwrap());
    assert!(
        meanwhile.internal_count > first.internal_count,
        "the stranger's transfers are the user's own now: {} then {}",
        first.internal_count,
        meanwhile.internal_count
    );
    assert!(books.bring_cash_up_to_date().unwrap(), "worked out again");
    assert!(!books.bring_cash_up_to_date().unwrap(), "once");
    agree(books, "after an own IBAN appeared");
    // The same accounts written again change nothing.
    books.put_accounts(&org, &listed).unwrap();
    assert!(!books.bring_cash_up_to_date().unwrap(), "nothing changed");

    // Transactions changed: one declined, one's amount and side, one moved a month back.
    let (org, account) = (&accounts[0].0, accounts[0].1.key().unwrap().to_string());
    let page = api
        .transactions(org, &account, &["completed", "pending"], 1, 20)
        .await
        .unwrap();
    let mut changed = page.transactions.clone();
    assert!(changed.len() >= 3, "a page of transactions");
    for (i, t) in changed.iter_mut().take(3).enumerate() {
        t.updated_at = Some("2099-01-01T00:00:00.000Z".into());
        match i {
            0 => t.status = Some(Status::Declined),
            1 => {
                t.amount_cents = t.amount_cents.map(|c| c * 3 + 1);
                t.amount = None;
                t.side = Some(if t.is_credit() {
                    qonto_client::api::values::Side::Debit
                } else {
                    qonto_client::api::values::Side::Credit
                });
            }
            _ => {
                let moved = chrono::DateTime::parse_from_rfc3339(
                    t.settled_at.as_deref().or(t.emitted_at.as_deref()).unwrap(),
                )
                .unwrap()
                    - Duration::days(31);
                t.settled_at = Some(moved.to_rfc3339());
                t.emitted_at = Some(moved.to_rfc3339());
            }
        }
    }
    books.put_transactions(org, &account, &changed).unwrap();
    assert!(
        !books.bring_cash_up_to_date().unwrap(),
        "kept up as written"
    );
    assert_ne!(
        books.group_cash(anchor).unwrap(),
        meanwhile,
        "the changes show"
    );
    agree(books, "after transactions changed");

    // An organization forgotten takes its sums and its IBANs with it.
    books.forget_organization(org).unwrap();
    let after = books.group_cash_from_rows(anchor).unwrap();
    assert!(after.orgs.iter().all(|o| o.id != *org));
    books.bring_cash_up_to_date().unwrap();
    agree(books, "after an organization was forgotten");
}
