//! The receipts inbox: one row per file with the transaction chosen for it (organization,
//! date, counterparty, amount) and how far its write came; under the table, the cursor row's
//! reasons, its other candidates and what was read of it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Wrap};

use super::data::{TableSpec, windowed_table};
use super::format::fit;
use super::spinner;
use super::theme::Theme;
use crate::app::inbox_view::{InboxRow, InboxView, RowState};
use crate::app::{App, text};
use qonto_books::journal::WriteState;
use qonto_books::matching::Scored;

/// Lines kept under the table for the cursor row's story.
const ABOUT_LINES: u16 = 6;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &InboxView) {
    let title = format!(
        " Receipts inbox · {} ",
        fit(&view.folder.display().to_string(), 60)
    );
    let block = theme.pane(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let top = Rect::new(inner.x, inner.y, inner.width, 1);
    frame.render_widget(summary(app, theme, view, inner.width as usize), top);
    let rest = inner.height.saturating_sub(1);
    let about_height = if rest > ABOUT_LINES + 4 {
        ABOUT_LINES
    } else {
        0
    };
    let table = Rect::new(inner.x, inner.y + 1, inner.width, rest - about_height);
    if view.rows.is_empty() {
        let words = match (&view.error, view.reading) {
            (Some(why), _) => Some((text::inbox_error(why), theme.error())),
            (None, Some(_)) => None,
            (None, None) => Some((
                "No receipts here: put PDF, JPEG or PNG files in this folder, then r reads it again."
                    .to_string(),
                theme.dim(),
            )),
        };
        if let Some((words, style)) = words {
            frame.render_widget(
                Paragraph::new(words).style(style).wrap(Wrap { trim: true }),
                table,
            );
        }
        return;
    }
    draw_table(frame, app, theme, table, view);
    if about_height > 0
        && let Some(row) = view.rows.get(view.cursor)
    {
        let about = Rect::new(inner.x, table.bottom(), inner.width, about_height);
        frame.render_widget(
            Paragraph::new(about_row(app, theme, row, inner.width as usize)),
            about,
        );
    }
}

/// How many files, how many proposed, what is marked, or how far the reading is.
fn summary<'a>(app: &App, theme: &Theme, view: &InboxView, width: usize) -> Paragraph<'a> {
    if let Some((read, of, since)) = view.reading {
        let words = if of == 0 {
            "reading the folder…".to_string()
        } else {
            format!("reading {read} of {of} files (text, then scans by OCR)…")
        };
        let spin = spinner(app.now.saturating_duration_since(since));
        return Paragraph::new(fit(&format!("{spin} {words}"), width)).style(theme.dim());
    }
    if let (Some(why), false) = (&view.error, view.rows.is_empty()) {
        return Paragraph::new(fit(&text::inbox_error(why), width)).style(theme.error());
    }
    let confident = view.rows.iter().filter(|r| r.confident()).count();
    let attached = view
        .rows
        .iter()
        .filter(|r| {
            matches!(&r.state, RowState::Done { outcome, .. } if outcome.state != WriteState::Undone)
        })
        .count();
    let (marked, totals) = view.marked_total();
    let mut words = format!(
        "{} files · {confident} proposed · {attached} attached · against {} transactions missing a receipt",
        view.rows.len(),
        app.locale.count(view.candidates as i64)
    );
    if !view.skipped.is_empty() {
        words.push_str(&format!(" · {} not read", view.skipped.len()));
    }
    if marked > 0 {
        let sums: Vec<String> = totals
            .iter()
            .map(|(currency, cents)| app.locale.money(*cents, currency))
            .collect();
        words.push_str(&format!(" · {marked} marked ({})", sums.join(", ")));
    }
    Paragraph::new(fit(&words, width))
}

fn draw_table(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &InboxView) {
    let wide = area.width >= 110;
    let mut header = vec!["", "File", "Organization", "Date", "Counterparty", "Amount"];
    let mut widths = vec![
        Constraint::Length(3),
        Constraint::Fill(2),
        Constraint::Length(if wide { 18 } else { 12 }),
        Constraint::Length(10),
        Constraint::Fill(2),
        Constraint::Length(13),
    ];
    if area.width < 90 {
        // Narrow: the date and organization give way to the file and the amount.
        header.remove(3);
        widths.remove(3);
    }
    header.push("State");
    widths.push(Constraint::Length(if wide { 22 } else { 12 }));
    let narrow = area.width < 90;
    windowed_table(
        frame,
        theme,
        area,
        TableSpec {
            header,
            widths,
            count: view.rows.len(),
            cursor: view.cursor,
            focused: true,
            scroll: &view.scroll,
            rows: None,
        },
        |i, selected| {
            let row = &view.rows[i];
            let plain = |style: Style| if selected { Style::new() } else { style };
            let mark = match (row.marked, row.confident()) {
                (true, _) => "■",
                (false, true) => "✓",
                (false, false) if row.choices().is_empty() => "·",
                (false, false) => "?",
            };
            let (org, date, counterparty, amount) = match row.chosen() {
                Some(s) => chosen_cells(app, s),
                None if row.choices().is_empty() => (
                    String::new(),
                    String::new(),
                    "no match".into(),
                    String::new(),
                ),
                None => (
                    String::new(),
                    String::new(),
                    format!("{} could be it: ←→", row.choices().len()),
                    String::new(),
                ),
            };
            let (state, style) = state_words(row, theme);
            let mut cells = vec![
                Cell::from(Span::styled(format!(" {mark}"), plain(theme.title()))),
                Cell::from(row.item.name.clone()),
                Cell::from(Span::styled(org, plain(theme.dim()))),
                Cell::from(date),
                Cell::from(counterparty),
                Cell::from(Line::from(amount).right_aligned()),
                Cell::from(Span::styled(state, plain(style))),
            ];
            if narrow {
                cells.remove(3);
            }
            cells
        },
    );
}

fn chosen_cells(app: &App, s: &Scored) -> (String, String, String, String) {
    let c = &s.candidate;
    (
        c.org_name.clone(),
        c.emitted_on
            .map(|d| app.locale.date(&d.to_string()))
            .unwrap_or_default(),
        c.counterparty.clone(),
        app.locale.money(c.amount_cents, &c.currency),
    )
}

/// A row's write in a word or two, and its colour.
fn state_words(row: &InboxRow, theme: &Theme) -> (String, Style) {
    match &row.state {
        RowState::Open if row.chosen().is_some() => ("Enter attaches".into(), theme.dim()),
        RowState::Open => (String::new(), Style::new()),
        RowState::Sending(_) => ("sending…".into(), theme.warning()),
        RowState::Done { outcome, .. } => match outcome.state {
            _ if outcome.already => ("already attached".into(), theme.success()),
            WriteState::Accepted => ("processing".into(), theme.warning()),
            WriteState::Undone => ("taken back".into(), theme.dim()),
            _ => ("attached ✓".into(), theme.success()),
        },
        RowState::Failed(_) => ("failed".into(), theme.error()),
    }
}

/// The cursor row's story: why its transaction was chosen, the other candidates, what was
/// read, and what became of its write.
fn about_row<'a>(app: &App, theme: &Theme, row: &InboxRow, width: usize) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled("─".repeat(width), theme.border())];
    match row.chosen() {
        Some(s) => lines.push(Line::from(vec![
            Span::styled("why: ", theme.dim()),
            Span::raw(fit(
                &format!("{} (score {:.2})", s.reasons.join(", "), s.score),
                width.saturating_sub(5),
            )),
        ])),
        None if row.choices().is_empty() => lines.push(Line::styled(
            "No transaction missing a receipt matches this file; it stays in the inbox.",
            theme.dim(),
        )),
        None => lines.push(Line::styled(
            "None is clearly ahead, so none is proposed: ←→ steps through them, Enter attaches the one shown.",
            theme.warning(),
        )),
    }
    let choices = row.choices();
    if choices.len() > 1 {
        for (i, s) in choices.iter().enumerate().take(3) {
            let (org, date, who, amount) = chosen_cells(app, s);
            let pointer = if row.pick == Some(i) { "▸" } else { " " };
            lines.push(Line::styled(
                fit(
                    &format!(
                        "{pointer} {org} · {date} · {who} · {amount} ({:.2})",
                        s.score
                    ),
                    width,
                ),
                theme.dim(),
            ));
        }
    }
    let read = match (&row.item.note, row.item.method.as_str()) {
        (Some(note), _) => format!("read less than it could: {note}"),
        (None, "pdf_text") => "read from the PDF's text".into(),
        (None, "ocr") => "read by OCR (a scan)".into(),
        _ => "nothing could be read but its name".into(),
    };
    lines.push(Line::styled(fit(&read, width), theme.dim()));
    match &row.state {
        RowState::Failed(why) => lines.push(Line::styled(
            fit(&text::write_failed(why), width),
            theme.error(),
        )),
        RowState::Done {
            outcome,
            words,
            moved,
        } => {
            let kept = match moved {
                Some(Ok(path)) => format!("; kept in {}", path.display()),
                Some(Err(why)) => format!("; the file stayed: {why}"),
                None => String::new(),
            };
            lines.push(Line::styled(
                fit(&format!("write #{} → {words}{kept}", outcome.write), width),
                theme.success(),
            ));
        }
        _ => {}
    }
    lines
}
