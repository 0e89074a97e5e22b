//! Moving around: the selection and per-tab cursors, tabs, bank accounts, the organization
//! filter, the terminal size, the status line and quitting. Each move asks the load planner for
//! what the new place shows.

use tui_input::Input;

use super::super::msg::{Cmd, Effect, Job};
use super::super::state::{App, Focus, Notice, StatusMessage, Tab, Tone};
use super::loading::{
    Freshness, data_rows, load_orgs, plan_next_page, plan_org, plan_tab, prefetch_overviews,
};
use crate::layout;

pub(super) fn resize(app: &mut App, width: u16, height: u16) -> Vec<Cmd> {
    app.size = (width, height);
    app.page_rows = layout::table_rows(width, height);
    Vec::new()
}

pub(super) fn quit(app: &mut App) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    if let Some(id) = app.selected_org_id() {
        cmds.push(Job::SaveLastOrg(id).into());
    }
    cmds.push(Effect::Quit.into());
    cmds
}

pub(super) fn set_status(app: &mut App, notice: Notice, tone: Tone) {
    app.status = Some(StatusMessage {
        notice,
        tone,
        at: app.now,
    });
}

/// The selected organization's data fetched again, without a word on the status line.
pub(super) fn refresh_quietly(app: &mut App) -> Vec<Cmd> {
    match app.selected_org_id() {
        Some(org) => plan_org(app, &org, Freshness::Refresh),
        None => Vec::new(),
    }
}

pub(super) fn refresh(app: &mut App) -> Vec<Cmd> {
    let Some(org) = app.selected_org_id() else {
        return load_orgs(app);
    };
    let cmds = plan_org(app, &org, Freshness::Refresh);
    if !cmds.is_empty() {
        set_status(app, Notice::Refreshing(org), Tone::Info);
    }
    cmds
}

/// Every organization again: the list (a new one shared, one unshared), the selected one's
/// overview and tab, and the overviews of all the others, in the background.
pub(super) fn refresh_all(app: &mut App) -> Vec<Cmd> {
    let mut cmds = refresh(app);
    let selected = app.selected_org_id();
    let others: Vec<String> = app
        .data
        .keys()
        .filter(|id| Some(*id) != selected.as_ref())
        .cloned()
        .collect();
    // Each keeps showing what it had until its answer comes.
    cmds.extend(prefetch_overviews(app, others));
    if app.selected_org_id().is_some() {
        cmds.extend(load_orgs(app));
    }
    cmds
}

/// The selection changed: load what the new place shows.
pub(super) fn select_changed(app: &mut App) -> Vec<Cmd> {
    match app.selected_org_id() {
        Some(org) => {
            // Looked at: what arrived there is no longer news.
            app.arrivals.remove(&org);
            plan_org(app, &org, Freshness::Missing)
        }
        None => Vec::new(),
    }
}

pub(super) fn move_by(app: &mut App, delta: isize) -> Vec<Cmd> {
    match app.focus {
        Focus::Orgs => {
            if app.visible.is_empty() {
                return Vec::new();
            }
            let last = app.visible.len() - 1;
            let target = (app.selected as isize)
                .saturating_add(delta)
                .clamp(0, last as isize) as usize;
            if target == app.selected {
                return Vec::new();
            }
            app.selected = target;
            select_changed(app)
        }
        Focus::Data => {
            let Some(org) = app.selected_org_id() else {
                return Vec::new();
            };
            let len = data_rows(app, &org);
            let matches = app.row_matches(&org);
            let tab = app.tab;
            let cursors = app.cursors.entry(org.clone()).or_default();
            let cursor = data_cursor(cursors, tab);
            match matches {
                // Filtered: move among the matching rows.
                Some(rows) if !rows.is_empty() => {
                    let at = rows
                        .iter()
                        .position(|&r| r >= *cursor)
                        .unwrap_or(rows.len() - 1);
                    let target = (at as isize)
                        .saturating_add(delta)
                        .clamp(0, rows.len() as isize - 1)
                        as usize;
                    *cursor = rows[target];
                }
                Some(_) => {}
                None => {
                    *cursor = (*cursor as isize)
                        .saturating_add(delta)
                        .clamp(0, len.saturating_sub(1) as isize)
                        as usize;
                }
            }
            if tab == Tab::Accounts {
                cursors.transaction = 0;
            }
            plan_next_page(app, &org)
        }
    }
}

