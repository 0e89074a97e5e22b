//! `e` in the app writes the list on screen as CSV into the download folder: the real binary
//! against the sandbox, an account's transactions (every one the books hold, as listed) and a
//! search's matches (^E, since typing takes the letters).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app, app_env, output_within};
use common::pty::PtyApp;
use qonto_sandbox::data::TxStatus;

const WAIT: Duration = Duration::from_secs(60);

/// The rows of the CSV the status line names, and that line's count.
fn exported(screen: &str) -> Option<(usize, String)> {
    let line = screen.lines().find(|l| l.contains("exported "))?;
    let after = &line[line.find("exported ")? + 9..];
    let (n, rest) = after.split_once(" transactions to ")?;
    let path = rest.trim_end_matches(['┃', ' ', '│']).trim().to_string();
    Some((n.parse().ok()?, path))
}

fn csv_rows(path: &str) -> usize {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM for Excel");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b',')
        .from_reader(&bytes[3..]);
    reader.records().filter(|r| r.is_ok()).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn e_exports_the_account_on_screen_and_ctrl_e_a_search() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("export-tui");
    let downloads = common::download_folder(&home);
    let mut env = app_env(&sb, &home);
    env.push(("HOME".into(), home.dir.display().to_string()));
    env.push(("LANG".into(), "en_US.UTF-8".into()));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let org = &sb.data().orgs[0];
    let account = org.accounts[0].name.clone();
    let listed = sb
        .ledger_now(&org.accounts[0])
        .transactions
        .iter()
        .filter(|t| t.status != TxStatus::Declined)
        .count();
    let mut search = app(&sb, &home);
    search
        .envs(env.iter().cloned())
        .args(["search", "--json", "--limit", "0", "urssaf"]);
    let out = tokio::task::spawn_blocking(move || output_within(search, WAIT))
        .await
        .unwrap();
    let matches = serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
        .unwrap()
        .len();
    assert!(matches > 0);

    tokio::task::spawn_blocking(move || {
        // Wide enough for the whole path on the status line (the name says what it holds).
        let mut tui = PtyApp::spawn(&[], &env, 250, 45);
        tui.wait_text(&account, WAIT);
        tui.send(b"2");
        tui.wait_text(" of ", WAIT);
        tui.send(b"e");
        tui.wait_for("the account exported", WAIT, |s| exported(s).is_some());
        let (n, path) = exported(&tui.screen()).unwrap();
        assert_eq!(n, listed, "every transaction of the account");
        assert!(path.starts_with(downloads.to_str().unwrap()), "{path}");
        assert_eq!(csv_rows(&path), listed);

        tui.send(b"s");
        tui.wait_text("Search every organization", WAIT);
        tui.send(b"urssaf");
        tui.wait_text("found", WAIT);
        tui.send(b"\x05");
        tui.wait_for("the search exported", WAIT, |s| {
            exported(s).is_some_and(|(_, p)| p.contains("search"))
        });
        let (n, path) = exported(&tui.screen()).unwrap();
        assert_eq!(n, matches, "every match, not only those on screen");
        assert_eq!(csv_rows(&path), matches);
        tui.send(b"\x1b");
        tui.send(b"q");
        tui.wait_exit(Duration::from_secs(5));
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn e_with_a_filter_exports_the_rows_shown_named_after_what_they_hold() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("export-filtered");
    let _downloads = common::download_folder(&home);
    let mut env = app_env(&sb, &home);
    env.push(("HOME".into(), home.dir.display().to_string()));
    env.push(("LANG".into(), "en_US.UTF-8".into()));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let org = sb.data().orgs[0].name.clone();
    let account = sb.data().orgs[0].accounts[0].name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 250, 45);
        tui.wait_text(&account, WAIT);
        tui.send(b"2");
        tui.wait_text(" of ", WAIT);
        tui.send(b"\t/amazon\r");
        // The filter applies key by key: "0 matches" can show before the last letter is read,
        // so wait for the rows themselves, not for the word.
        let amazon_rows = |s: &str| {
            s.lines()
                .filter(|l| l.contains("Amazon Web Services"))
                .count()
        };
        tui.wait_for("the filtered rows", WAIT, |s| {
            s.contains("amazon") && s.contains(" match") && amazon_rows(s) > 0
        });
        let shown = amazon_rows(&tui.screen());
        assert!(shown > 0);
        tui.send(b"e");
        tui.wait_for("the rows exported", WAIT, |s| exported(s).is_some());
        let (n, path) = exported(&tui.screen()).unwrap();
        let file = std::path::Path::new(&path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert!(
            file.contains(&org) && file.contains(&account) && file.contains("filtered amazon"),
            "{file}"
        );
        // The period the rows span: first day..last day.
        assert!(file.contains(".."), "{file}");
        assert_eq!(csv_rows(&path), n);
        assert!(
            n >= shown,
            "the filtered rows, loaded ones included: {n} vs {shown}"
        );
        tui.send(b"\x1b\x1bq");
        tui.wait_exit(Duration::from_secs(5));
    })
    .await
    .unwrap();
}
