//! Receipts written from the command line, against the sandbox over loopback with the real
//! binary: writes off until turned on, a file attached once however often it is sent, refusals
//! in words with nothing sent, the local copy's missing-receipt state following attach and
//! undo, and exactly one attachment when an answer is lost, when Qonto asks to wait, and when
//! the process is killed while it waits for Qonto.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::app::{Home, app, app_env};
use qonto_sandbox::Sandbox;
use qonto_sandbox::data::{Tx, TxStatus};
use qonto_sandbox::uploads::UploadFaults;
use serde_json::Value;

/// A signed-in home with a synced local copy, and the environment that reaches the sandbox.
async fn ready(name: &str) -> (Sandbox, Home, Vec<(String, String)>) {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new(name);
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    (sb, home, env)
}

use common::run_app as run;

fn with_writes(env: &[(String, String)]) -> Vec<(String, String)> {
    let mut env = env.to_vec();
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    env
}

/// A completed transaction of the first organization that misses its receipt.
fn missing(sb: &Sandbox, skip: usize) -> Tx {
    sb.data().orgs[0]
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .filter(|t| t.status == TxStatus::Completed && sb.misses_receipt(t))
        .nth(skip)
        .expect("a transaction missing its receipt")
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.4\n% receipt {n}\n%%EOF\n").into_bytes()
}

