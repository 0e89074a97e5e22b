//! The hint bar of the main screen: the keys a person needs most, as many as the width allows.
//! Each hint has a rank; the best ranked that fit are kept, shown in a reading order (moving
//! first, then the views, then the rest), so a narrow terminal still shows search, missing
//! receipts, help and quit.

use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::Action;

/// In reading order, with each hint's rank (1: kept first).
const HINTS: [(Action, &str, u8); 17] = [
    (Action::Down, "move", 5),
    (Action::SwitchPane, "pane", 6),
    (Action::NextTab, "tabs", 13),
    (Action::Filter, "filter", 14),
    (Action::Search, "search", 3),
    (Action::Receipts, "missing", 4),
    (Action::Review, "review", 7),
    (Action::Cash, "cash", 8),
    (Action::Inbox, "inbox", 16),
    (Action::Rules, "rules", 17),
    (Action::Palette, "commands", 9),
    (Action::Export, "export", 10),
    (Action::AddOrg, "add org", 11),
    (Action::Reconsent, "share orgs", 12),
    (Action::Refresh, "refresh", 15),
    (Action::Help, "help", 1),
    (Action::Quit, "quit", 2),
];

/// The hints that fit in `width` columns, as a line.
pub fn line(app: &App, theme: &Theme, width: usize) -> Line<'static> {
    let shown: Vec<(String, &str, u8)> = HINTS
        .iter()
        .filter_map(|(action, what, rank)| {
            let keys = app.keys.main(*action);
            (!keys.is_empty()).then_some((keys, *what, *rank))
        })
        .collect();
    let cost =
        |(keys, what, _): &(String, &str, u8)| keys.chars().count() + 1 + what.chars().count() + 2;
    // The best ranked first, while they fit.
    let mut by_rank: Vec<&(String, &str, u8)> = shown.iter().collect();
    by_rank.sort_by_key(|h| h.2);
    let mut room = width.saturating_sub(1);
    let mut kept = std::collections::BTreeSet::new();
    for hint in by_rank {
        let needs = cost(hint);
        if needs <= room {
            room -= needs;
            kept.insert(hint.2);
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for (keys, what, rank) in &shown {
        if kept.contains(rank) {
            spans.push(Span::styled(keys.clone(), theme.key()));
            spans.push(Span::styled(format!(" {what}  "), theme.dim()));
        }
    }
    Line::from(spans)
}
