//! The command palette (`:`): snapshots at 160×45, 80×24 and in monochrome, and what a pick
//! does: the command its key does, an organization selected, a search opened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tui::Harness;
use crossterm::event::KeyCode;
use qonto_tui::app::command_palette::Pick;
use qonto_tui::app::keymap::Action;

#[tokio::test]
async fn the_palette_finds_commands_and_organizations_and_runs_the_pick() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char(':')).await;
    let palette = h.app.command_palette.as_ref().expect("open");
    // Every command of the key map and every organization are in it.
    let orgs = h.app.org_list().len();
    let commands = h.app.keys.commands().count();
    assert_eq!(palette.total(), orgs + commands);
    insta::assert_snapshot!("palette_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("palette_80x24", h.render_now(80, 24));

    h.type_text("cash").await;
    let palette = h.app.command_palette.as_ref().unwrap();
    assert_eq!(
        palette.chosen().map(|e| &e.pick),
        Some(&Pick::Action(Action::Cash))
    );
    insta::assert_snapshot!("palette_cash_80x24_mono", h.render_mono(80, 24));
    h.key(KeyCode::Enter).await;
    assert!(h.app.command_palette.is_none(), "closed by the pick");
    assert!(h.app.cash.is_some(), "the cash view is open, as $ opens it");

    // Over the cash view, an organization: the view closes and it is selected.
    let last = h.app.org_list().last().unwrap().clone();
    h.key(KeyCode::Char(':')).await;
    h.type_text(last.display_name()).await;
    let chosen = h.app.command_palette.as_ref().unwrap().chosen().cloned();
    assert_eq!(chosen.map(|e| e.pick), Some(Pick::Org(last.id.clone())));
    h.key(KeyCode::Enter).await;
    assert!(h.app.cash.is_none());
    assert_eq!(h.app.selected_org_id(), Some(last.id.clone()));

    // Esc closes without doing anything; words matching nothing say so and Enter does nothing.
    h.key(KeyCode::Char(':')).await;
    h.type_text("zzqqxxww").await;
    let screen = h.render_now(120, 32);
    assert!(screen.contains("nothing matches these words"), "{screen}");
    h.key(KeyCode::Enter).await;
    assert!(h.app.command_palette.is_none());
    assert_eq!(h.app.selected_org_id(), Some(last.id));
    h.key(KeyCode::Char(':')).await;
    h.key(KeyCode::Esc).await;
    assert!(h.app.command_palette.is_none());

    // In the search, `:` is typed into the query (a filter's colon), not the palette.
    h.key(KeyCode::Char('s')).await;
    h.type_text("side:debit").await;
    assert!(h.app.command_palette.is_none());
    assert_eq!(h.app.search.as_ref().unwrap().input.value(), "side:debit");
}

#[tokio::test]
async fn the_help_and_the_palette_show_the_same_keys() {
    let mut h = Harness::with_books().await;
    // A key moved in the config file moves in both.
    let table = [("search".to_string(), vec!["f".to_string()])].into();
    h.app.keys = qonto_tui::app::keymap::KeyMap::with_overrides(&table).unwrap();
    h.key(KeyCode::Char('?')).await;
    let help = h.render_now(160, 45);
    h.key(KeyCode::Esc).await;
    assert!(
        help.contains("f       search every organization's transactions"),
        "{help}"
    );
    h.key(KeyCode::Char(':')).await;
    let search = h.app.command_palette.as_ref().unwrap();
    let entry = search
        .shown()
        .find(|e| e.pick == Pick::Action(Action::Search))
        .unwrap();
    assert_eq!(entry.key, "f");
    let palette = h.app.command_palette.as_ref().unwrap();
    for b in h.app.keys.commands() {
        let entry = palette
            .shown()
            .find(|e| e.pick == Pick::Action(b.action))
            .unwrap_or_else(|| panic!("{:?} in the palette", b.action));
        assert_eq!(entry.key, b.label());
        assert_eq!(entry.title, b.help);
    }
}
