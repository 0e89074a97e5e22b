//! The mouse: a click selects (an organization, a tab, a pane), the wheel scrolls. Hit boxes
//! come from `layout`, the same code that places what `draw` draws.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::super::msg::Cmd;
use super::super::state::{App, Focus, Screen, Tab};
use super::navigation::{move_by, select_changed, set_tab};
use crate::layout;

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent) -> Vec<Cmd> {
    if app.sign_in.is_some() || app.help || app.screen != Screen::Main {
        return Vec::new();
    }
    let areas = layout::main_areas(app.size.0, app.size.1, app.banner.is_some(), app.zoomed);
    let at = Position::new(mouse.column, mouse.row);
    let inside = |r: Rect| r.contains(at);
    match mouse.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = mouse.kind == MouseEventKind::ScrollDown;
            if inside(areas.orgs) {
                app.focus = Focus::Orgs;
                // The wheel moves the selection one at a time in the short org list.
                move_by(app, if down { 1 } else { -1 })
            } else {
                app.focus = Focus::Data;
                move_by(app, if down { 3 } else { -3 })
            }
        }
        MouseEventKind::Down(MouseButton::Left) => {
            if inside(areas.orgs) {
                app.focus = Focus::Orgs;
                let list = layout::org_list_rows(areas.orgs);
                if !list.contains(at) {
                    return Vec::new();
                }
                // The rows as last drawn: what the user clicked on.
                let offset = app.scroll.orgs.get();
                let index = offset + (mouse.row - list.y) as usize;
                if index < app.visible.len() && index != app.selected {
                    app.selected = index;
                    return select_changed(app);
                }
            } else if inside(areas.tabs) {
                app.focus = Focus::Data;
                let labels = Tab::ALL.map(Tab::label);
                let boxes = layout::tab_areas(areas.tabs, labels.iter().map(String::as_str));
                if let Some(i) = boxes.iter().position(|r| r.contains(at)) {
                    return set_tab(app, Tab::ALL[i]);
                }
            } else if inside(areas.data) {
                app.focus = Focus::Data;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
