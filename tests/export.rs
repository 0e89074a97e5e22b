//! `qonto-tui export` against the sandbox's books over loopback: CSV (French spreadsheet
//! style) and JSON lines of a period equal the sandbox's transactions of it, count and sum in
//! cents; the OFX parses with an OFX parser; the camt.053 validates against ISO 20022's XSD.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use qonto_sandbox::Sandbox;
use qonto_sandbox::data::{Side, TxStatus, role_sees_balances};

/// The sandbox's completed transactions dated in `month` (`YYYY-MM`), by id: (org id, signed
/// cents).
fn truth(sb: &Sandbox, month: &str, orgs: &[String]) -> BTreeMap<String, (String, i64)> {
    let mut out = BTreeMap::new();
    for org in sb.data().orgs.iter().filter(|o| orgs.contains(&o.id)) {
        for account in &org.accounts {
            for t in &sb.ledger_now(account).transactions {
                let date = t.settled_at.unwrap_or(t.emitted_at);
                if t.status != TxStatus::Completed || date.format("%Y-%m").to_string() != month {
                    continue;
                }
                let cents = match t.side {
                    Side::Credit => t.amount_cents.abs(),
                    Side::Debit => -t.amount_cents.abs(),
                };
                out.insert(t.id.clone(), (org.id.clone(), cents));
            }
        }
    }
    out
}

/// `-1234,56` or `12.30` in cents, exactly.
fn cents(text: &str) -> i64 {
    let negative = text.starts_with('-');
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let value: i64 = digits.parse().unwrap();
    let decimals = text.rsplit([',', '.']).next().unwrap().len();
    assert_eq!(decimals, 2, "two decimals in {text:?}");
    if negative { -value } else { value }
}

