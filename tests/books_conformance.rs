//! One suite, both engines: each check below stores the same rows through the books' write set
//! ([`BooksWrites`]) and asks the same questions through their read set ([`BooksReads`]), once
//! of the encrypted SQLite copy and once of a fresh PostgreSQL database of a firm's books (the
//! test PostgreSQL `scripts/test` starts). The checks compare with what the rows say, so both
//! engines answer to one truth, not merely to each other. Here the search language and what
//! it adds up to; the other reads are in `books_conformance_reads.rs`; the SQLite-only checks
//! (the file's encryption, a damaged file set aside, the query plans) stay in `qonto-books`'
//! own tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::conformance::{account, ids, many, numbered, org, store, tx};
use qonto_books::query::{self, Query};
use qonto_books::values::Side;
use qonto_books::{BooksReads, BooksWrites};
use qonto_client::api::models::Transaction;
use serde_json::Value;

on_both_engines!(
    words_match_prefixes_accents_and_case_newest_first,
    totals_count_and_add_every_match_signed_per_currency,
    or_a_dash_and_sort_amount_answer_as_a_filter_over_every_row_would,
    a_search_kept_to_some_organizations_never_answers_from_another,
    missing_receipts_are_found_and_counted_per_organization,
    the_largest_first_are_those_a_full_sort_gives,
    organizations_and_accounts_are_named_by_the_beginning_of_their_names,
    categories_are_found_by_the_beginning_of_their_names,
);

async fn words_match_prefixes_accents_and_case_newest_first(mut b: impl BooksReads + BooksWrites) {
    let all = many(6_000);
    store(&mut b, "o", &all).await;
    assert_eq!(
        ids(&b, "urssaf", 50).await,
        numbered(|i| i % 3 == 0, 6_000, 50)
    );
    assert_eq!(
        ids(&b, "urss octobre", 20).await,
        numbered(|i| i % 15 == 0, 6_000, 20)
    );
    // Case and accents ignored both ways, a word's beginning enough from two letters on.
    assert_eq!(ids(&b, "URSSAF", 5).await, ids(&b, "urssaf", 5).await);
    assert_eq!(ids(&b, "dîn", 3).await, numbered(|_| true, 6_000, 3));
    assert_eq!(
        ids(&b, "DINER EQUIPE", 3).await,
        numbered(|_| true, 6_000, 3)
    );
    assert_eq!(ids(&b, "équi", 3).await, numbered(|_| true, 6_000, 3));
    assert!(ids(&b, "urssafx", 5).await.is_empty());
    // A newer row written later is first on the next search.
    let mut newer = tx("new", "URSSAF", "2026-11-01T00:00:00Z");
    newer.note = None;
    store(&mut b, "o", &[newer]).await;
    assert_eq!(ids(&b, "urssaf", 2).await, ["new", "t00000"]);
}

async fn totals_count_and_add_every_match_signed_per_currency(
    mut b: impl BooksReads + BooksWrites,
) {
    let mut all = many(3_000);
    for (i, t) in all.iter_mut().enumerate() {
        t.amount_cents = Some(100 + i as i64);
        t.side = Some(if i % 4 == 0 { "credit" } else { "debit" }.into());
        t.currency = Some(if i % 10 == 0 { "USD" } else { "EUR" }.into());
    }
    store(&mut b, "o", &all[..1_000]).await;
    store(&mut b, "p", &all[1_000..]).await;
    for text in ["urssaf", "urss octobre", "side:credit", ""] {
        let query = query::parse(text).unwrap();
        let found = b.find(&query, 10_000).await.unwrap();
        let mut expected: BTreeMap<String, i64> = BTreeMap::new();
        let mut per_org: BTreeMap<String, usize> = BTreeMap::new();
        for f in &found {
            let cents = f.tx.amount_cents.unwrap();
            let signed = if f.tx.side == Some(Side::Credit) {
                cents
            } else {
                -cents
            };
            *expected.entry(f.tx.currency.clone().unwrap()).or_default() += signed;
            *per_org.entry(f.tx.org_id.clone()).or_default() += 1;
        }
        let totals = b.totals(&query).await.unwrap();
        assert_eq!(totals.count, found.len(), "{text}");
        assert_eq!(
            totals.sums,
            expected.into_iter().collect::<Vec<_>>(),
            "{text}"
        );
        let by_org: Vec<(String, String, usize)> = totals
            .by_org
            .iter()
            .map(|o| (o.org_id.clone(), o.name.clone(), o.count))
            .collect();
        let want: Vec<(String, String, usize)> = per_org
            .into_iter()
            .map(|(id, n)| (id.clone(), format!("Org {id}"), n))
            .collect();
        assert_eq!(by_org, want, "{text}");
    }
}

