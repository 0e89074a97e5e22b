//! The cash view's charts (balance over twelve months, money in and out per month) drawn
//! from the local copy: snapshots at 160×45, 80×24 and in monochrome, for the group and for
//! one organization (→).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tui::Harness;
use crossterm::event::KeyCode;

#[tokio::test]
async fn the_groups_and_an_organizations_charts() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('$')).await;
    assert!(matches!(
        h.app.cash.as_ref().map(|v| &v.state),
        Some(qonto_tui::app::cash_view::CashState::Ready(_))
    ));
    insta::assert_snapshot!("charts_group_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("charts_group_80x24", h.render_now(80, 24));
    insta::assert_snapshot!("charts_group_80x24_mono", h.render_mono(80, 24));
    h.key(KeyCode::Right).await;
    let first = h
        .app
        .org_list()
        .iter()
        .map(|o| o.display_name().to_string())
        .min_by_key(|n| n.to_lowercase())
        .unwrap();
    let screen = h.render_now(160, 45);
    assert!(screen.contains(&format!(" {first}: balance ")), "{screen}");
    insta::assert_snapshot!("charts_org_160x45", screen);
    // Round: ← from the group is the last organization.
    h.key(KeyCode::Left).await;
    h.key(KeyCode::Left).await;
    let screen = h.render_now(160, 45);
    assert!(!screen.contains("The group: balance"), "{screen}");
    // Too short a screen keeps the figures and leaves the charts out.
    let screen = h.render_now(80, 18);
    assert!(!screen.contains(": balance"), "{screen}");
    assert!(screen.contains("Group total"), "{screen}");
}
