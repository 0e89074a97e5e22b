//! A firm's writes go through its service: a staff member's `qonto-tui attach`, on their own
//! machine with the firm's books, only asks (an intent PostgreSQL accepts for a granted
//! organization); `qonto-tui serve act` on the service machine carries it out against the
//! sandbox with that staff member's own credential (the sandbox's record of the upload names
//! the sign-in), under this machine's `writes` setting; after the next `serve sync` a
//! colleague granted the same organization sees the receipt. Forged and stale intents are
//! refused in words, and nothing is sent for them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::firm::{self, TwoStaff};
use common::run_app;
use qonto_books::firm::Firm;
use qonto_sandbox::Sandbox;
use qonto_sandbox::data::{Tx, TxStatus};
use serde_json::Value;

fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.4\n% receipt {n}\n%%EOF\n").into_bytes()
}

/// A completed transaction of organization `org` that misses its receipt.
fn missing(sb: &Sandbox, org: &str, skip: usize) -> Tx {
    let org = sb.data().orgs.iter().find(|o| o.id == org).unwrap();
    org.accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .filter(|t| t.status == TxStatus::Completed && sb.misses_receipt(t))
        .nth(skip)
        .expect("a transaction missing its receipt")
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// The state and outcome of intent `id`, as `role` sees it.
async fn intent(url: &str, role: &str, id: i64) -> (String, String) {
    let staff = Firm::connect(&format!("{url} user={role}")).await.unwrap();
    let row = staff
        .client()
        .query_one(
            "SELECT state, coalesce(outcome, '') FROM qonto.actions WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_members_attach_is_done_by_the_service_with_their_own_credential() {
    let sb = common::sandbox_for_the_app().await;
    let firm = TwoStaff::set_up(&sb, "firm_intents").await;
    let (url, alice, bob, org) = (
        firm.url.clone(),
        firm.alice.clone(),
        firm.bob.clone(),
        firm.org.clone(),
    );
    let consented = sb.consented_orgs();
    let other_org = consented[1].clone();
    let (service, service_env) = (&firm.service, &firm.service_env);
    let alices_sign_in = firm.alices_sign_in;
    let (alice_home, alice_env) = firm::firm_staff_machine(&sb, "firm-alice", &url, &alice);
    let (bob_home, bob_env) = firm::firm_staff_machine(&sb, "firm-bob", &url, &bob);
    let tx = missing(&sb, &org, 0);
    assert!(
        firm::search_ids(&sb, &bob_home, &bob_env, "missing:receipt")
            .await
            .contains(&tx.id)
    );
    let files = tempfile::tempdir().unwrap();
    let receipt = write_file(files.path(), "facture-novembre.pdf", &pdf(1));

    // Alice asks: nothing is sent by her machine, which holds no token.
    let (code, out, err) =
        run_app(&sb, &alice_home, &alice_env, &["attach", &tx.id, &receipt]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("intent #1"), "{out}");
    assert!(sb.uploads_of(&tx.id).is_empty());
    assert!(
        firm::files_under(&alice_home.dir)
            .iter()
            .all(|f| !f.contains("tokens") && !f.contains("books-key")),
        "no token on a staff machine: {:?}",
        firm::files_under(&alice_home.dir)
    );
    // A transaction of an organization not granted to her is not found for her.
    let elsewhere = missing(&sb, &other_org, 0);
    let (code, _, err) = run_app(
        &sb,
        &alice_home,
        &alice_env,
        &["attach", &elsewhere.id, &receipt],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("among your organizations"), "{err}");

    // Writes are off on the service until its config turns them on: refused in words.
    let (code, out, _) = firm.serve(&sb, &["act"], false).await;
    assert_eq!(code, 3, "{out}");
    assert!(
        sb.uploads_of(&tx.id).is_empty(),
        "nothing sent with writes off"
    );
    let (state, outcome) = intent(&url, &alice, 1).await;
    assert_eq!(state, "failed");
    assert!(outcome.contains("writes to Qonto are off"), "{outcome}");

    // Asked again, with writes on: done with Alice's own sign-in.
    let (code, out, err) =
        run_app(&sb, &alice_home, &alice_env, &["attach", &tx.id, &receipt]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("intent #2"), "{out}");
    let (code, out, err) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("intent #2") && out.contains("attached to"),
        "{out}"
    );
    let uploads = sb.uploads_of(&tx.id);
    assert_eq!(uploads.len(), 1);
    assert_eq!(
        uploads[0].by,
        format!("user#{alices_sign_in}"),
        "Alice's credential, not Bob's"
    );
    assert_eq!(uploads[0].file_name, "facture-novembre.pdf");
    assert_eq!(*uploads[0].bytes, pdf(1));
    let (state, outcome) = intent(&url, &bob, 2).await;
    assert_eq!(
        state, "done",
        "Bob sees his colleague's intent on their organization"
    );
    assert!(outcome.contains("attached to"), "{outcome}");
    // Recorded in Alice's journal on the service, before it was sent.
    let (code, out, err) = run_app(
        &sb,
        service,
        service_env,
        &["--staff", &alice, "journal", "--json"],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(journal.len(), 1, "{out}");
    assert_eq!(journal[0]["target"], tx.id.as_str());
    assert_eq!(journal[0]["state"], "confirmed");
    assert_eq!(journal[0]["source"], format!("firm intent #2 of {alice}"));

    // After the service's next sync, Bob sees the receipt from his own machine.
    let (code, out, err) = firm.serve(&sb, &["sync"], false).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !firm::search_ids(&sb, &bob_home, &bob_env, "missing:receipt")
            .await
            .contains(&tx.id)
    );

    // Forged by hand: an intent for her organization naming another's transaction, and one
    // for a grant since revoked. Neither is carried out; both are said.
    let staff = Firm::connect(&format!("{url} user={alice}")).await.unwrap();
    let ask = |tx: String, n: u32| {
        let (client, org) = (staff.client(), org.clone());
        async move {
            qonto_books::firm::actions::ask_attach(client, &org, &tx, "x.pdf", &pdf(n))
                .await
                .unwrap()
        }
    };
    let forged = ask(elsewhere.id.clone(), 2).await;
    let second = missing(&sb, &org, 1);
    let stale = ask(second.id.clone(), 3).await;
    let (code, _, err) = firm.serve(&sb, &["revoke", &alice, &org], false).await;
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 3, "{out}");
    assert!(sb.uploads_of(&elsewhere.id).is_empty());
    assert!(sb.uploads_of(&second.id).is_empty());
    let (state, outcome) = intent(&url, &bob, forged).await;
    assert_eq!(state, "failed");
    // Revoked first, so the grant is what stops both.
    assert!(outcome.contains("no longer granted"), "{outcome}");
    let (state, _) = intent(&url, &bob, stale).await;
    assert_eq!(state, "failed");
    let (code, _, err) = firm.serve(&sb, &["grant", &alice, &org], false).await;
    assert_eq!(code, 0, "{err}");
    let forged = ask(elsewhere.id.clone(), 2).await;
    let (code, out, _) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 3, "{out}");
    let (state, outcome) = intent(&url, &bob, forged).await;
    assert_eq!(state, "failed");
    assert!(outcome.contains("holds no transaction"), "{outcome}");
    assert!(sb.uploads_of(&elsewhere.id).is_empty());
    drop(staff);

    firm.tear_down().await;
}
