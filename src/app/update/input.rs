//! Keys, routed through layers from the top of the screen down: the help overlay, the sign-in
//! modal, the filter field, a screen that is not the main one, then the main key map. Each layer
//! handles a key or lets it through to the next (as helix's compositor or yazi's router do).

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::keymap::{Action, Mode};
use super::super::keys::KeyChord;
use super::super::msg::Cmd;
use super::super::state::{App, Screen, Tab};
use super::navigation::{
    clear_filter, editing_field, move_by, next_tab, open_filter, prev_tab, quit, refilter,
    refilter_rows, refresh, refresh_all, seek_end, select_changed, set_tab, shift_account,
    switch_pane, toggle_declined, toggle_zoom,
};
use super::{board, inbox, palette, review, rules, search, sign_in, sources};

/// What a layer did with a key.
enum Outcome {
    Handled(Vec<Cmd>),
    Ignored,
}

type Layer = fn(&mut App, &KeyEvent) -> Outcome;

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Cmd> {
    const LAYERS: [Layer; 16] = [
        help,
        sign_in_modal,
        dialog,
        command_palette,
        picker,
        palette_opener,
        rules_view,
        review_view,
        inbox_view,
        search_view,
        board_view,
        cash_view,
        filter_field,
        other_screen,
        transaction_marks,
        main_screen,
    ];
    for layer in LAYERS {
        if let Outcome::Handled(cmds) = layer(app, &key) {
            return cmds;
        }
    }
    Vec::new()
}

pub(super) fn on_paste(app: &mut App, text: String) -> Vec<Cmd> {
    if sources::on_paste(app, &text) {
        return Vec::new();
    }
    if app.search.is_some() && app.sign_in.is_none() {
        return search::on_paste(app, &text);
    }
    if let Some(flow) = app.sign_in.as_mut() {
        flow.paste = Input::new(text.trim().to_string());
        flow.paste_focused = true;
        return Vec::new();
    }
    if let Some(filter) = editing_field(app) {
        let combined = format!("{}{}", filter.value(), text.trim());
        *filter = Input::new(combined);
        refilter(app);
        refilter_rows(app);
        return select_changed(app);
    }
    Vec::new()
}

/// The overlay takes every key: the moving keys scroll it, the ones that close it close it.
fn help(app: &mut App, key: &KeyEvent) -> Outcome {
    if !app.help {
        return Outcome::Ignored;
    }
    let page = app.page_rows.max(1) as isize;
    let delta = match app.keys.action(Mode::Main, key) {
        Some(Action::Down) => Some(1),
        Some(Action::Up) => Some(-1),
        Some(Action::PageDown) => Some(page),
        Some(Action::PageUp) => Some(-page),
        Some(Action::Home) => Some(isize::MIN / 2),
        Some(Action::End) => Some(isize::MAX / 2),
        _ => None,
    };
    if let Some(delta) = delta {
        let scroll = &app.scroll;
        let next = scroll.help.get().saturating_add_signed(delta);
        scroll.help.set(next.min(scroll.help_max.get()));
        return Outcome::Handled(Vec::new());
    }
    let closes = app.keys.action(Mode::Help, key) == Some(Action::Cancel)
        || matches!(
            app.keys.action(Mode::Main, key),
            Some(Action::Help | Action::Cancel | Action::Quit)
        );
    if closes {
        app.help = false;
    }
    Outcome::Handled(Vec::new())
}

/// Marks in the Transactions tab (Space, Shift-↑↓, `^X`, `^G`).
fn transaction_marks(app: &mut App, key: &KeyEvent) -> Outcome {
    match super::transactions_tab::on_key(app, key) {
        Some(cmds) => Outcome::Handled(cmds),
        None => Outcome::Ignored,
    }
}

/// The command palette takes every key while it is open.
fn command_palette(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.command_palette.is_none() {
        return Outcome::Ignored;
    }
    Outcome::Handled(palette::on_key(app, key))
}

