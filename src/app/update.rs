//! `update(state, message) -> commands`: every state change happens here, synchronously; the
//! network and the keyring are only ever reached through the commands it returns.

use std::time::Duration;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::{Action, action_for};
use super::msg::{Cmd, Msg};
use super::state::*;
use crate::ui::layout;
use qonto_client::api::ApiError;

/// Rows from the end of the loaded transactions at which the next page is asked for.
const PREFETCH_ROWS: usize = 30;
const RETRY_AFTER: Duration = Duration::from_secs(5);
const STATUS_LIFETIME: Duration = Duration::from_secs(8);

pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Tick => tick(app),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            app.page_rows = layout::table_rows(w, h);
            Vec::new()
        }
        Msg::Terminate => quit(app),
        Msg::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        Msg::Key(key) => on_key(app, key),
        Msg::Mouse(mouse) => on_mouse(app, mouse),
        Msg::Paste(text) => on_paste(app, text),
        Msg::SessionChecked { signed_in, problem } => {
            if signed_in {
                app.screen = Screen::Main;
                load_orgs(app)
            } else {
                app.screen = Screen::SignIn;
                let mut cmds = start_sign_in(app, false);
                if let Some(flow) = app.sign_in.as_mut() {
                    flow.error = problem;
                }
                cmds.push(Cmd::MouseCapture(false));
                cmds
            }
        }
        Msg::OrgsLoaded { generation, result } => orgs_loaded(app, generation, result),
        Msg::OverviewLoaded {
            org,
            generation,
            result,
        } => {
            let Some(data) = app.data.get_mut(&org) else {
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
                    if app.selected_org_id().as_deref() == Some(org.as_str()) {
                        clamp_cursors(app, &org);
                        return ensure_tab_data(app, &org);
                    }
                    Vec::new()
                }
                Err(e) => {
                    let selected = app.selected_org_id().as_deref() == Some(org.as_str());
                    failed(app, e, selected, |app, text, forbidden| {
                        if let Some(d) = app.data.get_mut(&org) {
                            d.overview.fail(text, forbidden);
                        }
                    })
                }
            }
        }
        Msg::TransactionsLoaded {
            org,
            account,
            page,
            generation,
            result,
        } => {
            let selected = app.selected_org_id().as_deref() == Some(org.as_str());
            let Some(list) = app
                .data
                .get_mut(&org)
                .and_then(|d| d.transactions.get_mut(&account))
            else {
                return Vec::new();
            };
            if list.loading != Some((page, generation)) {
                return Vec::new();
            }
            list.loading = None;
            match result {
                Ok(p) => {
                    if page == 1 {
                        list.items.clear();
                    }
                    list.items.extend(p.transactions);
                    list.total = p.meta.total_count;
                    list.next_page = p.meta.next(page);
                    list.error = None;
                    list.at = Some(app.now);
                    if selected {
                        ensure_next_page(app, &org)
                    } else {
                        Vec::new()
                    }
                }
                Err(e) => {
                    let text = e.to_string();
                    list.error = Some(text);
                    failed(app, e, selected, |_, _, _| {})
                }
            }
        }
        Msg::MembersLoaded {
            org,
            generation,
            result,
        } => list_loaded(app, &org, generation, result, |d| &mut d.members),
        Msg::LabelsLoaded {
            org,
            generation,
            result,
        } => list_loaded(app, &org, generation, result, |d| &mut d.labels),
        Msg::SignInWaiting { url, browser } => {
            if let Some(flow) = app.sign_in.as_mut() {
                flow.url = Some(url);
                flow.browser = Some(browser);
                flow.error = None;
                flow.started = app.now;
            }
            Vec::new()
        }
        Msg::StoreWarning(text) => {
            set_status(
                app,
                format!("Signed in until you quit only: {text}"),
                Tone::Error,
            );
            Vec::new()
        }
        Msg::BrowserOpened(browser) => {
            if let Some(flow) = app.sign_in.as_mut() {
                flow.browser = Some(browser);
            }
            Vec::new()
        }
        Msg::SignInFailed(error) => {
            if let Some(flow) = app.sign_in.as_mut() {
                flow.error = Some(error);
                flow.url = None;
                flow.completing = false;
            }
            Vec::new()
        }
        Msg::PasteRejected(error) => {
            if let Some(flow) = app.sign_in.as_mut() {
                flow.error = Some(error);
                flow.completing = false;
            }
            Vec::new()
        }
        Msg::SignedIn => {
            let reconsent = app.sign_in.as_ref().is_some_and(|f| f.reconsent);
            app.sign_in = None;
            app.banner = None;
            app.screen = Screen::Main;
            if reconsent {
                app.before_reconsent = Some(
                    app.org_list()
                        .iter()
                        .map(|o| (o.id.clone(), o.display_name().to_string()))
                        .collect(),
                );
            }
            // What failed for lack of consent or sign-in is worth asking again now.
            for data in app.data.values_mut() {
                data.forget_failures();
            }
            set_status(app, "Signed in.", Tone::Success);
            let mut cmds = vec![Cmd::MouseCapture(true)];
            cmds.extend(load_orgs(app));
            cmds
        }
    }
}

