//! Cash-flow categories set from the command line, against the sandbox over loopback with the
//! real binary: `categories` lists each organization's tree; `categorize QUERY --category NAME`
//! is a dry run that sends nothing, refuses in words with writes off, and with `--apply` files
//! every matching transaction of every organization in ceil(n/100) calls per organization, the
//! sandbox and the local copy agreeing afterwards; `journal --undo` puts each one back where it
//! was, "no category" included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::app::{Home, app_env};
use qonto_sandbox::Sandbox;
use serde_json::Value;

const TARGET: (&str, &str) = ("Operations", "Software");

use common::run_app as run;

/// Every transaction `query` finds in the local copy: (organization id, transaction id).
async fn found(
    sb: &Sandbox,
    home: &Home,
    env: &[(String, String)],
    query: &str,
) -> Vec<(String, String)> {
    let (code, out, err) = run(sb, home, env, &["search", query, "--json", "--limit", "0"]).await;
    assert_eq!(code, 0, "{err}");
    let list: Vec<Value> = serde_json::from_str(&out).unwrap();
    list.iter()
        .map(|t| {
            (
                t["org_id"].as_str().unwrap().to_string(),
                t["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Where the sandbox files each transaction now.
fn filed(
    sb: &Sandbox,
    ids: &[(String, String)],
) -> HashMap<String, Option<(String, Option<String>)>> {
    let mut out = HashMap::new();
    for (org_id, tx_id) in ids {
        let org = sb.data().orgs.iter().find(|o| o.id == *org_id).unwrap();
        let tx = org
            .accounts
            .iter()
            .flat_map(|a| sb.ledger_now(a).transactions.clone())
            .find(|t| t.id == *tx_id)
            .unwrap();
        out.insert(tx_id.clone(), sb.cashflow_of(org, &tx));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn categorize_dry_run_apply_in_calls_of_100_and_undo_to_where_each_was() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("categorize");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let mut writes = env.clone();
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));

    // The trees, as Qonto lists them.
    let (code, out, err) = run(&sb, &home, &env, &["categories", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let trees: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(trees.len(), sb.data().orgs.len());
    assert!(out.contains("\"Software\""), "{out}");

    let query = "side:debit";
    let matched = found(&sb, &home, &env, query).await;
    let orgs: std::collections::BTreeSet<&String> = matched.iter().map(|(o, _)| o).collect();
    assert!(orgs.len() >= 3, "across organizations: {orgs:?}");
    let before = filed(&sb, &matched);
    let target = Some((TARGET.0.to_string(), Some(TARGET.1.to_string())));
    let mut moving: HashMap<&String, usize> = HashMap::new();
    for (org, tx) in &matched {
        if before[tx] != target {
            *moving.entry(org).or_default() += 1;
        }
    }
    assert!(
        moving.values().any(|n| *n > 100),
        "some organization needs two calls: {moving:?}"
    );
    assert!(
        before.values().any(Option::is_none),
        "some were uncategorized"
    );
    let name = format!("{} / {}", TARGET.0, TARGET.1);

    // A dry run sends nothing.
    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &["categorize", query, "--category", &name],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("would go to") && out.contains("dry run"),
        "{out}"
    );
    assert_eq!(filed(&sb, &matched), before);
    // Writes off: refused in words, nothing sent.
    let (code, out, err) = run(
        &sb,
        &home,
        &env,
        &["categorize", query, "--category", &name, "--apply"],
    )
    .await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("writes to Qonto are off"), "{err}");
    for org in &sb.data().orgs {
        assert_eq!(sb.category_calls(&org.id), 0, "no call with writes off");
    }
    // A name no tree has: said, nothing sent.
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["categorize", query, "--category", "Astrology", "--apply"],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("no category \"Astrology\""), "{err}");

    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &["categorize", query, "--category", &name, "--apply"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Filed "), "{out}");
    for (org, n) in &moving {
        assert_eq!(
            sb.category_calls(org),
            n.div_ceil(100),
            "ceil({n}/100) calls for {org}"
        );
    }
    let after = filed(&sb, &matched);
    assert!(
        after.values().all(|f| *f == target),
        "every one filed at Qonto"
    );
    // The local copy knows at once.
    let in_copy = found(&sb, &home, &env, "category:software side:debit").await;
    assert_eq!(in_copy.len(), matched.len());

    // Undone, write by write: each back where it was, "no category" included.
    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    let done: Vec<String> = journal
        .iter()
        .filter(|w| w["kind"] == "categorize" && w["state"] == "confirmed")
        .map(|w| w["id"].as_i64().unwrap().to_string())
        .collect();
    assert_eq!(
        done.len(),
        moving.values().map(|n| n.div_ceil(100)).sum::<usize>()
    );
    for id in &done {
        let (code, out, err) = run(&sb, &home, &writes, &["journal", "--undo", id]).await;
        assert_eq!(code, 0, "{out}{err}");
    }
    assert_eq!(filed(&sb, &matched), before, "each one back where it was");
    let uncategorized_before = before.values().filter(|f| f.is_none()).count();
    let uncategorized_now = found(&sb, &home, &env, "side:debit uncategorized").await;
    assert_eq!(uncategorized_now.len(), uncategorized_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_the_category_scope_is_told_which_scope_and_how_to_get_it() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("categorize-scope");
    let mut env = app_env(&sb, &home);
    env.push((
        "QONTO_SCOPES".into(),
        "offline_access user_organization.read organization.read cash_flow_category.read".into(),
    ));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let (code, out, err) = run(
        &sb,
        &home,
        &env,
        &[
            "categorize",
            "urssaf",
            "--category",
            "Taxes / VAT",
            "--apply",
        ],
    )
    .await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("cash_flow_category.write"), "{err}");
    assert!(err.contains("sign in again"), "{err}");
    for org in &sb.data().orgs {
        assert_eq!(sb.category_calls(&org.id), 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_proposes_exactly_the_matching_uncategorized_transactions_of_its_organizations() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("categorize-rules");
    let org = sb.data().orgs[2].name.clone();
    let config = home.dir.join("rules.toml");
    std::fs::write(
        &config,
        format!(
            "[[rules]]\ncounterparty = \"urssaf\"\ncategory = \"Taxes / Social charges\"\norgs = [{org:?}]\n"
        ),
    )
    .unwrap();
    let mut env = app_env(&sb, &home);
    env.retain(|(k, _)| k != "QONTO_TUI_CONFIG");
    env.push(("QONTO_TUI_CONFIG".into(), config.display().to_string()));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let everywhere = found(&sb, &home, &env, "urssaf uncategorized").await;
    let org_id = sb.data().orgs[2].id.clone();
    let expected: Vec<&(String, String)> =
        everywhere.iter().filter(|(o, _)| *o == org_id).collect();
    assert!(!expected.is_empty(), "the rule has something to propose");
    assert!(
        everywhere.len() > expected.len(),
        "and other organizations have some too"
    );
    let before = filed(&sb, &everywhere);

    let (code, out, err) = run(&sb, &home, &env, &["categorize", "--rules", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let report: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(report[0]["proposed"], expected.len(), "{out}");
    assert_eq!(filed(&sb, &everywhere), before, "a dry run");

    let mut writes = env.clone();
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let (code, out, err) = run(&sb, &home, &writes, &["categorize", "--rules", "--apply"]).await;
    assert_eq!(code, 0, "{out}{err}");
    let after = filed(&sb, &everywhere);
    for (o, tx) in &everywhere {
        if *o == org_id {
            assert_eq!(
                after[tx],
                Some(("Taxes".to_string(), Some("Social charges".to_string())))
            );
        } else {
            assert_eq!(
                after[tx], before[tx],
                "another organization's is left alone"
            );
        }
    }
}
