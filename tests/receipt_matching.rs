//! Matching a folder of receipts to the transactions that miss one, with the real binary, the
//! real `pdftotext`, and the sandbox's truth: receipts it makes for known transactions (French,
//! German and English amounts and dates) and decoys. Every confident proposal must be right, no
//! decoy may be proposed, and most receipts must get a proposal; `--apply` attaches exactly the
//! confident ones and moves them out of the inbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::app::{Home, app, app_env, output_within};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn confident_proposals_are_all_right_and_apply_attaches_only_them() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("matching");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let inbox = tempfile::tempdir().unwrap();
    let made = sb.inbox(40, 8);
    let mut truth: HashMap<String, Option<String>> = HashMap::new();
    for file in &made {
        std::fs::write(inbox.path().join(&file.name), &file.bytes).unwrap();
        truth.insert(file.name.clone(), file.transaction.clone());
    }
    let receipts = truth.values().filter(|t| t.is_some()).count();
    assert!(receipts >= 30, "the sandbox made {receipts} receipts");

    let run = |args: Vec<String>, writes: bool| {
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(&args);
        if writes {
            c.env("QONTO_TUI_WRITES", "on");
        }
        tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(300)))
    };
    let dir = inbox.path().to_str().unwrap().to_string();
    let out = run(
        vec![
            "receipts".into(),
            "match".into(),
            dir.clone(),
            "--json".into(),
        ],
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = answer["files"].as_array().unwrap();
    assert_eq!(files.len(), made.len(), "every file was read");
    let mut right = 0;
    let mut listed = 0;
    for f in files {
        let name = f["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let expected = truth.get(&name).unwrap();
        assert_eq!(f["read_by"], "pdf_text", "{name} was read by pdftotext");
        match f["proposal"]["kind"].as_str().unwrap() {
            "confident" => {
                let proposed = f["proposal"]["candidate"]["id"].as_str().unwrap();
                assert_eq!(
                    Some(proposed),
                    expected.as_deref(),
                    "{name}: a confident proposal must be right ({})",
                    f["proposal"]
                );
                right += 1;
            }
            _ => {
                if expected.is_some() {
                    listed += 1;
                }
            }
        }
    }
    let recall = right as f64 / receipts as f64;
    println!(
        "matching: {right} of {receipts} receipts proposed confidently, all right (recall {recall:.2}); {listed} left to a person; 8 decoys, none proposed"
    );
    assert!(recall >= 0.6, "most receipts get a proposal: {recall:.2}");

    // Dry run sent nothing; --apply attaches exactly the confident ones.
    let out = run(
        vec![
            "receipts".into(),
            "match".into(),
            dir.clone(),
            "--apply".into(),
            "--json".into(),
        ],
        true,
    )
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let applied: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut attached = 0;
    for f in applied["files"].as_array().unwrap() {
        let name = f["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let expected = truth.get(&name).unwrap();
        let still_there = inbox.path().join(&name).exists();
        if f["proposal"]["kind"] == "confident" {
            assert_eq!(
                f["applied"]["state"], "confirmed",
                "{name}: {}",
                f["applied"]
            );
            assert!(!still_there, "{name} left the inbox");
            let moved = f["applied"]["moved_to"].as_str().unwrap();
            assert!(moved.contains("/attached/"), "{moved}");
            assert!(std::path::Path::new(moved).exists());
            attached += 1;
        } else {
            assert!(f["applied"].is_null(), "{name}: nothing sent on a guess");
            assert!(still_there, "{name} stays in the inbox");
            if let Some(tx) = expected {
                let (_, t) = common::sandbox_transactions(&sb)
                    .into_iter()
                    .find(|(_, t)| &t.id == tx)
                    .unwrap();
                assert!(
                    sb.misses_receipt(&t),
                    "{name}'s transaction was not touched"
                );
            }
        }
    }
    assert_eq!(attached, right);
    for (_, t) in common::sandbox_transactions(&sb) {
        if truth.values().any(|x| x.as_deref() == Some(t.id.as_str())) {
            continue;
        }
        assert!(
            sb.uploads_of(&t.id).is_empty(),
            "nothing attached elsewhere"
        );
    }
}
