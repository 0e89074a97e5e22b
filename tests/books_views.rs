//! Snapshots of the views over the local books — the search across organizations, a
//! transaction opened from it, the missing receipts, the group's cash — at 80×24 and 160×45:
//! the sandbox's books synced into real (in-memory) local books, read as the worker does, fed
//! through `update`, drawn on ratatui's TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use qonto_client::api::ApiClient;
use qonto_sandbox::Sandbox;
use qonto_tui::app::search_view::{COUNT_UP_TO, RESULTS};
use qonto_tui::app::{App, Cmd, Job, Msg, update};
use qonto_tui::books::Books;
use qonto_tui::jobs;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

struct Harness {
    _sb: Sandbox,
    api: ApiClient,
    sources: std::sync::Arc<qonto_tui::sources::Sources>,
    books: Books,
    app: App,
}

impl Harness {
    async fn new() -> Self {
        let sb = common::sandbox().await;
        let (api, books) = common::synced_books(&sb).await;
        let mut h = Self {
            _sb: sb,
            api,
            sources: std::sync::Arc::new(qonto_tui::sources::Sources::in_memory()),
            books,
            app: App::new(false, None, Instant::now()),
        };
        h.send(Msg::Resize(160, 45)).await;
        h.send(Msg::SessionChecked {
            signed_in: true,
            problem: None,
        })
        .await;
        h
    }

    /// Feeds a message and carries out what it asks, as the worker would.
    async fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for cmd in update(&mut self.app, msg) {
                queue.extend(self.run(cmd).await);
            }
        }
    }

    async fn run(&self, cmd: Cmd) -> Vec<Msg> {
        match cmd {
            Cmd::Job(Job::Fetch(fetch)) => {
                vec![jobs::fetch::run(&self.api, &self.sources, fetch).await]
            }
            Cmd::Job(Job::Search { text, generation }) => {
                let query = qonto_tui::search::parse(&text).unwrap();
                let result = self
                    .books
                    .search(&query, RESULTS, COUNT_UP_TO)
                    .map_err(|e| e.to_string());
                vec![Msg::SearchAnswered { generation, result }]
            }
            Cmd::Job(Job::Cash) => {
                // "Now" is the sandbox's own, so the periods do not move with the calendar.
                let now = qonto_sandbox::data::fixed_anchor();
                let result = self
                    .books
                    .group_cash(now)
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                vec![Msg::CashLoaded(result)]
            }
            Cmd::Job(Job::Detail { id }) => {
                let result = self
                    .books
                    .transaction_detail(&id)
                    .map_err(|e| e.to_string())
                    .and_then(|d| d.map(Box::new).ok_or_else(|| "gone".to_string()));
                vec![Msg::DetailLoaded { id, result }]
            }
            _ => Vec::new(),
        }
    }

    async fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .await;
    }

    async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    fn render(&mut self, width: u16, height: u16) -> String {
        self.app.now = Instant::now();
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| qonto_tui::ui::draw(f, &self.app))
            .unwrap();
        terminal.backend().to_string()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn search_results_and_a_transaction_opened_from_them() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char('s')).await;
    h.type_text("urssaf >1000").await;
    let view = h.app.search.as_ref().unwrap();
    assert!(!view.results.is_empty());
    assert!(
        view.results
            .iter()
            .all(|f| f.counterparty.as_deref() == Some("URSSAF"))
    );
    insta::assert_snapshot!("search_160x45", h.render(160, 45));
    insta::assert_snapshot!("search_80x24", h.render(80, 24));

    h.key(KeyCode::Down).await;
    h.key(KeyCode::Enter).await;
    insta::assert_snapshot!("search_detail_160x45", h.render(160, 45));
    insta::assert_snapshot!("search_detail_80x24", h.render(80, 24));

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
            .all(|f| f.side.as_deref() == Some("debit"))
    );
    insta::assert_snapshot!("search_form_80x24", h.render(80, 24));
    h.key(KeyCode::Left).await;
    h.key(KeyCode::Tab).await;
    assert!(h.app.search.as_ref().unwrap().form.is_none());

    // A query that cannot be read says why.
    h.type_text(" side:up").await;
    insta::assert_snapshot!("search_bad_query_80x24", h.render(80, 24));
    h.key(KeyCode::Esc).await;
    assert!(h.app.search.is_none(), "Esc closes the search");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_receipts_grouped_by_organization() {
    let mut h = Harness::new().await;
    let counts = h.books.missing_receipts().unwrap();
    h.send(Msg::ReceiptsCounted(counts)).await;
    insta::assert_snapshot!("receipts_counts_80x24", h.render(80, 24));
    h.key(KeyCode::Char('m')).await;
    let view = h.app.search.as_ref().unwrap();
    assert!(view.grouped && view.results.iter().all(|f| f.missing_receipt));
    // Grouped: one organization's rows together, newest first within it.
    let orgs: Vec<&str> = view.results.iter().map(|f| f.org_id.as_str()).collect();
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
    insta::assert_snapshot!("receipts_160x45", h.render(160, 45));
    insta::assert_snapshot!("receipts_80x24", h.render(80, 24));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_groups_cash() {
    let mut h = Harness::new().await;
    h.key(KeyCode::Char('$')).await;
    assert!(matches!(
        h.app.cash.as_ref().map(|c| &c.state),
        Some(qonto_tui::app::cash_view::CashState::Ready(_))
    ));
    insta::assert_snapshot!("cash_160x45", h.render(160, 45));
    insta::assert_snapshot!("cash_80x24", h.render(80, 24));
    h.key(KeyCode::Esc).await;
    assert!(h.app.cash.is_none(), "Esc closes it");
}
