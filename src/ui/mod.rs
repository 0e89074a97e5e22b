//! Drawing: a pure function of the app state. Only visible rows are built.

mod board;
mod cash;
mod cash_charts;
mod category_picker;
mod command_palette;
pub(crate) mod data;
mod detail_action;
pub(crate) mod format;
pub(crate) mod help;
mod hints;
mod inbox;
pub(crate) mod orgs;
mod popup;
mod review;
mod review_detail;
mod review_prompt;
mod rules;
mod search;
pub(crate) mod signin;
mod sources;
pub(crate) mod theme;
mod transactions;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::app::keymap::Action;
use crate::app::state::{Banner, Notice, Screen, Tone};
use crate::app::text;
use crate::layout;
use theme::Theme;

/// Smallest size the full layout needs; below it a short note is shown instead.
pub const MIN_WIDTH: u16 = 30;
pub const MIN_HEIGHT: u16 = 8;

/// A filter's line: `/` and what is typed, an optional note (a count), and while it is kept
/// rather than edited, how to clear it; the terminal cursor sits in it while it is edited.
pub fn filter_line(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    filter: &tui_input::Input,
    editing: bool,
    note: Option<String>,
) {
    let mut spans = vec![
        Span::styled("/", theme.key()),
        Span::raw(filter.value().to_string()),
    ];
    if let Some(note) = note {
        spans.push(Span::styled(format!("  {note}"), theme.dim()));
    }
    if !editing {
        let clear = app
            .keys
            .first_key(crate::app::keymap::Mode::Main, Action::Cancel);
        spans.push(Span::styled(format!("  {clear} clears"), theme.dim()));
    }
    let line = Rect::new(area.x, area.y, area.width, 1.min(area.height));
    frame.render_widget(Paragraph::new(Line::from(spans)), line);
    let cursor_x = area.x + 1 + filter.visual_cursor() as u16;
    if editing && cursor_x < area.x + area.width {
        frame.set_cursor_position((cursor_x, area.y));
    }
}

/// A braille spinner frame for something loading since `elapsed`.
pub fn spinner(elapsed: std::time::Duration) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[(elapsed.as_millis() / 100 % 10) as usize]
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme::new(app.no_color, app.palette);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let note = text::too_small(MIN_WIDTH, MIN_HEIGHT, &app.keys);
        frame.render_widget(
            Paragraph::new(format::fit(&note, area.width as usize)).style(theme.warning()),
            area,
        );
        return;
    }
    match app.screen {
        Screen::Starting => {
            let y = area.height / 2;
            let line = Line::from(vec![
                Span::styled(
                    spinner(app.now.duration_since(app.started_at)),
                    theme.title(),
                ),
                Span::raw(" Reading your sign-in…"),
            ]);
            frame.render_widget(
                Paragraph::new(line).alignment(Alignment::Center),
                Rect::new(0, y, area.width, 1),
            );
        }
        Screen::SignIn => signin::draw_screen(frame, app, &theme),
        Screen::Main => {
            let areas =
                layout::main_areas(area.width, area.height, app.banner.is_some(), app.zoomed);
            draw_title(frame, app, &theme, areas.title);
            if let Some(banner) = app.banner {
                let words = match banner {
                    Banner::SignInEnded => text::sign_in_ended(&app.keys),
                };
                frame.render_widget(
                    Paragraph::new(format!(" ⚠ {words}")).style(theme.banner()),
                    areas.banner,
                );
            }
            let body = if areas.orgs.is_empty() {
                areas.data
            } else {
                areas.orgs.union(areas.data)
            };
            if let Some(view) = &app.review {
                review::draw(frame, app, &theme, body, view);
            } else if let Some(view) = &app.inbox {
                inbox::draw(frame, app, &theme, body, view);
            } else if let Some(view) = &app.search {
                search::draw(frame, app, &theme, body, view);
                detail_action::draw(frame, app, &theme, body, view);
            } else if let Some(view) = &app.cash {
                cash::draw(frame, app, &theme, body, view);
            } else if let Some(view) = &app.board {
                board::draw(frame, app, &theme, body, view);
            } else {
                orgs::draw(frame, app, &theme, areas.orgs);
                data::draw(frame, app, &theme, &areas);
            }
            category_picker::draw(frame, app, &theme, body);
            if let Some(view) = &app.rules_view {
                rules::draw(frame, app, &theme, body, view);
            }
            draw_status(frame, app, &theme, areas.status);
            if let Some(palette) = &app.command_palette {
                command_palette::draw(frame, &theme, body, palette);
            }
            sources::draw(frame, app, &theme);
            if app.sign_in.is_some() {
                signin::draw_modal(frame, app, &theme);
            }
        }
    }
    if app.help {
        help::draw(frame, app, &theme);
    }
}

