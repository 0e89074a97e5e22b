//! The Transactions tab: the account's name, position, toggles, the marked count and total,
//! and the newest-first table (marks in its first column), windowed to the rows on screen.

use qonto_client::api::values::Status;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Wrap};

use super::data::{TableSpec, loading, windowed_table};
use super::format::words;
use super::spinner;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::Action;
use crate::app::listed::ListedTransaction;
use crate::app::state::OrgData;
use crate::app::text;
use qonto_client::api::models::Organization;

#[allow(clippy::too_many_arguments)]
pub(super) fn transactions(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    org: &str,
    overview: &Organization,
    data: &OrgData,
    focused: bool,
) {
    let Some(account_id) = app.current_account(org) else {
        frame.render_widget(Paragraph::new("No bank account.").style(theme.dim()), area);
        return;
    };
    let cursors = app.cursors_for(org);
    let account = overview
        .bank_accounts
        .iter()
        .find(|a| a.key() == Some(account_id.as_str()));
    let name = account.and_then(|a| a.name.clone()).unwrap_or_default();
    let list = data.transactions.get(&account_id);
    let loaded = list.map(|l| l.items.len()).unwrap_or(0);
    let total = list.and_then(|l| l.total);
    let position = if loaded == 0 {
        0
    } else {
        cursors.transaction.min(loaded - 1) + 1
    };
    let count_text = match total {
        Some(t) => format!("{position} of {t}"),
        None => format!("{position} of {loaded}"),
    };
    let more = overview.bank_accounts.len() > 1;
    let mut info = vec![
        Span::styled(name, theme.header()),
        Span::styled(format!("  {count_text}"), theme.dim()),
    ];
    if !app.tx_marks.is_empty() {
        let total: Vec<String> = app
            .tx_marks
            .totals()
            .iter()
            .map(|(currency, cents)| app.locale.signed_money(*cents, currency))
            .collect();
        info.push(Span::styled(
            format!(
                "  {} marked, {} · ^G category",
                app.tx_marks.len(),
                total.join(" + ")
            ),
            theme.title(),
        ));
    }
    let declined = if app.show_declined {
        "hide declined"
    } else {
        "show declined"
    };
    info.push(Span::styled(
        format!("  {} {declined}", app.keys.main(Action::ToggleDeclined)),
        theme.dim(),
    ));
    if more {
        let keys = format!(
            "  {} or {} other account",
            app.keys.main(Action::PrevAccount),
            app.keys.main(Action::NextAccount)
        );
        info.push(Span::styled(keys, theme.dim()));
    }
    if let Some((page, _)) = list.and_then(|l| l.loading) {
        let spin = spinner(app.now.duration_since(app.started_at));
        let seeking = app
            .seeking_end
            .as_ref()
            .is_some_and(|(o, a)| o == org && a == &account_id);
        let words = match list.and_then(|l| l.total_pages).filter(|_| seeking) {
            Some(pages) => {
                format!("  {spin} loading older… page {page} of {pages}, to the last one")
            }
            None => format!("  {spin} loading page {page}…"),
        };
        info.push(Span::styled(words, theme.dim()));
    }
    // Last, what the listed rows add up to (the first to go when the line is short).
    if let Some(list) = list.filter(|l| !l.items.is_empty()) {
        info.push(Span::raw(listed_total(app, org, list)));
    }
    frame.render_widget(
        Paragraph::new(Line::from(info)),
        Rect::new(area.x, area.y, area.width, 1.min(area.height)),
    );
    let body = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(1),
    );
    let Some(list) = list else {
        return loading(
            frame,
            theme,
            body,
            "Loading transactions…",
            std::time::Duration::ZERO,
        );
    };
    if list.items.is_empty() {
        if let Some(e) = &list.error {
            frame.render_widget(
                Paragraph::new(text::api_error(e, &app.keys))
                    .style(theme.error())
                    .wrap(Wrap { trim: true }),
                body,
            );
        } else if list.loading.is_some() {
            loading(
                frame,
                theme,
                body,
                "Loading transactions…",
                app.now.duration_since(app.started_at),
            );
        } else {
            frame.render_widget(
                Paragraph::new("No transaction yet.").style(theme.dim()),
                body,
            );
        }
        return;
    }
    // What goes first when the width shrinks: the type, then the status to a few letters (only
    // pending and declined say anything), then the date; counterparty and amount always stay.
    let show_date = area.width >= 40;
    let show_status = area.width >= 66;
    let short_status = !show_status && area.width >= 46;
    let show_type = area.width >= 84;
    let mut header = vec![""];
    let mut widths = vec![Constraint::Length(1)];
    if show_date {
        header.push("Settled");
        widths.push(Constraint::Length(10));
    }
    header.extend(["Counterparty", "Amount"]);
    widths.extend([Constraint::Fill(1), Constraint::Length(15)]);
    if show_status {
        header.push("Status");
        widths.push(Constraint::Length(9));
    } else if short_status {
        header.push("");
        widths.push(Constraint::Length(4));
    }
    if show_type {
        header.push("Type");
        widths.push(Constraint::Length(12));
    }
    let cursor = cursors.transaction.min(list.items.len() - 1);
    windowed_table(
        frame,
        theme,
        body,
        TableSpec {
            header,
            widths,
            count: list.items.len(),
            cursor,
            focused,
            scroll: &app.scroll.data,
            rows: app.row_matches(org),
        },
        |i, selected| {
            let t = &list.items[i];
            let currency = t.currency();
            let amount = t
                .signed_cents()
                .map(|c| app.locale.signed_money(c, currency))
                .unwrap_or_else(|| "—".into());
            // The selected row is drawn reversed: coloured cells would turn into blocks there.
            let plain = |style: Style| if selected { Style::new() } else { style };
            let style = plain(if t.is_credit() {
                theme.credit()
            } else {
                theme.debit()
            });
            let status_style = plain(match t.status() {
                Some(Status::Pending) => theme.warning(),
                Some(Status::Declined) => theme.dim(),
                _ => Style::new(),
            });
            let status = words(t.status().map_or("", Status::as_str));
            let marked = t.id().is_some_and(|id| app.tx_marks.contains(id));
            let mut cells = vec![Cell::from(Span::styled(
                if marked { "■" } else { "" },
                plain(theme.title()),
            ))];
            if show_date {
                // The settlement date; one not settled yet shows when it was made, dimmed.
                let cell = match t.date() {
                    Some(settled) if t.is_settled() => Span::raw(app.locale.date(settled)),
                    Some(emitted) => Span::styled(app.locale.date(emitted), plain(theme.dim())),
                    None => Span::raw(""),
                };
                cells.push(Cell::from(cell));
            }
            cells.push(Cell::from(t.counterparty().to_string()));
            cells.push(Cell::from(
                Line::from(Span::styled(amount, style)).right_aligned(),
            ));
            if show_status {
                cells.push(Cell::from(Span::styled(status, status_style)));
            } else if short_status {
                let short = match t.status() {
                    Some(Status::Pending) => "pend",
                    Some(Status::Declined) => "decl",
                    _ => "",
                };
                cells.push(Cell::from(Span::styled(short, status_style)));
            }
            if show_type {
                cells.push(Cell::from(Span::styled(
                    words(t.operation_type().map_or("", |o| o.as_str())),
                    plain(theme.dim()),
                )));
            }
            cells
        },
    );
}

