//! The TUI keeps the local books in sync by itself: the real binary, against the sandbox over
//! loopback, shows the sync's progress, ends holding every organization's transactions, and
//! then scrolls an account to its end from the books without asking Qonto again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::app::{Home, app, app_env, output_within, text};
use common::pty::PtyApp;
use qonto_sandbox::data::TxStatus;
use qonto_sandbox::{DataOptions, Faults, Sandbox, SandboxOptions};

const WAIT: Duration = Duration::from_secs(30);
const PER_ACCOUNT: usize = 420;

async fn sandbox() -> Sandbox {
    let port = common::app::free_port();
    let options = common::options();
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        data: DataOptions {
            transactions_per_account: Some(PER_ACCOUNT),
            ..options.data.clone()
        },
        ..options
    })
    .await
    .unwrap()
}

/// The "N of TOTAL" position the transactions tab shows for `account`.
fn position(screen: &str, account: &str) -> Option<(usize, usize)> {
    let label = format!("{account}  ");
    let line = screen.lines().find(|l| l.contains(&label))?;
    let after = &line[line.find(&label)? + label.len()..];
    let (at, rest) = after.split_once(" of ")?;
    let total: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    Some((at.trim().parse().ok()?, total.parse().ok()?))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tui_syncs_every_organization_in_the_background_then_scrolls_from_the_books() {
    let sb = std::sync::Arc::new(sandbox().await);
    let home = Home::new("background-sync");
    let env = app_env(&sb, &home);
    // Slow enough that the progress can be seen.
    sb.set_faults(Faults {
        latency: Duration::from_millis(40),
        ..Faults::default()
    });
    let all: usize = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| o.accounts.iter())
        .map(|a| sb.ledger_now(a).transactions.len())
        .sum();
    let org = &sb.data().orgs[0];
    let account = org.accounts[0].name.clone();
    let listed = sb
        .ledger_now(&org.accounts[0])
        .transactions
        .iter()
        .filter(|t| t.status != TxStatus::Declined)
        .count();

    let spawn_env = env.clone();
    let mut tui = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &spawn_env, 160, 45))
        .await
        .unwrap();
    let (tui, requests_while_scrolling) = {
        let sb_stats = sb.clone();
        tokio::task::spawn_blocking(move || {
            tui.wait_text("Organizations (5)", WAIT);
            tui.wait_for("the sync's progress", WAIT, |s| s.contains("· syncing "));
            tui.wait_for("the sync's end", Duration::from_secs(90), |s| {
                s.contains("· synced ")
            });
            tui.wait_text(&account, WAIT);
            tui.send(b"2");
            tui.send(b"\t");
            tui.wait_for("the first page", WAIT, |s| {
                position(s, &account).is_some_and(|(at, _)| at == 1)
            });
            let before = sb_stats.stats().api_requests;
            let deadline = Instant::now() + WAIT;
            let mut reached = (0, 0);
            while Instant::now() < deadline && reached.0 < listed {
                tui.send(b"G");
                std::thread::sleep(Duration::from_millis(100));
                reached = position(&tui.screen(), &account).unwrap_or(reached);
            }
            assert_eq!(reached, (listed, listed), "{}", tui.screen());
            let asked = sb_stats.stats().api_requests - before;
            tui.send(b"q");
            tui.wait_exit(Duration::from_secs(5));
            (tui, asked)
        })
        .await
        .unwrap()
    };
    drop(tui);
    assert_eq!(
        requests_while_scrolling, 0,
        "pages past the first come from the books once they hold the account"
    );

    // What the TUI stored is all there is: a sync on the command line adds nothing.
    sb.set_faults(Faults::default());
    let mut c = app(&sb, &home);
    c.envs(env.iter().cloned()).args(["sync", "--json"]);
    let out = tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(60)))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stored"], all, "{report}");
    let added: u64 = report["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["added"].as_u64().unwrap())
        .sum();
    assert_eq!(added, 0, "{report}");
}
