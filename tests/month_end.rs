//! The month-end board: its numbers equal the sandbox's truth for each organization and month
//! (receipts needed and complete, uncategorized, invoices and requests waiting); snapshots at
//! 160×45, 80×24 and in monochrome; Enter on a cell opens the list it counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Datelike, NaiveDate};
use common::tui::Harness;
use crossterm::event::KeyCode;
use qonto_books::month_end::{INVOICES_WAITING, OrgMonth, previous_month};
use qonto_sandbox::Sandbox;
use qonto_sandbox::data::{TxStatus, fixed_anchor};

/// The board's row of `org` for `month`, as the sandbox holds its books now.
fn truth(sb: &Sandbox, org: &qonto_sandbox::data::Org, month: NaiveDate) -> OrgMonth {
    let mut row = OrgMonth {
        id: org.id.clone(),
        name: org.name.clone(),
        ..OrgMonth::default()
    };
    for account in &org.accounts {
        for tx in &sb.ledger_now(account).transactions {
            let day = tx.settled_at.unwrap_or(tx.emitted_at).date_naive();
            if tx.status == TxStatus::Declined
                || (day.year(), day.month()) != (month.year(), month.month())
            {
                continue;
            }
            row.transactions += 1;
            if sb.needs_receipt(tx) {
                row.receipts_needed += 1;
                if !sb.misses_receipt(tx) {
                    row.receipts_complete += 1;
                }
            }
            if sb.cashflow_of(org, tx).is_none() {
                row.uncategorized += 1;
            }
        }
    }
    row.invoices_waiting = sb
        .invoices_of(org)
        .iter()
        .filter(|i| INVOICES_WAITING.contains(&i.status))
        .count();
    row.requests_pending = sb
        .requests_of(org)
        .iter()
        .filter(|r| r.status == "pending")
        .count();
    row
}

#[tokio::test(flavor = "multi_thread")]
async fn the_boards_numbers_are_the_sandboxs_for_each_organization_and_month() {
    let sb = common::sandbox().await;
    let (_api, books) = common::synced_books(&sb).await;
    let mut month = fixed_anchor().date_naive().with_day(1).unwrap();
    let mut checked = 0;
    let mut seen_incomplete = false;
    for _ in 0..4 {
        let board = books.month_end(month).unwrap();
        assert_eq!(board.len(), sb.data().orgs.len());
        for row in board {
            let org = sb.data().orgs.iter().find(|o| o.id == row.id).unwrap();
            let mut want = truth(&sb, org, month);
            want.synced_at = row.synced_at;
            assert!(row.synced_at.is_some(), "{} was synced", row.name);
            assert_eq!(row, want, "{} in {month}", org.name);
            seen_incomplete |= row.receipts_missing() > 0;
            checked += row.transactions;
        }
        month = previous_month(month);
    }
    assert!(checked > 100, "the months hold transactions: {checked}");
    assert!(seen_incomplete, "some receipts are missing somewhere");
}

/// The board opened on the sandbox's month, its sync times frozen as "just now".
async fn board_on_the_sandboxs_month(h: &mut Harness) {
    h.key(KeyCode::Char('B')).await;
    let view = h.app.board.as_mut().expect("the board is open");
    view.today = fixed_anchor().date_naive();
    view.month = view.today.with_day(1).unwrap();
    h.key(KeyCode::Char('r')).await;
    let view = h.app.board.as_mut().unwrap();
    let latest = view
        .ready()
        .iter()
        .filter_map(|o| o.synced_at)
        .max()
        .unwrap();
    view.now_secs = latest;
}

#[tokio::test]
async fn the_board_drawn_and_its_cells_open_their_lists() {
    let mut h = Harness::with_books().await;
    board_on_the_sandboxs_month(&mut h).await;
    let rows = h.app.board.as_ref().unwrap().ready().to_vec();
    assert_eq!(rows.len(), h.sb.data().orgs.len());
    insta::assert_snapshot!("board_160x45", h.render(160, 45));
    insta::assert_snapshot!("board_80x24", h.render(80, 24));
    // The chosen cell: the second organization's uncategorized count.
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Right).await;
    insta::assert_snapshot!("board_80x24_mono", h.render_mono(80, 24));

    // The month before: other numbers, and its statements are out.
    h.key(KeyCode::Char('[')).await;
    let view = h.app.board.as_ref().unwrap();
    assert_eq!(view.month.month(), 10);
    assert!(view.statement_out());
    let screen = h.render(120, 32);
    assert!(screen.contains("Month-end · October 2026"), "{screen}");
    assert!(screen.contains("statements out since 1 Nov"), "{screen}");
    h.key(KeyCode::Char(']')).await;

    // Enter on a receipts cell lists that organization's missing receipts of the month.
    let with_missing = rows.iter().position(|r| r.receipts_missing() > 0).unwrap();
    h.key(KeyCode::Home).await;
    for _ in 0..with_missing {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Left).await;
    h.key(KeyCode::Enter).await;
    let search = h.app.search.as_ref().expect("the list is open");
    assert!(
        search
            .input
            .value()
            .starts_with("missing:receipt 2026-11 org:"),
        "{}",
        search.input.value()
    );
    assert_eq!(search.total, rows[with_missing].receipts_missing());
    let org = &rows[with_missing].id;
    assert!(search.results.iter().all(|f| &f.tx.org_id == org));
    // Esc comes back to the board.
    h.key(KeyCode::Esc).await;
    assert!(h.app.search.is_none() && h.app.board.is_some());

    // The uncategorized cell, likewise.
    h.key(KeyCode::Right).await;
    h.key(KeyCode::Enter).await;
    let search = h.app.search.as_ref().unwrap();
    assert!(search.input.value().starts_with("uncategorized 2026-11"));
    assert_eq!(search.total, rows[with_missing].uncategorized);
    h.key(KeyCode::Esc).await;

    // The invoices' cell opens the review; Esc closes the board itself.
    h.key(KeyCode::Right).await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.review.is_some());
    h.key(KeyCode::Esc).await;
    assert!(h.app.review.is_none() && h.app.board.is_some());
    h.key(KeyCode::Esc).await;
    assert!(h.app.board.is_none());
}