/// Stores a per-organization list (members, labels) that arrived, unless a newer request for it
/// is on its way.
fn list_loaded<T>(
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
        Ok(value) => {
            *load = Load::Ready { value, at: now };
            Vec::new()
        }
        Err(e) => failed(app, e, selected, |app, text, forbidden| {
            if let Some(load) = app.data.get_mut(org).map(field) {
                load.fail(text, forbidden);
            }
        }),
    }
}

fn tick(app: &mut App) -> Vec<Cmd> {
    if app
        .status
        .as_ref()
        .is_some_and(|s| app.now.duration_since(s.at) > STATUS_LIFETIME && s.tone != Tone::Error)
    {
        app.status = None;
    }
    match app.retry_at {
        Some(at) if app.now >= at => {
            app.retry_at = None;
            retry_failed(app)
        }
        _ => Vec::new(),
    }
}

/// Retries what failed for a passing reason: the org list, or the selected organization's data.
fn retry_failed(app: &mut App) -> Vec<Cmd> {
    if matches!(app.orgs, Load::Failed { .. }) {
        return load_orgs(app);
    }
    let Some(org) = app.selected_org_id() else {
        return Vec::new();
    };
    let mut cmds = Vec::new();
    if let Some(d) = app.data.get_mut(&org) {
        if matches!(
            d.overview,
            Load::Failed {
                forbidden: false,
                ..
            }
        ) {
            d.overview = Load::Idle;
        }
        if matches!(
            d.members,
            Load::Failed {
                forbidden: false,
                ..
            }
        ) {
            d.members = Load::Idle;
        }
        if matches!(
            d.labels,
            Load::Failed {
                forbidden: false,
                ..
            }
        ) {
            d.labels = Load::Idle;
        }
        for list in d.transactions.values_mut() {
            if list.error.take().is_some() && list.items.is_empty() {
                list.started = false;
            }
        }
    }
    cmds.extend(ensure_org(app, &org));
    cmds.extend(ensure_next_page(app, &org));
    cmds
}

fn set_status(app: &mut App, text: impl Into<String>, tone: Tone) {
    app.status = Some(StatusMessage {
        text: text.into(),
        tone,
        at: app.now,
    });
}

/// Handles a failed request: a lost sign-in is a banner; a transient error a status line and a
/// retry; anything else a status line. `record` stores the error where it belongs.
fn failed(
    app: &mut App,
    e: ApiError,
    selected: bool,
    record: impl FnOnce(&mut App, String, bool),
) -> Vec<Cmd> {
    let forbidden = matches!(e, ApiError::Forbidden { .. });
    let text = if forbidden {
        let trace = e
            .trace_id()
            .map(|t| format!(" (trace {t})"))
            .unwrap_or_default();
        format!(
            "This organization is no longer shared with qonto-tui. Press c to change what you share.{trace}"
        )
    } else {
        e.to_string()
    };
    record(app, text.clone(), forbidden);
    if e.requires_sign_in() {
        app.banner = Some("Your Qonto sign-in has ended. Press c to sign in again.".to_string());
    } else if e.is_transient() {
        if selected {
            set_status(
                app,
                format!("{text} — retrying in {} s", RETRY_AFTER.as_secs()),
                Tone::Warning,
            );
        }
        let retry = app.now + RETRY_AFTER;
        app.retry_at = Some(app.retry_at.map_or(retry, |r| r.min(retry)));
    } else if selected && !forbidden {
        set_status(app, text, Tone::Error);
    }
    Vec::new()
}