fn draw_title(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let count = app.org_list().len();
    let mut spans = vec![Span::styled(" qonto-tui ", theme.title())];
    spans.push(Span::styled(
        format!(
            "· {count} organization{} ",
            if count == 1 { "" } else { "s" }
        ),
        theme.dim(),
    ));
    if app.demo {
        spans.push(Span::styled("· demo sandbox ", theme.warning()));
    } else if !app.server.is_empty() {
        let style = if app.server == "production" {
            theme.dim()
        } else {
            theme.warning()
        };
        spans.push(Span::styled(format!("· {} ", app.server), style));
    }
    if !app.writes.is_empty() {
        // Writing is the exception: it stands out; read-only is quiet.
        let style = if app.writes == "read-only" {
            theme.dim()
        } else {
            theme.warning()
        };
        spans.push(Span::styled(format!("· {} ", app.writes), style));
    }
    if app.plain_token_file {
        spans.push(Span::styled(
            format!("· {} ", text::PLAIN_TOKEN_FILE_MARK),
            theme.warning(),
        ));
    }
    if app.store_problem.is_some() {
        spans.push(Span::styled(
            format!("· {} ", text::STORE_PROBLEM_MARK),
            theme.error(),
        ));
    }
    if let Some((words, warn)) = sync_summary(app, area.width >= 110) {
        let style = if warn { theme.warning() } else { theme.dim() };
        spans.push(Span::styled(format!("· {words} "), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let help = Line::from(vec![
        Span::styled(app.keys.main(Action::Help), theme.key()),
        Span::styled(" help ", theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(help).alignment(Alignment::Right), area);
}

/// The background sync in a few words (how many are stored only when `roomy`), and whether
/// they are a warning.
fn sync_summary(app: &App, roomy: bool) -> Option<(String, bool)> {
    let sync = &app.sync;
    let (done, total) = sync.done();
    let failed = sync.failed();
    if sync.running {
        return Some((format!("syncing {done}/{total}"), false));
    }
    let finished = sync.finished_at?;
    if failed > 0 {
        return Some((format!("sync: {failed} of {total} failed"), true));
    }
    let stored = sync
        .stored
        .filter(|_| roomy)
        .map(|n| format!(", {} stored", app.locale.count(n)))
        .unwrap_or_default();
    Some((
        format!(
            "synced {}{stored}",
            format::ago(app.now.saturating_duration_since(finished))
        ),
        false,
    ))
}

fn draw_status(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    if let Some(status) = &app.status {
        let style = match status.tone {
            Tone::Info => theme.dim(),
            Tone::Success => theme.success(),
            Tone::Warning => theme.warning(),
            Tone::Error => theme.error(),
        };
        let words = match &status.notice {
            Notice::Text(words) => words.clone(),
            Notice::Refreshing(_) => text::REFRESHING.to_string(),
            Notice::Retrying { error, in_secs } => text::retrying(error, *in_secs, &app.keys),
            Notice::Failed(error) => text::api_error(error, &app.keys),
        };
        frame.render_widget(
            Paragraph::new(format::fit(&format!(" {words}"), area.width as usize)).style(style),
            area,
        );
        return;
    }
    if app.review.is_some() {
        let line = " ↑↓ move · x decline or reject (asks) · p mark an invoice paid · a approve in Qonto's app · r read again · Esc close";
        frame.render_widget(
            Paragraph::new(format::fit(line, area.width as usize)).style(theme.dim()),
            area,
        );
        return;
    }
    if app.inbox.is_some() {
        let line = " ↑↓ move · ←→ choose · Enter attach · Space mark · + mark confident · A attach marked · u undo · r read again · Esc close";
        frame.render_widget(
            Paragraph::new(format::fit(line, area.width as usize)).style(theme.dim()),
            area,
        );
        return;
    }
    if app.cash.is_some() {
        let line =
            " ↑↓ PgUp PgDn scroll · ← → whose charts · s search · m missing receipts · Esc close";
        frame.render_widget(
            Paragraph::new(format::fit(line, area.width as usize)).style(theme.dim()),
            area,
        );
        return;
    }
    if let Some(view) = &app.search {
        let line = if view.detail.is_some() {
            " a attach a file · D remove a receipt · u undo the last attach · o open · w save · y copy · ↑↓ previous/next · i IBANs · PgDn more · Esc back"
        } else {
            " type to search · ↑↓ move · Enter open · Esc close · Ctrl-C quit"
        };
        frame.render_widget(
            Paragraph::new(format::fit(line, area.width as usize)).style(theme.dim()),
            area,
        );
        return;
    }
    if app.board.is_some() {
        let line = " ↑↓ organization · ←→ column · Enter open its list · [ ] month · r count again · Esc close";
        frame.render_widget(
            Paragraph::new(format::fit(line, area.width as usize)).style(theme.dim()),
            area,
        );
        return;
    }
    frame.render_widget(
        Paragraph::new(hints::line(app, theme, area.width as usize)),
        area,
    );
}
