//! Marks and a bulk categorize in the app, as a person does it: the real binary in a
//! pseudo-terminal against the sandbox. A search's every match is marked (`^X`, beyond the rows
//! listed), the category picker (`^G`) offers each name once and files them all (Enter), in
//! ceil(n/100) calls per organization; `^R` puts every transaction back where it was, "no
//! category" included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::app::{Home, app, app_env, output_within};
use common::pty::PtyApp;
use qonto_sandbox::Sandbox;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(120);
const TARGET: (&str, &str) = ("Operations", "Software");

type Filed = Option<(String, Option<String>)>;

/// Every transaction `query` finds in the local copy: (organization id, transaction id).
async fn found(
    sb: &Sandbox,
    home: &Home,
    env: &[(String, String)],
    query: &str,
) -> Vec<(String, String)> {
    let mut c = app(sb, home);
    c.envs(env.iter().cloned())
        .args(["search", query, "--json", "--limit", "0"]);
    let out = tokio::task::spawn_blocking(move || output_within(c, WAIT))
        .await
        .unwrap();
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    list.iter()
        .map(|t| {
            (
                t["org_id"].as_str().unwrap().to_string(),
                t["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn filed(sb: &Sandbox, ids: &[(String, String)]) -> HashMap<String, Filed> {
    let mut out = HashMap::new();
    for (org_id, tx_id) in ids {
        let org = sb.data().orgs.iter().find(|o| o.id == *org_id).unwrap();
        let tx = org
            .accounts
            .iter()
            .flat_map(|a| sb.ledger_now(a).transactions.clone())
            .find(|t| t.id == *tx_id)
            .unwrap();
        out.insert(tx_id.clone(), sb.cashflow_of(org, &tx));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn every_match_marked_filed_in_calls_of_100_and_put_back() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("categorize-tui");
    let mut env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let query = "side:debit";
    let matched = found(&sb, &home, &env, query).await;
    assert!(
        matched.len() > 200,
        "more than the rows listed: {}",
        matched.len()
    );
    let orgs: std::collections::BTreeSet<&String> = matched.iter().map(|(o, _)| o).collect();
    assert!(orgs.len() >= 3);
    let before = filed(&sb, &matched);
    let target: Filed = Some((TARGET.0.into(), Some(TARGET.1.into())));
    let mut moving: HashMap<String, usize> = HashMap::new();
    for (org, tx) in &matched {
        if before[tx] != target {
            *moving.entry(org.clone()).or_default() += 1;
        }
    }
    assert!(moving.values().any(|n| *n > 100), "{moving:?}");
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));

    let first_org = sb.data().orgs[0].name.clone();
    let total = matched.len();
    let check = sb.clone();
    let (matched_c, before_c, moving_c) = (matched.clone(), before.clone(), moving.clone());
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text(&first_org, WAIT);
        tui.send(b"s");
        tui.wait_text("Search every organization", WAIT);
        tui.send(query.as_bytes());
        // Every match counted and added up once the results are here.
        tui.wait_text(&format!("{total} found, "), WAIT);
        tui.send(b"\x18"); // ^X: every match
        tui.wait_text(&format!("{total} marked"), WAIT);
        tui.send(b"\x07"); // ^G: the picker
        tui.wait_text(
            &format!("Cash-flow category for {total} transactions"),
            WAIT,
        );
        // The picker's own line (the rows behind it show categories too).
        let offered = "│ Operations / Software";
        tui.wait_for("the picker's names", WAIT, |s| s.contains(offered));
        let screen = tui.screen();
        assert_eq!(
            screen.matches(offered).count(),
            1,
            "offered once for every organization: {screen}"
        );
        tui.send(b"software");
        tui.send(b"\r");
        let calls: usize = moving_c.values().map(|n| n.div_ceil(100)).sum();
        tui.wait_text(
            &format!("filed under Operations / Software in {calls} calls"),
            WAIT,
        );
        for (org, n) in &moving_c {
            assert_eq!(check.category_calls(org), n.div_ceil(100), "{org}");
        }
        let now = filed(&check, &matched_c);
        assert!(
            now.values()
                .all(|f| *f == Some((TARGET.0.into(), Some(TARGET.1.into()))))
        );
        tui.send(b"\x12"); // ^R: take it back
        tui.wait_text("put back where they were", WAIT);
        assert_eq!(
            filed(&check, &matched_c),
            before_c,
            "each back where it was"
        );
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_marked_in_the_transactions_tab_are_filed_and_put_back() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("categorize-tab");
    let mut env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let org = &sb.data().orgs[0];
    // Every transaction of the account the tab shows: the two marked are among them.
    let all: Vec<(String, String)> = sb
        .ledger_now(&org.accounts[0])
        .transactions
        .iter()
        .map(|t| (org.id.clone(), t.id.clone()))
        .collect();
    let before = filed(&sb, &all);
    let (check, name, all_c, before_c) =
        (sb.clone(), org.name.clone(), all.clone(), before.clone());
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text(&name, WAIT);
        tui.send(b"2");
        tui.wait_text("Settled", WAIT);
        tui.send(b"\t");
        tui.send(b"  ");
        tui.wait_text("2 marked", WAIT);
        tui.send(b"\x07"); // ^G
        tui.wait_text("Cash-flow category for 2 transactions", WAIT);
        tui.wait_for("the picker's names", WAIT, |s| {
            s.contains("│ Operations / Software")
        });
        tui.send(b"software\r");
        tui.wait_text("filed under Operations / Software", WAIT);
        // The status says how many moved ("N filed under …", the rest already there).
        let screen = tui.screen();
        let said: usize = screen
            .lines()
            .find_map(|l| {
                let at = l.find(" filed under Operations / Software")?;
                l[..at].split_whitespace().last()?.parse().ok()
            })
            .unwrap();
        let now = filed(&check, &all_c);
        let target = Some((TARGET.0.to_string(), Some(TARGET.1.to_string())));
        let moved: Vec<_> = now.iter().filter(|(id, f)| before_c[*id] != **f).collect();
        assert!(said <= 2 && moved.len() == said, "{said} said, {moved:?}");
        assert!(moved.iter().all(|(_, f)| **f == target));
        tui.send(b"\x12"); // ^R
        tui.wait_text("put back where they were", WAIT);
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    assert_eq!(filed(&sb, &all), before, "each back where it was");
}