fn quit(app: &mut App) -> Vec<Cmd> {
    app.quit = true;
    let mut cmds = Vec::new();
    if let Some(id) = app.selected_org_id() {
        cmds.push(Cmd::SaveLastOrg(id));
    }
    cmds.push(Cmd::Quit);
    cmds
}

fn load_orgs(app: &mut App) -> Vec<Cmd> {
    let generation = app.next_generation();
    app.orgs.start(generation, app.now);
    vec![Cmd::LoadOrgs { generation }]
}

fn orgs_loaded(
    app: &mut App,
    generation: u64,
    result: Result<Vec<qonto_client::api::models::UserOrganization>, ApiError>,
) -> Vec<Cmd> {
    if !app.orgs.expects(generation) {
        return Vec::new();
    }
    match result {
        Ok(list) => {
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
                cmds.extend(ensure_org(app, &org));
            }
            let others: Vec<String> = app
                .org_list()
                .iter()
                .map(|o| o.id.clone())
                .filter(|id| Some(id) != app.selected_org_id().as_ref())
                .collect();
            if !others.is_empty() {
                let generation = app.next_generation();
                for id in &others {
                    if let Some(d) = app.data.get_mut(id)
                        && !d.overview.is_idle()
                    {
                        continue;
                    }
                    app.data
                        .entry(id.clone())
                        .or_default()
                        .overview
                        .start(generation, app.now);
                }
                let to_fetch: Vec<String> = others
                    .into_iter()
                    .filter(|id| {
                        app.data
                            .get(id)
                            .is_some_and(|d| d.overview.expects(generation))
                    })
                    .collect();
                if !to_fetch.is_empty() {
                    cmds.push(Cmd::Prefetch {
                        orgs: to_fetch,
                        generation,
                    });
                }
            }
            cmds
        }
        Err(e) => {
            if e.requires_sign_in() {
                app.orgs = Load::Idle;
                if app.org_list().is_empty() {
                    app.screen = Screen::SignIn;
                    let mut cmds = start_sign_in(app, false);
                    cmds.push(Cmd::MouseCapture(false));
                    return cmds;
                }
            }
            failed(app, e, true, |app, text, forbidden| {
                app.orgs.fail(text, forbidden)
            })
        }
    }
}

fn announce_consent_change(
    app: &mut App,
    before: &[(String, String)],
    after: &[qonto_client::api::models::UserOrganization],
) {
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
    let text = match (added.is_empty(), removed.is_empty()) {
        (true, true) => "Consent renewed: the same organizations are shared.".to_string(),
        (false, true) => format!("Now shared: {}.", added.join(", ")),
        (true, false) => format!("No longer shared: {}.", removed.join(", ")),
        (false, false) => format!(
            "Now shared: {}. No longer shared: {}.",
            added.join(", "),
            removed.join(", ")
        ),
    };
    set_status(app, text, Tone::Success);
}

