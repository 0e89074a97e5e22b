//! `qonto-tui categories` (each organization's cash-flow tree, read fresh from Qonto and kept)
//! and `qonto-tui categorize QUERY… --category NAME [--apply]`: the transactions the query finds
//! in the local copy, filed under the category of that name in each of their organizations.
//! A dry run says what would change, per organization, unless `--apply`; writes go through the
//! journal (see [`crate::writes::categories`]) and `journal --undo N` puts them back.

use serde_json::json;

use super::reach::clean;
use super::writes::{Session, in_session};
use crate::config::Config;
use crate::writes::categories::Plan;
use qonto_books::categories::CategoryNode;

/// Some call failed (the others were made), or no organization could take the category.
const EXIT_FAILED: u8 = 1;
/// Nothing matched the query.
const EXIT_NONE: u8 = 3;
/// Transactions one run files at most (a query that finds more is refused: narrow it).
const MAX_TRANSACTIONS: usize = 50_000;

#[derive(Debug, clap::Args)]
pub struct CategoriesArgs {
    /// Only organizations whose name begins with this (case and accents ignored).
    #[arg(long)]
    pub org: Option<String>,
    /// Machine-readable output: one JSON object per organization, in an array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct CategorizeArgs {
    /// What to file: the search language (`urssaf 2026-11 org:brasserie uncategorized`).
    #[arg(required_unless_present = "rules", num_args = 1..)]
    pub query: Vec<String>,
    /// The category: `Category / Subcategory`, a subcategory's name alone when it is unique,
    /// or a category without subcategories; `none` takes the category away.
    #[arg(long, required_unless_present = "rules")]
    pub category: Option<String>,
    /// Instead of a query and a category: the config file's `[[rules]]`, each proposing its
    /// category for the uncategorized transactions whose counterparty it names.
    #[arg(long, conflicts_with_all = ["query", "category"])]
    pub rules: bool,
    /// Make the change (without it, nothing is sent: a dry run).
    #[arg(long)]
    pub apply: bool,
    /// Machine-readable output: one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn tree_json(nodes: &[CategoryNode]) -> Vec<serde_json::Value> {
    nodes
        .iter()
        .filter(|n| n.parent_id.is_none())
        .map(|c| {
            let subs: Vec<_> = nodes
                .iter()
                .filter(|s| s.parent_id.as_deref() == Some(c.id.as_str()))
                .map(|s| json!({"id": s.id, "name": clean(&s.name), "vat_rate": s.vat_rate}))
                .collect();
            json!({
                "id": c.id, "name": clean(&c.name),
                "type": if c.inflow { "inflow" } else { "outflow" },
                "vat_rate": c.vat_rate, "subcategories": subs,
            })
        })
        .collect()
}

pub async fn categories(config: &Config, args: CategoriesArgs) -> anyhow::Result<u8> {
    in_session(config, async |session| {
        let categories = session.categories(config);
        let wanted = args.org.as_deref().map(qonto_books::query::fold);
        let mut out = Vec::new();
        let mut failed = false;
        for (id, name) in session.organizations() {
            if wanted
                .as_ref()
                .is_some_and(|w| !qonto_books::query::fold(&name).starts_with(w.as_str()))
            {
                continue;
            }
            match categories.tree(&id, &name).await {
                Ok(tree) => {
                    if args.json {
                        out.push(
                            json!({"org_id": id, "org": name, "categories": tree_json(&tree)}),
                        );
                    } else {
                        crate::say!("{name}")?;
                        for c in tree.iter().filter(|n| n.parent_id.is_none()) {
                            let subs: Vec<String> = tree
                                .iter()
                                .filter(|s| s.parent_id.as_deref() == Some(c.id.as_str()))
                                .map(|s| clean(&s.name))
                                .collect();
                            let kind = if c.inflow { "in " } else { "out" };
                            if subs.is_empty() {
                                crate::say!("  {kind}  {}", clean(&c.name))?;
                            } else {
                                crate::say!("  {kind}  {}: {}", clean(&c.name), subs.join(", "))?;
                            }
                        }
                    }
                }
                Err(e) => {
                    failed = true;
                    eprintln!("{name}: {}", clean(&e.to_string()));
                }
            }
        }
        if args.json {
            crate::say!("{}", serde_json::Value::Array(out))?;
        }
        Ok(if failed { EXIT_FAILED } else { 0 })
    })
    .await
}

