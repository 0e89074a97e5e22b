//! What waits for a decision: one row per pending request or invoice to review, approve or
//! pay (organization, what, counterparty, amount, day), its state; and the prompts of a decline
//! or a rejection: the note, then the question naming the organization, the counterparty and
//! the amount.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph};

use super::data::{TableSpec, windowed_table};
use super::format::fit;
use super::spinner;
use super::theme::Theme;
use super::{review_detail, review_prompt};
use crate::app::review_view::{Item, ReviewView, RowState};
use crate::app::{App, text};

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &ReviewView) {
    let block = theme.pane(" To review, every organization ".to_string(), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let width = usize::from(inner.width);
    let top = Rect::new(inner.x, inner.y, inner.width, 1);
    let summary = if let Some(since) = view.loading {
        Line::styled(
            format!(
                "{} reading every organization's requests and supplier invoices…",
                spinner(app.now.saturating_duration_since(since))
            ),
            theme.dim(),
        )
    } else if let Some(why) = &view.error {
        Line::styled(fit(why, width), theme.error())
    } else {
        let requests = view
            .rows
            .iter()
            .filter(|r| matches!(r.item, Item::Request(_)))
            .count();
        let mut words = format!(
            "{requests} requests pending · {} invoices to review or pay",
            view.rows.len() - requests
        );
        if !view.marked.is_empty() {
            let total: Vec<String> = view
                .marked_total()
                .iter()
                .map(|(currency, cents)| app.locale.signed_money(*cents, currency))
                .collect();
            words.push_str(&format!(
                " · {} marked, {}",
                view.marked.len(),
                total.join(" + ")
            ));
        }
        // What is the copy's (Qonto did not list it) comes before the keys.
        for unread in &view.unread {
            words.push_str(" · ");
            words.push_str(unread);
        }
        words.push_str(
            " · x decline/reject · p paid · a approve in Qonto's app · r read again · Esc close",
        );
        Line::raw(fit(&words, width))
    };
    frame.render_widget(Paragraph::new(summary), top);
    let table = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    if view.rows.is_empty() {
        if view.loading.is_none() && view.error.is_none() {
            frame.render_widget(
                Paragraph::new("Nothing waits for a decision.").style(theme.dim()),
                table,
            );
        }
        return;
    }
    let narrow = inner.width < 100;
    // Room for the chosen row's detail under the list, when the screen has it.
    let detail = table.height >= 12;
    let list = if detail {
        Rect::new(
            table.x,
            table.y,
            table.width,
            table.height - review_detail::HEIGHT - 1,
        )
    } else {
        table
    };
    // The state column shows once something was done.
    let states = view.rows.iter().any(|r| !matches!(r.state, RowState::Open));
    let mut header = vec!["", "Day", "Organization", "What", "Counterparty", "Amount"];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(10),
        Constraint::Length(if narrow { 12 } else { 20 }),
        Constraint::Length(if narrow { 12 } else { 24 }),
        Constraint::Fill(1),
        Constraint::Length(14),
    ];
    if states {
        header.push("State");
        widths.push(Constraint::Length(if narrow { 10 } else { 24 }));
    }
    windowed_table(
        frame,
        theme,
        list,
        TableSpec {
            header,
            widths,
            count: view.rows.len(),
            cursor: view.cursor,
            focused: view.prompt.is_none(),
            scroll: &view.scroll,
            rows: None,
        },
        |i, selected| {
            let row = &view.rows[i];
            let plain = |style: Style| if selected { Style::new() } else { style };
            let (state, style) = match &row.state {
                RowState::Open => (String::new(), Style::new()),
                RowState::Sending(_) => ("sending…".into(), theme.warning()),
                RowState::Done(words) => (words.clone(), theme.success()),
                RowState::Failed(_) => ("failed".into(), theme.error()),
            };
            let mark = if view.marked.contains(&i) { "■" } else { "" };
            let mut cells = vec![
                Cell::from(Span::styled(mark, plain(theme.title()))),
                Cell::from(row.item.day().to_string()),
                Cell::from(Span::styled(
                    row.item.org_name().to_string(),
                    plain(theme.dim()),
                )),
                Cell::from(if narrow {
                    row.item.short_kind().to_string()
                } else {
                    row.item.kind()
                }),
                Cell::from(row.item.counterparty().to_string()),
                Cell::from(Line::from(row.item.amount()).right_aligned()),
            ];
            if states {
                cells.push(Cell::from(Span::styled(state, plain(style))));
            }
            cells
        },
    );
    if detail {
        let at = Rect::new(
            table.x,
            table.bottom() - review_detail::HEIGHT,
            table.width,
            review_detail::HEIGHT,
        );
        review_detail::draw(frame, theme, at, view);
    }
    if let Some(RowState::Failed(why)) = view.rows.get(view.cursor).map(|r| &r.state) {
        let at = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
        frame.render_widget(Clear, at);
        frame.render_widget(
            Paragraph::new(fit(&text::write_failed(why), width)).style(theme.error()),
            at,
        );
    }
    if let Some(prompt) = &view.prompt {
        review_prompt::draw(frame, theme, area, view, prompt);
    }
}
