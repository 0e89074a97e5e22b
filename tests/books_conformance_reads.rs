//! One suite, both engines (see `books_conformance.rs`): the reads beside the search, a
//! period's cash with own transfers set apart, one transaction in full, and the organizations,
//! each check stored and asked alike on the SQLite copy and on a firm's PostgreSQL books.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDate;
use common::conformance::{account, org};
use qonto_books::{BooksReads, BooksWrites};
use qonto_client::api::models::Transaction;

on_both_engines!(
    a_period_s_cash_sets_own_transfers_apart,
    one_transaction_in_full,
    organizations_are_listed_by_name,
);

async fn a_period_s_cash_sets_own_transfers_apart(mut b: impl BooksReads + BooksWrites) {
    let transfer = |id: &str, cents: i64, side: &str, day: &str, iban: Option<&str>| {
        serde_json::from_value::<Transaction>(serde_json::json!({
            "id": id, "amount_cents": cents, "currency": "EUR", "side": side,
            "status": if id.starts_with("declined") { "declined" } else { "completed" },
            "operation_type": "transfer", "clean_counterparty_name": "x",
            "settled_at": day, "emitted_at": day, "updated_at": day,
            "transfer": iban.map(|i| serde_json::json!({"counterparty_account_number": i})),
        }))
        .unwrap()
    };
    b.store_organization(&org("a", "Alpha"), 1).await.unwrap();
    b.store_organization(&org("b", "beta"), 1).await.unwrap();
    b.store_accounts("a", &[account("acc-a", "A", "FR7600000000000000000000001")])
        .await
        .unwrap();
    b.store_accounts(
        "b",
        &[account("acc-b", "B", "FR76 0000 0000 0000 0000 0000 002")],
    )
    .await
    .unwrap();
    let day = |d: &str| format!("2026-10-{d}T10:00:00.000Z");
    b.store_transactions(
        "a",
        "acc-a",
        &[
            transfer("in-1", 10_000, "credit", &day("01"), None),
            transfer("out-1", 2_500, "debit", &day("31"), Some("DE0012")),
            // To the other organization's account, written with spaces and in lower case.
            transfer(
                "own-1",
                7_000,
                "debit",
                &day("15"),
                Some("fr76 0000 0000 0000 0000 0000 002"),
            ),
            transfer("declined-1", 99_999, "debit", &day("15"), None),
            transfer("before", 1, "credit", "2026-09-30T23:00:00.000Z", None),
            transfer("after", 1, "credit", "2026-11-01T00:00:00.000Z", None),
        ],
    )
    .await
    .unwrap();
    b.store_transactions(
        "b",
        "acc-b",
        &[transfer(
            "own-2",
            7_000,
            "credit",
            &day("15"),
            Some("FR7600000000000000000000001"),
        )],
    )
    .await
    .unwrap();
    let oct = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
    let both = ["a".to_string(), "b".to_string()];
    let cash = b.cash(oct(1), oct(31), &both).await.unwrap();
    assert_eq!(cash.len(), 2, "{cash:?}");
    let a = &cash[0];
    assert_eq!(
        (
            a.org_id.as_str(),
            a.org_name.as_str(),
            a.in_cents,
            a.out_cents
        ),
        ("a", "Alpha", 10_000, 2_500)
    );
    assert_eq!((a.transactions, a.internal_transactions), (2, 1));
    assert_eq!((a.internal_in_cents, a.internal_out_cents), (0, 7_000));
    let b_cash = &cash[1];
    assert_eq!(
        (
            b_cash.org_name.as_str(),
            b_cash.in_cents,
            b_cash.internal_in_cents
        ),
        ("beta", 0, 7_000)
    );
    let only_b = b.cash(oct(1), oct(31), &both[1..]).await.unwrap();
    assert_eq!(only_b.len(), 1);
    assert_eq!(only_b[0].org_id, "b");
    assert!(b.cash(oct(1), oct(31), &[]).await.unwrap().is_empty());
}

