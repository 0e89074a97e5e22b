//! Adding and removing organizations' sources from the TUI: the "add an organization" dialog
//! (an API key typed or pasted, masked; or a membership consent in the browser) and the
//! confirmation before a source is forgotten.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::keymap::{Action, Mode};
use super::super::msg::{Cmd, Job};
use super::super::state::{App, Dialog, Notice, Tone};
use super::super::text;
use super::loading::load_orgs;
use super::navigation::{quit, set_status};
use super::sign_in;
use crate::outcome::SourceError;
use qonto_client::api::Via;
use qonto_client::secret::Secret;

pub(super) fn open_add(app: &mut App) -> Vec<Cmd> {
    app.dialog = Some(Dialog::AddOrg {
        key: Input::default(),
        membership: false,
        checking: false,
        error: None,
    });
    Vec::new()
}

/// Asks before forgetting the selected organization's own source; the User flow's
/// organizations are changed through the consent page instead.
pub(super) fn open_remove(app: &mut App) -> Vec<Cmd> {
    let Some(org) = app.selected_org() else {
        return Vec::new();
    };
    if org.via == Via::User {
        let notice = Notice::Text(text::shared_by_sign_in(&app.keys));
        set_status(app, notice, Tone::Info);
        return Vec::new();
    }
    app.dialog = Some(Dialog::RemoveOrg {
        org: org.id.clone(),
        name: org.display_name().to_string(),
        via: org.via,
        removing: false,
        error: None,
    });
    Vec::new()
}

pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    match app.dialog.as_mut() {
        Some(Dialog::AddOrg {
            key: field,
            membership,
            checking,
            error,
        }) => match app.keys.action(Mode::AddOrg, key) {
            Some(Action::Quit) => quit(app),
            Some(Action::Cancel) => {
                app.dialog = None;
                Vec::new()
            }
            Some(Action::Choose) => {
                *membership = !*membership;
                *error = None;
                Vec::new()
            }
            Some(Action::Submit) if *membership => {
                app.dialog = None;
                sign_in::start_flow(app, true, true)
            }
            Some(Action::Submit) if !*checking => match parse_key(field.value()) {
                Ok((login, secret)) => {
                    *checking = true;
                    *error = None;
                    vec![Job::AddApiKey { login, secret }.into()]
                }
                Err(why) => {
                    *error = Some(why.to_string());
                    Vec::new()
                }
            },
            _ if !*membership && !*checking => {
                field.handle_event(&Event::Key(*key));
                *error = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Some(Dialog::RemoveOrg {
            org, via, removing, ..
        }) => match app.keys.action(Mode::Confirm, key) {
            Some(Action::Quit) => quit(app),
            Some(Action::Cancel) => {
                app.dialog = None;
                Vec::new()
            }
            Some(Action::Confirm) if !*removing => {
                *removing = true;
                vec![
                    Job::RemoveSource {
                        org: org.clone(),
                        via: *via,
                    }
                    .into(),
                ]
            }
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}

/// A paste lands in the key field whole (`login:secret-key` copied from Qonto's settings).
pub(super) fn on_paste(app: &mut App, pasted: &str) -> bool {
    let Some(Dialog::AddOrg {
        key,
        membership: false,
        checking: false,
        error,
    }) = app.dialog.as_mut()
    else {
        return false;
    };
    let combined = format!("{}{}", key.value(), pasted.trim());
    *key = Input::new(combined);
    *error = None;
    true
}

/// `login:secret-key`, as Qonto shows it in an organization's settings.
fn parse_key(text: &str) -> Result<(String, Secret), &'static str> {
    let text = text.trim();
    let Some((login, secret)) = text.split_once(':') else {
        return Err(text::KEY_FORMAT);
    };
    let login = login.trim();
    let secret = secret.trim();
    let login_ok = !login.is_empty()
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !login_ok || secret.is_empty() || secret.chars().any(char::is_whitespace) {
        return Err(text::KEY_FORMAT);
    }
    Ok((login.to_string(), Secret::new(secret)))
}

pub(super) fn added(app: &mut App, result: Result<(String, String), SourceError>) -> Vec<Cmd> {
    match result {
        Ok((id, name)) => {
            if matches!(app.dialog, Some(Dialog::AddOrg { .. })) {
                app.dialog = None;
            }
            app.sign_in = None;
            let shared = app
                .org_list()
                .iter()
                .any(|o| o.id == id && o.via == Via::User);
            let words = text::source_added(&name, shared);
            set_status(app, Notice::Text(words), Tone::Success);
            let mut cmds = vec![super::super::msg::Effect::MouseCapture(true).into()];
            cmds.extend(load_orgs(app));
            cmds
        }
        Err(why) => {
            let why = text::source_failed(&why);
            if let Some(Dialog::AddOrg {
                key,
                checking,
                error,
                ..
            }) = app.dialog.as_mut()
            {
                // A refused secret is not kept on screen, even masked: the next paste starts
                // afresh.
                *key = Input::default();
                *checking = false;
                *error = Some(why);
                return Vec::new();
            }
            sign_in::failed(app, why)
        }
    }
}

pub(super) fn removed(app: &mut App, result: Result<String, SourceError>) -> Vec<Cmd> {
    match result {
        Ok(name) => {
            app.dialog = None;
            set_status(
                app,
                Notice::Text(text::source_removed(&name)),
                Tone::Success,
            );
            load_orgs(app)
        }
        Err(why) => {
            if let Some(Dialog::RemoveOrg {
                removing, error, ..
            }) = app.dialog.as_mut()
            {
                *removing = false;
                *error = Some(text::source_failed(&why));
            }
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_login_colon_secret() {
        let (login, secret) = parse_key(" acme-12:sk_live ").unwrap();
        assert_eq!((login.as_str(), secret.expose()), ("acme-12", "sk_live"));
        for bad in ["", "acme", ":s", "ac me:s", "acme:", "acme:s k"] {
            assert!(parse_key(bad).is_err(), "{bad:?}");
        }
    }
}