/// The ids `search missing:receipt` lists from the local copy.
async fn missing_in_copy(sb: &Sandbox, home: &Home, env: &[(String, String)]) -> Vec<String> {
    let (_, out, _) = run(
        sb,
        home,
        env,
        &["search", "missing:receipt", "--json", "--limit", "0"],
    )
    .await;
    let found: Vec<Value> = serde_json::from_str(&out).unwrap_or_default();
    found
        .iter()
        .filter_map(|t| t["id"].as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn attach_once_refuse_in_words_and_undo_through_the_journal() {
    let (sb, home, env) = ready("attach-cli").await;
    let tx = missing(&sb, 0);
    let files = tempfile::tempdir().unwrap();
    let receipt = write_file(files.path(), "facture-octobre.pdf", &pdf(1));
    let receipt_arg = receipt.to_str().unwrap();

    // Off until turned on, and --read-only wins over the environment.
    let (code, _, err) = run(&sb, &home, &env, &["attach", &tx.id, receipt_arg]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("writes to Qonto are off"), "{err}");
    let writes = with_writes(&env);
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["--read-only", "attach", &tx.id, receipt_arg],
    )
    .await;
    assert_eq!(code, 1, "{err}");
    assert!(sb.uploads_of(&tx.id).is_empty(), "nothing was sent");

    assert!(missing_in_copy(&sb, &home, &env).await.contains(&tx.id));
    let (code, out, err) = run(&sb, &home, &writes, &["attach", &tx.id, receipt_arg]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("Attached ") && out.contains("facture-octobre.pdf to"),
        "{out}"
    );
    assert!(!sb.misses_receipt(&tx), "Qonto has it");
    assert!(
        !missing_in_copy(&sb, &home, &env).await.contains(&tx.id),
        "the local copy knows at once"
    );
    // The same file again: nothing sent.
    let (code, out, _) = run(&sb, &home, &writes, &["attach", &tx.id, receipt_arg]).await;
    assert_eq!(code, 0);
    assert!(out.contains("already attached"), "{out}");
    assert_eq!(sb.uploads_of(&tx.id).len(), 1);

    // Refusals, each in words, nothing sent.
    let exe = write_file(files.path(), "invoice.pdf", b"MZ\x90\x00 a program");
    let big = files.path().join("scan.pdf");
    {
        let mut bytes = pdf(2);
        bytes.resize(16 * 1024 * 1024, b' ');
        std::fs::write(&big, bytes).unwrap();
    }
    let link = files.path().join("link.pdf");
    std::os::unix::fs::symlink(&receipt, &link).unwrap();
    for (file, words) in [
        (exe.as_path(), "not a PDF, JPEG or PNG"),
        (big.as_path(), "Qonto takes receipts up to 15 MB"),
        (link.as_path(), "symbolic link"),
        (Path::new("/nonexistent/r.pdf"), "nothing was sent"),
    ] {
        let (code, _, err) = run(
            &sb,
            &home,
            &writes,
            &["attach", &tx.id, file.to_str().unwrap()],
        )
        .await;
        assert_eq!(code, 1, "{file:?}: {err}");
        assert!(err.contains(words), "{file:?}: {err}");
    }
    assert_eq!(
        sb.uploads_of(&tx.id).len(),
        1,
        "no refused file reached Qonto"
    );
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["attach", "no-such-transaction", receipt_arg],
    )
    .await;
    assert_eq!(code, 2, "{err}");

    // The journal has the write; undoing it removes exactly that attachment.
    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(journal.len(), 1, "{out}");
    assert_eq!(journal[0]["state"], "confirmed");
    assert_eq!(journal[0]["kind"], "attach");
    assert!(
        !out.contains("idempotency"),
        "keys stay in the journal: {out}"
    );
    let id = journal[0]["id"].as_i64().unwrap().to_string();
    let (code, _, err) = run(&sb, &home, &writes, &["journal", "--undo", &id]).await;
    assert_ne!(code, 0, "an undo asks first: {err}");
    assert!(err.contains("--yes"), "{err}");
    let (code, out, err) = run(&sb, &home, &writes, &["journal", "--undo", &id, "--yes"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(sb.misses_receipt(&tx), "missing again at Qonto");
    assert!(
        missing_in_copy(&sb, &home, &env).await.contains(&tx.id),
        "and in the copy"
    );
    let (_, out, _) = run(&sb, &home, &env, &["journal"]).await;
    assert!(out.contains("undone") && out.contains("detach"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn lost_answers_and_rate_limits_are_retried_under_one_key() {
    let (sb, home, env) = ready("attach-retry").await;
    let writes = with_writes(&env);
    let files = tempfile::tempdir().unwrap();
    let tx = missing(&sb, 1);
    let receipt = write_file(files.path(), "r.pdf", &pdf(7));
    sb.set_upload_faults(UploadFaults {
        server_errors: 1,
        drops_after_processing: 1,
        rate_limited: 1,
        ..UploadFaults::default()
    });
    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &["attach", &tx.id, receipt.to_str().unwrap()],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(sb.uploads_of(&tx.id).len(), 1, "exactly one attachment");
    let keys = sb.upload_keys(&tx.id);
    assert!(
        keys.len() >= 4,
        "a 503, a 429, a lost answer, then the kept one: {keys:?}"
    );
    assert!(
        keys.iter().all(|k| k == &keys[0]),
        "one key for every attempt: {keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_process_killed_while_qonto_answers_is_finished_once_by_the_next_run() {
    let (sb, home, env) = ready("attach-kill").await;
    let writes = with_writes(&env);
    let files = tempfile::tempdir().unwrap();
    let tx = missing(&sb, 2);
    let receipt = write_file(files.path(), "r.pdf", &pdf(9));
    sb.set_upload_faults(UploadFaults {
        slow_answers: 1,
        slow_by: Duration::from_secs(60),
        ..UploadFaults::default()
    });
    let mut c = app(&sb, &home);
    c.envs(writes.iter().cloned())
        .args(["attach", &tx.id, receipt.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // Qonto has the file; the app waits for the answer. Stop it there, hard.
    let mut kept = false;
    for _ in 0..600 {
        if sb.uploads_of(&tx.id).len() == 1 {
            kept = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(kept, "the upload reached the sandbox");
    child.kill().unwrap();
    child.wait().unwrap();

    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(journal[0]["state"], "sent", "{out}");
    let (code, out, err) = run(&sb, &home, &writes, &["journal", "--finish"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("confirmed"), "{err}");
    assert_eq!(sb.uploads_of(&tx.id).len(), 1, "one attachment, not two");
    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(journal[0]["state"], "confirmed", "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_attachment_write_is_refused_from_its_scopes_before_anything_is_sent() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("attach-no-scope");
    let mut env = app_env(&sb, &home);
    env.push((
        "QONTO_SCOPES".into(),
        "offline_access user_organization.read organization.read attachment.read".into(),
    ));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let tx = missing(&sb, 0);
    let files = tempfile::tempdir().unwrap();
    let receipt = write_file(files.path(), "facture.pdf", &pdf(1));
    let writes = with_writes(&env);
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["attach", &tx.id, receipt.to_str().unwrap()],
    )
    .await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("did not grant"), "{err}");
    assert!(err.contains("attachment.write"), "{err}");
    assert!(sb.uploads_of(&tx.id).is_empty(), "nothing reached Qonto");
    // Decided from the token's scopes: nothing was even recorded to be sent.
    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(journal.is_empty(), "{out}");
}
