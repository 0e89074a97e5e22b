//! The data pane of the selected organization: a header (legal name, number, country, role,
//! freshness), tabs, and the Accounts, Transactions, Members and Labels tables.

use qonto_client::api::Via;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Tabs, Wrap};

use super::format::group_iban;
use super::format::{ago, fit};
use super::spinner;
use super::theme::Theme;
use crate::app::App;
use crate::app::state::{Focus, Load, OrgData, Tab};
use crate::app::text;
use crate::layout::{MainAreas, TAB_DIVIDER, TAB_PADDING, scroll_follow};
use qonto_client::api::models::Organization;
use qonto_client::redact::mask_iban;

pub(super) use super::transactions::transactions;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, areas: &MainAreas) {
    let focused = app.focus == Focus::Data && app.sign_in.is_none();
    let Some(org) = app.selected_org() else {
        let block = Block::bordered().border_style(theme.border());
        frame.render_widget(block, areas.data);
        return;
    };
    let block = theme.pane(format!(" {} ", org.display_name()), focused);
    frame.render_widget(block, areas.data);
    let data = app.org_data(&org.id);
    let overview = data.and_then(|d| d.overview.value());

    // Header: who, what, since when.
    if areas.header.height > 0 {
        let legal = overview
            .map(|(o, _)| o.legal_name.clone())
            .unwrap_or(None)
            .or(org.legal_name.clone())
            .unwrap_or_default();
        let number = overview
            .and_then(|(o, _)| o.legal_number.clone())
            .or(org.legal_number.clone())
            .unwrap_or_default();
        let country = overview
            .and_then(|(o, _)| o.legal_country.clone())
            .or(org.legal_country.clone())
            .unwrap_or_default();
        let role = org.membership_role.as_deref().unwrap_or("?");
        let mut spans = vec![
            Span::styled(legal, theme.header()),
            Span::styled(format!("  {number}  {country}"), theme.dim()),
            Span::raw("  you are "),
            Span::styled(role.to_string(), theme.title()),
        ];
        match org.via {
            Via::User => {}
            Via::Membership => spans.push(Span::styled("  · membership", theme.dim())),
            Via::ApiKey => spans.push(Span::styled("  · read-only key", theme.warning())),
        }
        let line = Line::from(spans);
        frame.render_widget(
            Paragraph::new(line),
            Rect::new(areas.header.x, areas.header.y, areas.header.width, 1),
        );
        if areas.header.height > 1 {
            let freshness = match data.map(|d| &d.overview) {
                Some(Load::Loading {
                    since,
                    previous: Some(_),
                    ..
                }) => format!("{} refreshing…", spinner(app.now.duration_since(*since))),
                Some(Load::Failed {
                    error: qonto_client::api::ApiError::Network(_),
                    previous: Some(p),
                }) => format!(
                    "offline: showing data from {} (last refresh failed)",
                    ago(app.now.duration_since(p.1))
                ),
                Some(Load::Failed {
                    previous: Some(p), ..
                }) => format!(
                    "showing data from {} (last refresh failed)",
                    ago(app.now.duration_since(p.1))
                ),
                Some(Load::Stored { at, .. }) => {
                    let offline = matches!(
                        app.orgs,
                        Load::Failed {
                            error: qonto_client::api::ApiError::Network(_),
                            ..
                        }
                    );
                    format!(
                        "{} {}",
                        if offline {
                            "offline: showing data from"
                        } else {
                            "from the local copy,"
                        },
                        ago(app.now.duration_since(*at))
                    )
                }
                Some(Load::Ready { at, .. }) => {
                    format!("updated {}", ago(app.now.duration_since(*at)))
                }
                _ => String::new(),
            };
            let id_line = Line::from(vec![
                Span::styled(fit(&org.id, 40), theme.dim()),
                Span::styled(format!("  {freshness}"), theme.dim()),
            ]);
            frame.render_widget(
                Paragraph::new(id_line),
                Rect::new(areas.header.x, areas.header.y + 1, areas.header.width, 1),
            );
        }
    }

    let titles: Vec<Line> = Tab::ALL.iter().map(|t| Line::from(t.label())).collect();
    let tabs = Tabs::new(titles)
        .select(app.tab.index())
        .style(theme.dim())
        .highlight_style(if focused {
            theme.selected()
        } else {
            theme.header()
        })
        .padding(TAB_PADDING, TAB_PADDING)
        .divider(TAB_DIVIDER);
    frame.render_widget(tabs, areas.tabs);

    let mut table = areas.table;
    if let Some(filter) = app.row_filter.as_ref().filter(|_| app.tab != Tab::Accounts)
        && table.height > 1
    {
        table = draw_row_filter(frame, app, theme, table, &org.id, filter);
    }
    let Some(data) = data else {
        return loading(frame, theme, table, "Loading…", std::time::Duration::ZERO);
    };
    match &data.overview {
        Load::Failed {
            error,
            previous: None,
        } => {
            let (style, words) = if error.is_forbidden() {
                (theme.warning(), text::api_error(error, &app.keys))
            } else {
                (
                    theme.error(),
                    format!(
                        "{}\n{}",
                        text::api_error(error, &app.keys),
                        text::retry_hint(&app.keys)
                    ),
                )
            };
            frame.render_widget(
                Paragraph::new(words).style(style).wrap(Wrap { trim: true }),
                table,
            );
            return;
        }
        Load::Failed { error, .. } if error.is_forbidden() => {
            frame.render_widget(
                Paragraph::new(text::api_error(error, &app.keys))
                    .style(theme.warning())
                    .wrap(Wrap { trim: true }),
                table,
            );
            return;
        }
        Load::Loading {
            since,
            previous: None,
            ..
        } => {
            return loading(
                frame,
                theme,
                table,
                "Loading accounts…",
                app.now.duration_since(*since),
            );
        }
        _ => {}
    }
    let Some((overview, _)) = overview else {
        return;
    };
    match app.tab {
        Tab::Accounts => accounts(frame, app, theme, table, &org.id, overview, focused),
        Tab::Transactions => {
            transactions(frame, app, theme, table, &org.id, overview, data, focused)
        }
        Tab::Members => members(frame, app, theme, table, &org.id, data, focused),
        Tab::Labels => labels(frame, app, theme, table, &org.id, data, focused),
    }
}