/// `:` opens the palette over any view, but where it is typed into a field (the search's
/// query, a filter, a note).
fn palette_opener(app: &mut App, key: &KeyEvent) -> Outcome {
    let typing = app.search.is_some()
        || app.filter_editing
        || app.review.as_ref().is_some_and(|v| v.prompt.is_some())
        || app.screen != Screen::Main;
    if typing || app.keys.action(Mode::Main, key) != Some(Action::Palette) {
        return Outcome::Ignored;
    }
    Outcome::Handled(palette::open(app))
}

/// The category picker takes every key while it is open.
fn picker(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.picker.is_none() || app.screen != Screen::Main {
        return Outcome::Ignored;
    }
    Outcome::Handled(super::marks::picker_key(app, key))
}

/// The rules' proposals take every key but help's.
fn rules_view(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.rules_view.is_none() || app.screen != Screen::Main {
        return Outcome::Ignored;
    }
    if app.keys.action(Mode::Main, key) == Some(Action::Help) {
        return Outcome::Ignored;
    }
    Outcome::Handled(rules::on_key(app, key))
}

/// The review takes every key but help's.
fn review_view(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.review.is_none() || app.screen != Screen::Main {
        return Outcome::Ignored;
    }
    let prompting = app.review.as_ref().is_some_and(|v| v.prompt.is_some());
    if !prompting && app.keys.action(Mode::Main, key) == Some(Action::Help) {
        return Outcome::Ignored;
    }
    Outcome::Handled(review::on_key(app, key))
}

/// The receipts inbox takes every key but help's and quitting's.
fn inbox_view(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.inbox.is_none() || app.screen != Screen::Main {
        return Outcome::Ignored;
    }
    match app.keys.action(Mode::Main, key) {
        Some(Action::Help) => Outcome::Ignored,
        Some(Action::Search | Action::Receipts | Action::Cash) => {
            app.close_inbox();
            Outcome::Ignored
        }
        _ => Outcome::Handled(inbox::on_key(app, key)),
    }
}

/// The month-end board takes the moving keys, the months' and Enter; quitting, help and the
/// palette still work.
fn board_view(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.board.is_none() || app.screen != Screen::Main {
        return Outcome::Ignored;
    }
    match board::on_key(app, key) {
        Some(cmds) => Outcome::Handled(cmds),
        None => Outcome::Ignored,
    }
}

/// The group's cash takes the moving keys and the ones that close it; quitting still works.
fn cash_view(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.cash.is_none() || app.screen != Screen::Main {
        return Outcome::Ignored;
    }
    let page = app.page_rows.max(1) as isize;
    let action = app.keys.action(Mode::Main, key);
    let delta = match action {
        Some(Action::Down) => 1,
        Some(Action::Up) => -1,
        Some(Action::PageDown) => page,
        Some(Action::PageUp) => -page,
        Some(Action::Home) => isize::MIN / 2,
        Some(Action::End) => isize::MAX / 2,
        Some(Action::Cancel | Action::Cash) => {
            app.cash = None;
            return Outcome::Handled(Vec::new());
        }
        Some(action @ (Action::NextTab | Action::PrevTab)) => {
            if let Some(view) = app.cash.as_mut() {
                // The group, then each organization, round.
                let whose = match &view.state {
                    super::super::cash_view::CashState::Ready(cash) => cash.orgs.len() + 1,
                    _ => 1,
                };
                let step = if action == Action::NextTab {
                    1
                } else {
                    whose - 1
                };
                view.chart = (view.chart + step) % whose;
            }
            return Outcome::Handled(Vec::new());
        }
        Some(Action::Quit | Action::Help) => return Outcome::Ignored,
        Some(Action::Search | Action::Receipts | Action::Inbox) => {
            app.cash = None;
            return Outcome::Ignored;
        }
        _ => return Outcome::Handled(Vec::new()),
    };
    if let Some(view) = &app.cash {
        view.scroll
            .set(view.scroll.get().saturating_add_signed(delta));
    }
    Outcome::Handled(Vec::new())
}

