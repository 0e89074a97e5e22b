//! What the config file's categorization rules propose, as the local copy syncs: one row per
//! rule (its words, its category, how many uncategorized transactions and in which
//! organizations). Nothing is filed on a proposal alone: Enter asks, `y` files.

use crate::outcome::RuleProposal;

/// How far a rule's filing came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleState {
    Open,
    /// Enter was pressed: `y` files, anything else does not.
    Asking,
    Sending(u64),
}

#[derive(Debug, Default)]
pub struct RulesView {
    pub rows: Vec<(RuleProposal, RuleState)>,
    pub cursor: usize,
}

impl RulesView {
    /// The rows of `proposals` that propose something, keeping a row's state when its rule
    /// still proposes the same transactions.
    pub fn refresh(&mut self, proposals: &[RuleProposal]) {
        let before = std::mem::take(&mut self.rows);
        self.rows = proposals
            .iter()
            .filter(|p| !p.transactions.is_empty())
            .map(|p| {
                let state = before
                    .iter()
                    .find(|(old, _)| old == p)
                    .map_or(RuleState::Open, |(_, s)| s.clone());
                (p.clone(), state)
            })
            .collect();
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }
}

/// Transactions every rule proposes, together.
pub fn proposed(proposals: &[RuleProposal]) -> usize {
    proposals.iter().map(|p| p.transactions.len()).sum()
}
