//! The load planner: what the selected organization and its current tab need fetched, one
//! function for a first visit, a return visit and a refresh. A load already on its way is asked
//! for again with the same generation, which the worker treats as "still wanted" (it may have
//! dropped it when the user moved on), never as a second request.

use super::super::msg::{Cmd, Fetch, Job};
use super::super::state::{App, Load, Tab};

/// Rows from the end of the loaded transactions at which the next page is asked for.
const PREFETCH_ROWS: usize = 30;
/// Organizations on each side of the selection whose overviews are fetched in the background.
pub(super) const PREFETCH_RADIUS: usize = 4;

/// Whether a plan may ask again for what is already here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Freshness {
    /// Only what is missing (or on its way).
    Missing,
    /// Everything the tab shows (the user pressed refresh).
    Refresh,
}

pub(super) fn load_orgs(app: &mut App) -> Vec<Cmd> {
    let generation = app.next_generation();
    app.orgs.start(generation, app.now);
    vec![Fetch::Orgs { generation }.into()]
}

/// The organization's overview, then (once it is here) what the current tab shows.
pub(super) fn plan_org(app: &mut App, org: &str, freshness: Freshness) -> Vec<Cmd> {
    let refresh = freshness == Freshness::Refresh;
    let now = app.now;
    let generation = app.next_generation();
    let data = app.data.entry(org.to_string()).or_default();
    let mut cmds: Vec<Cmd> = plan_load(&mut data.overview, refresh, generation, now)
        .map(|generation| {
            Fetch::Overview {
                org: org.to_string(),
                generation,
            }
            .into()
        })
        .into_iter()
        .collect();
    // The tab's data waits for the overview (it names the accounts), unless all is refreshed.
    if cmds.is_empty() || refresh {
        cmds.extend(plan_tab(app, org, freshness));
    }
    cmds
}

/// What the current tab of `org` needs, beyond its overview.
pub(super) fn plan_tab(app: &mut App, org: &str, freshness: Freshness) -> Vec<Cmd> {
    let refresh = freshness == Freshness::Refresh;
    let now = app.now;
    let tab = app.tab;
    let account = app.current_account(org);
    let declined = app.show_declined;
    let generation = app.next_generation();
    let Some(data) = app.data.get_mut(org) else {
        return Vec::new();
    };
    let org = org.to_string();
    let fetch = match tab {
        Tab::Accounts => None,
        Tab::Transactions => {
            let Some(account) = account else {
                return Vec::new();
            };
            let list = data.transactions.entry(account.clone()).or_default();
            if let Some((page, generation)) = list.loading {
                Some(Fetch::Transactions {
                    org,
                    account,
                    page,
                    generation,
                    declined,
                })
            } else if !list.started || refresh {
                list.started = true;
                list.error = None;
                list.loading = Some((1, generation));
                Some(Fetch::Transactions {
                    org,
                    account,
                    page: 1,
                    generation,
                    declined,
                })
            } else {
                None
            }
        }
        Tab::Members => plan_load(&mut data.members, refresh, generation, now)
            .map(|generation| Fetch::Members { org, generation }),
        Tab::Labels => plan_load(&mut data.labels, refresh, generation, now)
            .map(|generation| Fetch::Labels { org, generation }),
    };
    fetch.map(Cmd::from).into_iter().collect()
}

/// The generation to ask a load for, if it is to be asked for: the one on its way, or a new
/// one when nothing is here (or everything is refreshed).
fn plan_load<T>(
    load: &mut Load<T>,
    refresh: bool,
    generation: u64,
    now: std::time::Instant,
) -> Option<u64> {
    if let Some(on_its_way) = load.loading_generation() {
        return Some(on_its_way);
    }
    if load.needs_fetch() || refresh {
        load.start(generation, now);
        return Some(generation);
    }
    None
}

/// Asks for the next transactions page when the cursor nears the end of what is loaded.
pub(super) fn plan_next_page(app: &mut App, org: &str) -> Vec<Cmd> {
    if app.tab != Tab::Transactions {
        return Vec::new();
    }
    let Some(account) = app.current_account(org) else {
        return Vec::new();
    };
    let cursor = app.cursors_for(org).transaction;
    let declined = app.show_declined;
    let generation = app.next_generation();
    let Some(list) = app
        .data
        .get_mut(org)
        .and_then(|d| d.transactions.get_mut(&account))
    else {
        return Vec::new();
    };
    match list.next_page {
        Some(page)
            if list.loading.is_none()
                && list.error.is_none()
                && cursor + PREFETCH_ROWS >= list.items.len() =>
        {
            list.loading = Some((page, generation));
            vec![
                Fetch::Transactions {
                    org: org.to_string(),
                    account,
                    page,
                    generation,
                    declined,
                }
                .into(),
            ]
        }
        _ => Vec::new(),
    }
}

/// Overviews of the organizations near the selection that were never asked for, fetched in the
/// background so that moving there is instant. Bounded: passing 60 organizations at a run costs
/// the ones where the user stops, not every one passed.
pub(super) fn plan_prefetch(app: &mut App) -> Vec<Cmd> {
    let first = app.selected.saturating_sub(PREFETCH_RADIUS);
    let last = (app.selected + PREFETCH_RADIUS).min(app.visible.len().saturating_sub(1));
    let orgs = app.org_list();
    let near: Vec<String> = (first..=last)
        .filter(|&i| i != app.selected)
        .filter_map(|i| app.visible.get(i).and_then(|&o| orgs.get(o)))
        .map(|o| o.id.clone())
        .filter(|id| app.data.get(id).is_none_or(|d| d.overview.needs_fetch()))
        .collect();
    prefetch_overviews(app, near)
}

/// The overviews of `orgs`, fetched in the background, one job for all.
pub(super) fn prefetch_overviews(app: &mut App, orgs: Vec<String>) -> Vec<Cmd> {
    if orgs.is_empty() {
        return Vec::new();
    }
    let near = orgs;
    let generation = app.next_generation();
    for id in &near {
        app.data
            .entry(id.clone())
            .or_default()
            .overview
            .start(generation, app.now);
    }
    vec![
        Job::Prefetch {
            orgs: near,
            generation,
        }
        .into(),
    ]
}

/// How many rows the current tab has for `org`.
pub fn data_rows(app: &App, org: &str) -> usize {
    let Some(d) = app.data.get(org) else { return 0 };
    match app.tab {
        Tab::Accounts => d
            .overview
            .value()
            .map(|(o, _)| o.bank_accounts.len())
            .unwrap_or(0),
        Tab::Transactions => app
            .current_account(org)
            .and_then(|a| d.transactions.get(&a))
            .map(|l| l.items.len())
            .unwrap_or(0),
        Tab::Members => d.members.value().map(|(m, _)| m.len()).unwrap_or(0),
        Tab::Labels => d.labels.value().map(|(l, _)| l.len()).unwrap_or(0),
    }
}
