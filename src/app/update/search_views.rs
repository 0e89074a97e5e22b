//! The search's saved views and history: ^N and ^P step through the saved views, ^S saves the
//! query as one (a name asked below the query, written into the config file), ↑ on the first
//! result (or with none) steps back through the searches run before, ↓ forward again.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::msg::{Cmd, Job};
use super::super::state::{App, Notice, Tone};
use super::navigation::set_status;
use crate::app::search_view::same_query;

/// The keys of views and history; `None`: not one of them.
pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Cmd>> {
    let view = app.search.as_mut()?;
    if view.detail.is_some() || view.form.is_some() || view.from_tab {
        return None;
    }
    if view.saving.is_some() {
        return Some(saving_key(app, key));
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('n') if ctrl => Some(step_view(app, 1)),
        KeyCode::Char('p') if ctrl => Some(step_view(app, -1)),
        KeyCode::Char('s') if ctrl => {
            view.saving = Some(Input::default());
            Some(Vec::new())
        }
        KeyCode::Up if view.cursor == 0 && !app.search_history.is_empty() => {
            Some(step_history(app, 1))
        }
        KeyCode::Down if view.history_at.is_some() => Some(step_history(app, -1)),
        _ => {
            // Typing leaves the history where it is.
            view.history_at = None;
            None
        }
    }
}

/// The saved view after (`delta` 1) or before (-1) the one the query is, round.
fn step_view(app: &mut App, delta: isize) -> Vec<Cmd> {
    let count = app.saved_views.len();
    if count == 0 {
        set_status(
            app,
            Notice::Text(
                "No saved view yet: ^S saves this search as one (also [views] in the config file)"
                    .into(),
            ),
            Tone::Info,
        );
        return Vec::new();
    }
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let at = app
        .saved_views
        .iter()
        .position(|v| same_query(&v.query, view.input.value()));
    let next = match at {
        Some(i) => (i as isize + delta).rem_euclid(count as isize) as usize,
        None if delta > 0 => 0,
        None => count - 1,
    };
    let Some(saved) = app.saved_views.get(next) else {
        return Vec::new();
    };
    view.input = Input::new(format!("{} ", saved.query));
    view.cursor = 0;
    view.history_at = None;
    super::search::ask_anew(app)
}

/// One search older (`delta` 1) or newer (-1) in the history; past the newest, what was being
/// typed.
fn step_history(app: &mut App, delta: isize) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let last = app.search_history.len().saturating_sub(1);
    let next = match (view.history_at, delta) {
        (None, d) if d > 0 => {
            view.typed = view.input.value().to_string();
            Some(0)
        }
        (None, _) => None,
        (Some(i), d) if d > 0 => Some((i + 1).min(last)),
        (Some(0), _) => None,
        (Some(i), _) => Some(i - 1),
    };
    let text = match next {
        Some(i) => app.search_history.get(i).cloned().unwrap_or_default(),
        None => std::mem::take(&mut view.typed),
    };
    if view.history_at == next && next.is_some() {
        return Vec::new();
    }
    view.history_at = next;
    view.input = Input::new(text);
    view.cursor = 0;
    super::search::ask_anew(app)
}

/// A key while the name of the view to save is typed: Enter saves, Esc gives up.
fn saving_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let Some(name) = view.saving.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => view.saving = None,
        KeyCode::Enter => {
            let name = name.value().trim().to_string();
            let query = view.input.value().trim().to_string();
            view.saving = None;
            let Some(path) = app.config_path.clone() else {
                set_status(
                    app,
                    Notice::Text("There is no config file to save views in.".into()),
                    Tone::Error,
                );
                return Vec::new();
            };
            set_status(app, Notice::Text("saving the view…".into()), Tone::Info);
            let mut cmds = remember(app);
            cmds.push(Job::SaveView { path, name, query }.into());
            return cmds;
        }
        _ => {
            name.handle_event(&Event::Key(*key));
        }
    }
    Vec::new()
}

/// Remembers the query on screen in the history (the local copy keeps it), when it is one.
pub(super) fn remember(app: &mut App) -> Vec<Cmd> {
    let Some(view) = app.search.as_ref() else {
        return Vec::new();
    };
    let text = view.input.value().trim().to_string();
    if text.is_empty() || view.error.is_some() || view.from_tab {
        return Vec::new();
    }
    app.search_history.retain(|q| q != &text);
    app.search_history.insert(0, text.clone());
    vec![Job::RememberSearch { text }.into()]
}
