//! `qonto-tui categorize --rules [--apply]`: the config file's rules, each proposing its
//! category for the uncategorized transactions (in the local copy) whose counterparty contains
//! its words, in the organizations it names (every one when it names none). A dry run unless
//! `--apply`, as `categorize` is; nothing is filed on a rule the person did not confirm.

use serde_json::json;

use super::reach::clean;
use super::writes::in_session;
use crate::config::CategoryRule;
use crate::config::Config;
use qonto_books::query::fold;

/// Transactions one rule proposes at most.
const MAX_PER_RULE: usize = 50_000;

/// Whether `rule` speaks of organization (`id`, `name`).
fn names_org(rule: &CategoryRule, id: &str, name: &str) -> bool {
    rule.orgs.is_empty()
        || rule
            .orgs
            .iter()
            .any(|o| o == id || fold(name).starts_with(&fold(o)))
}

/// The uncategorized transactions of the copy that `rule` proposes.
async fn matches(
    books: &qonto_books::BooksHandle,
    rule: &CategoryRule,
) -> anyhow::Result<Vec<String>> {
    let query = qonto_books::query::Query {
        uncategorized: true,
        ..Default::default()
    };
    let (found, _) = books
        .read_fresh(move |b| b.search(&query, MAX_PER_RULE, MAX_PER_RULE))
        .await??;
    let wanted = fold(&rule.counterparty);
    Ok(found
        .into_iter()
        .filter(|f| {
            let org = f.org_name.as_deref().unwrap_or(&f.tx.org_id);
            names_org(rule, &f.tx.org_id, org)
                && f.tx
                    .counterparty
                    .as_deref()
                    .is_some_and(|c| fold(c).contains(&wanted))
        })
        .map(|f| f.tx.id)
        .collect())
}

pub async fn run(config: &Config, apply: bool, json: bool) -> anyhow::Result<u8> {
    if config.rules.is_empty() {
        eprintln!(
            "qonto-tui categorize --rules: {} has no [[rules]] (counterparty = \"…\", category = \"…\", orgs = […])",
            config.config_path.display()
        );
        return Ok(super::export::EXIT_USAGE);
    }
    in_session(config, async |session| {
        let categories = session.categories(config);
        super::categorize::finish_earlier(&categories).await?;
        let mut report = Vec::new();
        let mut failed = 0;
        for rule in &config.rules {
            let ids = matches(&session.books, rule).await?;
            let plan = categories.plan(&ids, Some(&rule.category)).await?;
            let proposed: usize = plan.batches.iter().map(|b| b.from.len()).sum();
            if !json {
                crate::say!(
                    "Rule {:?} → {}: {proposed} uncategorized transaction{}",
                    clean(&rule.counterparty),
                    clean(&rule.category),
                    if proposed == 1 { "" } else { "s" }
                )?;
                super::categorize::say_plan(&plan, Some(&rule.category), apply)?;
            }
            let mut writes = Vec::new();
            if apply {
                for batch in &plan.batches {
                    match categories.apply(batch).await {
                        Ok(w) => writes.push(w),
                        Err(e) => {
                            failed += 1;
                            eprintln!("{}: {}", batch.org_name, clean(&e.to_string()));
                        }
                    }
                }
            }
            report.push(json!({
                "counterparty": clean(&rule.counterparty), "category": clean(&rule.category),
                "proposed": proposed, "writes": writes,
                "skipped": plan.skipped.iter().map(|(o, why)| json!({"org": o, "why": clean(why)})).collect::<Vec<_>>(),
            }));
        }
        if json {
            crate::say!("{}", serde_json::Value::Array(report))?;
        }
        Ok(if failed > 0 { 1 } else { 0 })
    })
    .await
}
