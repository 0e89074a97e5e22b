//! Supplier invoices from the command line, against the sandbox over loopback with the real
//! binary: every organization's invoices listed overdue first; marked paid and taken back
//! through the journal; a rejection refused without a confirmation or with writes off, and
//! Qonto's refusal of a forbidden transition said in words; the sandbox agreeing each time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app, app_env, output_within};
use qonto_sandbox::Sandbox;
use serde_json::Value;

async fn run(
    sb: &Sandbox,
    home: &Home,
    env: &[(String, String)],
    args: &[&str],
) -> (i32, String, String) {
    let mut c = app(sb, home);
    c.envs(env.iter().cloned()).args(args);
    let out = tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(120)))
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn invoices_are_listed_marked_paid_taken_back_and_rejected_only_when_confirmed() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("invoices");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let mut writes = env.clone();
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));

    let (code, out, err) = run(&sb, &home, &env, &["invoices", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let listed: Vec<Value> = serde_json::from_str(&out).unwrap();
    let truth: usize = sb.data().orgs.iter().map(|o| sb.invoices_of(o).len()).sum();
    assert_eq!(listed.len(), truth, "every organization's invoices");
    let status_of = |id: &str| {
        sb.data()
            .orgs
            .iter()
            .flat_map(|o| sb.invoices_of(o))
            .find(|i| i.id == id)
            .map(|i| (i.status, i.payment_date.map(|d| d.to_string())))
            .unwrap()
    };
    let awaiting = listed
        .iter()
        .find(|i| i["invoice"]["status"] == "awaiting_payment")
        .unwrap()["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Writes off: refused, nothing changed.
    let (code, _, err) = run(&sb, &home, &env, &["invoices", "mark-paid", &awaiting]).await;
    assert_eq!(code, 1);
    assert!(err.contains("writes to Qonto are off"), "{err}");
    assert_eq!(status_of(&awaiting).0, "awaiting_payment");

    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &["invoices", "mark-paid", &awaiting, "--date", "2026-11-30"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&awaiting), ("paid", Some("2026-11-30".into())));
    // Paid twice is Qonto's refusal, in words.
    let (code, _, err) = run(&sb, &home, &writes, &["invoices", "mark-paid", &awaiting]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("not available for an invoice that is paid"),
        "{err}"
    );
    // Taken back through the journal.
    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    let marked = journal
        .iter()
        .find(|w| {
            w["kind"] == "invoice" && w["state"] == "confirmed" && w["subject"] == "mark_paid"
        })
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let (code, out, err) = run(&sb, &home, &writes, &["journal", "--undo", &marked]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&awaiting), ("awaiting_payment", None));

    // A rejection: asked first (no terminal: --yes needed), then done.
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["invoices", "reject", &awaiting, "--note", "Wrong amount"],
    )
    .await;
    assert_ne!(code, 0);
    assert!(err.contains("needs a confirmation"), "{err}");
    assert_eq!(status_of(&awaiting).0, "awaiting_payment");
    let org_of = |id: &str| {
        sb.data()
            .orgs
            .iter()
            .find(|o| sb.invoices_of(o).iter().any(|i| i.id == id))
            .unwrap()
    };
    let org = org_of(&awaiting);
    let einvoice = sb
        .invoices_of(org)
        .iter()
        .any(|i| i.id == awaiting && i.is_einvoice);
    let mut args = vec![
        "invoices",
        "reject",
        awaiting.as_str(),
        "--note",
        "Wrong amount",
        "--yes",
    ];
    if einvoice && org.legal_country == "FR" {
        args.extend(["--reason", "DIF"]);
    }
    let (code, out, err) = run(&sb, &home, &writes, &args).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&awaiting).0, "rejected");
    let (code, _, _) = run(
        &sb,
        &home,
        &writes,
        &["invoices", "unmark", "no-such-invoice"],
    )
    .await;
    assert_eq!(code, 2);
}