/// The search takes every key while it is open (typing goes to its query).
fn search_view(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.search.is_none() || app.screen != Screen::Main {
        return Outcome::Ignored;
    }
    Outcome::Handled(search::on_key(app, key))
}

fn dialog(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.dialog.is_none() {
        return Outcome::Ignored;
    }
    Outcome::Handled(sources::on_key(app, key))
}

fn sign_in_modal(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.sign_in.is_none() {
        return Outcome::Ignored;
    }
    Outcome::Handled(sign_in::on_key(app, key))
}

/// While a filter is edited, typing filters the organizations (or the data pane's rows); moving
/// keys and quitting still reach the lists. Enter keeps the filter and gives every key back; Esc
/// clears it.
fn filter_field(app: &mut App, key: &KeyEvent) -> Outcome {
    let Some(empty) = editing_field(app).map(|f| f.value().is_empty()) else {
        return Outcome::Ignored;
    };
    match app.keys.action(Mode::Filter, key) {
        Some(Action::Cancel) => clear_filter(app),
        Some(Action::Confirm) => {
            if empty {
                clear_filter(app);
            } else {
                app.filter_editing = false;
            }
        }
        _ => {
            let passes = matches!(
                app.keys.action(Mode::Main, key),
                Some(
                    Action::Up
                        | Action::Down
                        | Action::PageUp
                        | Action::PageDown
                        | Action::SwitchPane
                        | Action::Quit
                )
            ) && !KeyChord::new(key.code, key.modifiers).types_text();
            if passes {
                return Outcome::Ignored;
            }
            if let Some(filter) = editing_field(app) {
                filter.handle_event(&Event::Key(*key));
            }
            refilter(app);
            refilter_rows(app);
        }
    }
    let mut cmds = super::navigation::fill_for_filter(app);
    cmds.extend(select_changed(app));
    Outcome::Handled(cmds)
}

/// Before the organizations are there, only quitting means anything.
fn other_screen(app: &mut App, key: &KeyEvent) -> Outcome {
    if app.screen == Screen::Main {
        return Outcome::Ignored;
    }
    match app.keys.action(Mode::Main, key) {
        Some(Action::Quit) => Outcome::Handled(quit(app)),
        _ => Outcome::Handled(Vec::new()),
    }
}

fn main_screen(app: &mut App, key: &KeyEvent) -> Outcome {
    // A saved view's own key opens the search on it (the config file checked it is free).
    if let Some(query) = app
        .saved_views
        .iter()
        .find(|v| v.key.is_some_and(|k| k.matches(key)))
        .map(|v| v.query.clone())
    {
        return Outcome::Handled(search::open(app, Some(&format!("{query} "))));
    }
    let Some(action) = app.keys.action(Mode::Main, key) else {
        return Outcome::Ignored;
    };
    Outcome::Handled(perform(app, action))
}

