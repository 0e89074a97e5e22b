//! Answers from Qonto: stored where they belong unless a newer request for the same thing is on
//! its way; failures sorted into a lost sign-in (banner), a passing problem (retried by itself)
//! and the rest (status line). Also the clock: status expiry and the retry timer.

use std::time::Duration;

use qonto_client::api::ApiError;
use qonto_client::api::models::{Organization, TransactionsPage, UserOrganization};

use super::super::listed::ListedTransaction;
use super::super::msg::{Cmd, Fetch, Job};
use super::super::state::{App, Banner, Load, Notice, OrgData, Screen, Tone};
use super::super::text;
use super::loading::{
    Freshness, load_orgs, plan_next_page, plan_org, plan_prefetch, plan_tab, prefetch_overviews,
};
use super::navigation::{clamp_cursors, refilter, set_status};
use super::sign_in;

const RETRY_AFTER: Duration = Duration::from_secs(5);
const RETRY_AFTER_AT_MOST: Duration = Duration::from_secs(60);

/// The wait before the next automatic retry: 5 s, doubling with each retry that did not cure it.
fn retry_delay(attempts: u32) -> Duration {
    RETRY_AFTER
        .saturating_mul(1 << attempts.min(6))
        .min(RETRY_AFTER_AT_MOST)
}
const STATUS_LIFETIME: Duration = Duration::from_secs(8);

pub(super) fn tick(app: &mut App) -> Vec<Cmd> {
    if app
        .status
        .as_ref()
        .is_some_and(|s| app.now.duration_since(s.at) > STATUS_LIFETIME && s.tone != Tone::Error)
    {
        app.status = None;
    }
    let mut cmds = match app.retry_at {
        Some(at) if app.now >= at => {
            app.retry_at = None;
            app.retry_attempts = app.retry_attempts.saturating_add(1);
            retry_failed(app)
        }
        _ => Vec::new(),
    };
    cmds.extend(auto_refresh(app));
    cmds
}

/// The selected organization, refreshed quietly once what is shown is older than the
/// configured interval (and nothing of it is on its way already).
fn auto_refresh(app: &mut App) -> Vec<Cmd> {
    let (Some(every), Screen::Main) = (app.refresh_every, app.screen) else {
        return Vec::new();
    };
    let Some(org) = app.selected_org_id() else {
        return Vec::new();
    };
    let stale = app.data.get(&org).is_some_and(|d| {
        !d.is_loading()
            && matches!(&d.overview, Load::Ready { at, .. } if app.now.duration_since(*at) >= every)
    });
    if !stale {
        return Vec::new();
    }
    plan_org(app, &org, Freshness::Refresh)
}

/// A "Refreshing…" notice ends with the refresh it describes (whether it worked or not: a
/// failure has put its own notice in its place already).
pub(super) fn settle_status(app: &mut App) {
    if let Some(status) = &app.status
        && let Notice::Refreshing(org) = &status.notice
        && !app.data.get(org).is_some_and(OrgData::is_loading)
    {
        app.status = None;
    }
}

/// Retries what failed for a passing reason, wherever it is: the org list; the selected
/// organization's data; the overviews that failed in the background. (Another organization's
/// tabs are fetched again when it is visited: its failures are forgotten here.)
pub(super) fn retry_failed(app: &mut App) -> Vec<Cmd> {
    if app.orgs.has_passing_failure() {
        return load_orgs(app);
    }
    let selected = app.selected_org_id();
    let mut background = Vec::new();
    for (id, d) in app.data.iter_mut() {
        if Some(id) != selected.as_ref() && d.overview.has_passing_failure() {
            background.push(id.clone());
        }
        d.forget_passing_failures();
    }
    let mut cmds = prefetch_overviews(app, background);
    if let Some(org) = selected {
        cmds.extend(plan_org(app, &org, Freshness::Missing));
        cmds.extend(plan_next_page(app, &org));
    }
    cmds
}

/// Handles a failed request: a lost sign-in is a banner; a transient error a status line and a
/// retry; anything else a status line. `record` keeps the error where it belongs.
fn failed(app: &mut App, e: ApiError, selected: bool, record: impl FnOnce(&mut App, ApiError)) {
    record(app, e.clone());
    if e.requires_sign_in() {
        app.banner = Some(Banner::SignInEnded);
    } else if e.is_transient() {
        if selected {
            let notice = Notice::Retrying {
                error: e,
                in_secs: retry_delay(app.retry_attempts).as_secs(),
            };
            set_status(app, notice, Tone::Warning);
        }
        let retry = app.now + retry_delay(app.retry_attempts);
        app.retry_at = Some(app.retry_at.map_or(retry, |r| r.min(retry)));
    } else if selected && !e.is_forbidden() {
        set_status(app, Notice::Failed(e), Tone::Error);
    }
}

