//! Searching across organizations: what the books answer equals what a direct computation
//! over the sandbox's own data gives, for the library and for `qonto-tui search --json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use qonto_books::query::{Query, fold, parse};
use qonto_sandbox::Sandbox;
use qonto_sandbox::data::Tx;

/// Every transaction of the sandbox with its organization, as it stands now.
fn all_transactions(sb: &Sandbox) -> Vec<(String, Tx)> {
    common::sandbox_transactions(sb)
}

/// The query computed by hand over the sandbox's data: each word begins a word of the
/// counterparty, reference or note; amounts on the absolute value; days of the date shown.
fn truth(sb: &Sandbox, query: &Query) -> BTreeSet<String> {
    let words_of = |tx: &Tx| -> Vec<String> {
        let name = &sb.data().counterparties[tx.counterparty].name;
        [
            Some(name.as_str()),
            tx.reference.as_deref(),
            tx.note.as_deref(),
        ]
        .into_iter()
        .flatten()
        .flat_map(|t| {
            fold(t)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
    };
    let day = |t: DateTime<Utc>| t.date_naive();
    all_transactions(sb)
        .into_iter()
        .filter(|(_, tx)| {
            let words = words_of(tx);
            query.words.iter().all(|w| {
                words.iter().any(|have| {
                    // One letter matches a whole word; two or more, the start of one.
                    if w.chars().count() < 2 {
                        have == w
                    } else {
                        have.starts_with(w.as_str())
                    }
                })
            })
        })
        .filter(|(_, tx)| query.amount.contains(tx.amount_cents))
        .filter(|(_, tx)| {
            query.period.is_none_or(|(first, last)| {
                let shown = day(tx.settled_at.unwrap_or(tx.emitted_at));
                shown >= first && shown <= last
            })
        })
        .filter(|(_, tx)| !query.missing_receipt || sb.misses_receipt(tx))
        .map(|(_, tx)| tx.id)
        .collect()
}

/// The filters `truth` leaves out, computed by hand the same way: side, status, operation
/// type, and organization, account and label by the start of a name (accents and case aside).
fn truth_of_filters(sb: &Sandbox, query: &Query) -> BTreeSet<String> {
    let named = |names: &[&str], prefix: &Option<String>| {
        prefix
            .as_ref()
            .is_none_or(|p| names.iter().any(|n| fold(n).starts_with(p.as_str())))
    };
    let mut ids = BTreeSet::new();
    for org in &sb.data().orgs {
        if !named(&[&org.name, &org.legal_name], &query.org) {
            continue;
        }
        for account in &org.accounts {
            if !named(&[&account.name], &query.account) {
                continue;
            }
            for tx in &sb.ledger_now(account).transactions {
                let side = match tx.side {
                    qonto_sandbox::data::Side::Credit => "credit",
                    qonto_sandbox::data::Side::Debit => "debit",
                };
                let kind = &sb.data().counterparties[tx.counterparty].operation_type;
                let label = tx
                    .label_id
                    .as_ref()
                    .and_then(|id| org.labels.iter().find(|l| &l.id == id))
                    .map(|l| l.name.as_str());
                let holds = query.side.as_deref().is_none_or(|s| s == side)
                    && query
                        .status
                        .as_deref()
                        .is_none_or(|s| s == tx.status.as_str())
                    && query.operation_type.as_deref().is_none_or(|t| t == kind)
                    && (query.label.is_none() || label.is_some_and(|l| named(&[l], &query.label)));
                if holds {
                    ids.insert(tx.id.clone());
                }
            }
        }
    }
    ids
}

/// The transaction queries are built around, so that they find something.
fn middle(sb: &Sandbox) -> Tx {
    let org = &sb.data().orgs[1];
    let ledger = sb.ledger_now(&org.accounts[0]);
    ledger.transactions[ledger.transactions.len() / 2].clone()
}

/// Small amounts in the fortnight around the middle transaction.
fn small_around(sb: &Sandbox) -> String {
    let day = middle(sb).emitted_at.date_naive();
    let (from, to) = (day - chrono::Days::new(7), day + chrono::Days::new(7));
    format!("<20 {}..{}", from.format("%Y-%m-%d"), to.format("%Y-%m-%d"))
}

/// A query with a word, an amount range and a month.
fn query_around(sb: &Sandbox) -> String {
    let tx = &middle(sb);
    let name = &sb.data().counterparties[tx.counterparty].name;
    let word = name.split_whitespace().next().unwrap();
    let euros = tx.amount_cents.abs() / 100;
    let month = tx.settled_at.unwrap_or(tx.emitted_at).format("%Y-%m");
    format!("{word} {}..{} {month}", euros / 2, euros * 2 + 1)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_finds_exactly_what_a_computation_over_the_sandbox_finds() {
    let sb = common::sandbox().await;
    let (_api, books) = common::synced_books(&sb).await;
    let cents = middle(&sb).amount_cents.abs();
    let exact = format!("{0}.{1:02}..{0}.{1:02}", cents / 100, cents % 100);
    // Each filter against the oracle, on names' first words (folded, as typed).
    let first_word = |name: &str| fold(name.split_whitespace().next().unwrap_or_default());
    let org_query = format!("org:{} side:credit", first_word(&sb.data().orgs[2].name));
    let account_query = format!(
        "account:{} status:completed",
        first_word(&sb.data().orgs[1].accounts[0].name)
    );
    let label = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| o.labels.iter())
        .next()
        .map(|l| first_word(&l.name))
        .unwrap();
    let label_query = format!("label:{label}");
    let kind = sb.data().counterparties[middle(&sb).counterparty]
        .operation_type
        .clone();
    let type_query = format!("type:{kind} side:debit");
    for text in [
        exact.as_str(),
        query_around(&sb).as_str(),
        ">1000 missing:receipt",
        small_around(&sb).as_str(),
        org_query.as_str(),
        account_query.as_str(),
        label_query.as_str(),
        type_query.as_str(),
        "status:pending",
    ] {
        let query = parse(text).unwrap();
        let (found, total) = books.search(&query, 1_000_000, 1_000_000).unwrap();
        let ids: BTreeSet<String> = found.iter().map(|f| f.tx.id.clone()).collect();
        let filtered = truth_of_filters(&sb, &query);
        let expected: BTreeSet<String> = truth(&sb, &query)
            .intersection(&filtered)
            .cloned()
            .collect();
        assert!(
            !expected.is_empty(),
            "{text:?} finds nothing in the sandbox"
        );
        assert_eq!(ids, expected, "{text:?}");
        assert_eq!(total, expected.len());
    }

    // Missing receipts per organization equal the sandbox's truth.
    let query = parse("missing:receipt").unwrap();
    let (found, _) = books.search(&query, 1_000_000, 1_000_000).unwrap();
    for org in &sb.data().orgs {
        let stored: BTreeSet<&str> = found
            .iter()
            .filter(|f| f.tx.org_id == org.id)
            .map(|f| f.tx.id.as_str())
            .collect();
        let expected: BTreeSet<String> = all_transactions(&sb)
            .into_iter()
            .filter(|(o, tx)| o == &org.id && sb.misses_receipt(tx))
            .map(|(_, tx)| tx.id)
            .collect();
        let expected: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
        assert_eq!(stored, expected, "{}", org.name);
    }

    // An organization filter by the start of its name, and a newest-first order.
    let target = &sb.data().orgs[2];
    let prefix = fold(target.name.split_whitespace().next().unwrap());
    let (found, _) = books
        .search(&parse(&format!("org:{prefix}")).unwrap(), 50, 100)
        .unwrap();
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|f| fold(f.org_name.as_deref().unwrap()).starts_with(&prefix))
    );
    let dates: Vec<&str> = found
        .iter()
        .map(|f| {
            f.tx.settled_at
                .as_deref()
                .or(f.tx.emitted_at.as_deref())
                .unwrap()
        })
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test(flavor = "multi_thread")]
async fn search_on_the_command_line_prints_the_matches_as_json() {
    use common::app::{Home, app, app_env, output_within, text};
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("search-cli");
    let env = app_env(&sb, &home);
    let run = |args: &[&str]| {
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(args);
        tokio::task::spawn_blocking(move || output_within(c, std::time::Duration::from_secs(120)))
    };
    let out = run(&["search", "anything"]).await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("qonto-tui sync"), "{}", text(&out));
    let out = run(&["login"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["sync"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let query = query_around(&sb);
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut args = vec!["search", "--json", "--limit", "0"];
    args.extend(&words);
    let out = run(&args).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: BTreeSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, truth(&sb, &parse(&query).unwrap()));
    // Signed as `export` and `watch` sign them: money out is negative.
    let signed: std::collections::BTreeMap<String, i64> = common::sandbox_transactions(&sb)
        .into_iter()
        .map(|(_, t)| {
            let cents = match t.side {
                qonto_sandbox::data::Side::Credit => t.amount_cents.abs(),
                qonto_sandbox::data::Side::Debit => -t.amount_cents.abs(),
            };
            (t.id, cents)
        })
        .collect();
    for r in &rows {
        let id = r["id"].as_str().unwrap();
        assert_eq!(r["amount_cents"].as_i64(), signed.get(id).copied(), "{id}");
    }
    let orgs: BTreeSet<String> = sb.data().orgs.iter().map(|o| o.id.clone()).collect();
    assert!(
        rows.iter()
            .all(|r| orgs.contains(r["org_id"].as_str().unwrap()))
    );

    // Shared no more: the next sync forgets those organizations' books, so nothing of theirs
    // is found any longer.
    let kept: Vec<String> = sb.data().orgs[..2].iter().map(|o| o.id.clone()).collect();
    sb.set_consent(kept.clone());
    let out = run(&["sync", "--json"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["search", "--json", "--limit", "0", ">0"])
        .await
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| kept.contains(&r["org_id"].as_str().unwrap().to_string())),
        "only the organizations still shared"
    );

    let out = run(&["search", "zzzzqqq-never"]).await.unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let out = run(&["search", "side:sideways"]).await.unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("side is debit or credit"),
        "{}",
        text(&out)
    );
}
