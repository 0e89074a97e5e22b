//! The dialogs about organizations' sources: "add an organization" (an API key, masked, or a
//! membership consent) and the confirmation before one is removed.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::spinner;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Mode};
use crate::app::state::Dialog;
use qonto_client::api::Via;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let Some(dialog) = &app.dialog else { return };
    let area = frame.area();
    let width = area.width.saturating_sub(4).min(76);
    let (title, lines) = match dialog {
        Dialog::AddOrg {
            key,
            membership,
            checking,
            error,
        } => (
            " Add an organization ",
            add_lines(
                app,
                theme,
                key.value(),
                *membership,
                *checking,
                error.as_deref(),
            ),
        ),
        Dialog::RemoveOrg {
            name,
            via,
            removing,
            error,
            ..
        } => (
            " Remove an organization ",
            remove_lines(app, theme, name, *via, *removing, error.as_deref()),
        ),
    };
    // As tall as what it says (wrapped), within the screen.
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let height =
        (super::popup::wrapped_rows(&lines, inner_width) + 2).min(area.height.saturating_sub(2));
    let inner = super::popup::framed(frame, theme, area, (width, height), title);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    // The cursor sits at the end of the key field while it is typed in.
    if let Some(Dialog::AddOrg {
        key,
        membership: false,
        checking: false,
        ..
    }) = &app.dialog
    {
        let x = inner.x + 4 + key.visual_cursor().min(MASK_MAX) as u16;
        if x < inner.x + inner.width && inner.height > 2 {
            frame.set_cursor_position((x, inner.y + 2));
        }
    }
}

/// The field shows one dot per character, at most this many.
const MASK_MAX: usize = 40;

/// `login:` in clear (it names the organization), the secret as dots.
fn masked(value: &str) -> String {
    match value.split_once(':') {
        Some((login, secret)) => format!(
            "{login}:{}",
            "•".repeat(secret.chars().count().min(MASK_MAX))
        ),
        None => value.to_string(),
    }
}

fn choice<'a>(selected: bool, label: &'a str, theme: &Theme) -> Span<'a> {
    let mark = if selected { "▶ " } else { "  " };
    Span::styled(
        format!("{mark}{label}"),
        if selected { theme.title() } else { theme.dim() },
    )
}

fn add_lines<'a>(
    app: &App,
    theme: &Theme,
    key: &str,
    membership: bool,
    checking: bool,
    error: Option<&str>,
) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::from(choice(
            !membership,
            "With its API key (read-only; from the organization's settings › API key)",
            theme,
        )),
        Line::from(""),
        Line::from(vec![
            Span::raw("    "),
            Span::styled(
                if key.is_empty() && !membership {
                    "login:secret-key".to_string()
                } else {
                    masked(key)
                },
                if key.is_empty() {
                    theme.dim()
                } else {
                    theme.key()
                },
            ),
        ]),
        Line::from(""),
        Line::from(choice(
            membership,
            "Through a membership consent in the browser (one organization)",
            theme,
        )),
        Line::from(""),
    ];
    if checking {
        lines.push(Line::from(vec![
            Span::styled(
                spinner(app.now.duration_since(app.started_at)),
                theme.title(),
            ),
            Span::raw(" Checking the key with Qonto…"),
        ]));
    } else if let Some(error) = error {
        lines.push(Line::from(Span::styled(error.to_string(), theme.error())));
    } else if !membership && let Some(hint) = demo_hint(app) {
        lines.push(Line::from(Span::styled(hint, theme.dim())));
    }
    let keys = &app.keys;
    lines.push(Line::from(vec![
        Span::styled(keys.label(Mode::AddOrg, Action::Submit), theme.key()),
        Span::styled(
            if membership {
                " open the consent page  "
            } else {
                " check and add  "
            },
            theme.dim(),
        ),
        Span::styled(keys.label(Mode::AddOrg, Action::Choose), theme.key()),
        Span::styled(" key / consent  ", theme.dim()),
        Span::styled(keys.label(Mode::AddOrg, Action::Cancel), theme.key()),
        Span::styled(" cancel", theme.dim()),
    ]));
    lines
}

fn remove_lines<'a>(
    app: &App,
    theme: &Theme,
    name: &str,
    via: Via,
    removing: bool,
    error: Option<&str>,
) -> Vec<Line<'a>> {
    let what = match via {
        Via::ApiKey => {
            "Its API key is forgotten here; it stays valid at Qonto until regenerated there."
        }
        _ => "Its membership consent is revoked at Qonto and its tokens forgotten here.",
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Remove "),
            Span::styled(name.to_string(), theme.title()),
            Span::raw(" from qonto-tui?"),
        ]),
        Line::from(Span::styled(what, theme.dim())),
        Line::from(""),
    ];
    if removing {
        lines.push(Line::from(vec![
            Span::styled(
                spinner(app.now.duration_since(app.started_at)),
                theme.title(),
            ),
            Span::raw(" Removing…"),
        ]));
    } else if let Some(error) = error {
        lines.push(Line::from(Span::styled(error.to_string(), theme.error())));
    }
    let keys = &app.keys;
    lines.push(Line::from(vec![
        Span::styled(keys.label(Mode::Confirm, Action::Confirm), theme.key()),
        Span::styled(" remove  ", theme.dim()),
        Span::styled(keys.label(Mode::Confirm, Action::Cancel), theme.key()),
        Span::styled(" keep", theme.dim()),
    ]));
    lines
}

/// In the demo: a sandbox key of an organization not listed yet, or how to make room for one.
fn demo_hint(app: &App) -> Option<String> {
    if app.demo_api_keys.is_empty() {
        return None;
    }
    let listed = |id: &str| app.org_list().iter().any(|o| o.id == id);
    Some(
        match app.demo_api_keys.iter().find(|(org, _)| !listed(org)) {
            Some((_, key)) => format!("Demo: try {key}"),
            None => format!(
                "Demo: every sandbox organization is here already; press {} and untick one, then add its key ({}).",
                app.keys.first_key(Mode::Main, Action::Reconsent),
                app.demo_api_keys[0].1
            ),
        },
    )
}