pub(super) fn orgs_loaded(
    app: &mut App,
    generation: u64,
    result: Result<Vec<UserOrganization>, ApiError>,
) -> Vec<Cmd> {
    if !app.orgs.expects(generation) {
        return Vec::new();
    }
    let list = match result {
        Ok(list) => list,
        Err(e) => {
            if e.requires_sign_in() {
                app.orgs = Load::Idle;
                if app.org_list().is_empty() {
                    app.screen = Screen::SignIn;
                    return sign_in::start(app, false);
                }
            }
            failed(app, e, true, |app, e| app.orgs.fail(e));
            return Vec::new();
        }
    };
    app.retry_attempts = 0;
    let previous_id = app.selected_org_id().or_else(|| app.remembered_org.take());
    app.data.retain(|id, _| list.iter().any(|o| &o.id == id));
    app.cursors.retain(|id, _| list.iter().any(|o| &o.id == id));
    if let Some(before) = app.before_reconsent.take() {
        announce_consent_change(app, &before, &list);
    }
    app.orgs = Load::Ready {
        value: list,
        at: app.now,
    };
    refilter(app);
    let index = previous_id.and_then(|id| {
        app.visible
            .iter()
            .position(|&i| app.org_list().get(i).is_some_and(|o| o.id == id))
    });
    app.selected = index.unwrap_or(0);
    let mut cmds = Vec::new();
    if let Some(org) = app.selected_org_id() {
        cmds.extend(plan_org(app, &org, Freshness::Missing));
    }
    cmds.extend(plan_prefetch(app));
    cmds.extend(plan_sync(app));
    cmds
}

/// The background sync, asked for again when the list of organizations changed: the selected
/// organization first, then its neighbours outwards (what the user will look at next).
fn plan_sync(app: &mut App) -> Option<Cmd> {
    let list = app.org_list().to_vec();
    let mut ids: Vec<String> = list.iter().map(|o| o.id.clone()).collect();
    ids.sort_unstable();
    if app.sync.asked_for == ids {
        return None;
    }
    app.sync.asked_for = ids;
    let selected = app.visible.get(app.selected).copied().unwrap_or_default();
    let mut orgs: Vec<(usize, UserOrganization)> = list.into_iter().enumerate().collect();
    orgs.sort_by_key(|(i, _)| i.abs_diff(selected));
    Some(Job::Sync(orgs.into_iter().map(|(_, o)| o).collect()).into())
}

fn announce_consent_change(app: &mut App, before: &[(String, String)], after: &[UserOrganization]) {
    let added: Vec<&str> = after
        .iter()
        .filter(|o| !before.iter().any(|(id, _)| id == &o.id))
        .map(|o| o.display_name())
        .collect();
    let removed: Vec<&str> = before
        .iter()
        .filter(|(id, _)| !after.iter().any(|o| &o.id == id))
        .map(|(_, name)| name.as_str())
        .collect();
    let notice = Notice::Text(text::consent_change(&added, &removed));
    set_status(app, notice, Tone::Success);
}

pub(super) fn overview_loaded(
    app: &mut App,
    org: &str,
    generation: u64,
    result: Result<Organization, ApiError>,
) -> Vec<Cmd> {
    let selected = app.selected_org_id().as_deref() == Some(org);
    let Some(data) = app.data.get_mut(org) else {
        return Vec::new();
    };
    if !data.overview.expects(generation) {
        return Vec::new();
    }
    match result {
        Ok(overview) => {
            data.overview = Load::Ready {
                value: overview,
                at: app.now,
            };
            app.retry_attempts = 0;
            if !selected {
                return Vec::new();
            }
            clamp_cursors(app, org);
            // The user stopped here long enough for the answer to land: time to look around.
            let mut cmds = plan_tab(app, org, Freshness::Missing);
            cmds.extend(plan_prefetch(app));
            cmds
        }
        Err(e) => {
            failed(app, e, selected, |app, e| {
                if let Some(d) = app.data.get_mut(org) {
                    d.overview.fail(e);
                }
            });
            Vec::new()
        }
    }
}

