//! While the TUI runs, transactions that arrive on any organization are told: the real binary,
//! against sandbox books that move every second, marks the organization's row (until it is
//! looked at), says it on the status line, and asks the terminal for a notification (OSC 9).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;
use qonto_sandbox::{Sandbox, SandboxOptions};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn new_transactions_are_marked_told_and_notified() {
    let port = common::app::free_port();
    let sb = Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        new_transactions_every: Some(Duration::from_millis(700)),
        ..common::options()
    })
    .await
    .unwrap();
    let home = Home::new("arrivals");
    let mut env = app_env(&sb, &home);
    // Synced once from the command line: the TUI's passes then find only what is new.
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    env.push(("QONTO_TUI_SYNC_EVERY".into(), "1".into()));
    env.push(("QONTO_TUI_NOTIFY".into(), "osc9".into()));
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text("Organizations (5)", WAIT);
        tui.wait_for("a notice of new transactions", WAIT, |s| {
            s.contains("new transaction")
        });
        // A row other than the selected one carries the mark.
        tui.wait_for("a marked organization", WAIT, |s| {
            s.lines().any(|l| l.contains('●') && !l.contains('▸'))
        });
        let raw = String::from_utf8_lossy(&tui.raw.lock().unwrap()).to_string();
        assert!(
            raw.contains("\x1b]9;qonto-tui: ") && raw.contains("new transaction"),
            "an OSC 9 notification"
        );
        // Looked at, the mark goes: onto a marked row, and it is gone from it.
        let screen = tui.screen();
        let marked = screen
            .lines()
            .find(|l| l.contains('●') && !l.contains('▸'))
            .unwrap()
            .to_string();
        let start = marked.find("  ").unwrap() + 2;
        let name: String = marked[start..].chars().take(12).collect();
        for _ in 0..8 {
            if tui.selected_line().is_some_and(|l| l.contains(&name)) {
                break;
            }
            tui.send(b"j");
            std::thread::sleep(Duration::from_millis(150));
        }
        tui.wait_for("the mark gone from the row looked at", WAIT, |_| {
            tui_selected_without_mark(&tui, &name)
        });
        tui.send(b"q");
        tui.wait_exit(Duration::from_secs(5));
    })
    .await
    .unwrap();
}

/// The selected row is `name`'s, and carries no mark of arrivals.
fn tui_selected_without_mark(tui: &PtyApp, name: &str) -> bool {
    tui.selected_line()
        .is_some_and(|l| l.contains(name) && !l.contains('●'))
}