/// Recomputes which organizations pass the filter.
fn refilter(app: &mut App) {
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

/// Makes sure the organization's overview and the current tab's data are (being) loaded.
fn ensure_org(app: &mut App, org: &str) -> Vec<Cmd> {
    let data = app.data.entry(org.to_string()).or_default();
    if data.overview.is_idle() {
        app.generation += 1;
        let generation = app.generation;
        data.overview.start(generation, app.now);
        return vec![Cmd::LoadOverview {
            org: org.to_string(),
            generation,
        }];
    }
    if data.overview.is_loading() {
        // Already on its way (prefetch, or an earlier selection): ask for it first in line.
        if let Load::Loading { generation, .. } = data.overview {
            return vec![Cmd::LoadOverview {
                org: org.to_string(),
                generation,
            }];
        }
    }
    ensure_tab_data(app, org)
}

fn ensure_tab_data(app: &mut App, org: &str) -> Vec<Cmd> {
    match app.tab {
        Tab::Accounts => Vec::new(),
        Tab::Transactions => {
            let Some(account) = app.current_account(org) else {
                return Vec::new();
            };
            app.generation += 1;
            let generation = app.generation;
            let Some(data) = app.data.get_mut(org) else {
                return Vec::new();
            };
            let list = data.transactions.entry(account.clone()).or_default();
            if list.started {
                return Vec::new();
            }
            list.started = true;
            list.loading = Some((1, generation));
            vec![Cmd::LoadTransactions {
                org: org.to_string(),
                account,
                page: 1,
                generation,
            }]
        }
        Tab::Members => {
            app.generation += 1;
            let generation = app.generation;
            let Some(data) = app.data.get_mut(org) else {
                return Vec::new();
            };
            if !data.members.is_idle() {
                return Vec::new();
            }
            data.members.start(generation, app.now);
            vec![Cmd::LoadMembers {
                org: org.to_string(),
                generation,
            }]
        }
        Tab::Labels => {
            app.generation += 1;
            let generation = app.generation;
            let Some(data) = app.data.get_mut(org) else {
                return Vec::new();
            };
            if !data.labels.is_idle() {
                return Vec::new();
            }
            data.labels.start(generation, app.now);
            vec![Cmd::LoadLabels {
                org: org.to_string(),
                generation,
            }]
        }
    }
}

/// Asks for the next transactions page when the cursor nears the end of what is loaded.
fn ensure_next_page(app: &mut App, org: &str) -> Vec<Cmd> {
    if app.tab != Tab::Transactions {
        return Vec::new();
    }
    let Some(account) = app.current_account(org) else {
        return Vec::new();
    };
    let cursor = app.cursors_for(org).transaction;
    app.generation += 1;
    let generation = app.generation;
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
            vec![Cmd::LoadTransactions {
                org: org.to_string(),
                account,
                page,
                generation,
            }]
        }
        _ => Vec::new(),
    }
}

fn refresh(app: &mut App) -> Vec<Cmd> {
    let Some(org) = app.selected_org_id() else {
        return load_orgs(app);
    };
    let now = app.now;
    app.generation += 1;
    let generation = app.generation;
    let tab = app.tab;
    let account = app.current_account(&org);
    let data = app.data.entry(org.clone()).or_default();
    // Whatever is already on its way is not asked for again: mashing r queues nothing.
    let mut cmds = Vec::new();
    if !data.overview.is_loading() {
        data.overview.start(generation, now);
        cmds.push(Cmd::LoadOverview {
            org: org.clone(),
            generation,
        });
    }
    match tab {
        Tab::Accounts => {}
        Tab::Transactions => {
            if let Some(account) = account {
                let list = data.transactions.entry(account.clone()).or_default();
                if list.loading.is_none() {
                    list.started = true;
                    list.error = None;
                    list.loading = Some((1, generation));
                    cmds.push(Cmd::LoadTransactions {
                        org: org.clone(),
                        account,
                        page: 1,
                        generation,
                    });
                }
            }
        }
        Tab::Members => {
            if !data.members.is_loading() {
                data.members.start(generation, now);
                cmds.push(Cmd::LoadMembers {
                    org: org.clone(),
                    generation,
                });
            }
        }
        Tab::Labels => {
            if !data.labels.is_loading() {
                data.labels.start(generation, now);
                cmds.push(Cmd::LoadLabels {
                    org: org.clone(),
                    generation,
                });
            }
        }
    }
    if !cmds.is_empty() {
        set_status(app, "Refreshing…", Tone::Info);
    }
    cmds
}

fn start_sign_in(app: &mut App, reconsent: bool) -> Vec<Cmd> {
    app.sign_in = Some(SignInFlow {
        reconsent,
        url: None,
        browser: None,
        started: app.now,
        paste: Input::default(),
        paste_focused: false,
        error: None,
        completing: false,
    });
    vec![Cmd::StartSignIn]
}

