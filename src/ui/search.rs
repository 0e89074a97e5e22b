//! The search across every organization: the query line, what it found (each row naming its
//! organization), and the transaction opened from it with every field a bookkeeper checks.

use qonto_books::query::Sort;
use qonto_books::values::{Side, Status};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Wrap};

use super::data::{TableSpec, windowed_table};
use super::format::{fit, group_iban, words};
use super::spinner;
use super::theme::Theme;
use crate::app::search_form::{Field, Form};
use crate::app::search_view::{DetailView, MOST_RESULTS, SearchView};
use crate::app::{App, text};
use qonto_books::Detail;
use qonto_client::redact::mask_iban;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &SearchView) {
    let title = if view.from_tab {
        " Transaction · Esc back to the list · ↑↓ the next ones "
    } else {
        " Search every organization "
    };
    let mut block = theme.pane(title.to_string(), true);
    if !view.from_tab && !app.saved_views.is_empty() {
        block = block.title_top(view_tabs(app, theme, view).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let line = Rect::new(inner.x, inner.y, inner.width, 1);
    let prompt = "› ";
    let width = inner.width.saturating_sub(prompt.len() as u16 + 1) as usize;
    let scroll = view.input.visual_scroll(width);
    let shown: String = view
        .input
        .value()
        .chars()
        .skip(scroll)
        .take(width)
        .collect();
    // Opened from the Transactions tab, there is no query to show.
    if !view.from_tab {
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt, theme.title()),
                Span::raw(shown),
            ])),
            line,
        );
    }
    if view.detail.is_none() {
        let x = inner.x + 2 + (view.input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), inner.y));
    }
    let about = Rect::new(inner.x, inner.y + 1, inner.width, 1);
    match &view.saving {
        Some(name) => {
            let asked = "Save this search as (a name: letters, digits, _ or -): ";
            let after = " · Enter saves · Esc no";
            frame.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled(asked, theme.title()),
                    Span::raw(name.value().to_string()),
                    Span::styled(after, theme.dim()),
                ])),
                about,
            );
            let x = inner.x + (asked.chars().count() + name.visual_cursor()) as u16;
            frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), about.y));
        }
        None => frame.render_widget(summary(app, theme, view, inner.width as usize), about),
    }
    let body = Rect::new(
        inner.x,
        inner.y + 2,
        inner.width,
        inner.height.saturating_sub(2),
    );
    if let Some((form, line)) = &view.form {
        draw_form(frame, theme, body, form, *line);
        return;
    }
    match &view.detail {
        Some(DetailView::Ready(detail)) => {
            draw_detail(frame, app, theme, body, detail, view.detail_scroll)
        }
        Some(DetailView::Loading { .. }) => frame.render_widget(
            Paragraph::new("Reading the transaction…").style(theme.dim()),
            body,
        ),
        Some(DetailView::Failed(why)) => frame.render_widget(
            Paragraph::new(fit(&text::local_copy_error(why), body.width as usize * 2))
                .style(theme.error())
                .wrap(Wrap { trim: true }),
            body,
        ),
        None => draw_results(frame, app, theme, body, view),
    }
}

/// The saved views as tabs in the title, the one the query is reversed: `^N views: a │ b`.
fn view_tabs<'a>(app: &App, theme: &Theme, view: &SearchView) -> Line<'a> {
    let mut spans = vec![Span::styled(" ^N views: ", theme.dim())];
    for (i, saved) in app.saved_views.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.dim()));
        }
        let on = crate::app::search_view::same_query(&saved.query, view.input.value());
        let style = if on { theme.selected() } else { theme.title() };
        spans.push(Span::styled(saved.name.clone(), style));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// How many were found and what the keys do, or why nothing can be.
