//! Cash-flow categories changed through the API: categories and subcategories created in an
//! organization's tree, and the category each transaction was assigned (or had removed) with
//! when, so its `updated_at` moves as Qonto's does. Until it is changed, a transaction keeps
//! the category the demo books filed it under.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::data::{CashflowCategory, CashflowSubcategory, Org};

/// Where a transaction is filed: a category, and a subcategory of it when the category has some.
pub type Filed = (String, Option<String>);

#[derive(Default)]
struct Book {
    /// Categories created, per organization id.
    created: HashMap<String, Vec<CashflowCategory>>,
    /// Subcategories added, per category id.
    added: HashMap<String, Vec<CashflowSubcategory>>,
    /// Transactions whose category was set or removed through the API: where, when, and by
    /// whose credential (as [`crate::api::Scoped::made_by`] names it).
    assigned: HashMap<String, (Option<Filed>, DateTime<Utc>, String)>,
    /// Assignment and unassignment calls taken, per organization id.
    calls: HashMap<String, usize>,
}

/// The categories' changes since the sandbox started.
#[derive(Default)]
pub struct Categorized {
    book: Mutex<Book>,
}

impl Categorized {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `org`'s tree as it stands: the seeded one, with what was added to it.
    pub fn tree(&self, org: &Org) -> Vec<CashflowCategory> {
        let book = self.book();
        let mut tree: Vec<CashflowCategory> = org.cashflow.clone();
        tree.extend(book.created.get(&org.id).cloned().unwrap_or_default());
        for category in &mut tree {
            if let Some(subs) = book.added.get(&category.id) {
                category.subcategories.extend(subs.iter().cloned());
            }
        }
        tree
    }

    pub fn create(&self, org_id: &str, category: CashflowCategory) {
        self.book()
            .created
            .entry(org_id.to_string())
            .or_default()
            .push(category);
    }

    pub fn add_subcategory(&self, category_id: &str, sub: CashflowSubcategory) {
        self.book()
            .added
            .entry(category_id.to_string())
            .or_default()
            .push(sub);
    }

    /// Files each of `tx_ids` under `filed` (`None`: uncategorized) as of `at`, by the
    /// credential `by`. A transaction whose category does not change keeps its `updated_at`.
    pub fn assign(
        &self,
        tx_ids: &[String],
        filed: Option<Filed>,
        at: DateTime<Utc>,
        by: &str,
        current: impl Fn(&str) -> Option<Filed>,
    ) {
        let mut book = self.book();
        for id in tx_ids {
            if current(id) != filed {
                book.assigned
                    .insert(id.clone(), (filed.clone(), at, by.to_string()));
            }
        }
    }

    /// Whose credential last changed `tx_id`'s category through the API.
    pub fn assigned_by(&self, tx_id: &str) -> Option<String> {
        self.book().assigned.get(tx_id).map(|(_, _, by)| by.clone())
    }

    /// Counts an assignment or unassignment call of `org_id`.
    pub fn record_call(&self, org_id: &str) {
        *self.book().calls.entry(org_id.to_string()).or_default() += 1;
    }

    /// Assignment and unassignment calls `org_id` took.
    pub fn calls(&self, org_id: &str) -> usize {
        self.book().calls.get(org_id).copied().unwrap_or(0)
    }

    /// Where `tx_id` was filed through the API, if it was: `Some(None)` when its category
    /// was removed.
    pub fn assigned(&self, tx_id: &str) -> Option<Option<Filed>> {
        self.book().assigned.get(tx_id).map(|(f, _, _)| f.clone())
    }

    /// When each transaction's category last changed through the API.
    pub fn touched(&self) -> HashMap<String, DateTime<Utc>> {
        self.book()
            .assigned
            .iter()
            .map(|(id, (_, at, _))| (id.clone(), *at))
            .collect()
    }

    /// When `tx_id`'s category last changed through the API.
    pub fn touched_at(&self, tx_id: &str) -> Option<DateTime<Utc>> {
        self.book().assigned.get(tx_id).map(|(_, at, _)| *at)
    }
}
