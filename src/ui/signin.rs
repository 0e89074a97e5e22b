//! The sign-in screen and the re-consent modal: what happens, the URL to copy, whether a browser
//! opened, the code's countdown, a field for the redirected URL, and the keys.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::format::countdown;
use super::spinner;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Mode};
use crate::app::state::SignInFlow;
use crate::app::text;
use qonto_client::oauth::callback::CALLBACK_TIMEOUT;

pub fn draw_screen(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let width = area.width.min(100);
    let x = (area.width - width) / 2;
    let box_area = Rect::new(x, 0, width, area.height);
    // No side borders: the URL wraps across whole lines, so a mouse selection of it picks up no
    // frame characters.
    draw_flow(
        frame,
        app,
        theme,
        box_area,
        " Sign in to Qonto ",
        Borders::TOP | Borders::BOTTOM,
    );
}

pub fn draw_modal(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let width = area.width.saturating_sub(4).min(96);
    let height = area.height.saturating_sub(2).min(24);
    let popup = Rect::new(
        (area.width - width) / 2,
        (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, popup);
    draw_flow(
        frame,
        app,
        theme,
        popup,
        if app.sign_in.as_ref().is_some_and(|f| f.membership) {
            " Add an organization (membership consent) "
        } else {
            " Change which organizations are shared "
        },
        // Over the main screen a modal needs its whole frame; `y` copies the URL cleanly.
        Borders::ALL,
    );
}

fn draw_flow(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    title: &str,
    borders: Borders,
) {
    let Some(flow) = &app.sign_in else { return };
    let block = Block::new()
        .borders(borders)
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border_focused());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let key_help = key_lines(app, flow, theme);
    let keys_height = wrapped_height(&key_help, inner.width.max(1) as usize).clamp(1, 4) as u16;
    let [body, paste, keys] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(3),
        Constraint::Length(keys_height),
    ])
    .areas(inner);
    // What to do comes first: on a small screen the explanation gives way, so the URL and the
    // state of the sign-in always show whole.
    let essential = body_lines(app, flow, theme);
    let intro = intro_lines(flow);
    let width = body.width.max(1) as usize;
    let lines = if wrapped_height(&intro, width) + wrapped_height(&essential, width)
        <= body.height as usize
    {
        intro.into_iter().chain(essential).collect()
    } else {
        essential
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    draw_paste(frame, flow, theme, paste);
    frame.render_widget(Paragraph::new(key_help).wrap(Wrap { trim: true }), keys);
}

/// Rows `lines` take once wrapped at `width`, counted generously (a word wrap can take one row
/// more than the characters need).
fn wrapped_height(lines: &[Line], width: usize) -> usize {
    lines
        .iter()
        .map(|l| match l.width() {
            0 => 1,
            w if w <= width => 1,
            w => w.div_ceil(width) + 1,
        })
        .sum()
}

/// What the sign-in is, for whoever meets it first; it gives way on a small screen.
fn intro_lines<'a>(flow: &SignInFlow) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if flow.membership {
        lines.push(Line::from("Qonto's consent page opens in your browser: choose the one organization to add, then Allow."));
        lines.push(Line::from(
            "It is reached with tokens of its own, beside the organizations you already have.",
        ));
    } else if flow.reconsent {
        lines.push(Line::from("Qonto's consent page opens in your browser with the organizations you share now ticked."));
        lines.push(Line::from("Tick or untick, then Allow. Your current sign-in stays in use until the new one arrives."));
    } else {
        lines.push(Line::from(
            "qonto-tui reads your Qonto organizations through Qonto's User OAuth flow.",
        ));
        lines.push(Line::from("Your browser opens Qonto's consent page: tick the organizations you want here, then Allow."));
        lines.push(Line::from(
            "The browser then hands the sign-in back to this app on your own machine.",
        ));
        lines.push(Line::from(
            "Only API keys? Quit and run `qonto-tui key add LOGIN` for each organization.",
        ));
    }
    lines.push(Line::from(""));
    lines
}

