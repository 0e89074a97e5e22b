//! Categorization rules at work: each rule of the config file ("counterparty contains these
//! words, in these organizations → this category") proposes the uncategorized transactions of
//! the local copy it matches. Proposing sends nothing; filing is a categorize the person
//! confirms (`categorize --rules --apply`, or Enter then y in the app's rules view).

use qonto_books::BooksHandle;
use qonto_books::query::fold;

use crate::config::CategoryRule;
use crate::outcome::WriteError;

/// Transactions one rule proposes at most.
pub const MAX_PER_RULE: usize = 50_000;

pub use crate::outcome::RuleProposal;

/// Whether `rule` speaks of organization (`id`, `name`).
pub fn names_org(rule: &CategoryRule, id: &str, name: &str) -> bool {
    rule.orgs.is_empty()
        || rule
            .orgs
            .iter()
            .any(|o| o == id || fold(name).starts_with(&fold(o)))
}

/// What each of `rules` proposes among the copy's uncategorized transactions, in the rules'
/// order (a rule that matches nothing proposes an empty list).
pub async fn propose(
    books: &BooksHandle,
    rules: &[CategoryRule],
) -> Result<Vec<RuleProposal>, WriteError> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let query = qonto_books::query::Query {
        uncategorized: true,
        ..Default::default()
    };
    let (found, _) = books
        .read_fresh(move |b| b.search(&query, MAX_PER_RULE, MAX_PER_RULE))
        .await??;
    Ok(rules
        .iter()
        .map(|rule| {
            let wanted = fold(&rule.counterparty);
            let mut orgs: Vec<String> = Vec::new();
            let mut transactions = Vec::new();
            for f in &found {
                let org = f.org_name.as_deref().unwrap_or(&f.tx.org_id);
                let matches = names_org(rule, &f.tx.org_id, org)
                    && f.tx
                        .counterparty
                        .as_deref()
                        .is_some_and(|c| fold(c).contains(&wanted));
                if matches {
                    transactions.push(f.tx.id.clone());
                    if !orgs.iter().any(|o| o == org) {
                        orgs.push(org.to_string());
                    }
                }
            }
            RuleProposal {
                counterparty: rule.counterparty.clone(),
                category: rule.category.clone(),
                transactions,
                orgs,
            }
        })
        .collect())
}
