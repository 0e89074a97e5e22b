//! The receipts loop in the app, as a person drives it: the real binary in a pseudo-terminal
//! against the sandbox over loopback. The inbox (`I`) lists the folder's files with the
//! transaction proposed for each; with writes off, Enter says how to turn them on and sends
//! nothing; with writes on, Enter attaches the proposed receipt (one attachment at Qonto, the
//! file kept in `attached/ORGANIZATION/`), `u` takes it back; from a transaction's detail, `a`
//! attaches a file by its path and `D` removes it after a confirmation naming the
//! organization, counterparty and amount. Afterwards, nothing the app wrote (its trace log, its
//! files, what it drew) holds a token, a code or the client secret.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;
use qonto_sandbox::Sandbox;
use qonto_sandbox::data::Tx;

const WAIT: Duration = Duration::from_secs(90);

/// The transaction `id` of the sandbox, and its organization's name.
fn tx_by_id(sb: &Sandbox, id: &str) -> (Tx, String) {
    let (org_id, tx) = common::sandbox_transactions(sb)
        .into_iter()
        .find(|(_, t)| t.id == id)
        .unwrap_or_else(|| panic!("{id:?} is not a transaction of the sandbox"));
    let org = sb.data().orgs.iter().find(|o| o.id == org_id).unwrap();
    (tx, org.name.clone())
}

/// The id the opened detail shows, once it is drawn whole (a UUID).
fn detail_id(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("┃Id "))?;
    let id = line.trim_start_matches('┃').trim_start_matches("Id").trim();
    let id = id.trim_end_matches('┃').trim();
    (id.len() == 36 && id.chars().filter(|c| *c == '-').count() == 4).then(|| id.to_string())
}

