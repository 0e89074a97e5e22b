//! Snapshots of every screen: real sandbox data, fetched by the real client, fed through
//! `update` as the event loop would, drawn by `draw` on ratatui's TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use common::tui::Harness;
use crossterm::event::KeyCode;
use qonto_client::api::ApiError;
use qonto_tui::app::msg::{BrowserError, Opened};
use qonto_tui::app::state::Screen;
use qonto_tui::app::{App, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[tokio::test]
async fn accounts_of_the_first_organization() {
    let mut h = Harness::signed_in().await;
    h.freeze();
    insta::assert_snapshot!("accounts_120x32", h.render(120, 32));
}

#[tokio::test]
async fn accounts_hidden_balances_for_a_manager() {
    let mut h = Harness::signed_in().await;
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Down).await;
    h.freeze();
    insta::assert_snapshot!("accounts_manager_dashes", h.render(120, 20));
}

#[tokio::test]
async fn transactions_members_labels() {
    let mut h = Harness::signed_in().await;
    h.key(KeyCode::Char('2')).await;
    h.freeze();
    insta::assert_snapshot!("transactions", h.render(120, 32));
    h.key(KeyCode::Char('3')).await;
    h.freeze();
    insta::assert_snapshot!("members", h.render(120, 20));
    h.key(KeyCode::Char('4')).await;
    h.freeze();
    insta::assert_snapshot!("labels", h.render(120, 24));
}

#[tokio::test]
async fn no_longer_shared_organization() {
    let mut h = Harness::signed_in().await;
    let org = h.app.selected_org_id().unwrap();
    // The worker would deliver this 403 after the organization was unshared.
    h.key(KeyCode::Char('r')).await;
    let generation = h.app.generation + 1;
    h.app.generation = generation;
    h.app.data.get_mut(&org).unwrap().overview = qonto_tui::app::state::Load::Idle;
    h.app
        .data
        .get_mut(&org)
        .unwrap()
        .overview
        .start(generation, h.app.now);
    let error = ApiError::Forbidden {
        detail: "The user has not consented to share this organization".into(),
        trace_id: Some("6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c".into()),
    };
    h.send(Msg::OverviewLoaded {
        org,
        generation,
        result: Err(error),
    })
    .await;
    h.app.status = None;
    h.freeze();
    insta::assert_snapshot!("forbidden_403", h.render(120, 16));
}

#[tokio::test]
async fn help_overlay() {
    let mut h = Harness::signed_in().await;
    h.key(KeyCode::Char('?')).await;
    h.freeze();
    insta::assert_snapshot!("help", h.render(100, 40));
}

#[tokio::test]
async fn reconsent_modal() {
    let mut h = Harness::signed_in().await;
    h.key(KeyCode::Char('c')).await;
    h.send(Msg::SignInWaiting {
        url: "http://127.0.0.1:18920/oauth2/auth?response_type=code&client_id=demo&state=fixed-state-for-snapshot".into(),
        browser: Ok(Opened::ByBrowserVariable("firefox".into())),
    })
    .await;
    h.freeze();
    if let Some(flow) = h.app.sign_in.as_mut() {
        flow.started = h.app.now;
    }
    insta::assert_snapshot!("reconsent_modal", h.render(110, 30));
}

#[tokio::test]
async fn sign_in_screen_without_a_browser() {
    let mut app = App::new(true, None, Instant::now());
    update(&mut app, Msg::Resize(100, 26));
    update(
        &mut app,
        Msg::SessionChecked {
            signed_in: false,
            problem: None,
        },
    );
    assert_eq!(app.screen, Screen::SignIn);
    update(
        &mut app,
        Msg::SignInWaiting {
            url: "http://127.0.0.1:18920/oauth2/auth?response_type=code&client_id=demo&state=fixed-state-for-snapshot".into(),
            browser: Err(BrowserError::System("no opener found".into())),
        },
    );
    app.now = app.sign_in.as_ref().unwrap().started + std::time::Duration::from_secs(19);
    let mut terminal = Terminal::new(TestBackend::new(100, 26)).unwrap();
    terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
    insta::assert_snapshot!("sign_in", terminal.backend().to_string());
}

#[tokio::test]
async fn small_terminals() {
    let mut h = Harness::signed_in().await;
    h.freeze();
    insta::assert_snapshot!("layout_80x24", h.render(80, 24));
    insta::assert_snapshot!("layout_40x12", h.render(40, 12));
    for (w, h_) in [(1, 1), (2, 1), (10, 3), (29, 7), (30, 8), (5, 40), (300, 2)] {
        h.render(w, h_);
    }
}

#[tokio::test]
async fn organizations_from_the_user_flow_and_api_keys_and_their_dialogs() {
    let mut h = Harness::signed_in_with_keys(2).await;
    let last = h.app.org_list().len();
    assert_eq!(last, 5);
    for _ in 0..4 {
        h.key(KeyCode::Down).await;
    }
    h.freeze();
    insta::assert_snapshot!("sources_pane", h.render(120, 16));

    // x on an API-key organization asks first.
    h.key(KeyCode::Char('x')).await;
    h.freeze();
    insta::assert_snapshot!("sources_remove_confirm", h.render(100, 20));
    h.key(KeyCode::Esc).await;
    assert!(h.app.dialog.is_none());

    // a opens the add dialog; what is typed after the login is masked.
    h.key(KeyCode::Char('a')).await;
    for c in "acme-1234:s3cr3t".chars() {
        h.key(KeyCode::Char(c)).await;
    }
    h.freeze();
    let screen = h.render(100, 20);
    assert!(!screen.contains("s3cr3t"), "{screen}");
    insta::assert_snapshot!("sources_add_dialog", screen);
}