fn summary<'a>(app: &App, theme: &Theme, view: &SearchView, width: usize) -> Paragraph<'a> {
    if let Some(why) = &view.error {
        return Paragraph::new(fit(&text::local_copy_error(why), width)).style(theme.error());
    }
    let money = |sums: &[(String, i64)]| {
        sums.iter()
            .map(|(currency, cents)| app.locale.signed_money(*cents, currency))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let count = match &view.totals {
        // Every match counted and added up: how many, and what they come to; grouped by
        // organization, each one's too.
        Some(totals) => {
            let mut words = format!(
                "{} found, {}",
                app.locale.count(totals.count as i64),
                money(&totals.sums)
            );
            // Grouped: the chosen row's organization's part of it (each group's as the cursor
            // reaches it).
            let chosen_org = view.results.get(view.cursor).map(|f| &f.tx.org_id);
            if view.sort == Sort::Org
                && let Some(org) = totals.by_org.iter().find(|o| Some(&o.org_id) == chosen_org)
            {
                words.push_str(&format!(
                    " · {}: {}, {}",
                    fit(&org.name, 24),
                    app.locale.count(org.count as i64),
                    money(&org.sums)
                ));
            }
            words
        }
        None if view.total > view.results.len() => {
            format!("{}+ found", app.locale.count(view.results.len() as i64))
        }
        None => format!("{} found", app.locale.count(view.total as i64)),
    };
    if view.detail.is_some() {
        let (words, style) = match &view.receipts {
            Some(None) => ("fetching the receipts from Qonto…".to_string(), theme.dim()),
            Some(Some(Ok(done))) => (
                format!("{} · Esc back", text::receipts_placed(done)),
                theme.success(),
            ),
            Some(Some(Err(why))) => (text::receipts_failed(why), theme.error()),
            None => (
                "a attach a file · D remove a receipt · u undo · o open the receipts · w save them · y copy · ↑↓ previous/next · Esc back".into(),
                theme.dim(),
            ),
        };
        return Paragraph::new(fit(&words, width)).style(style);
    }
    let keys = if view.form.is_some() {
        "the form writes the query above; Tab shows the results"
    } else if !view.marked.is_empty() {
        "^G category for the marked · ^T mark · ^X all/none · ^R undo · Enter open · Esc close"
    } else {
        "↑↓ move · Enter open · ^O order · ^T mark · ^X mark all · ^G category · Tab form · ^E export · Esc close · e.g. urssaf OR dgfip >1000 2026-10 -label:travel"
    };
    let mut spans = Vec::new();
    if let Some(since) = view.waiting_since {
        spans.push(Span::styled(
            format!("{} ", spinner(app.now.saturating_duration_since(since))),
            theme.dim(),
        ));
    }
    spans.push(Span::raw(count));
    if !view.marked.is_empty() {
        let totals: Vec<String> = view
            .marked
            .totals()
            .iter()
            .map(|(currency, cents)| app.locale.signed_money(*cents, currency))
            .collect();
        spans.push(Span::styled(
            format!(
                " · {} marked, {}",
                app.locale.count(view.marked.len() as i64),
                totals.join(" + ")
            ),
            theme.title(),
        ));
    }
    // Only once no more are read as the cursor goes down (those before the last come then).
    if view.results.len() < view.total && view.results.len() >= MOST_RESULTS {
        let which = match view.sort {
            Sort::Date => "newest",
            Sort::Amount => "largest",
            Sort::Org => "first",
        };
        spans.push(Span::styled(
            format!(" ({which} {})", view.results.len()),
            theme.dim(),
        ));
    }
    spans.push(Span::styled(format!(" · {keys}"), theme.dim()));
    Paragraph::new(Line::from(spans))
}

/// `2026-11-19` → `11-19`, `19/11/2026` → `19/11`: the day and month of a date as the locale
/// writes it.
fn short_date(date: &str) -> String {
    if let Some(rest) = date.get(5..).filter(|_| date.get(4..5) == Some("-")) {
        return rest.to_string();
    }
    match date.rsplit_once(['/', '.']) {
        Some((day_month, year)) if year.len() == 4 => day_month.to_string(),
        _ => date.to_string(),
    }
}

fn draw_results(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &SearchView) {
    if view.results.is_empty() {
        if view.error.is_none() && view.waiting_since.is_none() {
            frame.render_widget(
                Paragraph::new("Nothing matches in the local copy.").style(theme.dim()),
                area,
            );
        }
        return;
    }
    // What goes first when the width shrinks: the type and receipt columns, then the status
    // (to a few letters), then the year of the date and the organization's name (to its first
    // letters); the counterparty and the amount always stay.
    let wide = area.width >= 100;
    let narrow = area.width < 60;
    let mut header = vec!["", "Date", "Organization", "Counterparty", "Amount"];
    let org_width = match area.width {
        100.. => 22,
        60..=99 => 14,
        _ => 10,
    };
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(if narrow { 5 } else { 10 }),
        Constraint::Length(org_width),
        Constraint::Fill(1),
        Constraint::Length(15),
    ];
    let short_status = !wide && area.width >= 70;
    // The cash-flow category, where there is room for it.
    let categories = area.width >= 130;
    if categories {
        header.push("Category");
        widths.push(Constraint::Length(26));
    }
    if wide {
        header.extend(["Status", "Receipt"]);
        widths.extend([Constraint::Length(9), Constraint::Length(10)]);
    } else {
        // Narrow: the status that matters (pending, declined) in a few letters while there is
        // room for it beside the counterparty (70 columns), then `!` for a missing receipt.
        header.push("");
        widths.push(Constraint::Length(if short_status { 6 } else { 1 }));
    }
    // Rows under the header: whether the screen has room for more results than were read.
    view.rows_on_screen
        .set(usize::from(area.height.saturating_sub(1)));
    windowed_table(
        frame,
        theme,
        area,
        TableSpec {
            header,
            widths,
            count: view.results.len(),
            cursor: view.cursor,
            focused: true,
            scroll: &view.scroll,
            rows: None,
        },
        |i, selected| {
            let f = &view.results[i];
            let plain = |style: Style| if selected { Style::new() } else { style };
            let credit = f.tx.side == Some(Side::Credit);
            let cents = f.tx.amount_cents.unwrap_or(0).abs();
            let signed = if credit { cents } else { -cents };
            let amount = app
                .locale
                .signed_money(signed, f.tx.currency.as_deref().unwrap_or("EUR"));
            let date =
                f.tx.settled_at
                    .as_deref()
                    .or(f.tx.emitted_at.as_deref())
                    .map(|d| app.locale.date(d))
                    .unwrap_or_default();
            // Narrow: the day without its year (the newest rows are this year's).
            let date = if narrow { short_date(&date) } else { date };
            // Grouped, an organization is named on its first row only.
            let same_group = view.grouped && i > 0 && view.results[i - 1].tx.org_id == f.tx.org_id;
            let org = if same_group {
                ""
            } else {
                f.org_name.as_deref().unwrap_or(&f.tx.org_id)
            };
            let mark = if view.marked.contains(&f.tx.id) {
                "■"
            } else {
                ""
            };
            let mut cells = vec![
                Cell::from(Span::styled(mark, plain(theme.title()))),
                Cell::from(date),
                Cell::from(Span::styled(
                    fit(org, org_width as usize),
                    plain(theme.dim()),
                )),
                Cell::from(f.tx.counterparty.clone().unwrap_or_else(|| "—".into())),
                Cell::from(
                    Line::from(Span::styled(
                        amount,
                        plain(if credit {
                            theme.credit()
                        } else {
                            theme.debit()
                        }),
                    ))
                    .right_aligned(),
                ),
            ];
            if categories {
                cells.push(Cell::from(Span::styled(
                    f.tx.category.as_deref().unwrap_or("").to_string(),
                    plain(theme.dim()),
                )));
            }
            if wide {
                let style = plain(match f.tx.status {
                    Some(Status::Pending) => theme.warning(),
                    Some(Status::Declined) => theme.dim(),
                    _ => Style::new(),
                });
                let status = f.tx.status.as_ref().map_or("", Status::as_str);
                cells.push(Cell::from(Span::styled(words(status), style)));
                let receipt = if f.missing_receipt {
                    Span::styled("missing", plain(theme.warning()))
                } else if f.attachments > 0 {
                    Span::raw(format!("{} file{}", f.attachments, plural(f.attachments)))
                } else {
                    Span::raw("")
                };
                cells.push(Cell::from(receipt));
            } else if !short_status {
                if f.missing_receipt {
                    cells.push(Cell::from(Span::styled("!", plain(theme.warning()))));
                }
            } else {
                let (status, style) = match f.tx.status {
                    Some(Status::Pending) => ("pend", theme.warning()),
                    Some(Status::Declined) => ("decl", theme.dim()),
                    _ => ("", Style::new()),
                };
                let missing = if f.missing_receipt { "!" } else { "" };
                cells.push(Cell::from(Line::from(vec![
                    Span::styled(format!("{status:<5}"), plain(style)),
                    Span::styled(missing, plain(theme.warning())),
                ])));
            }
            cells
        },
    );
}