pub(super) fn switch_pane(app: &mut App) {
    app.focus = match app.focus {
        Focus::Orgs => Focus::Data,
        Focus::Data => Focus::Orgs,
    };
    // A hidden pane cannot have the focus: going to it shows it again.
    if app.focus == Focus::Orgs {
        app.zoomed = false;
    }
}

/// End in a transaction list with older pages not loaded yet: keep loading them, the cursor
/// following, until the true last transaction is here (the list is ordered newest first).
pub(super) fn seek_end(app: &mut App) -> Vec<Cmd> {
    if app.focus != Focus::Data || app.tab != Tab::Transactions || app.row_filter.is_some() {
        return Vec::new();
    }
    let Some(org) = app.selected_org_id() else {
        return Vec::new();
    };
    let Some(account) = app.current_account(&org) else {
        return Vec::new();
    };
    let more = app
        .data
        .get(&org)
        .and_then(|d| d.transactions.get(&account))
        .is_some_and(|l| l.next_page.is_some());
    if more {
        app.seeking_end = Some((org.clone(), account));
    }
    plan_next_page(app, &org)
}

/// Hides or shows the organizations pane; hidden, the data pane has the focus.
pub(super) fn toggle_zoom(app: &mut App) {
    app.zoomed = !app.zoomed;
    if app.zoomed {
        app.focus = Focus::Data;
    }
}

pub(super) fn next_tab(app: &mut App) -> Vec<Cmd> {
    if app.focus == Focus::Orgs {
        app.focus = Focus::Data;
        return Vec::new();
    }
    set_tab(app, Tab::ALL[(app.tab.index() + 1) % Tab::ALL.len()])
}

