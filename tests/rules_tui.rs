//! A categorization rule in the app, as a person meets it: the real binary in a pseudo-terminal
//! against the sandbox, with a rule in its config file. Once the copy has synced, the rule's
//! proposal is said; `P` shows exactly the matching uncategorized transactions of the rule's
//! organization; nothing is filed until Enter is answered with `y`, and then the sandbox has
//! them in the rule's category and the proposal is gone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_proposes_its_matches_as_the_copy_syncs_and_files_them_only_on_a_yes() {
    let sb = std::sync::Arc::new(common::sandbox_for_the_app().await);
    let home = Home::new("rules-tui");
    let org = &sb.data().orgs[2];
    let config = home.dir.join("rules.toml");
    std::fs::write(
        &config,
        format!(
            "[[rules]]\ncounterparty = \"urssaf\"\ncategory = \"Taxes / Social charges\"\norgs = [{:?}]\n",
            org.name
        ),
    )
    .unwrap();
    let mut env = app_env(&sb, &home);
    env.retain(|(k, _)| k != "QONTO_TUI_CONFIG");
    env.push(("QONTO_TUI_CONFIG".into(), config.display().to_string()));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let (_, out, _) = common::run_app(
        &sb,
        &home,
        &env,
        &["search", "urssaf uncategorized", "--json", "--limit", "0"],
    )
    .await;
    let everywhere: Vec<Value> = serde_json::from_str(&out).unwrap();
    let expected: Vec<String> = everywhere
        .iter()
        .filter(|t| t["org_id"] == sb.data().orgs[2].id.as_str())
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty(), "the rule has something to propose");
    let category_of = |id: &str| {
        let org = &sb.data().orgs[2];
        let tx = org
            .accounts
            .iter()
            .flat_map(|a| sb.ledger_now(a).transactions.clone())
            .find(|t| t.id == id)
            .unwrap();
        sb.cashflow_of(org, &tx)
    };
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));

    let check = sb.clone();
    let wanted = expected.clone();
    let org_name = org.name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 150, 40);
        tui.wait_text(&org_name, WAIT);
        // The proposal is said once the first sync pass has ended.
        tui.wait_text("Your rules propose a category for", WAIT);
        tui.send(b"P");
        let count = format!("→ Taxes / Social charges · {} transaction", wanted.len());
        tui.wait_text(&count, WAIT);
        let shown = tui.screen();
        assert!(shown.contains(&format!("in {org_name}")), "{shown}");

        // Enter asks; anything but y files nothing.
        tui.send(b"\r");
        tui.wait_text("y files", WAIT);
        tui.send(b"n");
        tui.wait_text("Nothing was filed", WAIT);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(check.acted(), vec![], "nothing sent");

        tui.send(b"\r");
        tui.wait_text("y files", WAIT);
        tui.send(b"y");
        tui.wait_text("filed under Taxes / Social charges", WAIT);
        // Filed: the rule has nothing left to propose.
        tui.wait_text("Nothing left to file", WAIT);
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    for id in &expected {
        assert_eq!(
            category_of(id),
            Some(("Taxes".to_string(), Some("Social charges".to_string()))),
            "{id}"
        );
    }
}
