//! Bulk writes: every debit of five organizations (about 10,000 transactions) filed under one
//! cash-flow category with the real binary (`categorize --apply`) at L = 100 ms, against its
//! floors: the calls it needs (ceil(n/100) per organization) one after another at L each, and
//! Qonto's rate budget.

use std::time::{Duration, Instant};

use qonto_sandbox::{DataOptions, Faults};
use qonto_testkit::app::{Home, output_within};

use super::{L, env_for, login, row};

pub async fn categorize() {
    let data = DataOptions {
        accounts_per_org: Some(1),
        transactions_per_account: Some(3_000),
        ..DataOptions::default()
    };
    let sb = super::sandbox(data, Duration::from_secs(3600)).await;
    let home = Home::new("bench-categorize");
    let mut env = env_for(&sb, &home, true);
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let env_login = env.clone();
    super::blocking(move || login(&env_login)).await;
    let run = |args: Vec<&'static str>, env: Vec<(String, String)>| {
        super::blocking(move || {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_qonto-tui"));
            c.args(&args).envs(env).stdin(std::process::Stdio::null());
            output_within(c, Duration::from_secs(900))
        })
    };
    assert!(run(vec!["sync"], env.clone()).await.status.success());
    let dry = run(
        vec![
            "categorize",
            "side:debit",
            "--category",
            "Operations / Software",
            "--json",
        ],
        env.clone(),
    )
    .await;
    let plan: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap_or_default();
    let moving = plan["to_change"].as_u64().unwrap_or(0) as usize;
    let calls = plan["calls"].as_array().map_or(0, Vec::len);
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let before = sb.stats();
    let started = Instant::now();
    let out = run(
        vec![
            "categorize",
            "side:debit",
            "--category",
            "Operations / Software",
            "--apply",
            "--json",
        ],
        env,
    )
    .await;
    let took = started.elapsed();
    let after = sb.stats();
    let requests = after.api_requests - before.api_requests;
    let floor = L * calls as u32;
    row(
        &format!(
            "categorize {moving} transactions of {} organizations (`categorize --apply`), L = {} ms",
            sb.data().orgs.len(),
            L.as_millis()
        ),
        format!(
            "{:.1} s, {requests} requests ({calls} assignment calls, the rest listing trees and organizations), {} × 429{}; floor: {calls} calls one after another at L = {:.1} s → {:.2}×; rate floor 0 s",
            took.as_secs_f64(),
            after.rate_limited - before.rate_limited,
            if out.status.success() {
                ""
            } else {
                " (the command failed)"
            },
            floor.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64().max(0.001)
        ),
        "ceil(n/100) calls",
    );
    sb.stop().await;
}

/// Marking every match of a search in the TUI (`^X`: the ids and amounts read from the copy,
/// as the worker does) and filing the marked under one category through the TUI's own write
/// lane (`category_work::carry_out`), at L = 100 ms, against the request floor: ceil(n/100)
/// calls per organization one after another at L.
pub async fn mark_all_and_file() {
    use qonto_books::BooksHandle;
    use qonto_books::sync::{Budget, Listeners, Pace, sync_all};
    use qonto_tui::app::msg::WriteAsk;
    use qonto_tui::config::WritePolicy;
    use qonto_tui::writes::categories::Categories;

    let data = DataOptions {
        accounts_per_org: Some(1),
        transactions_per_account: Some(3_000),
        ..DataOptions::default()
    };
    let sb = super::sandbox(data, Duration::from_secs(3600)).await;
    let api = qonto_testkit::fixtures::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let books = BooksHandle::in_memory().unwrap();
    let synced = sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        Listeners::none(),
    )
    .await;
    for r in synced {
        r.unwrap();
    }
    let query = qonto_books::query::parse("side:debit").unwrap();
    let mut samples = Vec::new();
    let mut marked = Vec::new();
    for _ in 0..10 {
        let q = query.clone();
        let started = Instant::now();
        let (found, _) = books
            .read(move |b| {
                b.search(
                    &q,
                    qonto_tui::jobs::MARK_AT_MOST,
                    qonto_tui::jobs::MARK_AT_MOST,
                )
            })
            .await
            .unwrap()
            .unwrap();
        let mut marks = qonto_tui::app::marks::Marks::default();
        for f in &found {
            marks.insert(&f.tx);
        }
        samples.push(started.elapsed());
        marked = marks.ids().cloned().collect::<Vec<_>>();
    }
    samples.sort();
    row(
        &format!(
            "mark every match of a search in the TUI (^X: {} debits of {} organizations, ids and amounts from the copy)",
            marked.len(),
            orgs.len()
        ),
        format!(
            "median {}, slowest of 10 {}",
            super::ms(samples[samples.len() / 2]),
            super::ms(samples[samples.len() - 1])
        ),
        "report",
    );

    let policy = WritePolicy::All;
    let categories = Categories {
        api: &api,
        books: &books,
        policy: &policy,
        config_path: std::path::Path::new("bench.toml"),
    };
    // The floor counts the calls the change needs: the transactions already filed there move
    // nothing (the plan reads the trees before the latency is set).
    sb.set_faults(Faults::default());
    let plan = categories
        .plan(&marked, Some("Operations / Software"))
        .await
        .unwrap();
    let floor_calls = plan.batches.len();
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let ask = WriteAsk::Categorize {
        ticket: 1,
        transactions: marked.clone(),
        name: Some("Operations / Software".into()),
    };
    let before = sb.stats();
    let started = Instant::now();
    let done = qonto_tui::jobs::category_work::carry_out(&categories, &ask)
        .await
        .unwrap();
    let took = started.elapsed();
    let after = sb.stats();
    let calls: usize = sb
        .data()
        .orgs
        .iter()
        .map(|o| sb.category_calls(&o.id))
        .sum();
    let floor = L * floor_calls as u32;
    row(
        &format!(
            "file the {} marked under one category through the TUI's write lane, L = {} ms",
            marked.len(),
            L.as_millis()
        ),
        format!(
            "{:.1} s, {calls} assignment calls ({} requests in all, {} × 429), {} filed, {} unchanged, {} failed; request floor ceil(n/100) per organization = {floor_calls} calls at L = {:.1} s → {:.2}×",
            took.as_secs_f64(),
            after.api_requests - before.api_requests,
            after.rate_limited - before.rate_limited,
            done.filed,
            done.unchanged,
            done.failed.len(),
            floor.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64().max(0.001)
        ),
        "ceil(n/100) calls per organization; ≤ 1.25× the floor",
    );
    books.close().await;
    sb.stop().await;
}