pub(super) fn prev_tab(app: &mut App) -> Vec<Cmd> {
    if app.focus == Focus::Data && app.tab == Tab::Accounts {
        app.focus = Focus::Orgs;
        return Vec::new();
    }
    set_tab(
        app,
        Tab::ALL[(app.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()],
    )
}

/// Shows `tab` in the data pane; the focus stays where it is (a digit is not a pane move).
pub(super) fn set_tab(app: &mut App, tab: Tab) -> Vec<Cmd> {
    app.tab = tab;
    match app.selected_org_id() {
        Some(org) => {
            let mut cmds = plan_tab(app, &org, Freshness::Missing);
            cmds.extend(plan_next_page(app, &org));
            cmds
        }
        None => Vec::new(),
    }
}

pub(super) fn shift_account(app: &mut App, delta: isize) -> Vec<Cmd> {
    let Some(org) = app.selected_org_id() else {
        return Vec::new();
    };
    let count = app
        .data
        .get(&org)
        .and_then(|d| d.overview.value())
        .map(|(o, _)| o.bank_accounts.len())
        .unwrap_or(0);
    if count == 0 {
        return Vec::new();
    }
    let cursors = app.cursors.entry(org.clone()).or_default();
    cursors.account = (cursors.account as isize + delta).rem_euclid(count as isize) as usize;
    cursors.transaction = 0;
    let mut cmds = plan_tab(app, &org, Freshness::Missing);
    cmds.extend(plan_next_page(app, &org));
    cmds
}

/// Lists declined transactions too, or no longer: every loaded list is asked for again.
pub(super) fn toggle_declined(app: &mut App) -> Vec<Cmd> {
    app.show_declined = !app.show_declined;
    for data in app.data.values_mut() {
        data.transactions.clear();
    }
    for cursors in app.cursors.values_mut() {
        cursors.transaction = 0;
    }
    let words = super::super::text::declined_toggled(app.show_declined);
    set_status(app, Notice::Text(words), Tone::Info);
    match app.selected_org_id() {
        Some(org) => plan_tab(app, &org, Freshness::Missing),
        None => Vec::new(),
    }
}

pub(super) fn clamp_cursors(app: &mut App, org: &str) {
    let accounts = app
        .data
        .get(org)
        .and_then(|d| d.overview.value())
        .map(|(o, _)| o.bank_accounts.len())
        .unwrap_or(0);
    if let Some(c) = app.cursors.get_mut(org) {
        c.account = c.account.min(accounts.saturating_sub(1));
    }
}

/// Opens the filter of the focused pane, or goes back into the one kept with Enter: the
/// organizations by name, or the data pane's rows (not the accounts: they are a handful).
pub(super) fn open_filter(app: &mut App) {
    if app.focus == Focus::Data && app.tab != Tab::Accounts {
        app.row_filter.get_or_insert_with(Input::default);
    } else {
        app.filter.get_or_insert_with(Input::default);
        app.focus = Focus::Orgs;
    }
    app.filter_editing = true;
}

/// The field keys go to while a filter is edited.
pub(super) fn editing_field(app: &mut App) -> Option<&mut Input> {
    if app.editing_rows() {
        app.row_filter.as_mut()
    } else if app.editing_orgs() {
        app.filter.as_mut()
    } else {
        None
    }
}

/// After the data filter changed: the cursor goes to the first matching row at or after it.
pub(super) fn refilter_rows(app: &mut App) {
    let Some(org) = app.selected_org_id() else {
        return;
    };
    let Some(matches) = app.row_matches(&org) else {
        return;
    };
    let tab = app.tab;
    let cursor = data_cursor(app.cursors.entry(org).or_default(), tab);
    if !matches.contains(cursor) {
        *cursor = matches
            .iter()
            .copied()
            .find(|&i| i >= *cursor)
            .or(matches.first().copied())
            .unwrap_or(0);
    }
}

/// A `/` filter in the Transactions tab covers the whole account: what is not loaded yet is
/// asked of the local copy once (Qonto is not asked page after page for it).
pub(super) fn fill_for_filter(app: &mut App) -> Vec<Cmd> {
    let filtering = app
        .row_filter
        .as_ref()
        .is_some_and(|f| !f.value().trim().is_empty());
    if !filtering || app.tab != Tab::Transactions {
        return Vec::new();
    }
    let Some(org) = app.selected_org_id() else {
        return Vec::new();
    };
    let Some(account) = app.current_account(&org) else {
        return Vec::new();
    };
    let declined = app.show_declined;
    let Some(list) = app
        .data
        .get_mut(&org)
        .and_then(|d| d.transactions.get_mut(&account))
    else {
        return Vec::new();
    };
    if list.next_page.is_none() || list.whole_from_copy.is_some() {
        return Vec::new();
    }
    // Asked once; until the answer, what is loaded is what is filtered (and said so).
    list.whole_from_copy = Some(false);
    let after = list
        .items
        .last()
        .and_then(|t| Some((t.date()?.to_string(), t.id()?.to_string())));
    vec![
        super::super::msg::Job::FillAccount {
            org,
            account,
            declined,
            after,
        }
        .into(),
    ]
}

/// The rest of an account, from the local copy (`None`: it does not hold it whole).
pub(super) fn account_filled(
    app: &mut App,
    org: &str,
    account: &str,
    rows: Option<Vec<crate::app::listed::ListedTransaction>>,
) -> Vec<Cmd> {
    let Some(list) = app
        .data
        .get_mut(org)
        .and_then(|d| d.transactions.get_mut(account))
    else {
        return Vec::new();
    };
    let Some(rows) = rows else {
        list.whole_from_copy = Some(false);
        return Vec::new();
    };
    let known: std::collections::HashSet<&str> = list.items.iter().filter_map(|t| t.id()).collect();
    let new: Vec<_> = rows
        .into_iter()
        .filter(|t| !t.id().is_some_and(|id| known.contains(id)))
        .collect();
    list.items.extend(new);
    list.next_page = None;
    // A page on its way from Qonto is no longer needed: its answer is dropped.
    list.loading = None;
    list.whole_from_copy = Some(true);
    list.touched();
    refilter_rows(app);
    Vec::new()
}

fn data_cursor(cursors: &mut crate::app::state::Cursors, tab: Tab) -> &mut usize {
    match tab {
        Tab::Accounts => &mut cursors.account,
        Tab::Transactions => &mut cursors.transaction,
        Tab::Members => &mut cursors.member,
        Tab::Labels => &mut cursors.label,
    }
}

/// Closes the filter being edited (else the data pane's, else the organizations'): every row
/// shows again.
pub(super) fn clear_filter(app: &mut App) {
    app.filter_editing = false;
    if app.focus == Focus::Data && app.row_filter.is_some() {
        app.row_filter = None;
        return;
    }
    app.filter = None;
    refilter(app);
}

/// Recomputes which organizations pass the filter.
pub(super) fn refilter(app: &mut App) {
    let needle = app
        .filter
        .as_ref()
        .map(|f| f.value().to_lowercase())
        .unwrap_or_default();
    let current = app.visible.get(app.selected).copied();
    app.visible = app
        .org_list()
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            needle.is_empty()
                || o.display_name().to_lowercase().contains(&needle)
                || o.legal_name
                    .as_deref()
                    .unwrap_or("")
                    .to_lowercase()
                    .contains(&needle)
        })
        .map(|(i, _)| i)
        .collect();
    app.selected = current
        .and_then(|c| app.visible.iter().position(|&i| i == c))
        .unwrap_or(0);
}
