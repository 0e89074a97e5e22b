//! Search that answers more, from the user's side: ^O orders the results by amount, then by
//! organization (with each one's total in the status line), then by date again; `OR` and a
//! dash find and leave out; totals add up what is listed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tui::Harness;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use qonto_tui::app::Msg;
use qonto_tui::app::search_view::FIRST_RESULTS;

async fn ctrl(h: &mut Harness, c: char) {
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
    .await;
}

fn counterparties(h: &Harness) -> Vec<String> {
    h.app
        .search
        .as_ref()
        .unwrap()
        .results
        .iter()
        .map(|f| f.tx.counterparty.clone().unwrap_or_default().to_lowercase())
        .collect()
}

#[tokio::test]
async fn ctrl_o_orders_by_amount_then_organization_then_date() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('s')).await;
    h.type_text("side:debit").await;
    let by_date: Vec<String> = h
        .app
        .search
        .as_ref()
        .unwrap()
        .results
        .iter()
        .map(|f| f.tx.id.clone())
        .collect();

    ctrl(&mut h, 'o').await;
    let view = h.app.search.as_ref().unwrap();
    assert_eq!(view.input.value(), "side:debit sort:amount ");
    let amounts: Vec<i64> = view
        .results
        .iter()
        .map(|f| f.tx.amount_cents.unwrap().abs())
        .collect();
    assert!(amounts.len() > 20);
    assert!(
        amounts.windows(2).all(|w| w[0] >= w[1]),
        "largest first: {amounts:?}"
    );
    // A screenful and some, the rest read as the cursor goes down.
    assert!(view.results.len() == view.total || view.results.len() == FIRST_RESULTS);

    ctrl(&mut h, 'o').await;
    let view = h.app.search.as_ref().unwrap();
    assert_eq!(view.input.value(), "side:debit sort:org ");
    let totals = view.totals.clone().expect("totalled");
    assert_eq!(totals.by_org.len(), h.app.org_list().len());
    assert_eq!(
        totals.by_org.iter().map(|o| o.count).sum::<usize>(),
        totals.count
    );
    let screen = h.render_now(160, 45);
    let first = &totals.by_org[0];
    assert!(
        screen.contains(&format!("· {}: {},", first.name, first.count)),
        "the chosen row's organization's total in the status line:\n{screen}"
    );
    insta::assert_snapshot!("search_totals_by_org_160x45", screen);
    insta::assert_snapshot!("search_totals_by_org_80x24", h.render_now(80, 24));
    insta::assert_snapshot!("search_totals_by_org_80x24_mono", h.render_mono(80, 24));
    // Down into the second organization's group: its total.
    let second = totals.by_org[1].clone();
    for _ in 0..first.count {
        h.key(KeyCode::Down).await;
    }
    let screen = h.render_now(160, 45);
    assert!(
        screen.contains(&format!("· {}: {},", second.name, second.count)),
        "{screen}"
    );

    ctrl(&mut h, 'o').await;
    let view = h.app.search.as_ref().unwrap();
    assert_eq!(view.input.value(), "side:debit ");
    let again: Vec<String> = view.results.iter().map(|f| f.tx.id.clone()).collect();
    assert_eq!(again, by_date, "back to newest first");
}

#[tokio::test]
async fn or_finds_either_and_a_dash_leaves_out() {
    let mut h = Harness::with_books().await;
    h.key(KeyCode::Char('s')).await;
    // Every match counted: the totals (`total` counts one past the results listed).
    let count = |h: &Harness| h.app.search.as_ref().unwrap().totals.clone().unwrap().count;
    h.type_text("urssaf").await;
    let urssaf = count(&h);
    ctrl(&mut h, 'u').await;
    h.type_text("dgfip").await;
    let dgfip = count(&h);
    assert!(urssaf > 0 && dgfip > 0);
    // ^U clears the field (the line editor's own key).
    ctrl(&mut h, 'u').await;
    h.type_text("urssaf OR dgfip").await;
    assert_eq!(
        count(&h),
        urssaf + dgfip,
        "{}",
        h.app.search.as_ref().unwrap().input.value()
    );
    assert!(
        counterparties(&h)
            .iter()
            .all(|c| c.contains("urssaf") || c.contains("dgfip"))
    );

    ctrl(&mut h, 'u').await;
    h.type_text("side:debit").await;
    let debits = h.app.search.as_ref().unwrap().totals.clone().unwrap().count;
    h.type_text(" -urssaf").await;
    let view = h.app.search.as_ref().unwrap();
    let without = view.totals.clone().unwrap().count;
    assert!(view.error.is_none(), "{:?}", view.error);
    assert!(counterparties(&h).iter().all(|c| !c.contains("urssaf")));
    assert!(without < debits, "{without} of {debits}");

    // A filter left out: no result of the first organization.
    let first = h.app.org_list()[0].clone();
    ctrl(&mut h, 'u').await;
    h.type_text(&format!("-org:\"{}\"", first.display_name()))
        .await;
    let view = h.app.search.as_ref().unwrap();
    assert!(view.error.is_none(), "{:?}", view.error);
    assert!(!view.results.is_empty());
    assert!(view.results.iter().all(|f| f.tx.org_id != first.id));

    // A mistake is said, naming the token.
    ctrl(&mut h, 'u').await;
    h.type_text("urssaf OR").await;
    let screen = h.render_now(160, 45);
    assert!(screen.contains("OR goes between two words"), "{screen}");
}

#[tokio::test]
async fn the_transactions_tab_says_what_its_rows_add_up_to() {
    let mut h = Harness::signed_in().await;
    h.key(KeyCode::Char('2')).await;
    h.key(KeyCode::Tab).await;
    let org = h.app.selected_org_id().unwrap();
    let account = h.app.current_account(&org).unwrap();
    let items = h.app.data[&org].transactions[&account].items.clone();
    let sum = |keep: &dyn Fn(&qonto_tui::app::listed::ListedTransaction) -> bool| -> i64 {
        items
            .iter()
            .filter(|t| t.status() != Some(&qonto_client::api::values::Status::Declined) && keep(t))
            .filter_map(|t| t.signed_cents())
            .sum()
    };
    let all = sum(&|_| true);
    let screen = h.render_now(160, 45);
    let words = format!(
        "the {} loaded: {}",
        items.len(),
        h.app.locale.signed_money(all, "EUR")
    );
    assert!(screen.contains(&words), "{words}\n{screen}");
    // Filtered: what the matching rows add up to.
    h.key(KeyCode::Char('/')).await;
    h.type_text("urssaf").await;
    let urssaf = sum(&|t| t.counterparty().to_lowercase().contains("urssaf"));
    let count = items
        .iter()
        .filter(|t| t.counterparty().to_lowercase().contains("urssaf"))
        .count();
    assert!(count > 0);
    let screen = h.render_now(160, 45);
    let words = format!(
        "{count} matching: {}",
        h.app.locale.signed_money(urssaf, "EUR")
    );
    assert!(screen.contains(&words), "{words}\n{screen}");
}
