//! The month-end board: one row per organization with, for the month shown, its receipts
//! (a bar, the percent and the count), transactions uncategorized, invoices and requests
//! waiting, and its last sync; a total row; the chosen cell reversed (Enter opens its list).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::format::{ago, fit};
use super::theme::Theme;
use crate::app::App;
use crate::app::board_view::{BoardView, Column};
use qonto_books::month_end::{OrgMonth, next_month};

/// The receipts' bar, in eighths of a cell.
const EIGHTHS: [char; 9] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &BoardView) {
    let title = format!(" Month-end · {} ", view.month.format("%B %Y"));
    let block = theme.pane(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 {
        return;
    }
    let width = inner.width as usize;
    let rows = match &view.rows {
        None => {
            frame.render_widget(
                Paragraph::new("Counting the month in the local copy…").style(theme.dim()),
                inner,
            );
            return;
        }
        Some(Err(why)) => {
            let why = crate::app::text::local_copy_error(why);
            frame.render_widget(Paragraph::new(why).style(theme.error()), inner);
            return;
        }
        Some(Ok(rows)) => rows,
    };
    let statement = if view.statement_out() {
        format!(
            "statements out since {}",
            next_month(view.month).format("%-d %b")
        )
    } else {
        format!("statements due {}", next_month(view.month).format("%-d %b"))
    };
    let keys = format!(
        "{} months · {} columns · Enter opens · {} recount",
        format_args!(
            "{} {}",
            app.keys.first_key(
                crate::app::keymap::Mode::Main,
                crate::app::keymap::Action::PrevAccount
            ),
            app.keys.first_key(
                crate::app::keymap::Mode::Main,
                crate::app::keymap::Action::NextAccount
            )
        ),
        "←→",
        app.keys.first_key(
            crate::app::keymap::Mode::Main,
            crate::app::keymap::Action::Refresh
        ),
    );
    let header = if width >= statement.chars().count() + keys.chars().count() + 5 {
        Line::from(vec![
            Span::raw(statement),
            Span::styled(format!(" · {keys}"), theme.dim()),
        ])
    } else {
        Line::from(vec![Span::raw(fit(&statement, width))])
    };
    frame.render_widget(
        Paragraph::new(header),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new("No organization in the local copy yet: it fills as it syncs.")
                .style(theme.dim()),
            Rect::new(inner.x, inner.y + 2, inner.width, 1),
        );
        return;
    }
    // Wide enough for a bar beside the receipts' figures; the sync column goes first when not.
    let bar = width >= 100;
    let synced = width >= 72;
    let receipts_width: u16 = if bar { 26 } else { 14 };
    // The names as wide as the longest (the figures stay beside them), at most half the width.
    let names = rows
        .iter()
        .map(|o| o.name.chars().count())
        .chain([20])
        .max()
        .unwrap_or(20)
        .min(width / 2);
    let mut widths = vec![
        Constraint::Length(u16::try_from(names).unwrap_or(20)),
        Constraint::Length(receipts_width),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    if synced {
        widths.push(Constraint::Length(11));
    }
    let mut head = vec![
        Cell::from("Organization"),
        Cell::from("Receipts"),
        Cell::from(format!("{:>8}", "Uncat.")),
        Cell::from(format!("{:>8}", "Invoices")),
        Cell::from(format!("{:>8}", "Requests")),
    ];
    if synced {
        head.push(Cell::from(format!("{:>11}", "Synced")));
    }
    let mut table_rows: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let chosen = i == view.row;
            let cell_style = |column: Column| {
                if chosen && view.column == column {
                    theme.selected()
                } else {
                    ratatui::style::Style::new()
                }
            };
            let mut cells = vec![
                Cell::from(fit(&org.name, names)),
                Cell::from(receipts(org, bar)).style(cell_style(Column::Receipts)),
                Cell::from(count(org.uncategorized)).style(cell_style(Column::Uncategorized)),
                Cell::from(count(org.invoices_waiting)).style(cell_style(Column::Invoices)),
                Cell::from(count(org.requests_pending)).style(cell_style(Column::Requests)),
            ];
            if synced {
                let when = match org.synced_at {
                    Some(at) => ago(std::time::Duration::from_secs(
                        u64::try_from(view.now_secs.saturating_sub(at)).unwrap_or(0),
                    )),
                    None => "never".to_string(),
                };
                cells.push(Cell::from(format!("{when:>11}")).style(theme.dim()));
            }
            let row = Row::new(cells);
            if chosen {
                row.style(theme.selected_unfocused())
            } else {
                row
            }
        })
        .collect();
    let total = rows.iter().fold(OrgMonth::default(), |mut all, o| {
        all.receipts_needed += o.receipts_needed;
        all.receipts_complete += o.receipts_complete;
        all.uncategorized += o.uncategorized;
        all.invoices_waiting += o.invoices_waiting;
        all.requests_pending += o.requests_pending;
        all
    });
    table_rows.push(
        Row::new(vec![
            Cell::from(format!("All {} organizations", rows.len())),
            Cell::from(receipts(&total, bar)),
            Cell::from(count(total.uncategorized)),
            Cell::from(count(total.invoices_waiting)),
            Cell::from(count(total.requests_pending)),
        ])
        .style(theme.header())
        .top_margin(1),
    );
    let table = Table::new(table_rows, widths)
        .header(Row::new(head).style(theme.header()))
        .column_spacing(1);
    frame.render_widget(
        table,
        Rect::new(
            inner.x,
            inner.y + 2,
            inner.width,
            inner.height.saturating_sub(2),
        ),
    );
}

/// `  12` or ` ✓` for none.
fn count(n: usize) -> String {
    if n == 0 {
        format!("{:>8}", "✓")
    } else {
        format!("{n:>8}")
    }
}

/// `██████▌   96% 48/50`: complete receipts of those the month needs.
fn receipts(org: &OrgMonth, bar: bool) -> String {
    let figures = if org.receipts_needed == 0 {
        "none needed".to_string()
    } else {
        format!(
            "{:>3}% {}/{}",
            org.receipts_percent(),
            org.receipts_complete,
            org.receipts_needed
        )
    };
    if !bar {
        return figures;
    }
    const CELLS: usize = 10;
    let eighths = (org.receipts_complete * CELLS * 8)
        .checked_div(org.receipts_needed)
        .unwrap_or(0)
        .min(CELLS * 8);
    let mut drawn: String = std::iter::repeat_n('█', eighths / 8).collect();
    if eighths / 8 < CELLS {
        drawn.push(EIGHTHS[eighths % 8]);
    }
    format!("{drawn:<CELLS$} {figures}")
}