/// What happened and what to do: errors, the browser, the URL, the countdown.
fn body_lines<'a>(app: &App, flow: &'a SignInFlow, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let Some(error) = &flow.error {
        lines.push(Line::from(Span::styled(error.clone(), theme.error())));
        lines.push(Line::from(""));
    }
    match (&flow.url, &flow.browser) {
        (None, _) if flow.error.is_none() => {
            lines.push(Line::from(vec![
                Span::styled(spinner(app.now.duration_since(flow.started)), theme.title()),
                Span::raw(" Preparing the sign-in…"),
            ]));
        }
        (Some(url), browser) => {
            match browser {
                Some(Ok(how)) => lines.push(Line::from(Span::styled(
                    format!("✓ Browser {how}."),
                    theme.success(),
                ))),
                // The launcher's own words go to the log; here, what to do next.
                Some(Err(_)) if app.demo => lines.push(Line::from(vec![
                    Span::styled("No browser could be opened here. Press ", theme.warning()),
                    Span::styled(
                        app.keys.first_key(Mode::SignIn, Action::BuiltInBrowser),
                        theme.key(),
                    ),
                    Span::styled(
                        ": a built-in browser allows all organizations for you.",
                        theme.warning(),
                    ),
                ])),
                Some(Err(_)) => lines.push(Line::from(vec![
                    Span::styled(
                        "No browser could be opened here. Open this URL in one (",
                        theme.warning(),
                    ),
                    Span::styled(
                        app.keys.first_key(Mode::SignIn, Action::CopyUrl),
                        theme.key(),
                    ),
                    Span::styled(" copies it):", theme.warning()),
                ])),
                None => {}
            }
            lines.push(Line::from(Span::styled(url.clone(), theme.key())));
            if flow.copied {
                lines.push(Line::from(Span::styled(text::URL_COPIED, theme.success())));
            }
            lines.push(Line::from(""));
            let elapsed = app.now.duration_since(flow.started);
            let remaining = CALLBACK_TIMEOUT.saturating_sub(elapsed).max(Duration::ZERO);
            if flow.completing {
                lines.push(Line::from(vec![
                    Span::styled(spinner(elapsed), theme.title()),
                    Span::raw(" Completing the sign-in…"),
                ]));
            } else {
                lines.push(Line::from(vec![
                    Span::styled(spinner(elapsed), theme.title()),
                    Span::raw(" Waiting for the browser. The link expires in "),
                    Span::styled(countdown(remaining), theme.header()),
                    Span::raw("."),
                ]));
            }
        }
        _ => {}
    }
    lines
}

fn draw_paste(frame: &mut Frame, flow: &SignInFlow, theme: &Theme, area: Rect) {
    let label = text::PASTE_LABEL;
    let style = if flow.paste_focused {
        theme.border_focused()
    } else {
        theme.border()
    };
    let block = Block::bordered()
        .title(Span::styled(label, theme.dim()))
        .border_style(style);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width.max(1) as usize;
    let scroll = flow.paste.visual_scroll(width);
    frame.render_widget(
        Paragraph::new(flow.paste.value().to_string()).scroll((0, scroll as u16)),
        inner,
    );
    if flow.paste_focused {
        let x = inner.x + (flow.paste.visual_cursor().saturating_sub(scroll)) as u16;
        if x < inner.x + inner.width {
            frame.set_cursor_position((x, inner.y));
        }
    }
}

fn key_lines<'a>(app: &App, flow: &SignInFlow, theme: &Theme) -> Vec<Line<'a>> {
    let mut spans = Vec::new();
    let mut key = |mode: Mode, action: Action, what: &'static str| {
        spans.push(Span::styled(app.keys.label(mode, action), theme.key()));
        spans.push(Span::styled(format!(" {what}   "), theme.dim()));
    };
    if flow.paste_focused {
        key(Mode::Paste, Action::Submit, "use the pasted URL");
        key(Mode::Paste, Action::Cancel, "back");
    } else {
        if flow.url.is_none() {
            key(Mode::SignIn, Action::Confirm, "start again");
        } else {
            key(Mode::SignIn, Action::OpenBrowser, "open the browser again");
            key(Mode::SignIn, Action::CopyUrl, "copy the URL");
            key(Mode::SignIn, Action::PasteUrl, "paste a URL");
            if app.demo {
                key(
                    Mode::SignIn,
                    Action::BuiltInBrowser,
                    "demo: let a built-in browser allow all organizations",
                );
            }
        }
        key(
            Mode::SignIn,
            Action::Cancel,
            if flow.reconsent {
                "cancel"
            } else {
                "stop waiting"
            },
        );
        if !flow.reconsent {
            key(Mode::SignIn, Action::Quit, "quit");
        }
    }
    vec![Line::from(spans)]
}
