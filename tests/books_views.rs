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

/// Each key asks for a screenful and some; moving towards the last result read asks for more
/// of the same query (twice as many, its totals kept, the rows before unchanged), until every
/// match is listed; the next key asks for a screenful again.
#[tokio::test(flavor = "multi_thread")]
async fn more_results_are_read_as_the_cursor_nears_the_last() {
    use qonto_tui::app::search_view::FIRST_RESULTS;
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('s')).await;
    h.type_text("side:debit").await;
    let view = h.app.search.as_ref().unwrap();
    assert_eq!(view.results.len(), FIRST_RESULTS);
    let totals = view
        .totals
        .clone()
        .expect("the totals are read once the results are");
    assert!(
        totals.count > 2 * FIRST_RESULTS,
        "the sandbox has more debits than two pages: {}",
        totals.count
    );
    let first: Vec<String> = view.results.iter().map(|f| f.tx.id.clone()).collect();
    let screen = h.render_now(160, 45);
    assert!(
        screen.contains(&format!("{} found", totals.count)),
        "{screen}"
    );

    // Down to 16 rows before the last: still the first page; one more asks for the next.
    for _ in 0..FIRST_RESULTS - 17 {
        h.key(KeyCode::Down).await;
    }
    assert_eq!(h.app.search.as_ref().unwrap().results.len(), FIRST_RESULTS);
    h.key(KeyCode::Down).await;
    let view = h.app.search.as_ref().unwrap();
    assert_eq!(view.results.len(), 2 * FIRST_RESULTS);
    assert_eq!(view.cursor, FIRST_RESULTS - 16);
    assert_eq!(
        view.totals.as_ref(),
        Some(&totals),
        "more results keep the totals"
    );
    let more: Vec<String> = view.results.iter().map(|f| f.tx.id.clone()).collect();
    assert_eq!(
        more[..FIRST_RESULTS],
        first[..],
        "the rows before stay as they were"
    );

    // To the end: every match, and nothing asked past it.
    for _ in 0..totals.count {
        h.key(KeyCode::PageDown).await;
    }
    let view = h.app.search.as_ref().unwrap();
    let listed = totals.count.min(qonto_tui::app::search_view::MOST_RESULTS);
    assert_eq!(view.results.len(), listed);
    assert_eq!(view.cursor, listed - 1);
    let query = qonto_books::query::parse("side:debit").unwrap();
    let (all, _) = h
        .books
        .as_ref()
        .unwrap()
        .search(&query, listed, listed + 1)
        .unwrap();
    let ids = |found: &[qonto_books::Found]| -> Vec<String> {
        found.iter().map(|f| f.tx.id.clone()).collect()
    };
    assert_eq!(ids(&view.results), ids(&all));

    // The next key: a screenful of the new query.
    h.type_text(" ").await;
    h.type_text("u").await;
    let view = h.app.search.as_ref().unwrap();
    assert!(view.results.len() <= FIRST_RESULTS);
    assert_eq!(view.cursor, 0);
}
