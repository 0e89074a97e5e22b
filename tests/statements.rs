//! `qonto-tui statements` and `qonto-tui receipts` against the sandbox over loopback: the
//! files saved are, byte for byte, the ones the sandbox serves for the month.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use qonto_sandbox::data::TxStatus;

/// The bytes of each file a `--json` run listed, sorted.
fn saved_bytes(stdout: &[u8]) -> Vec<Vec<u8>> {
    let saved: Vec<serde_json::Value> = serde_json::from_slice(stdout).unwrap();
    let mut bytes: Vec<Vec<u8>> = saved
        .iter()
        .map(|s| std::fs::read(s["path"].as_str().unwrap()).unwrap())
        .collect();
    bytes.sort();
    bytes
}

/// A CSV the app wrote (a byte-order mark first, the locale's separator), as maps by column
/// name.
fn csv_rows(path: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let separator = if first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .from_reader(body);
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn statements_and_receipts_saved_are_the_sandboxs_files() {
    use common::app::{Home, app, app_env, output_within, text};
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("statements");
    let env = app_env(&sb, &home);
    let run = |args: &[&str]| {
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(args);
        tokio::task::spawn_blocking(move || output_within(c, std::time::Duration::from_secs(120)))
    };
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let month = common::last_whole_month(&sb);
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();

    let (year, mm) = month.split_once('-').unwrap();
    let mut expected: Vec<Vec<u8>> = sb
        .statement_files(&format!("{mm}-{year}"))
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let out = run(&[
        "statements",
        "--all",
        "--month",
        &month,
        "--dir",
        dir_arg,
        "--json",
    ])
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let got = saved_bytes(&out.stdout);
    assert_eq!(got.len(), expected.len(), "one PDF per account");
    assert!(got.iter().all(|b| b.starts_with(b"%PDF")));
    assert_eq!(got, expected, "the sandbox's bytes");
    // Each organization has its folder.
    let folders = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(folders, sb.data().orgs.len());
    // Again, for a person: the paths, then one line saying how many, where, and their fate.
    let out = run(&["statements", "--all", "--month", &month, "--dir", dir_arg])
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        got.len()
    );
    let kb = got.iter().map(Vec::len).sum::<usize>().div_ceil(1000);
    let last = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .map(str::to_string);
    assert_eq!(
        last.as_deref(),
        Some(
            format!(
                "{n} statements saved into {dir_arg} ({n} already there; {kb} kB).",
                n = got.len()
            )
            .as_str()
        ),
        "{}",
        text(&out)
    );

    let mut expected: Vec<Vec<u8>> = Vec::new();
    for account in sb.data().orgs.iter().flat_map(|o| o.accounts.iter()) {
        for t in &sb.ledger_now(account).transactions {
            let day = t.settled_at.unwrap_or(t.emitted_at);
            if t.status != TxStatus::Declined && day.format("%Y-%m").to_string() == month {
                expected.extend(sb.receipt_file(t));
            }
        }
    }
    expected.sort();
    assert!(
        expected.len() > 5,
        "receipts in the month: {}",
        expected.len()
    );
    let out = run(&[
        "receipts", "--all", "--month", &month, "--dir", dir_arg, "--json",
    ])
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(saved_bytes(&out.stdout), expected);

    // The accountant's bundle for one organization: its month's CSV (each row naming its
    // receipts' files), the OFX asked for, the statements, the receipts, the transactions
    // missing one and a README, side by side.
    let org = &sb.data().orgs[0];
    let bundle = dir.path().join("bundle");
    let out = run(&[
        "export",
        "--bundle",
        "--org",
        &org.id,
        "--month",
        &month,
        "--format",
        "ofx",
        "--output",
        bundle.to_str().unwrap(),
        "--json",
    ])
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let saved: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let folders: Vec<_> = std::fs::read_dir(&bundle).unwrap().collect();
    assert_eq!(folders.len(), 1, "one organization");
    let month_dir = folders[0].as_ref().unwrap().path().join(&month);
    let pdfs = std::fs::read_dir(&month_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pdf")
        })
        .count();
    let accounts: Vec<&str> = org.accounts.iter().map(|a| a.id.as_str()).collect();
    let statements = sb
        .statement_files(&format!("{mm}-{year}"))
        .into_iter()
        .filter(|(account, _)| accounts.contains(&account.as_str()))
        .count();
    assert_eq!(pdfs, statements);
    let in_month: Vec<qonto_sandbox::data::Tx> = org
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .filter(|t| {
            t.settled_at
                .unwrap_or(t.emitted_at)
                .format("%Y-%m")
                .to_string()
                == month
        })
        .collect();
    let receipts = in_month
        .iter()
        .filter(|t| t.status != TxStatus::Declined && sb.receipt_file(t).is_some())
        .count();
    let mut in_folder: BTreeSet<String> = std::fs::read_dir(month_dir.join("receipts"))
        .unwrap()
        .map(|e| format!("receipts/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert_eq!(in_folder.len(), receipts);
    // Each row names its receipts' files, and every file is named by its row.
    let rows = csv_rows(&month_dir.join("transactions.csv"));
    let completed: BTreeSet<String> = in_month
        .iter()
        .filter(|t| t.status == TxStatus::Completed)
        .map(|t| t.id.clone())
        .collect();
    assert_eq!(
        rows.iter()
            .map(|r| r["transaction_id"].clone())
            .collect::<BTreeSet<_>>(),
        completed
    );
    for row in &rows {
        for file in row["receipt_files"].split(' ').filter(|f| !f.is_empty()) {
            assert!(in_folder.remove(file), "{file} of {row:?} is in receipts/");
        }
    }
    assert!(
        in_folder.is_empty(),
        "receipts named by no row: {in_folder:?}"
    );
    // The transactions missing a receipt are the sandbox's.
    let missing: BTreeSet<String> = csv_rows(&month_dir.join("missing-receipts.csv"))
        .iter()
        .map(|r| r["transaction_id"].clone())
        .collect();
    let truth: BTreeSet<String> = in_month
        .iter()
        .filter(|t| t.status == TxStatus::Completed && sb.receipt_missing(t))
        .map(|t| t.id.clone())
        .collect();
    assert!(!truth.is_empty(), "the month misses receipts");
    assert_eq!(missing, truth);
    let ofx = std::fs::read_to_string(month_dir.join("statement.ofx")).unwrap();
    assert_eq!(ofx.matches("<STMTTRN>").count(), rows.len());
    let readme = std::fs::read_to_string(month_dir.join("README.txt")).unwrap();
    assert!(
        readme.contains(&format!("{} transactions", rows.len()))
            && readme.contains(&format!("{} transaction", truth.len()))
            && readme.contains(&format!("receipts/             {receipts} file")),
        "{readme}"
    );
    // CSV, missing receipts, OFX and README, then the PDFs and receipts.
    assert_eq!(saved.len(), 4 + statements + receipts);
    // For a person, one screen: nothing on standard output, a line for the organization and
    // one for the whole.
    let out = run(&[
        "export",
        "--bundle",
        "--org",
        &org.id,
        "--month",
        &month,
        "--format",
        "ofx",
        "--output",
        bundle.to_str().unwrap(),
    ])
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
    let told = String::from_utf8_lossy(&out.stderr).to_string();
    let lines: Vec<&str> = told
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect();
    assert_eq!(lines.len(), 2, "{told}");
    assert!(lines[0].contains(&org.name), "{told}");
    assert!(
        lines[0].contains(&format!("{statements} statement"))
            && lines[0].contains(&format!("{receipts} receipt")),
        "{told}"
    );
    assert!(
        lines[1].starts_with(&format!("{} files saved into", saved.len()))
            && lines[1].contains("already there"),
        "{told}"
    );

    // Every organization with camt.053: the one whose role hides balances gets its CSV but no
    // statement file, said on stderr and in its README, and the run exits 3.
    let all = dir.path().join("bundle-all");
    let out = run(&[
        "export",
        "--bundle",
        "--all",
        "--month",
        &month,
        "--format",
        "camt053",
        "--camt-version",
        "08",
        "--output",
        all.to_str().unwrap(),
    ])
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let hidden = sb
        .data()
        .orgs
        .iter()
        .find(|o| !qonto_sandbox::data::role_sees_balances(&o.membership_role))
        .unwrap();
    assert!(
        text(&out).contains(&format!(
            "of {}: your role there hides balances",
            hidden.name
        )),
        "{}",
        text(&out)
    );
    let mut statement_files = 0;
    for folder in std::fs::read_dir(&all).unwrap() {
        let month_dir = folder.unwrap().path().join(&month);
        assert!(month_dir.join("transactions.csv").is_file());
        let readme = std::fs::read_to_string(month_dir.join("README.txt")).unwrap();
        let camt = month_dir.join("statement.camt053.001.08.xml");
        if readme.contains(&hidden.name) && readme.contains("Left out") {
            assert!(!camt.exists(), "{}", camt.display());
        } else {
            assert!(camt.is_file(), "{}", camt.display());
            statement_files += 1;
        }
    }
    assert_eq!(statement_files, sb.data().orgs.len() - 1);

    // No period: a usage error; a month without books: nothing, exit 3.
    let out = run(&["statements", "--all"]).await.unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run(&[
        "statements",
        "--all",
        "--month",
        "1990-01",
        "--dir",
        dir_arg,
    ])
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("No statements saved into"),
        "an empty result says so: {}",
        text(&out)
    );
}