/// What `action` does on the main screen (its key, or the palette's pick).
pub(super) fn perform(app: &mut App, action: Action) -> Vec<Cmd> {
    let page = app.page_rows.max(1) as isize;
    if action != Action::End {
        app.seeking_end = None;
    }
    match action {
        Action::Quit => quit(app),
        Action::Help => {
            app.help = true;
            app.scroll.help.set(0);
            Vec::new()
        }
        Action::Cancel => {
            // Esc closes what is open, one thing at a time: a notice, then a kept filter.
            if app.status.is_some() {
                app.status = None;
            } else if app.filter.is_some() || app.row_filter.is_some() {
                clear_filter(app);
                return select_changed(app);
            }
            Vec::new()
        }
        Action::Up => move_by(app, -1),
        Action::Down => move_by(app, 1),
        Action::PageUp => move_by(app, -page),
        Action::PageDown => move_by(app, page),
        Action::Home => move_by(app, isize::MIN / 2),
        Action::End => {
            let mut cmds = move_by(app, isize::MAX / 2);
            cmds.extend(seek_end(app));
            cmds
        }
        Action::SwitchPane => {
            switch_pane(app);
            Vec::new()
        }
        Action::NextTab => next_tab(app),
        Action::PrevTab => prev_tab(app),
        Action::Tab1 => set_tab(app, Tab::Accounts),
        Action::Tab2 => set_tab(app, Tab::Transactions),
        Action::Tab3 => set_tab(app, Tab::Members),
        Action::Tab4 => set_tab(app, Tab::Labels),
        Action::Filter => {
            open_filter(app);
            Vec::new()
        }
        Action::Refresh => refresh(app),
        Action::RefreshAll => refresh_all(app),
        Action::Zoom => {
            toggle_zoom(app);
            Vec::new()
        }
        Action::Reconsent => sign_in::start(app, true),
        Action::AddOrg => sources::open_add(app),
        Action::Search => search::open(app, None),
        Action::Inbox => inbox::open(app),
        Action::Review => review::open(app),
        Action::Rules => rules::open(app),
        Action::Palette => palette::open(app),
        Action::Board => board::open(app),
        Action::Receipts => search::open(app, Some(search::MISSING_RECEIPTS)),
        Action::Cash => {
            app.search = None;
            app.cash = Some(Default::default());
            vec![super::super::msg::Job::Cash.into()]
        }
        Action::Export => export_on_screen(app),
        Action::RemoveOrg => sources::open_remove(app),
        Action::RevealIban => {
            app.reveal_ibans = !app.reveal_ibans;
            Vec::new()
        }
        Action::ToggleDeclined => toggle_declined(app),
        Action::PrevAccount => shift_account(app, -1),
        Action::NextAccount => shift_account(app, 1),
        Action::Confirm
        | Action::OpenBrowser
        | Action::CopyUrl
        | Action::PasteUrl
        | Action::BuiltInBrowser
        | Action::Choose
        | Action::Submit => Vec::new(),
    }
}

/// `e`: the selected account's transactions, as listed, written as CSV to the download folder.
fn export_on_screen(app: &mut App) -> Vec<Cmd> {
    use super::super::msg::{ExportWhat, Job};
    use super::super::state::{Notice, Tab, Tone};
    let account = app
        .selected_org_id()
        .filter(|_| app.tab == Tab::Transactions)
        .and_then(|org| Some((org.clone(), app.current_account(&org)?)));
    let Some((org, account)) = account else {
        super::navigation::set_status(
            app,
            Notice::Text(
                "e exports a list of transactions: open the Transactions tab, or a search (s, then ^E)"
                    .into(),
            ),
            Tone::Info,
        );
        return Vec::new();
    };
    let org_name = app
        .selected_org()
        .map(|o| o.display_name().to_string())
        .unwrap_or_default();
    let account_name = app
        .data
        .get(&org)
        .and_then(|d| d.overview.value())
        .and_then(|(o, _)| {
            o.bank_accounts
                .iter()
                .find(|a| a.key() == Some(account.as_str()))
                .and_then(|a| a.name.clone())
        })
        .unwrap_or_default();
    // What is shown: with a `/` filter, only the rows it keeps.
    let only = app.row_matches(&org).map(|rows| {
        let listed = app
            .data
            .get(&org)
            .and_then(|d| d.transactions.get(&account))
            .map(|l| l.items.as_slice())
            .unwrap_or_default();
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|i| Some(listed.get(*i)?.id()?.to_string()))
            .collect();
        let words = app
            .row_filter
            .as_ref()
            .map(|f| f.value().trim().to_string())
            .unwrap_or_default();
        (ids, words)
    });
    super::navigation::set_status(app, Notice::Text("exporting…".into()), Tone::Info);
    vec![
        Job::Export(ExportWhat::Account {
            account,
            name: format!("{org_name} {account_name}"),
            declined: app.show_declined,
            only,
        })
        .into(),
    ]
}