fn on_paste(app: &mut App, text: String) -> Vec<Cmd> {
    if let Some(flow) = app.sign_in.as_mut() {
        flow.paste = Input::new(text.trim().to_string());
        flow.paste_focused = true;
        return Vec::new();
    }
    if let Some(filter) = app.filter.as_mut() {
        let combined = format!("{}{}", filter.value(), text.trim());
        *filter = Input::new(combined);
        refilter(app);
        return select_changed(app);
    }
    Vec::new()
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    if app.help {
        if matches!(
            action_for(&key),
            Some(Action::Help | Action::Cancel | Action::Quit)
        ) || key.code == KeyCode::Enter
        {
            app.help = false;
        }
        return Vec::new();
    }
    if app.sign_in.is_some() {
        return sign_in_key(app, key);
    }
    if app.screen != Screen::Main {
        return match action_for(&key) {
            Some(Action::Quit) => quit(app),
            _ => Vec::new(),
        };
    }
    if app.filter.is_some() && filter_key(app, key) {
        return select_changed(app);
    }
    let Some(action) = action_for(&key) else {
        return Vec::new();
    };
    match action {
        Action::Quit => quit(app),
        Action::Help => {
            app.help = true;
            Vec::new()
        }
        Action::Cancel => {
            app.status = None;
            Vec::new()
        }
        Action::Up => move_by(app, -1),
        Action::Down => move_by(app, 1),
        Action::PageUp => move_by(app, -(app.page_rows.max(1) as isize)),
        Action::PageDown => move_by(app, app.page_rows.max(1) as isize),
        Action::Home => move_by(app, isize::MIN / 2),
        Action::End => move_by(app, isize::MAX / 2),
        Action::SwitchPane => {
            app.focus = if app.focus == Focus::Orgs {
                Focus::Data
            } else {
                Focus::Orgs
            };
            Vec::new()
        }
        Action::NextTab => {
            if app.focus == Focus::Orgs {
                app.focus = Focus::Data;
                return Vec::new();
            }
            let next = Tab::ALL[(app.tab.index() + 1) % Tab::ALL.len()];
            set_tab(app, next)
        }
        Action::PrevTab => {
            if app.focus == Focus::Data && app.tab == Tab::Accounts {
                app.focus = Focus::Orgs;
                return Vec::new();
            }
            let prev = Tab::ALL[(app.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()];
            set_tab(app, prev)
        }
        Action::Tab1 => set_tab(app, Tab::Accounts),
        Action::Tab2 => set_tab(app, Tab::Transactions),
        Action::Tab3 => set_tab(app, Tab::Members),
        Action::Tab4 => set_tab(app, Tab::Labels),
        Action::Filter => {
            app.filter = Some(Input::default());
            app.focus = Focus::Orgs;
            Vec::new()
        }
        Action::Refresh => refresh(app),
        Action::Reconsent => {
            let mut cmds = start_sign_in(app, true);
            cmds.push(Cmd::MouseCapture(false));
            cmds
        }
        Action::RevealIban => {
            app.reveal_ibans = !app.reveal_ibans;
            Vec::new()
        }
        Action::PrevAccount => shift_account(app, -1),
        Action::NextAccount => shift_account(app, 1),
    }
}

/// Keys while the filter is open; true when the key was the filter's.
fn filter_key(app: &mut App, key: KeyEvent) -> bool {
    let Some(filter) = app.filter.as_mut() else {
        return false;
    };
    match key.code {
        KeyCode::Esc => {
            app.filter = None;
            refilter(app);
            true
        }
        KeyCode::Enter => {
            if filter.value().is_empty() {
                app.filter = None;
                refilter(app);
            }
            true
        }
        KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown | KeyCode::Tab => false,
        _ if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') => {
            false
        }
        _ => {
            filter.handle_event(&Event::Key(key));
            refilter(app);
            true
        }
    }
}

