//! Where each part of the screen goes, computed from the terminal size alone, so `draw` and
//! mouse hit-testing in `update` agree: the panes, the tab bar's hit boxes, list scrolling.

use ratatui::layout::{Constraint, Layout, Rect};

/// The tab bar's divider and the padding on each side of a title (ratatui's `Tabs` defaults).
pub const TAB_DIVIDER: &str = "│";
pub const TAB_PADDING: &str = " ";

/// The box of each title in the tab bar, as `Tabs` lays them out: padding, title, padding, divider.
pub fn tab_areas<'a>(tabs: Rect, titles: impl IntoIterator<Item = &'a str>) -> Vec<Rect> {
    let pad = TAB_PADDING.chars().count() as u16;
    let divider = TAB_DIVIDER.chars().count() as u16;
    let mut x = tabs.x;
    let end = tabs.x.saturating_add(tabs.width);
    let mut out = Vec::new();
    for title in titles {
        let width = pad * 2 + title.chars().count() as u16;
        let right = x.saturating_add(width).min(end);
        if right <= x {
            break;
        }
        out.push(Rect::new(x, tabs.y, right - x, tabs.height));
        x = right.saturating_add(divider);
    }
    out
}

/// Rows of context kept above and below the cursor while scrolling, as editors do.
pub const SCROLLOFF: usize = 3;

/// The first row to show: the `previous` one, moved only as far as needed to keep `selected`
/// visible with [`SCROLLOFF`] rows around it (fewer on a short list), never past the end.
pub fn scroll_follow(previous: usize, selected: usize, len: usize, rows: usize) -> usize {
    if rows == 0 || len <= rows {
        return 0;
    }
    let margin = SCROLLOFF.min(rows.saturating_sub(1) / 2);
    let last_start = len - rows;
    let mut offset = previous.min(last_start);
    if selected < offset + margin {
        offset = selected.saturating_sub(margin);
    } else if selected + margin >= offset + rows {
        offset = selected + margin + 1 - rows;
    }
    offset.min(last_start)
}

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

/// Width of the organizations pane: it gives way first on narrow screens, so that the data pane
/// keeps its date column down to 60 columns.
pub fn orgs_width(width: u16) -> u16 {
    if width < 90 {
        (width * 3 / 10).max(14).min(width * 2 / 5)
    } else {
        (width * 32 / 100).clamp(28, 48)
    }
}

/// The screen's areas; `zoomed` gives the data pane the organizations pane's width too.
pub fn main_areas(width: u16, height: u16, banner: bool, zoomed: bool) -> MainAreas {
    let area = Rect::new(0, 0, width, height);
    let [title, banner_area, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(banner)),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let [orgs, data] = Layout::horizontal([
        Constraint::Length(if zoomed { 0 } else { orgs_width(width) }),
        Constraint::Min(0),
    ])
    .areas(body);
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
    main_areas(width, height, false, false)
        .table
        .height
        .saturating_sub(2) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_follows_the_cursor_with_context_and_never_jumps_a_page() {
        let (len, rows) = (100, 10);
        let mut offset = 0;
        // Down from the top: the view starts moving three rows before the bottom edge, one
        // row per step.
        for selected in 0..len {
            let next = scroll_follow(offset, selected, len, rows);
            assert!(
                next == offset || next == offset + 1,
                "{selected}: {offset} -> {next}"
            );
            assert!(selected >= next && selected < next + rows, "visible");
            if next > 0 && next < len - rows {
                assert_eq!(selected, next + rows - 1 - SCROLLOFF, "context kept below");
            }
            offset = next;
        }
        assert_eq!(
            offset,
            len - rows,
            "the last row is at the bottom, no blank page"
        );
        // Back up: the view stays put until the cursor is three rows from the top.
        assert_eq!(scroll_follow(offset, len - 5, len, rows), offset);
        assert_eq!(scroll_follow(offset, offset + 2, len, rows), offset - 1);
        // A jump (End, Home) lands inside the view; short lists never scroll.
        assert_eq!(scroll_follow(0, 99, len, rows), 90);
        assert_eq!(scroll_follow(90, 0, len, rows), 0);
        assert_eq!(scroll_follow(5, 3, 8, 10), 0);
        // Tiny panes keep what margin they can.
        assert_eq!(scroll_follow(0, 2, 100, 2), 1);
    }
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::text::Line;
    use ratatui::widgets::Tabs;

    const TITLES: [&str; 4] = ["1 Accounts", "2 Transactions", "3 Members", "4 Labels"];

    /// The hit boxes land on the titles that ratatui's `Tabs` draws with the same settings.
    #[test]
    fn tab_hit_boxes_cover_the_drawn_titles() {
        let area = Rect::new(3, 0, 70, 1);
        let mut terminal = Terminal::new(TestBackend::new(80, 1)).unwrap();
        terminal
            .draw(|f| {
                let titles: Vec<Line> = TITLES.iter().map(|t| Line::from(*t)).collect();
                f.render_widget(
                    Tabs::new(titles)
                        .padding(TAB_PADDING, TAB_PADDING)
                        .divider(TAB_DIVIDER),
                    area,
                );
            })
            .unwrap();
        let row: String = (0..80)
            .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_string())
            .collect::<Vec<_>>()
            .concat();
        let chars: Vec<char> = row.chars().collect();
        let areas = tab_areas(area, TITLES);
        assert_eq!(areas.len(), TITLES.len());
        for (title, rect) in TITLES.iter().zip(areas) {
            let inside: String = chars[rect.x as usize..(rect.x + rect.width) as usize]
                .iter()
                .collect();
            assert_eq!(inside.trim(), *title, "{row}");
        }
    }
}
