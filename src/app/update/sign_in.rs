//! Signing in and re-consenting: starting the browser flow, its keys (the paste field included),
//! and what the worker reports as it goes.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::keymap::{Action, Mode};
use super::super::msg::{Cmd, Effect, Job};
use super::super::state::{App, Notice, Screen, SignInFlow, Tone};
use super::super::text;
use super::loading::load_orgs;
use super::navigation::{quit, set_status};
use crate::outcome::{BrowserError, Opened};

/// Opens the sign-in (the first one, or a re-consent over the main screen). The mouse is let go
/// so that the URL can be selected and copied.
pub(super) fn start(app: &mut App, reconsent: bool) -> Vec<Cmd> {
    start_flow(app, reconsent, false)
}

/// Opens the browser consent of either flow (`membership`: add one organization).
pub(super) fn start_flow(app: &mut App, reconsent: bool, membership: bool) -> Vec<Cmd> {
    app.sign_in = Some(SignInFlow {
        reconsent,
        membership,
        url: None,
        browser: None,
        started: app.now,
        paste: Input::default(),
        paste_focused: false,
        error: None,
        completing: false,
        copied: false,
    });
    vec![
        Job::StartSignIn { membership }.into(),
        Effect::MouseCapture(false).into(),
    ]
}

pub(super) fn session_checked(app: &mut App, signed_in: bool, problem: Option<String>) -> Vec<Cmd> {
    if signed_in {
        app.screen = Screen::Main;
        return load_orgs(app);
    }
    app.screen = Screen::SignIn;
    let Some(problem) = problem else {
        return start(app, false);
    };
    // The store did not answer (or could not be read): that is not "nobody is signed in". No
    // browser is opened on a guess; the problem stays on screen, and Enter signs in anyway.
    let mut cmds = start(app, false);
    cmds.retain(|cmd| !matches!(cmd, Cmd::Job(Job::StartSignIn { .. })));
    if let Some(flow) = app.sign_in.as_mut() {
        flow.error = Some(problem);
    }
    cmds
}

pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let Some(flow) = app.sign_in.as_mut() else {
        return Vec::new();
    };
    if flow.paste_focused {
        match app.keys.action(Mode::Paste, key) {
            Some(Action::Quit) => return quit(app),
            Some(Action::Cancel) => flow.paste_focused = false,
            Some(Action::Submit) => {
                let text = flow.paste.value().trim().to_string();
                if !text.is_empty() {
                    flow.completing = true;
                    flow.error = None;
                    return vec![Job::SubmitPastedUrl(text).into()];
                }
            }
            _ => {
                flow.paste.handle_event(&Event::Key(*key));
            }
        }
        return Vec::new();
    }
    match app.keys.action(Mode::SignIn, key) {
        Some(Action::Quit) => quit(app),
        Some(Action::Cancel) if flow.reconsent => {
            app.sign_in = None;
            set_status(
                app,
                Notice::Text(text::RECONSENT_CANCELLED.into()),
                Tone::Info,
            );
            vec![Job::CancelSignIn.into(), Effect::MouseCapture(true).into()]
        }
        Some(Action::Cancel) => {
            flow.url = None;
            flow.error = Some(text::sign_in_cancelled(&app.keys));
            vec![Job::CancelSignIn.into()]
        }
        Some(Action::Confirm) if flow.url.is_none() => {
            flow.error = None;
            flow.started = app.now;
            vec![
                Job::StartSignIn {
                    membership: flow.membership,
                }
                .into(),
            ]
        }
        Some(Action::PasteUrl) => {
            flow.paste_focused = true;
            Vec::new()
        }
        Some(Action::OpenBrowser) if flow.url.is_some() => vec![Job::OpenBrowserAgain.into()],
        Some(Action::CopyUrl) => match &flow.url {
            Some(url) => {
                flow.copied = true;
                vec![Effect::CopyToClipboard(url.clone()).into()]
            }
            None => Vec::new(),
        },
        Some(Action::BuiltInBrowser) if app.demo && flow.url.is_some() && !flow.completing => {
            flow.completing = true;
            // A membership consent takes one organization: one not listed yet, if any.
            let only = flow.membership.then(|| {
                let listed = |id: &str| app.org_list().iter().any(|o| o.id == id);
                app.demo_api_keys
                    .iter()
                    .map(|(org, _)| org)
                    .find(|org| !listed(org))
                    .or(app.demo_api_keys.first().map(|(org, _)| org))
                    .cloned()
            });
            vec![
                Job::SimulateBrowser {
                    only: only.flatten(),
                }
                .into(),
            ]
        }
        _ => Vec::new(),
    }
}