pub async fn categorize(config: &Config, args: CategorizeArgs) -> anyhow::Result<u8> {
    if args.rules {
        if config.books.is_some() && config.staff.is_none() {
            eprintln!(
                "qonto-tui categorize: --rules works on your own copy only; on the firm's books, categorize QUERY --category NAME"
            );
            return Ok(super::export::EXIT_USAGE);
        }
        return super::category_rules::run(config, args.apply, args.json).await;
    }
    let text = args.query.join(" ");
    let query = match qonto_books::query::parse(&text) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("qonto-tui categorize: {e}");
            return Ok(super::export::EXIT_USAGE);
        }
    };
    let name = match args.category.as_deref().unwrap_or("").trim() {
        n if n.eq_ignore_ascii_case("none") => None,
        n => Some(n.to_string()),
    };
    // A staff member on the firm's books asks the firm's service.
    if let (Some(books), None) = (&config.books, &config.staff) {
        return super::firm_ask::categorize(
            books.expose(),
            &query,
            name.as_deref(),
            args.apply,
            args.json,
        )
        .await;
    }
    in_session(config, async |session| {
        let (found, total) = session
            .books
            .read_fresh(move |b| b.search(&query, MAX_TRANSACTIONS, MAX_TRANSACTIONS + 1))
            .await??;
        if total > MAX_TRANSACTIONS {
            eprintln!(
                "qonto-tui categorize: the query finds more than {MAX_TRANSACTIONS} transactions; narrow it (a period, org:NAME, uncategorized)"
            );
            return Ok(super::export::EXIT_USAGE);
        }
        if found.is_empty() {
            eprintln!("qonto-tui categorize: no transaction in the local copy matches {text:?}");
            return Ok(EXIT_NONE);
        }
        let ids: Vec<String> = found.into_iter().map(|f| f.tx.id).collect();
        let categories = session.categories(config);
        finish_earlier(&categories).await?;
        let plan = categories.plan(&ids, name.as_deref()).await?;
        let moving: usize = plan.batches.iter().map(|b| b.from.len()).sum();
        if !args.json {
            say_plan(&plan, name.as_deref(), args.apply)?;
        }
        let mut made = Vec::new();
        let mut failures = Vec::new();
        let mut filed = 0;
        if args.apply {
            for (n, batch) in plan.batches.iter().enumerate() {
                if !args.json {
                    eprint!(
                        "\rcall {} of {} ({}: {} transactions)…",
                        n + 1,
                        plan.batches.len(),
                        batch.org_name,
                        batch.from.len()
                    );
                }
                match categories.apply(batch).await {
                    Ok(write) => {
                        made.push(write);
                        filed += batch.from.len();
                    }
                    Err(e) => failures.push((batch.org_name.clone(), e.to_string())),
                }
            }
            if !args.json && !plan.batches.is_empty() {
                eprintln!();
            }
        }
        if args.json {
            let per_org: Vec<_> = plan
                .batches
                .iter()
                .map(|b| json!({"org": b.org_name, "transactions": b.from.len(),
                    "to": b.to.as_ref().map(|l| l.words())}))
                .collect();
            crate::say!(
                "{}",
                json!({
                    "matched": ids.len(), "to_change": moving, "unchanged": plan.unchanged,
                    "calls": per_org, "applied": args.apply, "writes": made,
                    "skipped": plan.skipped.iter().map(|(o, why)| json!({"org": o, "why": clean(why)})).collect::<Vec<_>>(),
                    "failed": failures.iter().map(|(o, why)| json!({"org": o, "why": clean(why)})).collect::<Vec<_>>(),
                })
            )?;
        } else if args.apply {
            for (org, why) in &failures {
                eprintln!("{org}: {}", clean(why));
            }
            crate::say!(
                "Filed {} transaction{} in {} call{}{}; `qonto-tui journal` lists the writes, `journal --undo N` puts one back.",
                filed,
                if filed == 1 { "" } else { "s" },
                made.len(),
                if made.len() == 1 { "" } else { "s" },
                if failures.is_empty() {
                    String::new()
                } else {
                    format!(", {} call(s) failed", failures.len())
                }
            )?;
        }
        let nothing_possible = plan.batches.is_empty() && plan.unchanged == 0;
        Ok(if !failures.is_empty() || nothing_possible {
            EXIT_FAILED
        } else {
            0
        })
    })
    .await
}

/// Sends again what an earlier run left unanswered, saying what became of it.
pub(super) async fn finish_earlier(
    categories: &crate::writes::categories::Categories<'_>,
) -> anyhow::Result<()> {
    for (write, result) in categories.finish_unfinished().await? {
        match result {
            Ok(()) => eprintln!("earlier write #{} (categorize) finished", write.id),
            Err(e) => eprintln!(
                "earlier write #{} (categorize) not finished: {}",
                write.id,
                clean(&e.to_string())
            ),
        }
    }
    Ok(())
}

pub(super) fn say_plan(plan: &Plan, name: Option<&str>, apply: bool) -> anyhow::Result<()> {
    let target = name.map_or_else(|| "no category".to_string(), clean);
    let mut per_org: Vec<(String, usize, String)> = Vec::new();
    for b in &plan.batches {
        let to =
            b.to.as_ref()
                .map_or_else(|| "no category".into(), |l| clean(&l.words()));
        match per_org.iter_mut().find(|(o, _, _)| *o == b.org_name) {
            Some((_, n, _)) => *n += b.from.len(),
            None => per_org.push((b.org_name.clone(), b.from.len(), to)),
        }
    }
    for (org, n, to) in &per_org {
        crate::say!(
            "{org}: {n} transaction{} {} {to} ({} call{})",
            if *n == 1 { "" } else { "s" },
            if apply { "→" } else { "would go to" },
            n.div_ceil(qonto_client::api::categories::MAX_PER_CALL),
            if n.div_ceil(100) == 1 { "" } else { "s" }
        )?;
    }
    for (org, why) in &plan.skipped {
        eprintln!("{org}: left as it is: {}", clean(why));
    }
    if plan.unchanged > 0 {
        crate::say!("{} already under {target}.", plan.unchanged)?;
    }
    if !apply && !plan.batches.is_empty() {
        crate::say!("A dry run: nothing was sent. --apply makes the change.")?;
    }
    Ok(())
}

/// `journal --undo N` for a categorize: each transaction put back where it was.
pub(super) async fn undo(
    config: &Config,
    session: &Session,
    write: i64,
    json: bool,
) -> anyhow::Result<u8> {
    match session.categories(config).undo(write).await {
        Ok(made) => {
            if json {
                crate::say!("{}", json!({"undone": write, "writes": made}))?;
            } else {
                crate::say!(
                    "Took back write #{write}: its transactions are filed where they were ({} call{}).",
                    made.len(),
                    if made.len() == 1 { "" } else { "s" }
                )?;
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!(
                "qonto-tui journal --undo {write}: {}",
                clean(&e.to_string())
            );
            Ok(EXIT_FAILED)
        }
    }
}