async fn or_a_dash_and_sort_amount_answer_as_a_filter_over_every_row_would(
    mut b: impl BooksReads + BooksWrites,
) {
    let mut all = many(6_000);
    for (i, t) in all.iter_mut().enumerate() {
        t.amount_cents = Some(100 + ((i as i64 * 7_919) % 5_000));
        t.side = Some(if i % 4 == 0 { "credit" } else { "debit" }.into());
    }
    store(&mut b, "o", &all).await;
    let credit = |i: usize| i.is_multiple_of(4);
    let cases: [(&str, &dyn Fn(usize) -> bool); 5] = [
        ("urssaf OR octobre", &|i| i % 3 == 0 || i % 5 == 0),
        ("-urssaf", &|i| i % 3 != 0),
        ("urssaf -octobre", &|i| i % 3 == 0 && i % 5 != 0),
        ("boulangerie -side:credit", &|i| i % 3 != 0 && !credit(i)),
        ("-type:card", &|_| false),
    ];
    for (text, keep) in cases {
        assert_eq!(
            ids(&b, text, 10_000).await,
            numbered(keep, all.len(), 10_000),
            "{text}"
        );
    }
    let found = b
        .find(&query::parse("side:credit sort:amount").unwrap(), 50)
        .await
        .unwrap();
    let got: Vec<(i64, String)> = found
        .iter()
        .map(|f| (f.tx.amount_cents.unwrap(), f.tx.id.clone()))
        .collect();
    let mut want: Vec<(i64, String)> = (0..all.len())
        .filter(|i| credit(*i))
        .map(|i| (all[i].amount_cents.unwrap(), format!("t{i:05}")))
        .collect();
    // The largest first, then the newest (the lowest number).
    want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    want.truncate(50);
    assert_eq!(got, want);
}

async fn a_search_kept_to_some_organizations_never_answers_from_another(
    mut b: impl BooksReads + BooksWrites,
) {
    let all = many(3_000);
    store(&mut b, "a", &all[..1_500]).await;
    store(&mut b, "b", &all[1_500..]).await;
    for text in [
        "",
        "urssaf",
        "urss octobre",
        "side:debit",
        "org:org",
        "sort:amount",
    ] {
        let mut query = query::parse(text).unwrap();
        query.only_orgs = Some(vec!["a".into()]);
        let found = b.find(&query, 5_000).await.unwrap();
        assert!(found.iter().all(|f| f.tx.org_id == "a"), "{text}");
        let anywhere = query::parse(text).unwrap();
        let everywhere = b.find(&anywhere, 5_000).await.unwrap();
        let in_a = everywhere.iter().filter(|f| f.tx.org_id == "a").count();
        assert_eq!(found.len(), in_a, "{text}");
        assert_eq!(b.totals(&query).await.unwrap().count, in_a, "{text}");
    }
    let none = Query {
        only_orgs: Some(Vec::new()),
        ..Default::default()
    };
    assert!(b.find(&none, 10).await.unwrap().is_empty());
}

async fn missing_receipts_are_found_and_counted_per_organization(
    mut b: impl BooksReads + BooksWrites,
) {
    let mut all = many(4_000);
    for (i, t) in all.iter_mut().enumerate() {
        // One in four needs a receipt and has none (one in eight of those has one attached);
        // one in 97 is over 1,000.
        t.attachment_required = Some(i % 4 == 0);
        if i % 32 == 0 {
            t.attachment_ids = vec![format!("att-{i}")];
        }
        t.amount_cents = Some(if i % 97 == 0 { 150_000 } else { 2_000 });
    }
    store(&mut b, "x", &all[..1_000]).await;
    store(&mut b, "y", &all[1_000..]).await;
    let missing = |i: usize| i.is_multiple_of(4) && !i.is_multiple_of(32);
    for (text, keep) in [
        ("missing:receipt", &missing as &dyn Fn(usize) -> bool),
        ("missing:receipt >1000", &|i| missing(i) && i % 97 == 0),
        ("missing:receipt urssaf", &|i| missing(i) && i % 3 == 0),
    ] {
        assert_eq!(
            ids(&b, text, 10_000).await,
            numbered(keep, all.len(), 10_000),
            "{text}"
        );
        assert_eq!(
            ids(&b, text, 10).await,
            numbered(keep, all.len(), 10),
            "{text}, a page"
        );
    }
    let count = |from: usize, to: usize| (from..to).filter(|i| missing(*i)).count() as i64;
    assert_eq!(
        b.missing_receipt_counts().await.unwrap(),
        [
            ("x".to_string(), count(0, 1_000)),
            ("y".to_string(), count(1_000, 4_000))
        ]
    );
}