/// The filters as a form: one line per field, the one being filled in marked.
fn draw_form(frame: &mut Frame, theme: &Theme, area: Rect, form: &Form, line: usize) {
    let mut lines = vec![Line::styled(
        "↑↓ field · type to fill in · ←→ or Space choose · Tab, Enter or Esc: back to the query",
        theme.dim(),
    )];
    for (i, field) in Field::ALL.iter().enumerate() {
        let value = form.value(*field);
        let shown = match field.choices() {
            Some(_) => format!("‹ {value} ›"),
            None if i == line => format!("{value}▏"),
            None => value.to_string(),
        };
        let style = if i == line {
            theme.selected()
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<18} ", field.label()), theme.dim()),
            Span::styled(shown, style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Every field of one transaction, as label and value lines.
fn draw_detail(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, d: &Detail, scroll: usize) {
    let currency = d.tx.currency.as_deref().unwrap_or("EUR");
    let money = |cents: Option<i64>, currency: &str| {
        cents
            .map(|c| app.locale.money(c, currency))
            .unwrap_or_else(|| "—".into())
    };
    let iban = |i: &Option<String>| match i {
        Some(i) if app.reveal_ibans => group_iban(i),
        Some(i) => mask_iban(i),
        None => "—".into(),
    };
    let date = |d: &Option<String>| {
        d.as_deref()
            .map(|d| format!("{} {}", app.locale.date(d), d.get(11..16).unwrap_or("")))
            .unwrap_or_else(|| "—".into())
    };
    let text = |t: &Option<String>| t.clone().unwrap_or_else(|| "—".into());
    let mut amount = money(d.tx.amount_cents, currency);
    if d.local_currency.as_deref().is_some_and(|l| l != currency) {
        let local = d.local_currency.as_deref().unwrap_or_default();
        amount = format!("{amount} ({})", money(d.local_amount_cents, local));
    }
    let vat = match (d.vat_amount_cents, d.vat_rate) {
        (Some(cents), Some(rate)) => format!("{} at {rate} %", money(Some(cents), currency)),
        (Some(cents), None) => money(Some(cents), currency),
        _ => "—".into(),
    };
    let receipt = match (d.attachment_ids.len(), d.missing_receipt, d.attachment_lost) {
        (_, true, _) => "missing: required, none attached".to_string(),
        (_, _, Some(true)) => "declared lost".to_string(),
        (0, _, _) if d.attachment_required == Some(false) => "none (not required)".into(),
        (0, _, _) => "none".into(),
        (n, _, _) => format!("{n} attached"),
    };
    let rows: Vec<(&str, String)> = vec![
        ("Organization", text(&d.org_name)),
        (
            "Account",
            format!("{} · {}", text(&d.account_name), iban(&d.account_iban)),
        ),
        ("Amount", amount),
        ("Receipt", receipt),
        (
            "Kind",
            [
                d.tx.side.as_ref().map(Side::as_str),
                d.tx.status.as_ref().map(Status::as_str),
                d.tx.operation_type.as_ref().map(|o| o.as_str()),
            ]
            .into_iter()
            .flatten()
            .map(words)
            .collect::<Vec<_>>()
            .join(" · "),
        ),
        ("Counterparty", text(&d.tx.counterparty)),
        ("Its IBAN", iban(&d.counterparty_iban)),
        ("Reference", text(&d.tx.reference)),
        ("Note", text(&d.tx.note)),
        (
            "Labels",
            if d.labels.is_empty() {
                "—".into()
            } else {
                d.labels.join(", ")
            },
        ),
        (
            "Cash flow",
            match (&d.cashflow_category, &d.cashflow_subcategory) {
                (Some(c), Some(s)) => format!("{c} / {s}"),
                (Some(c), None) => c.clone(),
                _ => "uncategorized".into(),
            },
        ),
        ("Category", words(d.category.as_deref().unwrap_or("—"))),
        ("VAT", vat),
        (
            "Card",
            d.card_last_digits
                .as_deref()
                .map(|c| format!("•••• {c}"))
                .unwrap_or_else(|| "—".into()),
        ),
        ("Initiated by", text(&d.initiator)),
        (
            "Dates",
            format!(
                "emitted {} · settled {}",
                date(&d.tx.emitted_at),
                date(&d.tx.settled_at)
            ),
        ),
        ("Updated", date(&d.tx.updated_at)),
        ("Id", d.tx.id.clone()),
    ];
    let label_width = 14;
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(label, value)| {
            let style = if label == "Receipt" && d.missing_receipt {
                theme.warning()
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(format!("{label:<label_width$}"), theme.dim()),
                Span::styled(
                    fit(&value, (area.width as usize).saturating_sub(label_width)),
                    style,
                ),
            ])
        })
        .collect();
    // Taller than the screen: scrolled (PgDn, PgUp), and said on the last line.
    let height = usize::from(area.height);
    let hidden = lines.len().saturating_sub(height);
    let offset = scroll.min(hidden);
    frame.render_widget(
        Paragraph::new(lines).scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0)),
        area,
    );
    if hidden > 0 && area.height > 1 {
        // On the pane's bottom border, where it hides no row.
        let at = area.bottom();
        let words = if offset < hidden {
            format!(" ↓ {} more · PgDn ", hidden - offset)
        } else {
            " ↑ PgUp ".to_string()
        };
        let width = (words.chars().count() as u16).min(area.width);
        let spot = Rect::new(area.right() - width, at, width, 1);
        frame.render_widget(Clear, spot);
        frame.render_widget(Paragraph::new(words).style(theme.key()), spot);
    }
}
