//! What a new user tripped on (issue 31, point 6), each checked from the user's side: the real
//! binary in a pseudo-terminal against the sandbox, keys in, screen out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn the_hint_bar_keeps_the_headline_keys_at_every_width() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("hints");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let org = sb.data().orgs[0].name.clone();
    tokio::task::spawn_blocking(move || {
        for (cols, rows, must, gone) in [
            (
                80u16,
                24u16,
                &["s search", "m missing", "? help", "q ^C quit"][..],
                &["r refresh"][..],
            ),
            (
                160,
                40,
                &[
                    "s search",
                    "m missing",
                    "V review",
                    "$ cash",
                    "e export",
                    "a add org",
                ][..],
                &[][..],
            ),
            (
                50,
                20,
                &["s search", "? help", "q ^C quit"][..],
                &["r refresh"][..],
            ),
        ] {
            let mut tui = PtyApp::spawn(&[], &env, cols, rows);
            let first = org.chars().take(8).collect::<String>();
            tui.wait_text(&first, WAIT);
            tui.wait_for("the hint bar", WAIT, |s| {
                s.lines().last().is_some_and(|l| l.contains("quit"))
            });
            let screen = tui.screen();
            let last = screen.lines().last().unwrap_or("").to_string();
            for hint in must {
                assert!(last.contains(hint), "{cols} columns: {hint} in {last:?}");
            }
            for hint in gone {
                assert!(
                    !last.contains(hint),
                    "{cols} columns: {hint} not in {last:?}"
                );
            }
            assert!(last.chars().count() <= usize::from(cols), "{last:?}");
            tui.send(b"\x03");
            assert!(tui.wait_exit(WAIT).is_some());
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_on_a_terminal_asks_first_and_says_what_it_would_remove() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("logout-asks");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let books = home.dir.join("data/qonto-tui");
    let copies = || {
        std::fs::read_dir(&books)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("books-"))
            .count()
    };
    assert!(copies() > 0);
    let env_c = env.clone();
    tokio::task::spawn_blocking(move || {
        // Anything but yes: nothing removed.
        let mut tui = PtyApp::spawn(&["logout"], &env_c, 120, 30);
        tui.wait_text("Go on? [y/N]", WAIT);
        let asked = tui.screen();
        assert!(asked.contains("revokes the sign-in's tokens"), "{asked}");
        assert!(
            asked.contains("deletes the local copy of the books"),
            "{asked}"
        );
        tui.send(b"n\r");
        tui.wait_text("Nothing was removed.", WAIT);
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    assert!(copies() > 0, "the copy is still there");
    let (code, out, _) = common::run_app(&sb, &home, &env, &["status"]).await;
    assert_eq!(code, 0, "still signed in: {out}");

    let env_c = env.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&["logout"], &env_c, 120, 30);
        tui.wait_text("Go on? [y/N]", WAIT);
        tui.send(b"y\r");
        tui.wait_text("Signed out", WAIT);
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    assert_eq!(copies(), 0, "the copy is gone");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_no_program_opens_is_said_in_words_with_where_it_is_and_saves_to_downloads() {
    use qonto_sandbox::data::TxStatus;
    let sb = common::sandbox_for_the_app().await;
    let api = common::signed_in_api(&sb).await;
    let org = &sb.data().orgs[0];
    let ledger = sb.ledger_now(&org.accounts[0]);
    let mut chosen = None;
    for tx in ledger.transactions.iter().rev().filter(|t| {
        t.status == TxStatus::Completed && sb.data().counterparties[t.counterparty].name != "Uber"
    }) {
        let files = api.transaction_attachments(&org.id, &tx.id).await.unwrap();
        if files.first().and_then(|f| f.url.clone()).is_some() {
            chosen = Some(tx.clone());
            break;
        }
    }
    let tx = chosen.expect("the sandbox seeds receipts");
    let name = sb.data().counterparties[tx.counterparty].name.clone();
    let cents = tx.amount_cents.abs();
    let query = format!(
        "{} {1}.{2:02}..{1}.{2:02}",
        name.split_whitespace().next().unwrap(),
        cents / 100,
        cents % 100
    );
    let home = Home::new("opener-fails");
    // No download folder named by the desktop, no BROWSER, and an xdg-open that fails as it
    // does on a machine with no program for PDFs.
    let bin = home.dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(&opener, "#!/bin/sh\nexit 2\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut env = app_env(&sb, &home);
    env.retain(|(k, _)| k != "HOME");
    env.push(("HOME".into(), home.dir.display().to_string()));
    // Signed in and synced first (the sign-in's browser is the test's).
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    env.retain(|(k, _)| k != "BROWSER" && k != "PATH");
    env.push((
        "PATH".into(),
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    ));
    let downloads = home.dir.join("Downloads");
    assert!(!downloads.exists());
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 200, 45);
        tui.wait_text("synced", 2 * WAIT);
        tui.send(b"s");
        tui.send(query.as_bytes());
        tui.wait_text("1 found", WAIT);
        tui.send(b"\r");
        tui.wait_text("Initiated by", WAIT);
        tui.send(b"o");
        tui.wait_text("no program opened the receipt", WAIT);
        let screen = tui.screen();
        assert!(screen.contains("xdg-open ended with code 2"), "{screen}");
        assert!(!screen.contains("unix_wait_status"), "{screen}");
        assert!(screen.contains("it is saved at /"), "{screen}");
        tui.send(b"w");
        tui.wait_text("saved 1 receipt in", WAIT);
        let screen = tui.screen();
        assert!(
            screen.contains(&format!("{}", downloads.display())),
            "the folder the hint names: {screen}"
        );
        tui.send(b"\x03");
        tui.wait_exit(WAIT);
        let saved: Vec<_> = std::fs::read_dir(&downloads).unwrap().flatten().collect();
        assert_eq!(saved.len(), 1);
        let mode = std::fs::metadata(&downloads).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn enter_on_the_transactions_tab_opens_the_detail_and_esc_comes_back() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("tab-detail");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let org = sb.data().orgs[0].name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 120, 40);
        tui.wait_text(&org, WAIT);
        tui.send(b"2");
        tui.wait_text("Settled", WAIT);
        tui.send(b"\t");
        tui.send(b"\r");
        let id_of = |screen: &str| {
            screen
                .lines()
                .find_map(|l| {
                    let id = l.split("Id  ").nth(1)?;
                    Some(id.trim_end_matches(['┃', ' ']).trim().to_string())
                })
                .unwrap_or_default()
        };
        // The detail drawn whole (its last row, the id, is there).
        tui.wait_for("the detail", WAIT, |s| {
            s.contains("Initiated by") && !id_of(s).is_empty()
        });
        let first = tui.screen();
        assert!(first.contains("Esc back to the list"), "{first}");
        let id = id_of(&first);
        assert!(!id.is_empty(), "{first}");
        // ↓: the next row's detail.
        tui.send(b"\x1b[B");
        tui.wait_for("the next transaction", WAIT, |s| {
            s.contains("Initiated by") && !id_of(s).is_empty() && id_of(s) != id
        });
        // Esc: the tab again, its cursor on the second row.
        tui.send(b"\x1b");
        tui.wait_text("2 of ", WAIT);
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn at_50_by_15_the_detail_scrolls_to_its_last_rows() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("detail-scroll");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 50, 15);
        tui.wait_text("quit", WAIT);
        tui.send(b"s");
        tui.send(b"urssaf");
        // The whole query answered (each letter asks again): its rows are URSSAF's.
        tui.wait_for("urssaf's rows", WAIT, |s| {
            s.contains("found") && s.contains(" URSSAF ")
        });
        tui.send(b"\r");
        tui.wait_text("more · PgDn", WAIT);
        assert!(!tui.screen().contains("Updated "));
        tui.send(b"\x1b[6~\x1b[6~"); // PgDn twice
        tui.wait_text("↑ PgUp", WAIT);
        let bottom = tui.screen();
        assert!(
            bottom.contains("Updated ") && bottom.contains("Id "),
            "{bottom}"
        );
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}

/// What the app put on the clipboard last (the payload of its last OSC 52 sequence).
fn last_copied(tui: &PtyApp) -> Option<String> {
    use base64::Engine;
    let raw = tui.raw.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&raw);
    let payload = text.rsplit("\x1b]52;c;").next()?.split('\x07').next()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn y_copies_the_row_the_iban_the_amount_or_the_id_through_the_terminal() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("copy");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let org = sb.data().orgs[0].name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text(&org, WAIT);
        // The Transactions tab: y copies the row under the cursor, tab-separated.
        tui.send(b"2");
        tui.wait_text("Settled", WAIT);
        tui.send(b"\ty");
        tui.wait_text("Copied the row", WAIT);
        let row = last_copied(&tui).expect("an OSC 52 sequence");
        let fields: Vec<&str> = row.split('\t').collect();
        assert_eq!(fields.len(), 5, "{row:?}");
        assert!(fields[4].len() > 10, "the id: {row:?}");
        // The detail: y, then d copies the id, a the amount.
        tui.send(b"\r");
        tui.wait_for("the detail", WAIT, |s| {
            s.contains("Initiated by") && s.contains("Id  ")
        });
        tui.send(b"y");
        tui.wait_text("Copy: r the row", WAIT);
        tui.send(b"d");
        tui.wait_text("Copied the id", WAIT);
        assert_eq!(last_copied(&tui).as_deref(), Some(fields[4]));
        tui.send(b"ya");
        tui.wait_text("Copied the amount", WAIT);
        assert_eq!(last_copied(&tui).as_deref(), Some(fields[2]));
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_run_without_a_way_in_welcomes_and_offers_the_demo() {
    let home = Home::new("welcome");
    // No OAuth client, no key: nothing reaches Qonto yet.
    let env: Vec<(String, String)> = vec![
        ("HOME".into(), home.dir.display().to_string()),
        (
            "XDG_CONFIG_HOME".into(),
            home.dir.join("config").display().to_string(),
        ),
        (
            "XDG_DATA_HOME".into(),
            home.dir.join("data").display().to_string(),
        ),
        (
            "XDG_STATE_HOME".into(),
            home.dir.join("state").display().to_string(),
        ),
        ("QONTO_TOKEN_STORE".into(), "file".into()),
    ];
    // Without a terminal: the same words, printed.
    let mut c = std::process::Command::new(qonto_testkit::binary("qonto-tui"));
    c.env_clear()
        .envs(env.iter().cloned())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::null());
    let out = tokio::task::spawn_blocking(move || common::app::output_within(c, WAIT))
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1));
    for line in [
        "three ways in",
        "qonto-tui login",
        "qonto-tui login --membership",
        "qonto-tui key add LOGIN",
        "qonto-tui --demo",
    ] {
        assert!(said.contains(line), "{line} in {said}");
    }
    // On a terminal: the screen, and d starts the demo.
    tokio::task::spawn_blocking(move || {
        let mut full = env.clone();
        full.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
        let mut tui = PtyApp::spawn(&[], &full, 120, 40);
        tui.wait_text("three ways in", WAIT);
        tui.wait_text("d start the demo · q quit", WAIT);
        tui.send(b"d");
        // The demo's own sign-in: its built-in browser allows every organization.
        tui.wait_text("Press s: a built-in browser", WAIT);
        tui.send(b"s");
        tui.wait_text("demo sandbox", WAIT);
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn narrow_terminals_keep_the_columns_that_matter() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("columns");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let names: Vec<String> = sb.data().orgs.iter().map(|o| o.name.clone()).collect();
    let env2 = env.clone();
    tokio::task::spawn_blocking(move || {
        // 80×24: the names take the organizations' pane (the role and id give way; the
        // missing receipts' count stays), and in the Transactions tab pending rows say so.
        let mut tui = PtyApp::spawn(&[], &env2, 80, 24);
        tui.wait_text(&names[0], WAIT);
        tui.wait_text("⚠", WAIT);
        let screen = tui.screen();
        for name in &names {
            let start: String = name.chars().take(15).collect();
            assert!(screen.contains(&start), "{name}'s first letters:\n{screen}");
        }
        for role in ["owner", "manager", "accountant", "reporting"] {
            let pane: String = screen
                .lines()
                .map(|l| l.split('│').next().unwrap_or(""))
                .collect();
            assert!(!pane.contains(role), "{role} gave way:\n{screen}");
        }
        tui.send(b"2\t");
        tui.wait_text("Settled", WAIT);
        // The newest rows of the demo's first account include pending ones.
        tui.wait_for("a pending row marked", WAIT, |s| {
            s.lines().any(|l| l.contains(" pend"))
        });
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    tokio::task::spawn_blocking(move || {
        // 50×20: the search keeps the day (without its year), the organization's first
        // letters, the counterparty and the amount.
        let mut tui = PtyApp::spawn(&[], &env, 50, 20);
        tui.wait_text("Organizatio", WAIT);
        tui.send(b"s");
        // The accounts pane already shows amounts: wait for the search's count line too, or
        // the screen read may still be the accounts (it was, once in CI).
        tui.wait_for("results", WAIT, |s| {
            s.contains(" found")
                && s.lines()
                    .any(|l| l.contains("\u{a0}€") && !l.contains(" found"))
        });
        let screen = tui.screen();
        let row = screen
            .lines()
            .find(|l| l.contains("\u{a0}€") && !l.contains(" found"))
            .unwrap_or_default()
            .to_string();
        let day = row
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        assert!(
            day.len() == 5 && day.chars().nth(2) == Some('-'),
            "MM-DD in {row:?}\n{screen}"
        );
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}