/// Where ISO 20022's camt.053.001.02 schema is: `scripts/test` fetches it from a package
/// registry and names it in CAMT053_XSD.
fn camt053_xsd() -> PathBuf {
    let path = std::env::var_os("CAMT053_XSD").map(PathBuf::from).expect(
        "CAMT053_XSD names camt.053.001.02.xsd: run the tests through scripts/test, which fetches it",
    );
    assert!(path.is_file(), "{} is not there", path.display());
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_of_a_month_equal_the_sandboxs_books_in_every_format() {
    use common::app::{Home, app, app_env, output_within, text};
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("export");
    let env = app_env(&sb, &home);
    let run = |args: &[&str], extra: &[(&str, &str)]| {
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(args);
        for (k, v) in extra {
            c.env(k, v);
        }
        tokio::task::spawn_blocking(move || output_within(c, std::time::Duration::from_secs(120)))
    };
    let out = run(&["export", "--all"], &[]).await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("qonto-tui sync"), "{}", text(&out));
    let out = run(&["login"], &[]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["sync"], &[]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let month = common::last_whole_month(&sb);
    let all_orgs: Vec<String> = sb.data().orgs.iter().map(|o| o.id.clone()).collect();
    let expected = truth(&sb, &month, &all_orgs);
    assert!(
        expected.len() > 20,
        "a month with books: {}",
        expected.len()
    );
    let expected_sum: i64 = expected.values().map(|(_, c)| c).sum();
    let dir = tempfile::tempdir().unwrap();

    // CSV for a French spreadsheet: BOM, semicolons, decimal commas, an organization column.
    let csv_path = dir.path().join("all.csv");
    let out = run(
        &[
            "export",
            "--all",
            "--month",
            &month,
            "--output",
            csv_path.to_str().unwrap(),
        ],
        &[("LANG", "fr_FR.UTF-8"), ("LC_ALL", "")],
    )
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark for Excel"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&csv_path).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "bank lines readable by their owner only"
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, org, amount) = (
        column("transaction_id"),
        column("organization_id"),
        column("amount"),
    );
    let mut seen = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        assert!(record[amount].contains(','), "{}", &record[amount]);
        seen.insert(
            record[id].to_string(),
            (record[org].to_string(), cents(&record[amount])),
        );
    }
    assert_eq!(seen.len(), expected.len(), "count");
    assert_eq!(
        seen.values().map(|(_, c)| c).sum::<i64>(),
        expected_sum,
        "sum in cents"
    );
    assert_eq!(
        seen, expected,
        "each transaction, its organization and amount"
    );

    // JSON lines on standard output: no BOM, integer cents.
    let out = run(
        &["export", "--all", "--month", &month, "--format", "json"],
        &[],
    )
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let lines: BTreeMap<String, (String, i64)> = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                (
                    v["org_id"].as_str().unwrap().to_string(),
                    v["amount_cents"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(lines, expected);

    // One file per organization, described as JSON.
    let per_org = dir.path().join("per-org");
    let out = run(
        &[
            "export",
            "--all",
            "--month",
            &month,
            "--per-org",
            "--json",
            "--output",
            per_org.to_str().unwrap(),
        ],
        &[],
    )
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["files"].as_array().unwrap().len(), all_orgs.len());
    assert_eq!(
        summary["transactions"].as_u64().unwrap() as usize,
        expected.len()
    );
    assert_eq!(std::fs::read_dir(&per_org).unwrap().count(), all_orgs.len());

    // OFX and camt.053 state balances: the organizations whose role shows them.
    let seeing: Vec<String> = sb
        .data()
        .orgs
        .iter()
        .filter(|o| role_sees_balances(&o.membership_role))
        .map(|o| o.id.clone())
        .collect();
    assert!(
        seeing.len() < all_orgs.len(),
        "the demo has a role that hides balances"
    );
    let hidden = sb
        .data()
        .orgs
        .iter()
        .find(|o| !seeing.contains(&o.id))
        .unwrap();
    let out = run(
        &[
            "export", "--org", &hidden.id, "--month", &month, "--format", "ofx",
        ],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("hidden for your role"),
        "{}",
        text(&out)
    );
    let expected = truth(&sb, &month, &seeing);
    let mut org_args: Vec<&str> = vec!["export", "--month", &month];
    for id in &seeing {
        org_args.extend(["--org", id.as_str()]);
    }

    let ofx_path = dir.path().join("books.ofx");
    let mut args = org_args.clone();
    args.extend(["--format", "ofx", "--output", ofx_path.to_str().unwrap()]);
    let out = run(&args, &[]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let ofx = std::fs::read_to_string(&ofx_path).unwrap();
    let doc = ofx_rs::parse(&ofx).unwrap_or_else(|e| panic!("{e}\n{ofx}"));
    let banking = doc.banking().expect("a banking message set");
    let mut fitids = BTreeSet::new();
    let mut sum = 0;
    for wrapper in banking.statement_responses() {
        let statement = wrapper.response().expect("a statement");
        assert!(statement.ledger_balance().is_some());
        for t in statement.transaction_list().unwrap().transactions() {
            fitids.insert(t.fit_id().as_str().to_string());
            sum += cents(&format!("{:.2}", t.amount().as_decimal()));
        }
    }
    assert_eq!(fitids, expected.keys().cloned().collect::<BTreeSet<_>>());
    assert_eq!(sum, expected.values().map(|(_, c)| c).sum::<i64>());

    let camt_path = dir.path().join("books.xml");
    let mut args = org_args.clone();
    args.extend([
        "--format",
        "camt053",
        "--status",
        "completed,pending",
        "--output",
        camt_path.to_str().unwrap(),
    ]);
    let out = run(&args, &[]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let xsd = camt053_xsd();
    let lint = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&camt_path)
        .output()
        .expect("xmllint (libxml2-utils) runs");
    assert!(
        lint.status.success(),
        "camt.053 against {}: {}",
        xsd.display(),
        String::from_utf8_lossy(&lint.stderr)
    );
    let camt = std::fs::read_to_string(&camt_path).unwrap();
    assert!(camt.matches("<Ntry>").count() >= expected.len());

    // A reader that stops early (`| head`) is no failure.
    let mut head = app(&sb, &home);
    head.envs(env.iter().cloned())
        .args(["export", "--all", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let status = tokio::task::spawn_blocking(move || {
        let mut child = head.spawn().unwrap();
        drop(child.stdout.take());
        child.wait().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0));

    // What was asked wrongly is said, with exit code 2; an empty period exits 3.
    let out = run(&["export", "--month", &month], &[]).await.unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--all"), "{}", text(&out));
    let out = run(&["export", "--all", "--from", "last tuesday"], &[])
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run(&["export", "--all", "--month", "1990-01"], &[])
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}