pub(super) fn waiting(
    app: &mut App,
    url: String,
    browser: Result<Opened, BrowserError>,
) -> Vec<Cmd> {
    if let Some(flow) = app.sign_in.as_mut() {
        flow.url = Some(url);
        flow.browser = Some(browser);
        flow.error = None;
        flow.started = app.now;
    }
    Vec::new()
}

pub(super) fn browser_opened(app: &mut App, browser: Result<Opened, BrowserError>) -> Vec<Cmd> {
    if let Some(flow) = app.sign_in.as_mut() {
        flow.browser = Some(browser);
    }
    Vec::new()
}

pub(super) fn failed(app: &mut App, error: String) -> Vec<Cmd> {
    if let Some(flow) = app.sign_in.as_mut() {
        flow.error = Some(error);
        flow.url = None;
        flow.completing = false;
    }
    Vec::new()
}

pub(super) fn paste_rejected(app: &mut App, error: String) -> Vec<Cmd> {
    if let Some(flow) = app.sign_in.as_mut() {
        flow.error = Some(error);
        flow.completing = false;
    }
    Vec::new()
}

/// A failed save is shown until a save succeeds (in the title bar, after the passing notice).
pub(super) fn store_health(app: &mut App, problem: Option<String>) -> Vec<Cmd> {
    match &problem {
        Some(problem) => set_status(app, Notice::Text(text::store_warning(problem)), Tone::Error),
        None if app.store_problem.is_some() => set_status(
            app,
            Notice::Text(text::STORE_RECOVERED.into()),
            Tone::Success,
        ),
        None => {}
    }
    app.store_problem = problem;
    Vec::new()
}

pub(super) fn signed_in(app: &mut App) -> Vec<Cmd> {
    let reconsent = app.sign_in.as_ref().is_some_and(|f| f.reconsent);
    app.sign_in = None;
    app.banner = None;
    app.screen = Screen::Main;
    if reconsent {
        app.before_reconsent = Some(
            app.org_list()
                .iter()
                .map(|o| (o.id.clone(), o.display_name().to_string()))
                .collect(),
        );
    }
    // What failed for lack of consent or sign-in is worth asking again now.
    for data in app.data.values_mut() {
        data.forget_failures();
    }
    set_status(app, Notice::Text(text::SIGNED_IN.into()), Tone::Success);
    let mut cmds = vec![Effect::MouseCapture(true).into()];
    cmds.extend(load_orgs(app));
    cmds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyCode;

    fn starts_sign_in(cmds: &[Cmd]) -> bool {
        cmds.iter()
            .any(|c| matches!(c, Cmd::Job(Job::StartSignIn { .. })))
    }

    /// A store that did not answer is not "nobody signed in": no browser on a guess, the words
    /// stay (a sign-in started later cleared them, 4 runs in 10), and Enter signs in anyway.
    #[test]
    fn a_silent_store_opens_no_browser_and_keeps_its_words() {
        let mut app = App::new(false, None, std::time::Instant::now());
        let silent = "the secret store did not answer within 10 s".to_string();
        let cmds = session_checked(&mut app, false, Some(silent.clone()));
        assert!(!starts_sign_in(&cmds), "{cmds:?}");
        assert_eq!(app.screen, Screen::SignIn);
        let error = app.sign_in.as_ref().and_then(|f| f.error.clone());
        assert_eq!(error, Some(silent));
        let cmds = on_key(&mut app, &KeyEvent::from(KeyCode::Enter));
        assert!(starts_sign_in(&cmds), "{cmds:?}");

        let mut app = App::new(false, None, std::time::Instant::now());
        assert!(starts_sign_in(&session_checked(&mut app, false, None)));
    }
}
