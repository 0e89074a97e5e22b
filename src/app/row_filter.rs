//! The data pane's filter (`/` there): which rows of the current tab match what was typed, over
//! what is loaded. Words a bookkeeper would look for: counterparty, reference, note, amount (as
//! shown and as plain digits), type and status; a member's name and role; a label's name.

use super::state::{App, Focus, Tab};

/// The lower-cased texts of one account's loaded transactions, for the list they were read
/// from (organization, account, revision, length), and the last words' matches.
#[derive(Debug, Default)]
pub struct RowTexts {
    key: (String, String, u64, usize),
    texts: Vec<String>,
    last: Option<(String, Vec<usize>)>,
}
use super::listed::ListedTransaction;

impl App {
    /// Keys go to the data pane's filter field.
    pub fn editing_rows(&self) -> bool {
        self.filter_editing && self.focus == Focus::Data && self.row_filter.is_some()
    }

    /// Keys go to the organizations' filter field.
    pub fn editing_orgs(&self) -> bool {
        self.filter_editing && !self.editing_rows() && self.filter.is_some()
    }

    /// The indices of the current tab's rows for `org` that match the data filter, in order;
    /// `None` when no filter is set (or the tab has none: the accounts are a handful).
    pub fn row_matches(&self, org: &str) -> Option<Vec<usize>> {
        let needle = self.row_filter.as_ref()?.value().trim().to_lowercase();
        if needle.is_empty() {
            return None;
        }
        let data = self.data.get(org)?;
        let texts: Vec<String> = match self.tab {
            Tab::Accounts => return None,
            Tab::Transactions => return self.transaction_matches(org, &needle),
            Tab::Members => data
                .members
                .value()?
                .0
                .iter()
                .map(|m| format!("{} {}", m.full_name(), m.role.as_deref().unwrap_or("")))
                .collect(),
            Tab::Labels => data
                .labels
                .value()?
                .0
                .iter()
                .map(|l| l.name.clone().unwrap_or_default())
                .collect(),
        };
        Some(
            texts
                .iter()
                .enumerate()
                .filter(|(_, text)| text.to_lowercase().contains(&needle))
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The transactions' matches, from their texts lower-cased once per change of the list
    /// (tens of thousands of rows are filtered on every key and drawn several times a frame).
    fn transaction_matches(&self, org: &str, needle: &str) -> Option<Vec<usize>> {
        let account = self.current_account(org)?;
        let list = self.data.get(org)?.transactions.get(&account)?;
        let key = (org.to_string(), account, list.revision, list.items.len());
        let mut cache = self.row_texts.borrow_mut();
        if cache.as_ref().is_none_or(|c| c.key != key) {
            *cache = Some(RowTexts {
                texts: list
                    .items
                    .iter()
                    .map(|t| self.transaction_text(t).to_lowercase())
                    .collect(),
                key,
                last: None,
            });
        }
        let cached = cache.as_mut()?;
        if let Some((words, matches)) = &cached.last
            && words == needle
        {
            return Some(matches.clone());
        }
        let matches: Vec<usize> = cached
            .texts
            .iter()
            .enumerate()
            .filter(|(_, text)| text.contains(needle))
            .map(|(i, _)| i)
            .collect();
        cached.last = Some((needle.to_string(), matches.clone()));
        Some(matches)
    }

    fn transaction_text(&self, t: &ListedTransaction) -> String {
        let currency = t.currency();
        let amount = t.signed_cents().map(|c| {
            format!(
                "{} {}.{:02}",
                self.locale.signed_money(c, currency),
                c.unsigned_abs() / 100,
                c.unsigned_abs() % 100
            )
        });
        [
            Some(t.counterparty().to_string()),
            t.reference().map(str::to_string),
            t.note().map(str::to_string),
            amount,
            t.operation_type().map(|o| o.as_str().replace('_', " ")),
            t.status().map(|s| s.as_str().to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
}
