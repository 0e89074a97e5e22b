//! Drawing: a pure function of the app state. Only visible rows are built.

pub mod data;
pub mod format;
pub mod help;
pub mod layout;
pub mod orgs;
pub mod signin;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::app::keymap::{Action, label_of};
use crate::app::state::{Screen, Tone};
use theme::Theme;

/// Smallest size the full layout needs; below it a short note is shown instead.
pub const MIN_WIDTH: u16 = 30;
pub const MIN_HEIGHT: u16 = 8;

/// The first row shown so that `selected` is visible, paging by whole screens.
pub fn scroll_offset(selected: usize, len: usize, rows: usize) -> usize {
    if rows == 0 || len <= rows {
        return 0;
    }
    (selected / rows) * rows
}

/// A braille spinner frame for something loading since `elapsed`.
pub fn spinner(elapsed: std::time::Duration) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[(elapsed.as_millis() / 100 % 10) as usize]
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme::new(app.no_color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!("qonto-tui needs {MIN_WIDTH}×{MIN_HEIGHT} (q quits)");
        frame.render_widget(
            Paragraph::new(format::fit(&text, area.width as usize)).style(theme.warning()),
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
            let areas = layout::main_areas(area.width, area.height, app.banner.is_some());
            draw_title(frame, app, &theme, areas.title);
            if let Some(banner) = &app.banner {
                frame.render_widget(
                    Paragraph::new(format!(" ⚠ {banner}")).style(theme.banner()),
                    areas.banner,
                );
            }
            orgs::draw(frame, app, &theme, areas.orgs);
            data::draw(frame, app, &theme, &areas);
            draw_status(frame, app, &theme, areas.status);
            if app.sign_in.is_some() {
                signin::draw_modal(frame, app, &theme);
            }
        }
    }
    if app.help {
        help::draw(frame, &theme);
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
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let help = Line::from(vec![
        Span::styled(label_of(Action::Help), theme.key()),
        Span::styled(" help ", theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(help).alignment(Alignment::Right), area);
}

fn draw_status(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    if let Some(status) = &app.status {
        let style = match status.tone {
            Tone::Info => theme.dim(),
            Tone::Success => theme.success(),
            Tone::Warning => theme.warning(),
            Tone::Error => theme.error(),
        };
        frame.render_widget(
            Paragraph::new(format::fit(
                &format!(" {}", status.text),
                area.width as usize,
            ))
            .style(style),
            area,
        );
        return;
    }
    let hints: &[(Action, &str)] = &[
        (Action::Down, "move"),
        (Action::SwitchPane, "pane"),
        (Action::NextTab, "tabs"),
        (Action::Filter, "filter"),
        (Action::Refresh, "refresh"),
        (Action::Reconsent, "share orgs"),
        (Action::Quit, "quit"),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (action, what) in hints {
        spans.push(Span::styled(label_of(*action), theme.key()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
