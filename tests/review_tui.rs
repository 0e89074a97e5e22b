//! What waits for a decision, in the app: the real binary in a pseudo-terminal against the
//! sandbox. `V` lists every organization's pending requests and invoices to review or pay; `x`
//! asks for a note, then a yes to a question naming the organization, counterparty and amount
//! (anything else sends nothing); `p` marks an invoice paid; the sandbox agrees each time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;

const WAIT: Duration = Duration::from_secs(90);

/// The cells of the table row that holds `needle`.
fn row_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_is_declined_only_after_its_note_and_a_yes_and_an_invoice_is_marked_paid() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("review-tui");
    let mut env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let org = sb.data().orgs[0].name.clone();
    let check = sb.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text(&org, WAIT);
        tui.send(b"V");
        tui.wait_text("requests pending", WAIT);
        // The first row is a pending request of some organization: found in the sandbox by its
        // amount as shown.
        let screen = tui.screen();
        let pending: Vec<_> = check
            .data()
            .orgs
            .iter()
            .flat_map(|o| check.requests_of(o).into_iter().map(move |r| (o, r)))
            .filter(|(_, r)| r.status == "pending")
            .collect();
        let (owner, request) = pending
            .iter()
            .find(|(o, r)| {
                let amount = format!("{}.{:02} EUR", r.amount_cents / 100, r.amount_cents % 100);
                row_with(&screen, &amount)
                    .is_some_and(|l| l.contains(&o.name) && l.contains("request"))
                    && screen.lines().nth(4).is_some_and(|l| l.contains(&amount))
            })
            .expect("the first row is a pending request");
        let amount = format!(
            "{}.{:02} EUR",
            request.amount_cents / 100,
            request.amount_cents % 100
        );

        // Approving needs strong authentication: `a` opens Qonto's app and approves nothing.
        tui.send(b"a");
        tui.wait_text("Opened Qonto's app: approve the", WAIT);
        assert_eq!(
            check
                .requests_of(owner)
                .into_iter()
                .find(|r| r.id == request.id)
                .unwrap()
                .status,
            "pending"
        );

        // A note, then anything but yes: nothing sent.
        tui.send(b"x");
        tui.wait_text("why?", WAIT);
        tui.send(b"Over budget\r");
        tui.wait_text("Qonto cannot take this back", WAIT);
        let question = tui.screen();
        let asked = row_with(&question, "Decline ").unwrap();
        assert!(
            asked.contains(&owner.name) && asked.contains(&amount),
            "{asked}"
        );
        tui.send(b"n");
        tui.wait_text("nothing was sent", WAIT);
        let now = |id: &str| {
            check
                .requests_of(owner)
                .into_iter()
                .find(|r| r.id == id)
                .unwrap()
        };
        assert_eq!(now(&request.id).status, "pending");
        // Again, with a yes.
        tui.send(b"x");
        tui.wait_text("why?", WAIT);
        tui.send(b"Over budget\r");
        tui.wait_text("Qonto cannot take this back", WAIT);
        tui.send(b"y");
        tui.wait_text("declined (write #", WAIT);
        let declined = now(&request.id);
        assert_eq!(declined.status, "declined");
        assert_eq!(declined.declined_note.as_deref(), Some("Over budget"));

        // The last row is an invoice waiting for payment or review: p marks it paid.
        let paid = || {
            check
                .data()
                .orgs
                .iter()
                .flat_map(|o| check.invoices_of(o))
                .filter(|i| i.status == "paid")
                .count()
        };
        let before = paid();
        tui.send(b"G");
        tui.send(b"p");
        tui.wait_text("marked paid (write #", WAIT);
        assert_eq!(paid(), before + 1, "one more invoice paid");
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn invoices_qonto_does_not_list_now_are_shown_from_the_copy_with_their_age() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("review-copy");
    let env = app_env(&sb, &home);
    // The copy keeps every organization's invoices as the sync lists them.
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    // Signed in again without the right to read supplier invoices: Qonto refuses the list.
    let mut fewer = env.clone();
    fewer.push((
        "QONTO_SCOPES".into(),
        "offline_access user_organization.read organization.read".into(),
    ));
    common::run_ok(&sb, &home, &fewer, &[&["login"]]).await;
    let waiting: Vec<_> = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| sb.invoices_of(o))
        .filter(|i| ["to_review", "to_approve", "awaiting_payment"].contains(&i.status))
        .collect();
    let org = sb.data().orgs[0].name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &fewer, 160, 45);
        tui.wait_text(&org, WAIT);
        tui.send(b"V");
        let counted = format!("{} invoices to review or pay", waiting.len());
        tui.wait_for("the invoices from the copy", WAIT, |s| {
            s.contains("invoices of 5 organizations from the copy, listed") && s.contains(&counted)
        });
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn marked_requests_are_declined_together_after_one_note_and_one_yes() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("review-marks");
    let mut env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let org = sb.data().orgs[0].name.clone();
    let check = sb.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text(&org, WAIT);
        tui.send(b"V");
        tui.wait_text("requests pending", WAIT);
        tui.send(b"  ");
        tui.wait_text("2 marked", WAIT);
        tui.send(b"x");
        tui.wait_text("Decline: why?", WAIT);
        tui.send(b"Sent twice\r");
        tui.wait_text("Decline these 2?", WAIT);
        tui.send(b"y");
        tui.wait_for("both declined", WAIT, |s| {
            s.matches("declined (write #").count() >= 2
        });
        // The screen may say one decline twice (its row and the status line) before the
        // second is answered: the sandbox's own record is waited for, a bounded while.
        let deadline = std::time::Instant::now() + WAIT;
        let declined = loop {
            let declined: Vec<_> = check
                .acted()
                .into_iter()
                .filter(|a| a.what == "decline")
                .collect();
            if declined.len() >= 2 || std::time::Instant::now() > deadline {
                break declined;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(declined.len(), 2, "{declined:?}");
        for act in &declined {
            let org = check
                .data()
                .orgs
                .iter()
                .find(|o| o.id == act.org_id)
                .unwrap();
            let request = check
                .requests_of(org)
                .into_iter()
                .find(|r| r.id == act.target)
                .unwrap();
            assert_eq!(request.declined_note.as_deref(), Some("Sent twice"));
        }
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
}
