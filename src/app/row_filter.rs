//! The data pane's filter (`/` there): which rows of the current tab match what was typed, over
//! what is loaded. Words a bookkeeper would look for: counterparty, reference, note, amount (as
//! shown and as plain digits), type and status; a member's name and role; a label's name.

use super::state::{App, Focus, Tab};
use qonto_client::api::models::Transaction;

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
            Tab::Transactions => {
                let account = self.current_account(org)?;
                data.transactions
                    .get(&account)?
                    .items
                    .iter()
                    .map(|t| self.transaction_text(t))
                    .collect()
            }
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

    fn transaction_text(&self, t: &Transaction) -> String {
        let currency = t.currency.as_deref().unwrap_or("EUR");
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
            t.reference.clone(),
            t.note.clone(),
            amount,
            t.operation_type
                .as_ref()
                .map(|o| o.as_str().replace('_', " ")),
            t.status.as_ref().map(|s| s.as_str().to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
}
