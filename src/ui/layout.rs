//! Where each part of the screen goes, computed from the terminal size alone, so `draw` and
//! mouse hit-testing in `update` agree.

use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Debug, Clone, Copy)]
pub struct MainAreas {
    pub title: Rect,
    pub banner: Rect,
    pub orgs: Rect,
    pub data: Rect,
    /// Inside `data`: the organization header, the tab bar and the table.
    pub header: Rect,
    pub tabs: Rect,
    pub table: Rect,
    pub status: Rect,
}

/// Width of the organizations pane.
pub fn orgs_width(width: u16) -> u16 {
    if width < 60 {
        width * 2 / 5
    } else {
        (width * 32 / 100).clamp(28, 48)
    }
}

pub fn main_areas(width: u16, height: u16, banner: bool) -> MainAreas {
    let area = Rect::new(0, 0, width, height);
    let [title, banner_area, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(banner)),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let [orgs, data] =
        Layout::horizontal([Constraint::Length(orgs_width(width)), Constraint::Min(0)]).areas(body);
    let inner = Rect::new(
        data.x + 1,
        data.y + 1,
        data.width.saturating_sub(2),
        data.height.saturating_sub(2),
    );
    let header_height = if inner.height >= 10 {
        2
    } else {
        u16::from(inner.height >= 6)
    };
    let [header, tabs, table] = Layout::vertical([
        Constraint::Length(header_height),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    MainAreas {
        title,
        banner: banner_area,
        orgs,
        data,
        header,
        tabs,
        table,
        status,
    }
}

/// The rows of the organization list inside its pane (under the border and the filter line,
/// above the detail line).
pub fn org_list_rows(orgs: Rect) -> Rect {
    let inner = Rect::new(
        orgs.x + 1,
        orgs.y + 1,
        orgs.width.saturating_sub(2),
        orgs.height.saturating_sub(2),
    );
    let detail = u16::from(inner.height >= 6);
    Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(detail),
    )
}

/// Rows of data the table shows at this size (its header excluded), for paging.
pub fn table_rows(width: u16, height: u16) -> usize {
    main_areas(width, height, false)
        .table
        .height
        .saturating_sub(2) as usize
}
