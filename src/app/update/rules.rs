//! The rules' proposals: refreshed after each sync pass and each categorize; `P` shows them;
//! ↑↓ choose a rule, Enter asks "file these N under CATEGORY?", `y` files them through the
//! write lane (`^R` takes the last filing back), anything else does not; Esc closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::msg::{Cmd, Job, WriteAsk};
use super::super::rules_view::{RuleState, RulesView, proposed};
use super::super::state::{App, Notice, Tone};
use super::super::text;
use super::navigation::set_status;
use crate::outcome::RuleProposal;
use crate::outcome::WriteError;

/// New proposals: kept, shown if open, and said once when they grow.
pub(super) fn proposed_now(app: &mut App, result: Result<Vec<RuleProposal>, WriteError>) {
    let proposals = match result {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("the categorization rules could not be read against the copy: {e}");
            return;
        }
    };
    let (before, now) = (proposed(&app.proposals), proposed(&proposals));
    app.proposals = proposals;
    if let Some(view) = app.rules_view.as_mut() {
        view.refresh(&app.proposals);
    } else if now > before {
        set_status(
            app,
            Notice::Text(format!(
                "Your rules propose a category for {now} uncategorized transaction{}: P to review",
                if now == 1 { "" } else { "s" }
            )),
            Tone::Info,
        );
    }
}

/// A filing ended (said on the status line): its rule can be asked again; the proposals that
/// follow drop what was filed.
pub(super) fn filed(app: &mut App, ask: &WriteAsk) {
    let WriteAsk::Categorize { ticket, .. } = ask else {
        return;
    };
    if let Some(view) = app.rules_view.as_mut() {
        for (_, state) in &mut view.rows {
            if *state == RuleState::Sending(*ticket) {
                *state = RuleState::Open;
            }
        }
    }
}

pub(super) fn open(app: &mut App) -> Vec<Cmd> {
    if proposed(&app.proposals) == 0 {
        set_status(
            app,
            Notice::Text(
                "No rule proposes anything now (rules are [[rules]] in the config file: counterparty, category, orgs)"
                    .into(),
            ),
            Tone::Info,
        );
        return vec![Job::ProposeRules.into()];
    }
    let mut view = RulesView::default();
    view.refresh(&app.proposals);
    app.rules_view = Some(view);
    Vec::new()
}

pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Some(view) = app.rules_view.as_mut() else {
        return Vec::new();
    };
    let asking = view.rows.iter().position(|(_, s)| *s == RuleState::Asking);
    if let Some(row) = asking {
        if key.code == KeyCode::Char('y') {
            return file(app, row);
        }
        if let Some((_, state)) = view.rows.get_mut(row) {
            *state = RuleState::Open;
        }
        set_status(app, Notice::Text("Nothing was filed.".into()), Tone::Info);
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('c') if ctrl => return super::navigation::quit(app),
        KeyCode::Char('r') if ctrl => return super::marks::undo_last(app),
        KeyCode::Esc | KeyCode::Char('q') => app.rules_view = None,
        KeyCode::Up | KeyCode::Char('k') => view.move_by(-1),
        KeyCode::Down | KeyCode::Char('j') => view.move_by(1),
        KeyCode::Enter => {
            let cursor = view.cursor;
            if let Some((_, state)) = view.rows.get_mut(cursor)
                && *state == RuleState::Open
            {
                *state = RuleState::Asking;
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Files what rule row `row` proposes, through the write lane.
fn file(app: &mut App, row: usize) -> Vec<Cmd> {
    let ticket = app.next_generation();
    let Some((proposal, state)) = app.rules_view.as_mut().and_then(|v| v.rows.get_mut(row)) else {
        return Vec::new();
    };
    *state = RuleState::Sending(ticket);
    let (transactions, name) = (proposal.transactions.clone(), proposal.category.clone());
    set_status(
        app,
        Notice::Text(text::filing(transactions.len(), Some(&name))),
        Tone::Info,
    );
    vec![
        Job::Write(WriteAsk::Categorize {
            ticket,
            transactions,
            name: Some(name),
        })
        .into(),
    ]
}