/// The `⚠N` the organizations pane shows for `org`.
fn missing_mark(screen: &str, org: &str) -> Option<u32> {
    let line = screen
        .lines()
        .find(|l| l.contains(org) && l.contains('⚠'))?;
    let after = line.split('⚠').nth(1)?;
    after
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Ctrl-C quits from every view.
fn quit(tui: &mut PtyApp) {
    tui.send(b"\x03");
    assert!(tui.wait_exit(WAIT).is_some(), "the app quits");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inbox_attaches_on_confirmation_u_takes_back_and_the_detail_attaches_and_removes() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("receipts-tui");
    let mut env = app_env(&sb, &home);
    env.push((
        "QONTO_TUI_LOG".into(),
        home.dir.join("qonto-tui.log").display().to_string(),
    ));
    env.push(("QONTO_TUI_LOG_LEVEL".into(), "trace".into()));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let inbox = tempfile::tempdir().unwrap();
    let files = sb.inbox(3, 1);
    for f in &files {
        std::fs::write(inbox.path().join(&f.name), &f.bytes).unwrap();
    }
    let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    // The first receipt (not the decoy) in the order the inbox lists them, and its row.
    let (row, receipt) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| {
            files
                .iter()
                .find(|f| f.name == *n && f.transaction.is_some())
                .map(|f| (i, f.clone()))
        })
        .unwrap();
    let (tx, org) = tx_by_id(&sb, receipt.transaction.as_deref().unwrap());
    let decoy = files
        .iter()
        .find(|f| f.transaction.is_none())
        .unwrap()
        .clone();
    // Another receipt, removed from the inbox between its proposal and its upload.
    let gone = files
        .iter()
        .find(|f| f.transaction.is_some() && f.name != receipt.name)
        .unwrap()
        .clone();
    // A link out of the inbox is not read through.
    let outside = tempfile::tempdir().unwrap();
    let secret_file = outside.path().join("elsewhere.pdf");
    std::fs::write(&secret_file, &receipt.bytes).unwrap();
    std::os::unix::fs::symlink(&secret_file, inbox.path().join("link.pdf")).unwrap();
    env.push((
        "QONTO_TUI_RECEIPTS_INBOX".into(),
        inbox.path().display().to_string(),
    ));
    let inbox_path = inbox.path().to_path_buf();
    let first_org = sb.data().orgs[0].name.clone();

    // Writes off: Enter says how to turn them on, and nothing is sent.
    let (sb_check, tx_id) = (sb.clone(), tx.id.clone());
    let off_env = env.clone();
    let name = receipt.name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &off_env, 160, 45);
        tui.wait_text(&first_org, WAIT);
        tui.send(b"I");
        tui.wait_text("proposed", WAIT);
        let screen = tui.screen();
        assert!(screen.contains(&name), "{screen}");
        assert!(screen.contains("Enter attaches"), "{screen}");
        assert!(
            screen.contains("1 not read"),
            "the link is set aside: {screen}"
        );
        assert!(!screen.contains("link.pdf"), "{screen}");
        for _ in 0..row {
            tui.send(b"j");
        }
        tui.send(b"\r");
        tui.wait_text("writes to Qonto are off", WAIT);
        assert!(sb_check.uploads_of(&tx_id).is_empty(), "nothing was sent");
        quit(&mut tui);
    })
    .await
    .unwrap();

    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let sb_check = sb.clone();
    let tx_check = tx.clone();
    let gone_tx = tx_by_id(&sb, gone.transaction.as_deref().unwrap()).0;
    let drawn = tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_for("the missing receipts counted", WAIT, |s| {
            missing_mark(s, &org).is_some()
        });
        let before = missing_mark(&tui.screen(), &org).unwrap();
        tui.send(b"I");
        tui.wait_text("proposed", WAIT);
        for _ in 0..row {
            tui.send(b"j");
        }
        tui.send(b"\r");
        tui.wait_text("attached to", WAIT);
        tui.wait_for("Qonto shows the receipt", WAIT, |_| {
            sb_check.receipt_ids(&tx_check).len() == 1
        });
        assert_eq!(sb_check.uploads_of(&tx_check.id).len(), 1, "one upload");
        let kept = inbox_path
            .join("attached")
            .join(qonto_files::names::readable(&org))
            .join(&receipt.name);
        assert!(kept.is_file(), "kept in attached/ORG: {}", kept.display());
        assert!(
            !inbox_path.join(&receipt.name).exists(),
            "moved out of the inbox"
        );

        // The organization's ⚠N follows the attach, and the undo.
        tui.send(b"\x1b");
        tui.wait_for("one receipt fewer missing", WAIT, |s| {
            missing_mark(s, &org) == Some(before - 1)
        });
        tui.send(b"I");
        tui.wait_text("proposed", WAIT);
        tui.send(b"u");
        tui.wait_text("took back write", WAIT);
        assert!(
            sb_check.receipt_ids(&tx_check).is_empty(),
            "the attachment is removed"
        );
        tui.send(b"\x1b");
        tui.wait_for("missing again", WAIT, |s| {
            missing_mark(s, &org) == Some(before)
        });

        // A file removed after it was proposed: said, and nothing sent.
        tui.send(b"I");
        tui.wait_text("proposed", WAIT);
        let mut listed: Vec<String> = std::fs::read_dir(&inbox_path)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        listed.sort();
        let at = listed.iter().position(|n| *n == gone.name).unwrap();
        std::fs::remove_file(inbox_path.join(&gone.name)).unwrap();
        tui.send(b"g");
        for _ in 0..at {
            tui.send(b"j");
        }
        tui.send(b"\r");
        tui.wait_text("nothing was sent", WAIT);
        assert!(sb_check.uploads_of(&gone_tx.id).is_empty());

        // From a transaction's detail: attach a file by its path, then remove it.
        tui.send(b"\x1b");
        std::thread::sleep(Duration::from_millis(200));
        tui.send(b"m");
        // The table's header shows once the results are in.
        tui.wait_text("Receipt", WAIT);
        tui.send(b"\r");
        tui.wait_for("the detail", WAIT, |s| detail_id(s).is_some());
        let id = detail_id(&tui.screen()).unwrap();
        let (opened, opened_org) = tx_by_id(&sb_check, &id);
        assert!(sb_check.receipt_ids(&opened).is_empty());
        tui.send(b"a");
        tui.wait_text("Attach a receipt", WAIT);
        // The field starts in the inbox: the decoy's name completes from its first letters.
        let start: String = decoy.name.chars().take(3).collect();
        tui.send(start.as_bytes());
        tui.send(b"\t");
        tui.wait_text(&decoy.name, WAIT);
        tui.send(b"\r");
        tui.wait_text("attached to", WAIT);
        tui.wait_for("Qonto shows it", WAIT, |_| {
            sb_check.receipt_ids(&opened).len() == 1
        });
        tui.wait_text("1 attached", WAIT);
        tui.send(b"D");
        tui.wait_text("Remove a receipt from", WAIT);
        let screen = tui.screen();
        let question = screen
            .lines()
            .find(|l| l.contains("Remove a receipt from"))
            .unwrap();
        let counterparty = sb_check
            .data()
            .counterparties
            .get(opened.counterparty)
            .unwrap()
            .name
            .clone();
        assert!(question.contains(&counterparty), "{question}");
        assert!(question.contains(opened_org.as_str()), "{question}");
        tui.send(b"y");
        tui.wait_text("receipt removed", WAIT);
        assert!(sb_check.receipt_ids(&opened).is_empty(), "removed at Qonto");
        tui.wait_text("missing: required", WAIT);
        quit(&mut tui);
        let raw = tui.raw.lock().unwrap().clone();
        String::from_utf8_lossy(&raw).into_owned()
    })
    .await
    .unwrap();

    // The secrets audit: the trace log, every file of the home but the token file the test
    // chose, and everything drawn.
    let secrets = sb.issued_secrets();
    let files = home.all_files();
    assert!(
        files
            .iter()
            .any(|(p, c)| p.ends_with("qonto-tui.log") && c.contains("attach")),
        "a trace log of the writes was kept"
    );
    for (path, content) in files.iter().filter(|(p, _)| {
        !p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("tokens-"))
    }) {
        for secret in &secrets {
            assert!(
                !content.contains(secret.as_str()),
                "{} holds a secret",
                path.display()
            );
        }
    }
    for secret in &secrets {
        assert!(
            !drawn.contains(secret.as_str()),
            "the screen showed a secret"
        );
    }
    assert!(Path::new(&home.dir).exists());
}
