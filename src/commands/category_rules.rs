//! `qonto-tui categorize --rules [--apply]`: the config file's rules, each proposing its
//! category for the uncategorized transactions (in the local copy) whose counterparty contains
//! its words, in the organizations it names (every one when it names none). A dry run unless
//! `--apply`, as `categorize` is; nothing is filed on a rule the person did not confirm.

use serde_json::json;

use super::reach::clean;
use super::writes::in_session;
use crate::config::Config;
use crate::writes::rules::propose;

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
        let proposals = propose(&session.books, &config.rules).await?;
        for (rule, proposal) in config.rules.iter().zip(proposals) {
            let ids = proposal.transactions;
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
