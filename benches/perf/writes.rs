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