fn sign_in_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    let Some(flow) = app.sign_in.as_mut() else {
        return Vec::new();
    };
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    if flow.paste_focused {
        match key.code {
            KeyCode::Esc | KeyCode::Tab => flow.paste_focused = false,
            KeyCode::Enter => {
                let text = flow.paste.value().trim().to_string();
                if !text.is_empty() {
                    flow.completing = true;
                    flow.error = None;
                    return vec![Cmd::SubmitPastedUrl(text)];
                }
            }
            _ => {
                flow.paste.handle_event(&Event::Key(key));
            }
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc => {
            if flow.reconsent {
                app.sign_in = None;
                set_status(app, "Re-consent cancelled; nothing changed.", Tone::Info);
                vec![Cmd::CancelSignIn, Cmd::MouseCapture(true)]
            } else {
                flow.url = None;
                flow.error =
                    Some("Sign-in cancelled. Press Enter to start again, q to quit.".to_string());
                vec![Cmd::CancelSignIn]
            }
        }
        KeyCode::Enter if flow.url.is_none() => {
            flow.error = None;
            flow.started = app.now;
            vec![Cmd::StartSignIn]
        }
        KeyCode::Tab | KeyCode::Char('p') => {
            flow.paste_focused = true;
            Vec::new()
        }
        KeyCode::Char('o') if flow.url.is_some() => vec![Cmd::OpenBrowserAgain],
        KeyCode::Char('s') if app.demo && flow.url.is_some() && !flow.completing => {
            flow.completing = true;
            vec![Cmd::SimulateBrowser]
        }
        KeyCode::Char('q') => quit(app),
        _ => Vec::new(),
    }
}

fn set_tab(app: &mut App, tab: Tab) -> Vec<Cmd> {
    app.tab = tab;
    app.focus = Focus::Data;
    match app.selected_org_id() {
        Some(org) => {
            let mut cmds = ensure_tab_data(app, &org);
            cmds.extend(ensure_next_page(app, &org));
            cmds
        }
        None => Vec::new(),
    }
}

fn shift_account(app: &mut App, delta: isize) -> Vec<Cmd> {
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
    let mut cmds = ensure_tab_data(app, &org);
    cmds.extend(ensure_next_page(app, &org));
    cmds
}

fn move_by(app: &mut App, delta: isize) -> Vec<Cmd> {
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
            let tab = app.tab;
            let cursors = app.cursors.entry(org.clone()).or_default();
            let cursor = match tab {
                Tab::Accounts => &mut cursors.account,
                Tab::Transactions => &mut cursors.transaction,
                Tab::Members => &mut cursors.member,
                Tab::Labels => &mut cursors.label,
            };
            *cursor = (*cursor as isize)
                .saturating_add(delta)
                .clamp(0, len.saturating_sub(1) as isize) as usize;
            if tab == Tab::Accounts {
                cursors.transaction = 0;
            }
            ensure_next_page(app, &org)
        }
    }
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

fn clamp_cursors(app: &mut App, org: &str) {
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

fn select_changed(app: &mut App) -> Vec<Cmd> {
    match app.selected_org_id() {
        Some(org) => ensure_org(app, &org),
        None => Vec::new(),
    }
}

fn on_mouse(app: &mut App, mouse: MouseEvent) -> Vec<Cmd> {
    if app.sign_in.is_some() || app.help || app.screen != Screen::Main {
        return Vec::new();
    }
    let areas = layout::main_areas(app.size.0, app.size.1, app.banner.is_some());
    let inside = |r: ratatui::layout::Rect| {
        mouse.column >= r.x
            && mouse.column < r.x + r.width
            && mouse.row >= r.y
            && mouse.row < r.y + r.height
    };
    match mouse.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta: isize = if mouse.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            app.focus = if inside(areas.orgs) {
                Focus::Orgs
            } else {
                Focus::Data
            };
            if app.focus == Focus::Orgs {
                // The wheel moves the selection one at a time in the short org list.
                move_by(app, delta.signum())
            } else {
                move_by(app, delta)
            }
        }
        MouseEventKind::Down(MouseButton::Left) => {
            if inside(areas.orgs) {
                app.focus = Focus::Orgs;
                let list = layout::org_list_rows(areas.orgs);
                if mouse.row < list.y || mouse.row >= list.y + list.height {
                    return Vec::new();
                }
                let offset =
                    crate::ui::scroll_offset(app.selected, app.visible.len(), list.height as usize);
                let index = offset + (mouse.row - list.y) as usize;
                if index < app.visible.len() && index != app.selected {
                    app.selected = index;
                    return select_changed(app);
                }
            } else if inside(areas.tabs) {
                app.focus = Focus::Data;
                let x = mouse.column.saturating_sub(areas.tabs.x) as usize;
                let mut start = 0;
                for tab in Tab::ALL {
                    let width = tab.title().len() + 5;
                    if x >= start && x < start + width {
                        return set_tab(app, tab);
                    }
                    start += width;
                }
            } else if inside(areas.data) {
                app.focus = Focus::Data;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