/// The list when there is something to show; otherwise draws why not (error, loading, empty).
pub(super) fn ready_list<'a, T>(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    load: &'a Load<Vec<T>>,
    noun: &str,
    empty: &str,
) -> Option<&'a Vec<T>> {
    if let Load::Failed {
        error,
        previous: None,
        ..
    } = load
    {
        frame.render_widget(
            Paragraph::new(text::api_error(error, &app.keys))
                .style(theme.error())
                .wrap(Wrap { trim: true }),
            area,
        );
        return None;
    }
    let Some((list, _)) = load.value() else {
        loading(
            frame,
            theme,
            area,
            &format!("Loading {noun}…"),
            app.now.duration_since(app.started_at),
        );
        return None;
    };
    if list.is_empty() {
        frame.render_widget(Paragraph::new(empty.to_string()).style(theme.dim()), area);
        return None;
    }
    Some(list)
}

pub(super) fn loading(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    what: &str,
    elapsed: std::time::Duration,
) {
    let line = Line::from(vec![
        Span::styled(spinner(elapsed), theme.title()),
        Span::raw(format!(" {what}")),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// A table's columns and where its cursor is.
pub(super) struct TableSpec<'a> {
    pub header: Vec<&'a str>,
    pub widths: Vec<Constraint>,
    pub count: usize,
    pub cursor: usize,
    pub focused: bool,
    /// The first row shown last time, moved only as far as the cursor needs.
    pub scroll: &'a std::cell::Cell<usize>,
    /// Only these rows, when the data pane's filter is set.
    pub rows: Option<Vec<usize>>,
}

/// The data filter's line above the table (what is typed, how many rows match, how to clear
/// it); the table gets the rest.
fn draw_row_filter(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    org: &str,
    filter: &tui_input::Input,
) -> Rect {
    let matches = app.row_matches(org).map_or(0, |m| m.len());
    let mut note = format!("{matches} match{}", if matches == 1 { "" } else { "es" });
    // Over the whole account, or what is loaded of it, said.
    let list = app
        .current_account(org)
        .filter(|_| app.tab == crate::app::state::Tab::Transactions)
        .and_then(|account| app.data.get(org)?.transactions.get(&account));
    if let Some(list) = list {
        let rows = app.locale.count(list.items.len() as i64);
        note.push_str(&match (list.next_page, list.whole_from_copy) {
            (None, _) => format!(" in all {rows}"),
            (Some(_), Some(false)) => format!(
                " in the {rows} loaded: the local copy does not hold this account whole yet"
            ),
            (Some(_), _) => format!(" in the {rows} loaded"),
        });
    }
    super::filter_line(
        frame,
        app,
        theme,
        area,
        filter,
        app.editing_rows(),
        Some(note),
    );
    Rect::new(area.x, area.y + 1, area.width, area.height - 1)
}

/// Renders `spec.count` rows of which only the visible ones are built.
pub(super) fn windowed_table<'a>(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    spec: TableSpec<'a>,
    mut make_row: impl FnMut(usize, bool) -> Vec<Cell<'a>>,
) {
    let rows_on_screen = area.height.saturating_sub(1) as usize;
    // Positions on screen, and the row each shows.
    let (count, cursor) = match &spec.rows {
        Some(rows) => (
            rows.len(),
            rows.iter().position(|&r| r >= spec.cursor).unwrap_or(0),
        ),
        None => (spec.count, spec.cursor),
    };
    let row_at = |i: usize| spec.rows.as_ref().map_or(i, |rows| rows[i]);
    let offset = scroll_follow(spec.scroll.get(), cursor, count, rows_on_screen);
    spec.scroll.set(offset);
    let rows: Vec<Row> = (offset..count.min(offset + rows_on_screen))
        .map(|i| {
            let selected = i == cursor;
            Row::new(make_row(row_at(i), selected)).style(theme.row(selected, spec.focused))
        })
        .collect();
    let table = Table::new(rows, spec.widths)
        .header(Row::new(spec.header).style(theme.header()))
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn accounts(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    org: &str,
    overview: &Organization,
    focused: bool,
) {
    let accounts = &overview.bank_accounts;
    if accounts.is_empty() {
        frame.render_widget(Paragraph::new("No bank account.").style(theme.dim()), area);
        return;
    }
    let cursor = app.cursors_for(org).account.min(accounts.len() - 1);
    // Qonto hides balances from some roles: say so, rather than leave dashes unexplained.
    let area = if accounts.iter().all(|a| a.balance_in_cents().is_none()) && area.height > 2 {
        let role = app
            .org_list()
            .iter()
            .find(|o| o.id == org)
            .and_then(|o| o.membership_role.clone())
            .unwrap_or_else(|| "your role".into());
        let note = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
        frame.render_widget(
            Paragraph::new(text::balances_hidden(&role)).style(theme.dim()),
            note,
        );
        Rect::new(area.x, area.y, area.width, area.height - 1)
    } else {
        area
    };
    // Columns give way from the right as the pane narrows; the name and balance stay.
    let show_iban = area.width >= 64;
    let show_authorized = area.width >= 80;
    let show_status = area.width >= 100;
    let mut header = vec!["Account"];
    let mut widths = vec![Constraint::Fill(1)];
    if show_iban {
        header.push("IBAN");
        widths.push(Constraint::Length(if app.reveal_ibans { 34 } else { 19 }));
    }
    header.push("Balance");
    widths.push(Constraint::Length(16));
    if show_authorized {
        header.push("Authorized");
        widths.push(Constraint::Length(16));
    }
    if show_status {
        header.extend(["Status", "Main"]);
        widths.extend([Constraint::Length(8), Constraint::Length(4)]);
    }
    windowed_table(
        frame,
        theme,
        area,
        TableSpec {
            header,
            widths,
            count: accounts.len(),
            cursor,
            focused,
            scroll: &app.scroll.data,
            rows: app.row_matches(org),
        },
        |i, _| {
            let a = &accounts[i];
            let currency = a.currency.as_deref().unwrap_or("EUR");
            // A role Qonto hides balances from shows a dash, never 0.
            let balance = a
                .balance_in_cents()
                .map(|c| app.locale.money(c, currency))
                .unwrap_or_else(|| "—".into());
            let authorized = a
                .authorized_in_cents()
                .map(|c| app.locale.money(c, currency))
                .unwrap_or_else(|| "—".into());
            let mut cells = vec![Cell::from(a.name.clone().unwrap_or_else(|| "—".into()))];
            if show_iban {
                let iban = a
                    .iban
                    .as_deref()
                    .map(|i| {
                        if app.reveal_ibans {
                            group_iban(i)
                        } else {
                            mask_iban(i)
                        }
                    })
                    .unwrap_or_default();
                cells.push(Cell::from(iban));
            }
            cells.push(Cell::from(Line::from(balance).right_aligned()));
            if show_authorized {
                cells.push(Cell::from(Line::from(authorized).right_aligned()));
            }
            if show_status {
                cells.push(Cell::from(a.status.clone().unwrap_or_default()));
                cells.push(Cell::from(if a.main { "★" } else { "" }));
            }
            cells
        },
    );
}

fn members(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    org: &str,
    data: &OrgData,
    focused: bool,
) {
    let Some(members) = ready_list(
        frame,
        app,
        theme,
        area,
        &data.members,
        "members",
        "No member.",
    ) else {
        return;
    };
    let cursor = app.cursors_for(org).member.min(members.len() - 1);
    let header = vec!["Name", "Role", "Status", "Country"];
    let widths = vec![
        Constraint::Fill(1),
        Constraint::Length(11),
        Constraint::Length(10),
        Constraint::Length(7),
    ];
    windowed_table(
        frame,
        theme,
        area,
        TableSpec {
            header,
            widths,
            count: members.len(),
            cursor,
            focused,
            scroll: &app.scroll.data,
            rows: app.row_matches(org),
        },
        |i, _| {
            let m = &members[i];
            vec![
                Cell::from(m.full_name()),
                Cell::from(m.role.clone().unwrap_or_else(|| "—".into())),
                Cell::from(m.status.clone().unwrap_or_default()),
                Cell::from(m.residence_country.clone().unwrap_or_default()),
            ]
        },
    );
}

fn labels(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    org: &str,
    data: &OrgData,
    focused: bool,
) {
    let Some(labels) = ready_list(frame, app, theme, area, &data.labels, "labels", "No label.")
    else {
        return;
    };
    let cursor = app.cursors_for(org).label.min(labels.len() - 1);
    let name_of = |id: &str| {
        labels
            .iter()
            .find(|l| l.id.as_deref() == Some(id))
            .and_then(|l| l.name.clone())
            .unwrap_or_default()
    };
    windowed_table(
        frame,
        theme,
        area,
        TableSpec {
            header: vec!["Label", "Parent"],
            widths: vec![Constraint::Fill(1), Constraint::Fill(1)],
            count: labels.len(),
            cursor,
            focused,
            scroll: &app.scroll.data,
            rows: app.row_matches(org),
        },
        |i, _| {
            let l = &labels[i];
            let name = l.name.clone().unwrap_or_default();
            let indented = if l.parent_id.is_some() {
                format!("  └ {name}")
            } else {
                name
            };
            vec![
                Cell::from(indented),
                Cell::from(Span::styled(
                    l.parent_id.as_deref().map(name_of).unwrap_or_default(),
                    theme.dim(),
                )),
            ]
        },
    );
}