async fn the_largest_first_are_those_a_full_sort_gives(mut b: impl BooksReads + BooksWrites) {
    let mut all = many(4_000);
    for (i, t) in all.iter_mut().enumerate() {
        // Amounts from 1 cent to 2,000 euros, many equal, both sides.
        t.amount_cents = Some(((i * 7_919) % 200_000) as i64 / 50 * 50 + 1);
        t.side = Some(if i % 3 == 0 { "credit" } else { "debit" }.into());
    }
    store(&mut b, "o", &all).await;
    for (text, limit) in [
        ("sort:amount", 10),
        ("side:credit sort:amount", 25),
        ("side:credit sort:amount", 3_000),
        ("<500 sort:amount", 10),
    ] {
        let mut want: Vec<&Transaction> = all
            .iter()
            .filter(|t| !text.contains("credit") || t.side == Some(Side::Credit))
            .filter(|t| !text.contains('<') || t.amount_cents.unwrap() <= 50_000)
            .collect();
        want.sort_by(|a, b| {
            b.amount_cents
                .cmp(&a.amount_cents)
                .then_with(|| b.settled_at.cmp(&a.settled_at))
                .then_with(|| b.id.cmp(&a.id))
        });
        let want: Vec<String> = want
            .iter()
            .take(limit)
            .map(|t| t.id.clone().unwrap())
            .collect();
        assert_eq!(ids(&b, text, limit).await, want, "{text} {limit}");
    }
}

async fn organizations_and_accounts_are_named_by_the_beginning_of_their_names(
    mut b: impl BooksReads + BooksWrites,
) {
    let all = many(600);
    b.store_organization(&org("h", "Holding Éclair"), 1)
        .await
        .unwrap();
    b.store_organization(&org("s", "Société Brass"), 1)
        .await
        .unwrap();
    b.store_accounts("h", &[account("acc-h", "Compte principal", "FR1")])
        .await
        .unwrap();
    b.store_accounts("s", &[account("acc-s", "Réserve", "FR2")])
        .await
        .unwrap();
    b.store_transactions("h", "acc-h", &all[..200])
        .await
        .unwrap();
    b.store_transactions("s", "acc-s", &all[200..])
        .await
        .unwrap();
    let first = |from: usize, to: usize| numbered(|i| (from..to).contains(&i), 600, 10_000);
    assert_eq!(ids(&b, "org:holding", 10_000).await, first(0, 200));
    assert_eq!(ids(&b, "org:hold", 10_000).await, first(0, 200));
    // Accents and case ignored in names too.
    assert_eq!(ids(&b, "org:SOCIETE", 10_000).await, first(200, 600));
    assert_eq!(ids(&b, "-org:societe", 10_000).await, first(0, 200));
    assert_eq!(ids(&b, "account:reserve", 10_000).await, first(200, 600));
    assert_eq!(ids(&b, "account:compte", 10_000).await, first(0, 200));
    assert!(ids(&b, "org:nobody", 10).await.is_empty());
    // A result names its organization and account.
    let found = b.find(&query::parse("").unwrap(), 1).await.unwrap();
    assert_eq!(found[0].org_name.as_deref(), Some("Holding Éclair"));
    assert_eq!(found[0].account_name.as_deref(), Some("Compte principal"));
}

async fn categories_are_found_by_the_beginning_of_their_names(
    mut b: impl BooksReads + BooksWrites,
) {
    let mut all = many(900);
    for (i, t) in all.iter_mut().enumerate() {
        let (main, sub) = match i % 3 {
            0 => (Some("Impôts & taxes"), Some("Sécurité sociale")),
            1 => (Some("Repas"), None),
            _ => (None, None),
        };
        // Filed as Qonto answers: a category and a subcategory, each named.
        let mut json = serde_json::to_value(&*t).unwrap();
        json["cashflow_category"] = main.map_or(Value::Null, |n| serde_json::json!({"name": n}));
        json["cashflow_subcategory"] = sub.map_or(Value::Null, |n| serde_json::json!({"name": n}));
        *t = serde_json::from_value(json).unwrap();
    }
    store(&mut b, "o", &all).await;
    let n = all.len();
    for (text, keep) in [
        (
            "category:impots",
            &(|i: usize| i.is_multiple_of(3)) as &dyn Fn(usize) -> bool,
        ),
        // A subcategory's name, accents and case ignored.
        ("category:SECU", &|i| i % 3 == 0),
        ("category:re", &|i| i % 3 == 1),
        ("uncategorized", &|i| i % 3 == 2),
        ("-category:repas", &|i| i % 3 != 1),
        ("boulangerie uncategorized", &|i| i % 3 == 2),
        ("category:nothing", &|_| false),
    ] {
        assert_eq!(
            ids(&b, text, 10_000).await,
            numbered(keep, n, 10_000),
            "{text}"
        );
    }
    let found = b
        .find(&query::parse("category:secu").unwrap(), 1)
        .await
        .unwrap();
    assert_eq!(
        found[0].tx.category.as_deref(),
        Some("Impôts & taxes / Sécurité sociale")
    );
}
