//! Snapshots of the views over the local books — the search across organizations, a
//! transaction opened from it, the missing receipts, the group's cash — at 80×24 and 160×45:
//! the sandbox's books synced into real (in-memory) local books, read as the worker does, fed
//! through `update`, drawn on ratatui's TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tui::Harness;
use crossterm::event::KeyCode;
use qonto_tui::app::Msg;

#[tokio::test(flavor = "multi_thread")]
async fn search_results_and_a_transaction_opened_from_them() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('s')).await;
    h.type_text("urssaf >1000").await;
    let view = h.app.search.as_ref().unwrap();
    assert!(!view.results.is_empty());
    assert!(
        view.results
            .iter()
            .all(|f| f.tx.counterparty.as_deref() == Some("URSSAF"))
    );
    insta::assert_snapshot!("search_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("search_80x24", h.render_now(80, 24));

    h.key(KeyCode::Down).await;
    h.key(KeyCode::Enter).await;
    insta::assert_snapshot!("search_detail_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("search_detail_80x24", h.render_now(80, 24));
    // At 50×15 the detail does not fit: it says so, and PgDn brings its last rows in.
    h.send(Msg::Resize(50, 15)).await;
    let top = h.render_now(50, 15);
    assert!(top.contains("more · PgDn"), "{top}");
    assert!(!top.contains("Id "), "{top}");
    insta::assert_snapshot!("search_detail_50x15", top);
    h.key(KeyCode::PageDown).await;
    h.key(KeyCode::PageDown).await;
    let bottom = h.render_now(50, 15);
    assert!(bottom.contains("Id "), "{bottom}");
    insta::assert_snapshot!("search_detail_50x15_scrolled", bottom);
    insta::assert_snapshot!("search_detail_50x15_scrolled_mono", h.render_mono(50, 15));
    h.send(Msg::Resize(160, 45)).await;

    // Back; the same filters as a form: choosing a side there writes it into the query.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Tab).await;
    for _ in 0..5 {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Right).await;
    let view = h.app.search.as_ref().unwrap();
    assert_eq!(view.input.value(), "urssaf >=1000.01 side:debit");
    assert!(
        view.results
            .iter()
            .all(|f| f.tx.side == Some(qonto_books::values::Side::Debit))
    );
    insta::assert_snapshot!("search_form_80x24", h.render_now(80, 24));
    h.key(KeyCode::Left).await;
    h.key(KeyCode::Tab).await;
    assert!(h.app.search.as_ref().unwrap().form.is_none());

    // A query that cannot be read says why.
    h.type_text(" side:up").await;
    insta::assert_snapshot!("search_bad_query_80x24", h.render_now(80, 24));
    h.key(KeyCode::Esc).await;
    assert!(h.app.search.is_none(), "Esc closes the search");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_receipts_grouped_by_organization() {
    let mut h = Harness::with_books().await;
    let counts = h.books.as_ref().unwrap().missing_receipts().unwrap();
    h.send(Msg::ReceiptsCounted(counts)).await;
    insta::assert_snapshot!("receipts_counts_80x24", h.render_now(80, 24));
    h.key(KeyCode::Char('m')).await;
    let view = h.app.search.as_ref().unwrap();
    assert!(view.grouped && view.results.iter().all(|f| f.missing_receipt));
    // Grouped: one organization's rows together, newest first within it.
    let orgs: Vec<&str> = view.results.iter().map(|f| f.tx.org_id.as_str()).collect();
    let mut seen = Vec::new();
    for org in &orgs {
        if seen.last() != Some(org) {
            assert!(
                !seen.contains(org),
                "{org} comes back after another organization"
            );
            seen.push(org);
        }
    }
    insta::assert_snapshot!("receipts_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("receipts_80x24", h.render_now(80, 24));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_groups_cash() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('$')).await;
    assert!(matches!(
        h.app.cash.as_ref().map(|c| &c.state),
        Some(qonto_tui::app::cash_view::CashState::Ready(_))
    ));
    insta::assert_snapshot!("cash_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("cash_80x24", h.render_now(80, 24));
    h.key(KeyCode::Esc).await;
    assert!(h.app.cash.is_none(), "Esc closes it");
}