pub(super) fn transactions_loaded(
    app: &mut App,
    org: &str,
    account: &str,
    page: i64,
    generation: u64,
    result: Result<TransactionsPage, ApiError>,
) -> Vec<Cmd> {
    let selected = app.selected_org_id().as_deref() == Some(org);
    let now = app.now;
    let Some(list) = app
        .data
        .get_mut(org)
        .and_then(|d| d.transactions.get_mut(account))
    else {
        return Vec::new();
    };
    if list.loading != Some((page, generation)) {
        return Vec::new();
    }
    list.loading = None;
    match result {
        Ok(p) => {
            let next_page = p.meta.next(page);
            if page == 1 && !list.items.is_empty() {
                // A refresh: the new first page on top of what was loaded below it, so the
                // place in a deep list is kept (and the pages already here are not asked again).
                let kept_id = app
                    .cursors
                    .get(org)
                    .and_then(|c| list.items.get(c.transaction))
                    .and_then(|t| t.id().map(str::to_string));
                let fresh = ids(&p.transactions);
                let older = std::mem::take(&mut list.items)
                    .into_iter()
                    .filter(|t| !t.id().is_some_and(|id| fresh.contains(id)));
                list.items = p
                    .transactions
                    .into_iter()
                    .map(ListedTransaction::from)
                    .chain(older)
                    .collect();
                list.touched();
                // Go on from the deepest page already here (none left: none).
                list.next_page = list.next_page.filter(|_| next_page.is_some());
                if let Some(index) =
                    kept_id.and_then(|id| list.items.iter().position(|t| t.id() == Some(&id)))
                    && let Some(cursors) = app.cursors.get_mut(org)
                {
                    cursors.transaction = index;
                }
            } else {
                if page == 1 {
                    list.items.clear();
                }
                // New transactions since the first page push older ones down a page: those
                // already here are not listed twice (they can only be near the end).
                let tail_start = list.items.len().saturating_sub(2 * p.transactions.len());
                let tail: std::collections::HashSet<&str> = list.items[tail_start..]
                    .iter()
                    .filter_map(ListedTransaction::id)
                    .collect();
                let new: Vec<ListedTransaction> = p
                    .transactions
                    .into_iter()
                    .filter(|t| !t.id.as_deref().is_some_and(|id| tail.contains(id)))
                    .map(ListedTransaction::from)
                    .collect();
                list.items.extend(new);
                list.touched();
                list.next_page = next_page;
            }
            list.total = p.meta.total_count;
            list.total_pages = p.meta.total_pages;
            let reached_end = list.next_page.is_none();
            let last = list.items.len().saturating_sub(1);
            list.error = None;
            let key = (org.to_string(), account.to_string());
            if app.seeking_end.as_ref() == Some(&key) {
                app.cursors.entry(key.0).or_default().transaction = last;
                if reached_end {
                    app.seeking_end = None;
                }
            }
            list.at = Some(now);
            if selected {
                plan_next_page(app, org)
            } else {
                Vec::new()
            }
        }
        Err(e) => {
            list.error = Some(e.clone());
            failed(app, e, selected, |_, _| {});
            Vec::new()
        }
    }
}

/// The ids of `transactions` (those that have one).
fn ids(
    transactions: &[qonto_client::api::models::Transaction],
) -> std::collections::HashSet<String> {
    transactions.iter().filter_map(|t| t.id.clone()).collect()
}

/// Stores a per-organization list (members, labels) that arrived, unless a newer request for it
/// is on its way.
pub(super) fn list_loaded<T>(
    app: &mut App,
    org: &str,
    generation: u64,
    result: Result<T, ApiError>,
    field: fn(&mut OrgData) -> &mut Load<T>,
) -> Vec<Cmd> {
    let selected = app.selected_org_id().as_deref() == Some(org);
    let now = app.now;
    let Some(load) = app.data.get_mut(org).map(field) else {
        return Vec::new();
    };
    if !load.expects(generation) {
        return Vec::new();
    }
    match result {
        Ok(value) => *load = Load::Ready { value, at: now },
        Err(e) => failed(app, e, selected, |app, e| {
            if let Some(load) = app.data.get_mut(org).map(field) {
                load.fail(e);
            }
        }),
    }
    Vec::new()
}

/// A fetch nobody will answer: its place goes back to what it showed before, so that the next
/// plan (a visit, a prefetch) asks again.
pub(super) fn abandoned(app: &mut App, fetch: Fetch) -> Vec<Cmd> {
    match fetch {
        Fetch::Orgs { generation } => app.orgs.abandon(generation),
        Fetch::Overview { org, generation } => {
            if let Some(d) = app.data.get_mut(&org) {
                d.overview.abandon(generation);
            }
        }
        Fetch::Members { org, generation } => {
            if let Some(d) = app.data.get_mut(&org) {
                d.members.abandon(generation);
            }
        }
        Fetch::Labels { org, generation } => {
            if let Some(d) = app.data.get_mut(&org) {
                d.labels.abandon(generation);
            }
        }
        Fetch::Transactions {
            org,
            account,
            page,
            generation,
            ..
        } => {
            if let Some(list) = app
                .data
                .get_mut(&org)
                .and_then(|d| d.transactions.get_mut(&account))
                && list.loading == Some((page, generation))
            {
                list.loading = None;
                list.started = !list.items.is_empty();
            }
        }
    }
    Vec::new()
}
