//! `qonto-tui export` against the sandbox's books over loopback: CSV (French spreadsheet
//! style) and JSON lines of a period equal the sandbox's transactions of it, count and sum in
//! cents; the OFX is read to the cent by three OFX parsers (ofx-rs, and Python's ofxparse, which
//! Odoo uses, and ofxtools); each camt.053 version validates against ISO 20022's XSD.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::readers::{assert_valid_camt, python_camt, python_ofx};

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

/// What an accountant looks for in a row, as the sandbox knows it, by transaction id: its
/// label's name, VAT rate, card digits, initiator's name, VAT lines (`10%: 4,55 / 20%: …`) and
/// cash-flow category (`Operations / Software`).
fn details(sb: &Sandbox) -> BTreeMap<String, [String; 6]> {
    let mut out = BTreeMap::new();
    for org in &sb.data().orgs {
        let initiator = org
            .members
            .first()
            .map(|m| format!("{} {}", m.first_name, m.last_name))
            .unwrap_or_default();
        for account in &org.accounts {
            for t in &sb.ledger_now(account).transactions {
                let label = t
                    .label_id
                    .as_ref()
                    .and_then(|id| org.labels.iter().find(|l| &l.id == id))
                    .map(|l| l.name.clone())
                    .unwrap_or_default();
                let rate = t
                    .vat
                    .single_rate()
                    .map(|r| format!("{r}").replace('.', ","))
                    .unwrap_or_default();
                let card = t.card_last_digits.clone().unwrap_or_default();
                let lines = t
                    .vat
                    .lines(t.amount_cents)
                    .iter()
                    .map(|l| {
                        let vat = format!("{},{:02}", l.vat_cents / 100, l.vat_cents % 100);
                        format!("{}%: {vat}", format!("{}", l.rate).replace('.', ","))
                    })
                    .collect::<Vec<_>>()
                    .join(" / ");
                let cashflow = sb
                    .cashflow_of(org, t)
                    .map(|(category, sub)| match sub {
                        Some(sub) => format!("{category} / {sub}"),
                        None => category,
                    })
                    .unwrap_or_default();
                out.insert(
                    t.id.clone(),
                    [label, rate, card, initiator.clone(), lines, cashflow],
                );
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
    let (booked, emitted, settled) = (
        column("booked_on"),
        column("emitted_on"),
        column("settled_on"),
    );
    let wanted = [
        "labels",
        "vat_rate",
        "card_last_digits",
        "initiator",
        "vat_lines",
        "cashflow_category",
    ]
    .map(column);
    let truth_of = details(&sb);
    let mut seen = BTreeMap::new();
    let mut filled = [0; 6];
    let mut splits = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert!(record[amount].contains(','), "{}", &record[amount]);
        // The period is chosen by the booking day, which the screen shows: settled, else
        // emitted; both of Qonto's dates are there as they are.
        assert!(record[booked].starts_with(&month), "{record:?}");
        let expected_booked = if record[settled].is_empty() {
            &record[emitted]
        } else {
            &record[settled]
        };
        assert_eq!(&record[booked], expected_booked, "{record:?}");
        let truth = &truth_of[&record[id]];
        for (i, column) in wanted.iter().enumerate() {
            assert_eq!(
                &record[*column], truth[i],
                "{} of {record:?}",
                &header[*column]
            );
            filled[i] += usize::from(!truth[i].is_empty());
        }
        splits += usize::from(truth[4].contains(" / "));
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
    assert!(splits > 0, "a bill split over two VAT rates in the month");
    assert!(
        filled.iter().all(|n| *n > 0),
        "labels, VAT rates, cards, initiators, VAT lines and cash-flow categories in the month: {filled:?}"
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
    // The organization that hides balances is skipped in words, with exit 3, and the others
    // are exported: alone, it makes no file at all.
    let out = run(
        &[
            "export", "--org", &hidden.id, "--month", &month, "--format", "ofx",
        ],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(out.stdout.is_empty(), "no document: {}", text(&out));
    assert!(text(&out).contains("hides balances"), "{}", text(&out));
    assert!(text(&out).contains(&hidden.name), "{}", text(&out));
    let ofx_dir = dir.path().join("ofx-per-org");
    let out = run(
        &[
            "export",
            "--all",
            "--month",
            &month,
            "--format",
            "ofx",
            "--per-org",
            "--output",
            ofx_dir.to_str().unwrap(),
        ],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("skipped") && text(&out).contains(&hidden.name),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_dir(&ofx_dir).unwrap().count(),
        seeing.len(),
        "one file per organization that shows balances"
    );
    let mut per_org_fitids = BTreeSet::new();
    for file in std::fs::read_dir(&ofx_dir).unwrap() {
        per_org_fitids.extend(python_ofx("ofxparse", &file.unwrap().path()).into_keys());
    }
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
    assert_eq!(
        per_org_fitids, fitids,
        "--all --per-org: every organization that can be"
    );
    // Odoo's OFX import (ofxparse) and ofxtools read the same file to the cent.
    let amounts: BTreeMap<String, i64> = expected
        .iter()
        .map(|(id, (_, c))| (id.clone(), *c))
        .collect();
    for parser in ["ofxparse", "ofxtools"] {
        assert_eq!(python_ofx(parser, &ofx_path), amounts, "{parser}");
    }

    // camt.053 in each version, valid against ISO's schema, every transaction in it.
    for version in ["02", "04", "08"] {
        let camt_path = dir.path().join(format!("books-{version}.xml"));
        let mut args = org_args.clone();
        args.extend([
            "--format",
            "camt053",
            "--camt-version",
            version,
            "--status",
            "completed,pending",
            "--output",
            camt_path.to_str().unwrap(),
        ]);
        let out = run(&args, &[]).await.unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert_valid_camt(&camt_path, version);
        let camt = std::fs::read_to_string(&camt_path).unwrap();
        assert!(camt.contains(&format!("camt.053.001.{version}")));
        assert!(camt.matches("<Ntry>").count() >= expected.len());
        // The booked entries are the month's completed transactions, to the cent.
        let booked: BTreeMap<String, i64> = expected
            .iter()
            .map(|(id, (_, cents))| (id.replace('-', ""), *cents))
            .collect();
        assert_eq!(python_camt(&camt_path), booked, "camt.053.001.{version}");
    }
    // One statement per document with --per-account, for readers that take one account.
    let per_account = dir.path().join("per-account");
    let mut args = org_args.clone();
    args.extend([
        "--format",
        "camt053",
        "--camt-version",
        "04",
        "--per-account",
        "--output",
        per_account.to_str().unwrap(),
    ]);
    let out = run(&args, &[]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let accounts: usize = sb
        .data()
        .orgs
        .iter()
        .filter(|o| seeing.contains(&o.id))
        .map(|o| o.accounts.len())
        .sum();
    let files: Vec<PathBuf> = std::fs::read_dir(&per_account)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    assert_eq!(files.len(), accounts, "one file per account");
    let mut entries = 0;
    for file in &files {
        assert_valid_camt(file, "04");
        let camt = std::fs::read_to_string(file).unwrap();
        assert_eq!(camt.matches("<Stmt>").count(), 1, "{}", file.display());
        entries += camt.matches("<Ntry>").count();
    }
    assert_eq!(
        entries,
        expected.len(),
        "completed entries across the files"
    );

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
