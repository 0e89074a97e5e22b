//! Filing under a category from a staff member's TUI, on a machine holding no Qonto token: the
//! search's every match marked (`^X`), the picker (`^G`) offers the categories the firm's books
//! already file the organization's transactions under (no tree can be read from Qonto there),
//! and Enter asks the firm's service; `serve act` files them with her own sign-in. The review
//! (`V`) shows what waits for a decision from the firm's books; a decline there (note, then
//! the question naming it) asks the service, which declines it with her own sign-in while it
//! is still pending, and refuses it in words once it is not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::firm::{TwoStaff, firm_staff_machine};
use common::pty::PtyApp;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn the_staff_tuis_picker_offers_the_names_in_use_and_asks_the_service() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let firm = TwoStaff::set_up(&sb, "firm_tui_cat").await;
    let (alice_home, alice_env) =
        firm_staff_machine(&sb, "firm-tui-cat-alice", &firm.url, &firm.alice);
    let data = sb.data();
    let org = data.orgs.iter().find(|o| o.id == firm.org).unwrap();
    // A subcategory the organization's transactions are filed under (so the firm's books know
    // its name), and the uncategorized ones to file there.
    let (category, sub) = org
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .find_map(|t| match sb.cashflow_of(org, &t) {
            Some((c, Some(s))) => Some((c, s)),
            _ => None,
        })
        .expect("a transaction filed under a subcategory");
    let name = format!("{category} / {sub}");
    let ids = common::firm::search_ids(&sb, &alice_home, &alice_env, "uncategorized").await;
    assert!(!ids.is_empty(), "uncategorized transactions to file");
    let n = ids.len();

    let pending = sb
        .requests_of(org)
        .into_iter()
        .find(|r| r.status == "pending")
        .expect("a request waiting")
        .counterparty;
    let mut env = alice_env.clone();
    env.push(("QONTO_TUI_SYNC_EVERY".into(), "60".into()));
    let org_name = org.name.clone();
    let offered = format!("│ {name}");
    let typed = sub.to_lowercase();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 160, 45);
        tui.wait_text(&org_name, WAIT);
        tui.wait_text("new or changed in the firm's books", WAIT);
        tui.send(b"s");
        tui.wait_text("Search every organization", WAIT);
        tui.send(b"uncategorized");
        tui.wait_text(&format!("{n} found"), WAIT);
        tui.send(b"\x18"); // ^X: every match
        tui.wait_text(&format!("{n} marked"), WAIT);
        tui.send(b"\x07"); // ^G: the picker
        tui.wait_text(&format!("Cash-flow category for {n} transaction"), WAIT);
        tui.wait_for("the name in use offered", WAIT, |s| s.contains(&offered));
        tui.send(typed.as_bytes());
        tui.send(b"\r");
        tui.wait_text("intent #1", WAIT);
        assert!(
            tui.screen().contains("asked the firm's service to file"),
            "{}",
            tui.screen()
        );
        // The review: what waits for a decision, from the firm's books (nothing asked of Qonto
        // here), a pending request of her organization among it.
        tui.send(b"\x1b"); // Esc: the search closed
        tui.wait_for("the search closed", WAIT, |s| {
            !s.contains("Search every organization")
        });
        tui.send(b"V");
        tui.wait_text("from the firm's books", WAIT);
        tui.wait_text(&pending, WAIT);
        // Declined after the usual note and question naming it: asked of the service.
        tui.send(b"x");
        tui.wait_text("Qonto shows the note to the member", WAIT);
        tui.send(b"pas maintenant\r");
        tui.wait_text("Qonto cannot take this back.", WAIT);
        tui.send(b"y");
        tui.wait_text("asked the firm's service to decline", WAIT);
        tui.wait_text("intent #2", WAIT);
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some(), "the app quits");
    })
    .await
    .unwrap();
    assert!(
        ids.iter().all(|id| sb.category_assigned(id).is_none()),
        "only asked so far"
    );

    let (code, out, err) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 0, "{out}{err}");
    for id in &ids {
        let (filed, by) = sb.category_assigned(id).expect("filed through the API");
        let (_, filed_sub) = filed.expect("under a category");
        assert!(filed_sub.is_some(), "{id}: under the subcategory");
        assert_eq!(by, format!("user#{}", firm.alices_sign_in), "{id}");
    }
    // The row under the cursor, declined once, with her note, by her own sign-in.
    let by_her: Vec<_> = sb
        .requests_of(org)
        .into_iter()
        .filter(|r| r.declined_by == Some(format!("user#{}", firm.alices_sign_in)))
        .collect();
    assert_eq!(by_her.len(), 1, "{out}");
    let declined = &by_her[0];
    assert_eq!(declined.status, "declined", "{out}");
    assert_eq!(declined.declined_note.as_deref(), Some("pas maintenant"));
    assert!(out.contains(&declined.counterparty), "{out}");
    // Asked again (a forged intent): no longer pending, refused in words, nothing sent.
    let as_alice = qonto_books::firm::Firm::connect(&format!("{} user={}", firm.url, firm.alice))
        .await
        .unwrap();
    let again = qonto_books::firm::actions::ask_decline(
        as_alice.client(),
        &firm.org,
        &declined.id,
        "encore",
    )
    .await
    .unwrap();
    let (code, out, _) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 3, "{out}");
    assert!(out.contains(&format!("intent #{again}")), "{out}");
    assert!(out.contains("no longer pending"), "{out}");
    firm.tear_down().await;
}
