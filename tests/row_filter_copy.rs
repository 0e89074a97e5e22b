//! The `/` filter in the Transactions tab covers the whole account from the local copy (not
//! only the rows loaded), and says when the copy does not hold the account whole: the real
//! binary in a pseudo-terminal, keys in, screen out, the count checked against the sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;
use qonto_sandbox::data::TxStatus;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn the_filter_covers_the_whole_account_from_the_copy_and_says_when_it_cannot() {
    let sb = common::sandbox_for_the_app().await;
    let org = &sb.data().orgs[0];
    let account = &org.accounts[0];
    let word = "urssaf";
    let ledger = sb.ledger_now(account);
    let listed: Vec<_> = ledger
        .transactions
        .iter()
        .filter(|t| t.status != TxStatus::Declined)
        .collect();
    let truth = listed
        .iter()
        .filter(|t| {
            let name = &sb.data().counterparties[t.counterparty].name;
            [Some(name), t.reference.as_ref(), t.note.as_ref()]
                .iter()
                .flatten()
                .any(|text| text.to_lowercase().contains(word))
        })
        .count();
    let total = listed.len();
    assert!(
        total > 100 && truth > 0,
        "more than a page, some matches: {truth} of {total}"
    );

    // Signed in and synced: the copy holds every account whole.
    let home = Home::new("filter-copy");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let name = org.name.clone();
    let expected = format!(
        "{truth} match{} in all {total}",
        if truth == 1 { "" } else { "es" }
    );
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 140, 40);
        tui.wait_text(&name, WAIT);
        tui.send(b"2");
        tui.wait_text("Settled", WAIT);
        tui.send(b"\t/urssaf");
        tui.wait_for("the whole account filtered", WAIT, |s| {
            s.contains(&expected)
        });
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();

    // Signed in only, no copy and no background sync: what is loaded is filtered, and said.
    let home = Home::new("filter-nocopy");
    let mut env = app_env(&sb, &home);
    env.push(("QONTO_TUI_SYNC".into(), "off".into()));
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let name = org.name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 140, 40);
        tui.wait_text(&name, WAIT);
        tui.send(b"2");
        tui.wait_text("Settled", WAIT);
        tui.send(b"\t/urssaf");
        tui.wait_text("the local copy does not hold this account whole yet", WAIT);
        let screen = tui.screen();
        assert!(!screen.contains(" in all "), "{screen}");
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}
