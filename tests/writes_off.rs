//! Writes are off until the person turns them on: with the default settings every write
//! command, and the app's own write keys, say so, and no request other than a read leaves the
//! process (the sandbox logs every one it receives).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;
use common::run_app as run;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn with_writes_off_no_write_request_leaves_the_process() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("writes-off");
    let env = app_env(&sb, &home);
    assert!(!env.iter().any(|(k, _)| k == "QONTO_TUI_WRITES"));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let (_, out, _) = run(
        &sb,
        &home,
        &env,
        &["search", "side:debit", "--json", "--limit", "1"],
    )
    .await;
    let found: Vec<Value> = serde_json::from_str(&out).unwrap();
    let tx = found[0]["id"].as_str().unwrap().to_string();
    let org = &sb.data().orgs[0];
    let invoice = sb
        .invoices_of(org)
        .into_iter()
        .find(|i| i.status == "awaiting_payment")
        .unwrap()
        .id;
    let request = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| sb.requests_of(o))
        .find(|r| r.status == "pending")
        .unwrap()
        .id;
    let pdf = home.dir.join("receipt.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
    let pdf = pdf.display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["attach", &tx, &pdf],
        vec![
            "categorize",
            "side:debit",
            "--category",
            "Taxes / VAT",
            "--apply",
        ],
        vec!["decline", &request, "--note", "No", "--yes"],
        vec!["invoices", "mark-paid", &invoice],
        vec!["invoices", "unmark", &invoice],
        vec!["invoices", "reject", &invoice, "--note", "No", "--yes"],
        vec!["invoices", "upload", "--org", &org.id, &pdf],
    ];
    for args in &commands {
        let (code, out, err) = run(&sb, &home, &env, args).await;
        assert_ne!(code, 0, "{args:?}: {out}{err}");
        assert!(
            err.contains("writes to Qonto are off") || out.contains("writes to Qonto are off"),
            "{args:?}: {out}{err}"
        );
    }
    assert_eq!(sb.writes_asked(), Vec::<String>::new());

    // The app's own write keys: a decline asked and confirmed, an invoice marked paid.
    let name = org.name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text(&name, WAIT);
        tui.send(b"V");
        tui.wait_text("requests pending", WAIT);
        tui.send(b"x");
        tui.wait_text("why?", WAIT);
        tui.send(b"No\r");
        tui.wait_text("Qonto cannot take this back", WAIT);
        tui.send(b"y");
        tui.wait_text("writes to Qonto are off", WAIT);
        tui.send(b"Gp");
        tui.wait_for("both refused", WAIT, |s| {
            s.matches("writes to Qonto are off").count() >= 1 && s.contains("failed")
        });
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    assert_eq!(sb.writes_asked(), Vec::<String>::new());
}
