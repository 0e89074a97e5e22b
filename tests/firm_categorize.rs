//! A staff member files transactions under a cash-flow category through the firm's service:
//! `qonto-tui categorize QUERY --category NAME --apply` on their machine (no Qonto token)
//! asks, per organization; `serve act` does it with their own credential (the sandbox's record
//! of the assignment names the sign-in), the name looked up in the organization's own tree;
//! after the next `serve sync` a colleague's search finds them there. A dry run asks nothing,
//! a forged intent naming another organization's transaction is refused in words, and the
//! schema refuses an intent of the wrong shape. A decline from her command line is asked after
//! the question naming it, and declined by the service with her sign-in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::firm::{self, TwoStaff};
use common::run_app;
use qonto_books::firm::Firm;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_members_categorize_is_done_by_the_service_with_their_own_credential() {
    let sb = common::sandbox_for_the_app().await;
    let firm = TwoStaff::set_up(&sb, "firm_categorize").await;
    let (alice_home, alice_env) =
        firm::firm_staff_machine(&sb, "cat-alice", &firm.url, &firm.alice);
    let (bob_home, bob_env) = firm::firm_staff_machine(&sb, "cat-bob", &firm.url, &firm.bob);
    let data = sb.data();
    let org = data.orgs.iter().find(|o| o.id == firm.org).unwrap();
    // A subcategory of the organization's tree, and a counterparty of its books to search.
    let (category, sub) = org
        .cashflow
        .iter()
        .find_map(|c| c.subcategories.first().map(|s| (c.clone(), s.clone())))
        .expect("a category with subcategories");
    let name = format!("{} / {}", category.name, sub.name);
    let counterparty = org
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .map(|t| data.counterparties[t.counterparty].name.clone())
        .find(|c| c.split_whitespace().next().is_some_and(|w| w.len() >= 4))
        .unwrap();
    let word = counterparty
        .split_whitespace()
        .next()
        .unwrap()
        .to_lowercase();
    let query = format!("{word} -category:{}", sub.name);

    // A dry run: what would be asked, nothing asked.
    let (code, out, err) = run_app(
        &sb,
        &alice_home,
        &alice_env,
        &["categorize", &query, "--category", &name, "--json"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let dry: Value = serde_json::from_str(&out).unwrap();
    let matched = dry["matched"].as_u64().unwrap();
    assert!(matched > 0, "{out}");
    assert_eq!(dry["applied"], false);
    assert_eq!(
        dry["calls"].as_array().unwrap().len(),
        1,
        "her one organization"
    );
    let admin = Firm::connect(&firm.url).await.unwrap();
    let asked: i64 = admin
        .client()
        .query_one("SELECT count(*) FROM qonto.actions", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(asked, 0, "a dry run asks nothing");

    // Asked: intents, and nothing sent from her machine.
    let (code, out, err) = run_app(
        &sb,
        &alice_home,
        &alice_env,
        &["categorize", &query, "--category", &name, "--apply"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("asked (intent"), "{out}");
    assert_eq!(sb.category_calls(&firm.org), 0);
    let ids = firm::search_ids(&sb, &alice_home, &alice_env, &query).await;
    assert_eq!(ids.len() as u64, matched);

    // Carried out with writes on: each assignment made with Alice's own sign-in.
    let (code, out, err) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("under {name}")), "{out}");
    for id in &ids {
        let (filed, by) = sb.category_assigned(id).expect("filed through the API");
        assert_eq!(
            filed,
            Some((category.id.clone(), Some(sub.id.clone()))),
            "{id}"
        );
        assert_eq!(by, format!("user#{}", firm.alices_sign_in), "{id}");
    }
    // After the service's next pass, Bob finds them under the subcategory.
    let (code, out, err) = firm.serve(&sb, &["sync"], false).await;
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run_app(
        &sb,
        &bob_home,
        &bob_env,
        &[
            "search",
            &format!("{word} category:{}", sub.name),
            "--json",
            "--limit",
            "0",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let found: Vec<Value> = serde_json::from_str(&out).unwrap();
    for id in &ids {
        assert!(found.iter().any(|t| t["id"] == id.as_str()), "{id}: {out}");
    }

    // Asked again: already there, nothing sent.
    let calls = sb.category_calls(&firm.org);
    let (code, out, err) = run_app(
        &sb,
        &alice_home,
        &alice_env,
        &["categorize", &word, "--category", &name, "--apply"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 0, "{out}{err}");
    let already = sb.category_calls(&firm.org) - calls;
    assert!(
        already <= 1,
        "only those not yet there are sent: {already} calls"
    );

    // Forged as Alice: another organization's transaction is refused by the service.
    let other = sb.consented_orgs()[1].clone();
    let stranger = data
        .orgs
        .iter()
        .find(|o| o.id == other)
        .unwrap()
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .next()
        .unwrap();
    let as_alice = Firm::connect(&format!("{} user={}", firm.url, firm.alice))
        .await
        .unwrap();
    let forged = qonto_books::firm::actions::ask_categorize(
        as_alice.client(),
        &firm.org,
        std::slice::from_ref(&stranger.id),
        Some(&name),
    )
    .await
    .unwrap();
    let (code, out, _) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 3, "{out}");
    assert!(out.contains(&format!("intent #{forged}")), "{out}");
    assert!(out.contains("holds 0 of the 1 transactions"), "{out}");
    assert!(sb.category_assigned(&stranger.id).is_none());
    // The schema refuses what no categorize is: too many, a number, no category, a file.
    let too_many: Vec<String> = (0..101).map(|i| format!("t{i}")).collect();
    for payload in [
        serde_json::json!({"transactions": too_many, "category": "x"}),
        serde_json::json!({"transactions": [], "category": "x"}),
        serde_json::json!({"transactions": [42], "category": "x"}),
        serde_json::json!({"transactions": ["t"]}),
        serde_json::json!({"transactions": ["t"], "category": 7}),
    ] {
        let refused = as_alice
            .client()
            .execute(
                "INSERT INTO qonto.actions (org_id, kind, payload) VALUES ($1, 'categorize', $2)",
                &[&firm.org, &payload],
            )
            .await;
        assert!(refused.is_err(), "{payload}");
    }

    // A decline from her command line: the question first (no terminal: only with --yes),
    // then an intent the service carries out with her sign-in.
    let request = sb
        .requests_of(org)
        .into_iter()
        .find(|r| r.status == "pending")
        .expect("a request waiting");
    let (code, _, err) = run_app(
        &sb,
        &alice_home,
        &alice_env,
        &["decline", &request.id, "--note", "hors budget"],
    )
    .await;
    assert_ne!(code, 0, "{err}");
    let (code, out, err) = run_app(
        &sb,
        &alice_home,
        &alice_env,
        &["decline", &request.id, "--note", "hors budget", "--yes"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&request.counterparty), "it names it: {out}");
    assert!(out.contains("intent #"), "{out}");
    let still = |sb: &qonto_sandbox::Sandbox| {
        sb.requests_of(org)
            .into_iter()
            .find(|r| r.id == request.id)
            .unwrap()
    };
    assert_eq!(still(&sb).status, "pending", "only asked so far");
    let (code, out, err) = firm.serve(&sb, &["act"], true).await;
    assert_eq!(code, 0, "{out}{err}");
    let declined = still(&sb);
    assert_eq!(declined.status, "declined");
    assert_eq!(declined.declined_note.as_deref(), Some("hors budget"));
    assert_eq!(
        declined.declined_by,
        Some(format!("user#{}", firm.alices_sign_in))
    );
    // A request of an organization not granted to her is not found for her.
    let elsewhere = sb
        .requests_of(data.orgs.iter().find(|o| o.id == other).unwrap())
        .into_iter()
        .find(|r| r.status == "pending")
        .expect("a request waiting elsewhere");
    let (code, _, err) = run_app(
        &sb,
        &alice_home,
        &alice_env,
        &["decline", &elsewhere.id, "--note", "non", "--yes"],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("among your organizations"), "{err}");
    firm.tear_down().await;
}
