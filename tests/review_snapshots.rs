//! Snapshots of the review screens at 80×24 and 160×45: the requests and supplier invoices
//! waiting in every organization, the marks in the search results with their count and total,
//! and the category picker over the marked transactions' organizations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tui::Harness;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use qonto_tui::app::Msg;

async fn ctrl(h: &mut Harness, c: char) {
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
    .await;
}

#[tokio::test]
async fn requests_and_invoices_waiting_in_every_organization() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('V')).await;
    let view = h.app.review.as_mut().expect("the review is open");
    assert!(view.loading.is_none(), "loaded");
    // Ages and due dates counted to the sandbox's own day, so they do not move.
    view.today = qonto_sandbox::data::fixed_anchor().date_naive();
    insta::assert_snapshot!("review_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("review_80x24", h.render_now(80, 24));
    // Down to the first invoice: its detail below the list.
    let first_invoice = h
        .app
        .review
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| matches!(r.item, qonto_tui::app::review_view::Item::Invoice(_)))
        .unwrap();
    for _ in 0..first_invoice {
        h.key(KeyCode::Down).await;
    }
    insta::assert_snapshot!("review_invoice_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("review_invoice_80x24", h.render_now(80, 24));
}

#[tokio::test]
async fn marks_in_the_search_and_the_category_picker() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('s')).await;
    h.type_text("side:debit").await;
    // Three marked one by one, then two more as a range.
    for _ in 0..3 {
        ctrl(&mut h, 't').await;
    }
    for _ in 0..2 {
        h.send(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::SHIFT)))
            .await;
    }
    let marked = h.app.search.as_ref().unwrap().marked.len();
    assert_eq!(marked, 6, "three, then a range of three more");
    insta::assert_snapshot!("marks_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("marks_80x24", h.render_now(80, 24));

    ctrl(&mut h, 'g').await;
    assert!(h.app.picker.is_some());
    insta::assert_snapshot!("category_picker_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("category_picker_80x24", h.render_now(80, 24));
    h.type_text("tax").await;
    insta::assert_snapshot!("category_picker_typed_80x24", h.render_now(80, 24));
}

#[tokio::test]
async fn marked_requests_and_invoices_are_declined_together_after_one_question() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('V')).await;
    let view = h.app.review.as_mut().expect("the review is open");
    view.today = qonto_sandbox::data::fixed_anchor().date_naive();
    // Two rows marked one by one (Space moves down), the next two by a range; then the last
    // row, an invoice.
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Char(' ')).await;
    h.send(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::SHIFT)))
        .await;
    h.key(KeyCode::End).await;
    h.key(KeyCode::Char(' ')).await;
    let view = h.app.review.as_ref().unwrap();
    let last = view.rows.len() - 1;
    assert_eq!(
        view.marked.iter().copied().collect::<Vec<_>>(),
        vec![0, 1, 2, 3, last]
    );
    insta::assert_snapshot!("review_marked_160x45", h.render_now(160, 45));
    insta::assert_snapshot!("review_marked_80x24", h.render_now(80, 24));
    h.key(KeyCode::Char('x')).await;
    h.type_text("Duplicate").await;
    insta::assert_snapshot!("review_marked_note_80x24", h.render_now(80, 24));
    h.key(KeyCode::Enter).await;
    // An e-invoice among them: its reason code is asked next (none given here).
    if matches!(
        h.app.review.as_ref().unwrap().prompt,
        Some(qonto_tui::app::review_view::Prompt::Code { .. })
    ) {
        h.key(KeyCode::Enter).await;
    }
    insta::assert_snapshot!("review_marked_confirm_80x24", h.render_now(80, 24));
    insta::assert_snapshot!("review_marked_confirm_160x45", h.render_now(160, 45));
    // No: nothing sent, the marks stay.
    h.key(KeyCode::Char('n')).await;
    assert_eq!(h.app.review.as_ref().unwrap().marked.len(), 5);
    // ^X clears them; again marks every open row.
    ctrl(&mut h, 'x').await;
    assert!(h.app.review.as_ref().unwrap().marked.is_empty());
    ctrl(&mut h, 'x').await;
    let view = h.app.review.as_ref().unwrap();
    assert_eq!(view.marked.len(), view.rows.len());
}

#[tokio::test]
async fn rejecting_an_e_invoice_asks_for_its_afnor_reason_code_and_sends_it() {
    use qonto_tui::app::msg::{Cmd, Job, WriteAsk};
    use qonto_tui::app::review_view::Item;
    use qonto_tui::outcome::InvoiceAction;

    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('V')).await;
    let view = h.app.review.as_mut().unwrap();
    // Due dates counted to the sandbox's own day, so that "overdue by" does not move with the
    // calendar (it said 58 days on the day the snapshot was taken, 59 the next).
    view.today = qonto_sandbox::data::fixed_anchor().date_naive();
    let row = view
        .rows
        .iter()
        .position(|r| r.item.is_einvoice())
        .expect("an e-invoice waits in the sandbox");
    view.cursor = row;
    h.key(KeyCode::Char('x')).await;
    h.type_text("Wrong VAT").await;
    h.key(KeyCode::Enter).await;
    insta::assert_snapshot!("review_reason_code_80x24", h.render_now(80, 24));
    h.type_text("dif").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_now(80, 24);
    assert!(screen.contains("reason code DIF"), "{screen}");
    let cmds = qonto_tui::app::update(
        &mut h.app,
        Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)),
    );
    let [
        Cmd::Job(Job::Write(WriteAsk::Invoice {
            invoice, action, ..
        })),
    ] = cmds.as_slice()
    else {
        panic!("one rejection asked: {cmds:?}");
    };
    let Item::Invoice(shown) = &h.app.review.as_ref().unwrap().rows[row].item else {
        panic!("the row is an invoice");
    };
    assert_eq!(invoice.invoice.id, shown.invoice.id);
    assert_eq!(
        *action,
        InvoiceAction::Reject {
            note: "Wrong VAT".into(),
            code: Some("DIF".into())
        }
    );
}

#[tokio::test]
async fn marks_in_the_transactions_tab_and_their_category_picker() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('2')).await;
    h.key(KeyCode::Tab).await;
    h.freeze();
    // Two marked one by one (Space moves down), two more as a range.
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Char(' ')).await;
    h.send(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::SHIFT)))
        .await;
    assert_eq!(h.app.tx_marks.len(), 4);
    insta::assert_snapshot!("transactions_marked_160x45", h.render(160, 45));
    insta::assert_snapshot!("transactions_marked_80x24", h.render(80, 24));
    ctrl(&mut h, 'g').await;
    let picker = h.app.picker.as_ref().expect("the picker is open");
    assert_eq!(picker.transactions.len(), 4);
    assert!(picker.names.as_ref().is_some_and(|n| !n.is_empty()));
    insta::assert_snapshot!("transactions_picker_80x24", h.render(80, 24));
    h.key(KeyCode::Esc).await;
    // ^X clears the marks; again marks every row listed.
    ctrl(&mut h, 'x').await;
    assert!(h.app.tx_marks.is_empty());
    ctrl(&mut h, 'x').await;
    assert!(h.app.tx_marks.len() > 4);
}
