//! The group's cash: totals per currency, then each organization with its accounts, money in
//! and out (month to date, 30 and 90 days) and a bar per week of its net flow.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::fit;
use super::theme::Theme;
use crate::app::App;
use crate::app::cash_view::{CashState, CashView};
use qonto_books::{GroupCash, OrgCash};
use qonto_client::redact::mask_iban;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &CashView) {
    let block = theme.pane(" The group's cash ".to_string(), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cash = match &view.state {
        CashState::Loading => {
            frame.render_widget(
                Paragraph::new("Adding up the local copy…").style(theme.dim()),
                inner,
            );
            return;
        }
        CashState::Failed(why) => {
            let why = crate::app::text::local_copy_error(why);
            frame.render_widget(Paragraph::new(why).style(theme.error()), inner);
            return;
        }
        CashState::Ready(cash) => cash,
    };
    // The charts above the figures when the screen leaves room for both.
    let chart_rows = match inner.height {
        0..=17 => 0,
        18..=33 => 9,
        _ => 14,
    };
    if chart_rows > 0 {
        let charts = Rect::new(inner.x, inner.y, inner.width, chart_rows);
        super::cash_charts::draw(frame, app, theme, charts, cash, view.chart);
    }
    let inner = Rect::new(
        inner.x,
        inner.y + chart_rows,
        inner.width,
        inner.height - chart_rows,
    );
    let lines = lines(app, theme, cash, inner.width as usize);
    let height = inner.height as usize;
    let last_top = lines.len().saturating_sub(height);
    let top = view.scroll.get().min(last_top);
    view.scroll.set(top);
    let shown: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// Per currency, biggest first: `1,234.00 € + 56.00 USD`.
fn totals(app: &App, totals: &std::collections::BTreeMap<String, i64>) -> String {
    if totals.is_empty() {
        return "—".into();
    }
    let mut list: Vec<(&String, &i64)> = totals.iter().collect();
    list.sort_by_key(|(_, cents)| std::cmp::Reverse(cents.abs()));
    list.iter()
        .map(|(currency, cents)| app.locale.money(**cents, currency))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn lines<'a>(app: &App, theme: &Theme, cash: &GroupCash, width: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let orgs = cash.orgs.len();
    out.push(Line::from(vec![
        Span::styled("Group total ", theme.dim()),
        Span::styled(totals(app, &cash.totals), theme.title()),
        Span::styled(
            format!(
                " across {orgs} organization{}",
                if orgs == 1 { "" } else { "s" }
            ),
            theme.dim(),
        ),
    ]));
    if cash.hidden > 0 {
        out.push(Line::styled(
            fit(
                &format!(
                    "{} account balance{} hidden by your role: not counted (not zero)",
                    cash.hidden,
                    if cash.hidden == 1 { "" } else { "s" }
                ),
                width,
            ),
            theme.warning(),
        ));
    }
    if cash.internal_count > 0 {
        out.push(Line::styled(
            fit(
                &format!(
                    "Transfers between your own organizations, last 90 days: {} legs, {} — left out of money in and out",
                    cash.internal_count,
                    app.locale.money(cash.internal_cents, "EUR")
                ),
                width,
            ),
            theme.dim(),
        ));
    }
    out.push(Line::raw(""));
    let wide = width >= 110;
    let header = if wide {
        format!(
            "{:<28} {:>16} {:>14} {:>14} {:>14} {:>14}  {}",
            "Organization · account",
            "Balance",
            "In, month",
            "Out, month",
            "Net 30 d",
            "Net 90 d",
            "13 weeks"
        )
    } else {
        format!(
            "{:<26} {:>16} {:>14}",
            "Organization · account", "Balance", "Net 30 d"
        )
    };
    out.push(Line::styled(fit(&header, width), theme.header()));
    for org in &cash.orgs {
        out.push(org_line(app, theme, org, wide, width));
        for account in &org.accounts {
            let balance = match account.balance_cents {
                Some(cents) => app.locale.money(cents, &account.currency),
                None => "hidden".into(),
            };
            // The IBAN's last digits tell accounts of the same name apart.
            let tail: String = account
                .iban
                .as_deref()
                .map(mask_iban)
                .unwrap_or_default()
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let name = format!("  {} ·{tail}", account.name.as_deref().unwrap_or("—"));
            let name_width = if wide { 28 } else { 26 };
            out.push(Line::from(vec![
                Span::styled(
                    format!("{:<name_width$}", fit(&name, name_width)),
                    theme.dim(),
                ),
                Span::styled(
                    format!(" {balance:>16}"),
                    if account.balance_cents.is_none() {
                        theme.dim()
                    } else {
                        Style::new()
                    },
                ),
            ]));
        }
    }
    out
}

fn org_line<'a>(app: &App, theme: &Theme, org: &OrgCash, wide: bool, width: usize) -> Line<'a> {
    let name_width = if wide { 28 } else { 26 };
    let balance = if org.totals.is_empty() && org.hidden > 0 {
        format!("hidden ({})", org.role.as_deref().unwrap_or("role"))
    } else {
        totals(app, &org.totals)
    };
    let signed = |cents: i64| app.locale.signed_money(cents, &org.currency);
    let mut spans = vec![
        Span::styled(
            format!("{:<name_width$}", fit(&org.name, name_width)),
            theme.title(),
        ),
        Span::raw(format!(" {:>16}", fit(&balance, 16))),
    ];
    if wide {
        spans.push(Span::styled(
            format!(" {:>14}", signed(org.month_to_date.in_cents)),
            theme.credit(),
        ));
        spans.push(Span::styled(
            format!(" {:>14}", signed(-org.month_to_date.out_cents)),
            theme.debit(),
        ));
        spans.push(Span::raw(format!(
            " {:>14}",
            signed(org.last_30_days.net())
        )));
        spans.push(Span::raw(format!(
            " {:>14}  ",
            signed(org.last_90_days.net())
        )));
        spans.extend(bars(theme, &org.weekly_net));
    } else if width >= 58 {
        spans.push(Span::raw(format!(
            " {:>14}",
            signed(org.last_30_days.net())
        )));
    }
    Line::from(spans)
}

/// One bar per week, its height the net flow's size against the largest week's, green in,
/// red out.
fn bars<'a>(theme: &Theme, weekly: &[i64]) -> Vec<Span<'a>> {
    let largest = weekly.iter().map(|n| n.abs()).max().unwrap_or(0).max(1);
    weekly
        .iter()
        .map(|net| {
            let level = (net.abs() * (BARS.len() as i64 - 1) / largest) as usize;
            let style = if *net >= 0 {
                theme.credit()
            } else {
                theme.debit()
            };
            Span::styled(BARS[level.min(BARS.len() - 1)].to_string(), style)
        })
        .collect()
}