/// What the rows listed add up to, per currency (a declined one moved no money), and which
/// rows those are: the `/` filter's matches, every row, or the ones loaded so far.
fn listed_total(app: &App, org: &str, list: &crate::app::state::TransactionList) -> String {
    let matches = app.row_matches(org);
    let words = app
        .row_filter
        .as_ref()
        .map(|f| f.value().trim().to_lowercase())
        .unwrap_or_default();
    let key = (
        org.to_string(),
        app.current_account(org).unwrap_or_default(),
        list.revision,
        list.items.len(),
        words,
    );
    let mut cache = app.listed_sums.borrow_mut();
    if cache.as_ref().is_none_or(|(k, _)| *k != key) {
        let rows: Box<dyn Iterator<Item = &ListedTransaction>> = match &matches {
            Some(indexes) => Box::new(indexes.iter().filter_map(|i| list.items.get(*i))),
            None => Box::new(list.items.iter()),
        };
        let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
        for t in rows.filter(|t| t.status() != Some(&Status::Declined)) {
            if let Some(cents) = t.signed_cents() {
                *sums.entry(t.currency().to_string()).or_default() += cents;
            }
        }
        *cache = Some((key, sums.into_iter().collect()));
    }
    let sums = cache
        .as_ref()
        .map(|(_, s)| s.as_slice())
        .unwrap_or_default();
    let money: Vec<String> = sums
        .iter()
        .map(|(currency, cents)| app.locale.signed_money(*cents, currency))
        .collect();
    let money = if money.is_empty() {
        "nothing".to_string()
    } else {
        money.join(" + ")
    };
    let count = |n: usize| app.locale.count(n as i64);
    match (&matches, list.next_page) {
        (Some(m), _) => format!("  · {} matching: {money}", count(m.len())),
        (None, None) => format!("  · all {}: {money}", count(list.items.len())),
        (None, Some(_)) => format!("  · the {} loaded: {money}", count(list.items.len())),
    }
}
