//! The command palette's keys: typing narrows it, ↑↓ choose, Enter runs the chosen entry (what
//! its key would do, selecting an organization, or a search), Esc closes it.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

use super::super::command_palette::{CommandPalette, Pick, entries};
use super::super::keymap::Action;
use super::super::msg::Cmd;
use super::super::state::{App, Focus};
use super::navigation::{quit, refilter, select_changed};

/// Recent searches the palette offers.
const RECENT: usize = 10;

/// Opens the palette over whatever is shown.
pub(super) fn open(app: &mut App) -> Vec<Cmd> {
    app.command_palette = Some(CommandPalette::new(every_entry(app)));
    super::search::load_history(app)
}

/// The history came after the palette opened: its entries again, the words kept.
pub(super) fn history_came(app: &mut App) {
    let entries = every_entry(app);
    if let Some(palette) = app.command_palette.as_mut() {
        palette.replace_entries(entries);
    }
}

fn every_entry(app: &App) -> Vec<super::super::command_palette::Entry> {
    let orgs = app
        .org_list()
        .iter()
        .map(|o| (o.id.clone(), o.display_name().to_string()));
    let saved = app.saved_views.iter().map(|v| {
        (
            v.name.clone(),
            v.query.clone(),
            v.key.map(|k| k.label()).unwrap_or_default(),
        )
    });
    let recent = app.search_history.iter().take(RECENT).cloned();
    entries(&app.keys, saved, recent, orgs)
}

/// Every key while the palette is open.
pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let Some(palette) = app.command_palette.as_mut() else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => return quit(app),
        KeyCode::Esc => app.command_palette = None,
        KeyCode::Up => palette.move_by(-1),
        KeyCode::Down | KeyCode::Tab => palette.move_by(1),
        KeyCode::Char('p') if ctrl => palette.move_by(-1),
        KeyCode::Char('n') if ctrl => palette.move_by(1),
        KeyCode::PageUp => palette.move_by(-(app.page_rows.max(1) as isize)),
        KeyCode::PageDown => palette.move_by(app.page_rows.max(1) as isize),
        KeyCode::Enter => {
            let pick = palette.chosen().map(|e| e.pick.clone());
            app.command_palette = None;
            return match pick {
                Some(pick) => run(app, pick),
                None => Vec::new(),
            };
        }
        _ => {
            let before = palette.input.value().to_string();
            palette.input.handle_event(&Event::Key(*key));
            if palette.input.value() != before {
                palette.refilter();
            }
        }
    }
    Vec::new()
}

/// Does what the picked entry says, over the main screen (what was open closes first, but for
/// help, which shows over it).
fn run(app: &mut App, pick: Pick) -> Vec<Cmd> {
    if pick != Pick::Action(Action::Help) {
        close_views(app);
    }
    match pick {
        Pick::Action(action) => super::input::perform(app, action),
        Pick::Search(text) => super::search::open(app, Some(&text)),
        Pick::Org(id) => select_org(app, &id),
    }
}

/// Closes the views drawn over the panes.
fn close_views(app: &mut App) {
    app.search = None;
    app.cash = None;
    app.review = None;
    app.rules_view = None;
    app.board = None;
    app.close_inbox();
}

/// Selects organization `id`, clearing an organizations' filter that hides it.
fn select_org(app: &mut App, id: &str) -> Vec<Cmd> {
    let Some(index) = app.org_list().iter().position(|o| o.id == id) else {
        return Vec::new();
    };
    if !app.visible.contains(&index) {
        app.filter = None;
        app.filter_editing = false;
        refilter(app);
    }
    if let Some(at) = app.visible.iter().position(|&i| i == index) {
        app.selected = at;
    }
    app.focus = Focus::Orgs;
    select_changed(app)
}
