//! The cash view's charts, drawn from the local copy: the balance at the end of each of the
//! last twelve months (a line) and the money in and out of each (a pair of bars), for the
//! group or one organization (← → choose). Readable without colour: the line is Braille dots,
//! the bars of money out are dimmed, and the titles say the figures of the last month.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Bar, BarChart, BarGroup, Block, Chart, Dataset, GraphType};

use super::theme::Theme;
use crate::app::App;
use qonto_books::{Flow, GroupCash};

/// What one chart shows: whose, in which currency, and the months' figures.
pub struct Series {
    pub title: String,
    pub currency: String,
    pub flows: Vec<Flow>,
    /// `None` where no balance is visible.
    pub balances: Vec<Option<i64>>,
    /// Organizations left out of a group's figures (balances hidden, another currency).
    pub left_out: usize,
}

/// The series of `chosen`: 0 the group (in its most common currency), else that organization.
pub fn series(cash: &GroupCash, chosen: usize) -> Series {
    let months = cash.months.len();
    if let Some(org) = chosen.checked_sub(1).and_then(|i| cash.orgs.get(i)) {
        return Series {
            title: org.name.clone(),
            currency: org.currency.clone(),
            flows: org.monthly.clone(),
            balances: org.month_end_balance.clone(),
            left_out: 0,
        };
    }
    let mut currencies: Vec<&str> = cash.orgs.iter().map(|o| o.currency.as_str()).collect();
    currencies.sort_unstable();
    let currency = currencies
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .and_then(|run| run.first())
        .map_or_else(|| "EUR".to_string(), |c| c.to_string());
    let mut flows = vec![Flow::default(); months];
    let mut balances = vec![Some(0i64); months];
    let mut left_out = 0;
    for org in &cash.orgs {
        if org.currency != currency {
            left_out += 1;
            continue;
        }
        for (total, flow) in flows.iter_mut().zip(&org.monthly) {
            total.in_cents += flow.in_cents;
            total.out_cents += flow.out_cents;
        }
        if org.month_end_balance.iter().all(Option::is_none) {
            left_out += 1;
            continue;
        }
        for (total, balance) in balances.iter_mut().zip(&org.month_end_balance) {
            *total = total.zip(*balance).map(|(a, b)| a + b);
        }
    }
    Series {
        title: "The group".into(),
        currency,
        flows,
        balances,
        left_out,
    }
}

/// `215k`, `1.2M`, `830`: an amount short enough for an axis or a bar.
fn short(cents: i64) -> String {
    let units = cents as f64 / 100.0;
    let size = units.abs();
    let sign = if units < 0.0 { "-" } else { "" };
    if size >= 1_000_000.0 {
        format!("{sign}{:.1}M", size / 1_000_000.0)
    } else if size >= 10_000.0 {
        format!("{sign}{:.0}k", size / 1_000.0)
    } else if size >= 1_000.0 {
        format!("{sign}{:.1}k", size / 1_000.0)
    } else {
        format!("{sign}{size:.0}")
    }
}

/// Draws the two charts of `chosen` in `area` (side by side when there is room, else the
/// balance only).
pub fn draw(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    cash: &GroupCash,
    chosen: usize,
) {
    let series = series(cash, chosen);
    let whose = series.title.clone();
    let [balance_area, flows_area] = if area.width >= 70 {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    } else {
        [area, Rect::default()]
    };
    draw_balance(frame, app, theme, balance_area, cash, &series, &whose);
    if !flows_area.is_empty() {
        draw_flows(frame, app, theme, flows_area, cash, &series);
    }
}