async fn one_transaction_in_full(mut b: impl BooksReads + BooksWrites) {
    let t: Transaction = serde_json::from_value(serde_json::json!({
        "id": "t-full", "amount_cents": 4_200, "currency": "EUR", "side": "debit",
        "status": "completed", "operation_type": "card",
        "clean_counterparty_name": "Café Lumière", "label": "CAFE LUMIERE PARIS",
        "reference": "REF-9", "note": "réunion", "category": "restaurant_and_bar",
        "settled_at": "2026-10-02T09:00:00.000Z", "emitted_at": "2026-10-01T09:00:00.000Z",
        "updated_at": "2026-10-02T09:00:00.000Z", "vat_amount_cents": 700, "vat_rate": 20.0,
        "local_amount_cents": 4_900, "local_currency": "CHF", "card_last_digits": "4242",
        "subject_type": "Card", "settled_balance_cents": 1_000_000,
        "attachment_ids": ["att-1", "att-2"], "attachment_required": true,
        "attachment_lost": false, "label_ids": ["lbl-1"],
        "cashflow_category": {"name": "Repas"}, "cashflow_subcategory": {"name": "Clients"},
    }))
    .unwrap();
    b.store_organization(&org("o", "Holding"), 1).await.unwrap();
    b.store_accounts("o", &[account("acc-o", "Principal", "FR7612345")])
        .await
        .unwrap();
    b.store_transactions("o", "acc-o", &[t]).await.unwrap();
    let d = b.detail("t-full").await.unwrap().expect("stored");
    assert_eq!(
        (
            d.tx.id.as_str(),
            d.tx.org_id.as_str(),
            d.tx.account_id.as_str()
        ),
        ("t-full", "o", "acc-o")
    );
    assert_eq!(
        (d.tx.amount_cents, d.tx.currency.as_deref()),
        (Some(4_200), Some("EUR"))
    );
    assert_eq!(d.tx.counterparty.as_deref(), Some("Café Lumière"));
    assert_eq!(
        (d.tx.reference.as_deref(), d.tx.note.as_deref()),
        (Some("REF-9"), Some("réunion"))
    );
    assert_eq!(d.tx.category.as_deref(), Some("Repas / Clients"));
    assert_eq!(
        (
            d.org_name.as_deref(),
            d.account_name.as_deref(),
            d.account_iban.as_deref()
        ),
        (Some("Holding"), Some("Principal"), Some("FR7612345"))
    );
    assert_eq!(d.label.as_deref(), Some("CAFE LUMIERE PARIS"));
    assert_eq!(d.category.as_deref(), Some("restaurant_and_bar"));
    assert_eq!((d.vat_amount_cents, d.vat_rate), (Some(700), Some(20.0)));
    assert_eq!(
        (d.local_amount_cents, d.local_currency.as_deref()),
        (Some(4_900), Some("CHF"))
    );
    assert_eq!(d.card_last_digits.as_deref(), Some("4242"));
    assert_eq!(d.subject_type.as_deref(), Some("Card"));
    assert_eq!(d.settled_balance_cents, Some(1_000_000));
    assert_eq!(d.attachment_ids, ["att-1", "att-2"]);
    assert_eq!(
        (d.attachment_required, d.attachment_lost),
        (Some(true), Some(false))
    );
    assert!(!d.missing_receipt, "it has its receipts");
    // A label these books do not name stays its id.
    assert_eq!(d.labels, ["lbl-1"]);
    assert_eq!(
        (
            d.cashflow_category.as_deref(),
            d.cashflow_subcategory.as_deref()
        ),
        (Some("Repas"), Some("Clients"))
    );
    assert!(b.detail("nobody").await.unwrap().is_none());
}

async fn organizations_are_listed_by_name(mut b: impl BooksReads + BooksWrites) {
    for (id, name) in [("3", "Zèbre"), ("1", "alpha"), ("2", "Beta"), ("0", "Beta")] {
        b.store_organization(&org(id, name), 1).await.unwrap();
    }
    // Stored again (a later sync): still one each.
    b.store_organization(&org("1", "alpha"), 2).await.unwrap();
    let names: Vec<(String, String)> = b.organizations_by_name().await.unwrap();
    let want: Vec<(String, String)> =
        [("0", "Beta"), ("2", "Beta"), ("3", "Zèbre"), ("1", "alpha")]
            .iter()
            .map(|(i, n)| (i.to_string(), n.to_string()))
            .collect();
    assert_eq!(names, want);
}
