//! The screen's cash-flow category work: the names the picker offers (each organization's kept
//! tree, read from Qonto for one that has none), and a categorize (or its undo) carried out in
//! the write lane through `crate::writes::categories`.

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::cache::CacheSlot;
use crate::app::Msg;
use crate::app::msg::{CategorizeDone, WriteAsk};
use crate::config::Config;
use crate::outcome::WriteError;
use crate::writes::categories::Categories;
use qonto_books::categories::CategoryNode;
use qonto_client::api::ApiClient;

/// The leaves of `tree` as a person names them: `Category / Subcategory`, or a category that
/// has no subcategory.
pub fn leaf_names(tree: &[CategoryNode]) -> Vec<String> {
    let mut names = Vec::new();
    for c in tree.iter().filter(|n| n.parent_id.is_none()) {
        let subs: Vec<&CategoryNode> = tree
            .iter()
            .filter(|s| s.parent_id.as_deref() == Some(c.id.as_str()))
            .collect();
        if subs.is_empty() {
            names.push(c.name.clone());
        }
        names.extend(subs.iter().map(|s| format!("{} / {}", c.name, s.name)));
    }
    names
}

/// Lists the category names of `transactions`' organizations, for picker `ticket`.
pub fn list(
    api: Arc<ApiClient>,
    cache: CacheSlot,
    config: Config,
    ticket: u64,
    transactions: Vec<String>,
    to_app: UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let result = names(&api, &cache, &config, transactions).await;
        let _ = to_app.send(Msg::CategoriesListed { ticket, result });
    });
}

async fn names(
    api: &ApiClient,
    cache: &CacheSlot,
    config: &Config,
    transactions: Vec<String>,
) -> Result<Vec<String>, WriteError> {
    let cache = cache
        .wait_open()
        .await
        .ok_or_else(|| WriteError::Journal("the local copy is not open (see the log)".into()))?;
    let books = cache.books();
    let filed = books.read_fresh(move |b| b.filed(&transactions)).await??;
    let orgs: BTreeSet<String> = filed.into_iter().map(|f| f.org_id).collect();
    let names_of = books.read_fresh(|b| b.organization_names()).await??;
    let categories = Categories {
        api,
        books,
        policy: &config.writes,
        config_path: &config.config_path,
    };
    let mut all = BTreeSet::new();
    for org in orgs {
        let kept = {
            let org = org.clone();
            books.read_fresh(move |b| b.categories(&org)).await??
        };
        let tree = if kept.is_empty() {
            let name = names_of
                .iter()
                .find(|(id, _)| *id == org)
                .map_or(org.as_str(), |(_, n)| n.as_str());
            categories.tree(&org, name).await?
        } else {
            kept
        };
        all.extend(leaf_names(&tree));
    }
    Ok(all.into_iter().collect())
}

/// What the config file's rules propose among the copy's uncategorized transactions; nothing
/// is asked (or answered) without rules.
pub fn propose(cache: CacheSlot, config: Config, to_app: UnboundedSender<Msg>) {
    if config.rules.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let Some(cache) = cache.wait_open().await else {
            return;
        };
        let result = crate::writes::rules::propose(cache.books(), &config.rules).await;
        let _ = to_app.send(Msg::RulesProposed(result));
    });
}

/// Carries out a categorize or its undo.
pub async fn carry_out(
    categories: &Categories<'_>,
    ask: &WriteAsk,
) -> Result<CategorizeDone, WriteError> {
    let mut done = CategorizeDone::default();
    match ask {
        WriteAsk::Categorize {
            transactions, name, ..
        } => {
            let plan = categories.plan(transactions, name.as_deref()).await?;
            done.unchanged = plan.unchanged;
            done.skipped = plan.skipped.clone();
            for batch in &plan.batches {
                match categories.apply(batch).await {
                    Ok(write) => {
                        done.writes.push(write);
                        done.filed += batch.from.len();
                    }
                    Err(e) => done.failed.push((batch.org_name.clone(), e.to_string())),
                }
            }
        }
        WriteAsk::UndoCategorize { writes, .. } => {
            for write in writes {
                match categories.undo(*write).await {
                    Ok(made) => done.writes.extend(made),
                    Err(e) => done.failed.push((format!("write #{write}"), e.to_string())),
                }
            }
        }
        _ => {
            return Err(WriteError::Journal("not a categorize".into()));
        }
    }
    Ok(done)
}

/// Sends again the categorize writes an earlier run left unanswered.
pub async fn finish_earlier(categories: &Categories<'_>, to_app: &UnboundedSender<Msg>) {
    let done = match categories.finish_unfinished().await {
        Ok(done) => done.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
        Err(e) => vec![Err(e)],
    };
    if done.is_empty() {
        return;
    }
    let failed: Vec<WriteError> = done.iter().filter_map(|r| r.clone().err()).collect();
    let _ = to_app.send(Msg::EarlierWrites {
        finished: done.len() - failed.len(),
        failed: failed.first().cloned().map(|first| (failed.len(), first)),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_are_named_as_a_person_names_them() {
        let node = |id: &str, name: &str, parent: Option<&str>| CategoryNode {
            id: id.into(),
            name: name.into(),
            parent_id: parent.map(String::from),
            inflow: false,
            vat_rate: None,
        };
        let tree = [
            node("o", "Operations", None),
            node("s", "Software", Some("o")),
            node("f", "Bank fees", None),
        ];
        assert_eq!(leaf_names(&tree), ["Operations / Software", "Bank fees"]);
    }
}