fn draw_balance(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    cash: &GroupCash,
    series: &Series,
    whose: &str,
) {
    let points: Vec<(f64, f64)> = series
        .balances
        .iter()
        .enumerate()
        .filter_map(|(i, b)| Some((i as f64, b.map(|c| c as f64 / 100.0)?)))
        .collect();
    let last = series.balances.last().copied().flatten();
    let title = match last {
        Some(cents) => format!(
            " {whose}: balance {} · ← → ",
            app.locale.money(cents, &series.currency)
        ),
        None => format!(" {whose}: balance hidden by your role · ← → "),
    };
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()));
    if points.is_empty() {
        frame.render_widget(block, area);
        return;
    }
    let (low, high) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (_, y)| {
            (lo.min(*y), hi.max(*y))
        });
    let pad = ((high - low) * 0.1).max(1.0);
    let (low, high) = (low - pad, high + pad);
    let month = |i: usize| {
        cash.months
            .get(i)
            .map(|m| m.format("%b %y").to_string())
            .unwrap_or_default()
    };
    let x_labels = vec![
        Span::styled(month(0), theme.dim()),
        Span::styled(month(cash.months.len() / 2), theme.dim()),
        Span::styled(month(cash.months.len().saturating_sub(1)), theme.dim()),
    ];
    let y_labels = vec![
        Span::styled(short((low * 100.0) as i64), theme.dim()),
        Span::styled(short((high * 100.0) as i64), theme.dim()),
    ];
    let mut bottom = block;
    if series.left_out > 0 {
        bottom = bottom.title_bottom(Line::styled(
            format!(
                " {} organization(s) left out: hidden or another currency ",
                series.left_out
            ),
            theme.dim(),
        ));
    }
    let dataset = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(theme.credit())
        .data(&points);
    let chart = Chart::new(vec![dataset])
        .block(bottom)
        .x_axis(
            Axis::default()
                .bounds([0.0, (cash.months.len().max(2) - 1) as f64])
                .labels(x_labels),
        )
        .y_axis(Axis::default().bounds([low, high]).labels(y_labels));
    frame.render_widget(chart, area);
}

fn draw_flows(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    cash: &GroupCash,
    series: &Series,
) {
    let last = series.flows.last().copied().unwrap_or_default();
    let this_month = cash
        .months
        .last()
        .map(|m| m.format("%b").to_string())
        .unwrap_or_default();
    let title = format!(
        " In, out (dim) · {this_month} {} / {} ",
        app.locale.signed_money(last.in_cents, &series.currency),
        app.locale.signed_money(-last.out_cents, &series.currency)
    );
    let out_style = theme.dim().add_modifier(Modifier::DIM);
    let groups: Vec<BarGroup> = series
        .flows
        .iter()
        .enumerate()
        .map(|(i, flow)| {
            let label = cash
                .months
                .get(i)
                .map(|m| {
                    m.format("%b")
                        .to_string()
                        .chars()
                        .take(1)
                        .collect::<String>()
                })
                .unwrap_or_default();
            BarGroup::default()
                .label(Line::styled(label, theme.dim()))
                .bars(&[
                    Bar::default()
                        .value(u64::try_from(flow.in_cents / 100).unwrap_or(0))
                        .text_value(String::new())
                        .style(theme.credit()),
                    Bar::default()
                        .value(u64::try_from(flow.out_cents / 100).unwrap_or(0))
                        .text_value(String::new())
                        .style(out_style),
                ])
        })
        .collect();
    let inner_width = area.width.saturating_sub(2) as usize;
    let months = series.flows.len().max(1);
    // Two bars a month and a gap, as wide as the room allows.
    let bar_width = u16::try_from((inner_width / months).saturating_sub(1) / 2)
        .unwrap_or(1)
        .max(1);
    let mut chart = BarChart::default()
        .block(
            Block::bordered()
                .border_style(theme.border())
                .title(Span::styled(title, theme.title())),
        )
        .bar_width(bar_width)
        .bar_gap(0)
        .group_gap(1)
        .bar_set(ratatui::symbols::bar::NINE_LEVELS)
        .style(Style::new());
    for group in groups {
        chart = chart.data(group);
    }
    frame.render_widget(chart, area);
}
