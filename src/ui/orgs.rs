//! The organizations pane: name, role, source and short id per row, a filter line, the full id
//! of the selected one at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::fit;
use super::spinner;
use super::theme::Theme;
use crate::app::App;
use crate::app::state::{Focus, Load};
use crate::app::text;
use crate::layout::{org_list_rows, scroll_follow};
use qonto_client::api::Via;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let focused = app.focus == Focus::Orgs && app.sign_in.is_none();
    let total = app.org_list().len();
    let title = if app.filter.is_some() || app.visible.len() != total {
        format!(" Organizations {}/{} ", app.visible.len(), total)
    } else {
        format!(" Organizations ({total}) ")
    };
    let block = theme.pane(title, focused);
    frame.render_widget(block, area);
    let rows = org_list_rows(area);
    let mut list_area = rows;
    if let Some(filter) = &app.filter {
        super::filter_line(frame, app, theme, rows, filter, app.editing_orgs(), None);
        list_area = Rect::new(
            rows.x,
            rows.y + 1,
            rows.width,
            rows.height.saturating_sub(1),
        );
    }
    match &app.orgs {
        Load::Loading {
            since,
            previous: None,
            ..
        } => {
            let line = Line::from(vec![
                Span::styled(spinner(app.now.duration_since(*since)), theme.title()),
                Span::raw(" Loading…"),
            ]);
            frame.render_widget(Paragraph::new(line), list_area);
            return;
        }
        Load::Failed {
            error,
            previous: None,
            ..
        } => {
            frame.render_widget(
                Paragraph::new(fit(
                    &text::api_error(error, &app.keys),
                    list_area.width as usize * 3,
                ))
                .style(theme.error())
                .wrap(ratatui::widgets::Wrap { trim: true }),
                list_area,
            );
            return;
        }
        _ => {}
    }
    if app.visible.is_empty() {
        let note = if total == 0 {
            text::nothing_shared(&app.keys)
        } else {
            text::NO_MATCH.to_string()
        };
        frame.render_widget(
            Paragraph::new(note)
                .style(theme.dim())
                .wrap(ratatui::widgets::Wrap { trim: true }),
            list_area,
        );
        return;
    }
    let height = list_area.height as usize;
    let offset = scroll_follow(
        app.scroll.orgs.get(),
        app.selected,
        app.visible.len(),
        height,
    );
    app.scroll.orgs.set(offset);
    let width = list_area.width as usize;
    let orgs = app.org_list();
    // A source column only when some organization is reached otherwise than by the User flow.
    let tagged = orgs.iter().any(|o| o.via != Via::User);
    // Names come first: the role, source and id columns only where the longest name shown
    // (up to 24 letters) and its mark still fit beside them.
    let longest_name = app
        .visible
        .iter()
        .filter_map(|&i| orgs.get(i))
        .map(|o| o.display_name().chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let room = width.saturating_sub(longest_name + 2 + 4);
    for (row, &index) in app.visible.iter().enumerate().skip(offset).take(height) {
        let Some(org) = orgs.get(index) else { continue };
        let role = org.membership_role.as_deref().unwrap_or("?");
        let short_id: String = org.id.chars().take(8).collect();
        let tag = source_tag(org.via);
        let right = match (room, tagged) {
            (20.., false) => format!(" {role:<10} {short_id}"),
            (24.., true) => format!(" {role:<10} {tag:<3} {short_id}"),
            (15.., true) => format!(" {role:<10} {tag:<3}"),
            (11.., false) => format!(" {role}"),
            (4.., true) => format!(" {tag:<3}"),
            _ => String::new(),
        };
        // How far the background sync of its books is (wide rows only: the name comes first).
        let receipts = app
            .missing_receipts
            .get(&org.id)
            .filter(|n| **n > 0)
            .map(|n| format!("⚠{n}"));
        let arrived = app
            .arrivals
            .get(&org.id)
            .filter(|n| **n > 0)
            .map(|n| format!("●{n}"));
        let sync_mark = app
            .sync
            .mark(&org.id)
            .or(arrived)
            .or(receipts)
            .filter(|_| width >= 20);
        let mark_width = sync_mark.as_ref().map_or(0, |m| m.chars().count() + 1);
        let name_width = width.saturating_sub(right.chars().count() + 2 + mark_width);
        let marker = if row == app.selected { "▸ " } else { "  " };
        let loading_since = app.data.get(&org.id).and_then(|d| match d.overview {
            Load::Loading { since, .. } => Some(since),
            _ => None,
        });
        let name = fit(org.display_name(), name_width);
        let mut spans = vec![Span::raw(marker), Span::raw(format!("{name:<name_width$}"))];
        if let Some(mark) = sync_mark {
            let style = if mark == "!" || mark.starts_with('⚠') {
                theme.warning()
            } else if mark.starts_with('●') {
                theme.credit()
            } else {
                theme.dim()
            };
            spans.push(Span::styled(format!(" {mark}"), style));
        }
        spans.push(Span::styled(right, theme.dim()));
        if let Some(since) = loading_since
            && width > 4
        {
            spans.push(Span::styled(
                spinner(app.now.duration_since(since)),
                theme.dim(),
            ));
        }
        let style = theme.row(row == app.selected, focused);
        let y = list_area.y + (row - offset) as u16;
        frame.render_widget(
            Paragraph::new(Line::from(spans)).style(style),
            Rect::new(list_area.x, y, list_area.width, 1),
        );
    }
    // The full id of the selected organization.
    if rows.height >= 5
        && let Some(org) = app.selected_org()
    {
        let y = area.y + area.height.saturating_sub(2);
        let id = fit(&org.id, width);
        frame.render_widget(
            Paragraph::new(id).style(theme.dim()),
            Rect::new(rows.x, y, rows.width, 1),
        );
    }
}

/// How a row says which credential reaches its organization (the help overlay explains).
pub fn source_tag(via: Via) -> &'static str {
    match via {
        Via::User => "",
        Via::Membership => "mbr",
        Via::ApiKey => "key",
    }
}
