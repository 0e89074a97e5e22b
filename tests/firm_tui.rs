//! Two staff members' TUIs in pseudo-terminals, each on its own machine holding no Qonto
//! token, against one firm's books: both list the same transaction missing its receipt (their
//! copies pulled from PostgreSQL as them); Alice attaches a file from its detail, which asks
//! the firm's service; the service carries it out against the sandbox with Alice's own
//! sign-in and brings its books up to date; then both screens show the receipt, Bob's without
//! a key pressed (his next pull).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::firm::{TwoStaff, firm_staff_machine};
use common::pty::PtyApp;

const WAIT: Duration = Duration::from_secs(90);

/// The id the opened detail shows, once it is drawn whole (a UUID).
fn detail_id(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("┃Id "))?;
    let id = line.trim_start_matches('┃').trim_start_matches("Id").trim();
    let id = id.trim_end_matches('┃').trim();
    (id.len() == 36 && id.chars().filter(|c| *c == '-').count() == 4).then(|| id.to_string())
}

/// A staff member's TUI on their machine, its copy pulled every second.
fn staff_tui(env: &[(String, String)], inbox: &std::path::Path) -> PtyApp {
    let mut env = env.to_vec();
    env.push(("QONTO_TUI_SYNC_EVERY".into(), "1".into()));
    env.push((
        "QONTO_TUI_RECEIPTS_INBOX".into(),
        inbox.display().to_string(),
    ));
    PtyApp::spawn(&[], &env, 200, 45)
}

/// Opens the first transaction missing its receipt (`m`, Enter): its id.
fn open_first_missing(tui: &mut PtyApp) -> String {
    tui.send(b"m");
    tui.wait_text("Receipt", WAIT);
    tui.send(b"\r");
    // Read on the screen that shows it: a later redraw may be between two states.
    let seen = std::cell::RefCell::new(None);
    tui.wait_for("the detail", WAIT, |s| {
        *seen.borrow_mut() = detail_id(s);
        seen.borrow().is_some()
    });
    seen.into_inner().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn what_one_staff_member_attaches_shows_in_the_others_tui_after_the_services_pass() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let firm = TwoStaff::set_up(&sb, "firm_tui").await;
    let (alice_home, alice_env) = firm_staff_machine(&sb, "firm-tui-alice", &firm.url, &firm.alice);
    let (_bob_home, mut bob_env) = firm_staff_machine(&sb, "firm-tui-bob", &firm.url, &firm.bob);
    // Bob's machine knows nothing of Qonto: no OAuth client, no server, no token.
    bob_env.retain(|(k, _)| !k.starts_with("QONTO_") || k.starts_with("QONTO_TUI_"));
    let org_name = sb
        .data()
        .orgs
        .iter()
        .find(|o| o.id == firm.org)
        .unwrap()
        .name
        .clone();
    let inbox = tempfile::tempdir().unwrap();
    let receipt = b"%PDF-1.4\n% the firm's receipt\n%%EOF\n".to_vec();
    std::fs::write(inbox.path().join("facture-cabinet.pdf"), &receipt).unwrap();
    let empty_inbox = tempfile::tempdir().unwrap();

    let (alice_tui, bob_tui) = {
        let (a, b) = (alice_env.clone(), bob_env.clone());
        let (ai, bi) = (inbox.path().to_path_buf(), empty_inbox.path().to_path_buf());
        tokio::task::spawn_blocking(move || {
            let alice = staff_tui(&a, &ai);
            let bob = staff_tui(&b, &bi);
            (alice, bob)
        })
        .await
        .unwrap()
    };
    let name = org_name.clone();
    let (alice_tui, bob_tui, tx_id) = tokio::task::spawn_blocking(move || {
        let (mut alice_tui, mut bob_tui) = (alice_tui, bob_tui);
        for tui in [&alice_tui, &bob_tui] {
            tui.wait_text(&name, WAIT);
            // The first pull has ended (the list may have been read from the copy before).
            tui.wait_text("new or changed in the firm's books", WAIT);
        }
        let seen_by_bob = open_first_missing(&mut bob_tui);
        bob_tui.wait_text("missing: required", WAIT);
        let seen_by_alice = open_first_missing(&mut alice_tui);
        assert_eq!(
            seen_by_alice, seen_by_bob,
            "the same books, the same first row"
        );
        alice_tui.send(b"a");
        alice_tui.wait_text("Attach a receipt", WAIT);
        alice_tui.send(b"fac");
        alice_tui.send(b"\t");
        alice_tui.wait_text("facture-cabinet.pdf", WAIT);
        alice_tui.send(b"\r");
        alice_tui.wait_text("intent #1", WAIT);
        (alice_tui, bob_tui, seen_by_alice)
    })
    .await
    .unwrap();
    assert!(sb.uploads_of(&tx_id).is_empty(), "only asked so far");
    assert!(
        !common::firm::files_under(&alice_home.dir)
            .iter()
            .any(|f| f.starts_with("tokens")),
        "no token on a staff machine"
    );

    // The service's pass: done with Alice's own sign-in, then its books brought up to date.
    let (code, out, err) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 0, "{out}{err}");
    let uploads = sb.uploads_of(&tx_id);
    assert_eq!(uploads.len(), 1, "{out}");
    assert_eq!(uploads[0].by, format!("user#{}", firm.alices_sign_in));
    assert_eq!(*uploads[0].bytes, receipt);
    let (code, out, err) = firm.serve(&sb, &["sync"], false).await;
    assert_eq!(code, 0, "{out}{err}");

    // Both screens show it, Bob's without a key pressed.
    tokio::task::spawn_blocking(move || {
        for tui in [&bob_tui, &alice_tui] {
            // One screen showing both: a pull may redraw the detail between two reads.
            tui.wait_for("the receipt on the same transaction", WAIT, |s| {
                s.contains("1 attached") && detail_id(s).as_deref() == Some(tx_id.as_str())
            });
        }
        for mut tui in [bob_tui, alice_tui] {
            tui.send(b"\x03");
            assert!(tui.wait_exit(WAIT).is_some(), "the app quits");
        }
    })
    .await
    .unwrap();
    firm.tear_down().await;
}
