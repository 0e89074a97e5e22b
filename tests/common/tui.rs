//! The TUI without a terminal: real sandbox data, fetched by the real client (and, with books,
//! read from real in-memory local books), fed through `update` as the event loop would, and
//! drawn by `draw` on ratatui's TestBackend.
#![allow(dead_code)]

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use qonto_client::api::ApiClient;
use qonto_sandbox::Sandbox;
use qonto_tui::app::local_error::LocalCopyError;
use qonto_tui::app::{App, Cmd, Fetch, Job, Msg, update};
use qonto_tui::jobs;
use qonto_tui::outcome::{OrgInvoice, OrgRequest};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub struct Harness {
    pub sb: Sandbox,
    pub api: ApiClient,
    pub sources: std::sync::Arc<qonto_tui::sources::Sources>,
    /// The local copy, for the views over it (search, detail, cash); none for the live views.
    pub books: Option<super::SyncedBooks>,
    pub app: App,
}

impl Harness {
    /// Signed in through the User flow for every organization, on a 120×32 screen.
    pub async fn signed_in() -> Self {
        Self::signed_in_with_keys(0).await
    }

    /// Signed in through the User flow for all organizations but the last `keys`, which are
    /// added with their API keys (checked with the sandbox, as `key add` does).
    pub async fn signed_in_with_keys(keys: usize) -> Self {
        let sb = super::sandbox().await;
        let api = super::signed_in_api(&sb).await;
        let sources = std::sync::Arc::new(qonto_tui::sources::Sources::in_memory());
        let ids = super::org_ids(&sb);
        if keys > 0 {
            sb.set_consent(ids[..ids.len() - keys].to_vec());
            for key in &sb.api_keys()[ids.len() - keys..] {
                let secret = qonto_client::Secret::new(key.secret.clone());
                qonto_tui::sources::adding::add_api_key(&api, &sources, &key.login, secret)
                    .await
                    .expect("the sandbox's API key is accepted");
            }
        }
        Self::start(sb, api, sources, None, (120, 32)).await
    }

    /// The sandbox's books synced into local books, on a 160×45 screen.
    pub async fn with_books() -> Self {
        let sb = super::sandbox().await;
        let (api, books) = super::synced_books(&sb).await;
        let sources = std::sync::Arc::new(qonto_tui::sources::Sources::in_memory());
        Self::start(sb, api, sources, Some(books), (160, 45)).await
    }

    async fn start(
        sb: Sandbox,
        api: ApiClient,
        sources: std::sync::Arc<qonto_tui::sources::Sources>,
        books: Option<super::SyncedBooks>,
        (width, height): (u16, u16),
    ) -> Self {
        let mut h = Self {
            sb,
            api,
            sources,
            books,
            app: App::new(false, None, Instant::now()),
        };
        h.send(Msg::Resize(width, height)).await;
        h.send(Msg::SessionChecked {
            signed_in: true,
            problem: None,
        })
        .await;
        h
    }

    /// Feeds a message and carries out the commands it returns, as the worker does, until
    /// nothing is left to do.
    pub async fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for cmd in update(&mut self.app, msg) {
                queue.extend(self.run(cmd).await);
            }
        }
    }

    /// Fetches through the worker's own fetch function (prefetches one after another) and
    /// reads the books as the worker does.
    async fn run(&self, cmd: Cmd) -> Vec<Msg> {
        let Cmd::Job(job) = cmd else {
            return Vec::new();
        };
        match (job, &self.books) {
            (Job::Fetch(fetch), _) => {
                vec![jobs::fetch::run(&self.api, &self.sources, fetch).await]
            }
            (Job::Prefetch { orgs, generation }, _) => {
                let mut out = Vec::new();
                for org in orgs {
                    let fetch = Fetch::Overview { org, generation };
                    out.push(jobs::fetch::run(&self.api, &self.sources, fetch).await);
                }
                out
            }
            (
                Job::Search {
                    text,
                    generation,
                    limit,
                },
                Some(books),
            ) => {
                let result = qonto_books::query::parse(&text)
                    .map_err(LocalCopyError::Query)
                    .and_then(|query| {
                        books
                            .search(&query, limit, limit + 1)
                            .map_err(LocalCopyError::from)
                    });
                vec![Msg::SearchAnswered { generation, result }]
            }
            (Job::SearchTotals { text, generation }, Some(books)) => {
                let query = qonto_books::query::parse(&text).expect("a query answered before");
                let totals = books.search_totals(&query).expect("totals");
                vec![Msg::SearchTotalled { generation, totals }]
            }
            (Job::Cash, Some(books)) => {
                // "Now" is the sandbox's own, so the periods do not move with the calendar.
                let now = qonto_sandbox::data::fixed_anchor();
                let result = books
                    .group_cash(now)
                    .map(Box::new)
                    .map_err(LocalCopyError::from);
                vec![Msg::CashLoaded(result)]
            }
            (Job::MonthEnd { month, generation }, Some(books)) => {
                let rows = books.month_end(month).map_err(LocalCopyError::from);
                vec![Msg::MonthEndRead { generation, rows }]
            }
            (Job::Detail { id }, Some(books)) => {
                let result = books
                    .transaction_detail(&id)
                    .map_err(LocalCopyError::from)
                    .and_then(|d| d.map(Box::new).ok_or(LocalCopyError::Gone));
                vec![Msg::DetailLoaded { id, result }]
            }
            (Job::LoadReview { generation }, _) => {
                let (mut requests, mut bills) = (Vec::new(), Vec::new());
                for org in &self.sb.data().orgs {
                    let (org_id, org_name) = (org.id.clone(), org.name.clone());
                    let listed = self.api.requests(&org.id).await.expect("requests");
                    let members = match &self.books {
                        Some(books) => books.memberships(&org.id).expect("members"),
                        None => Vec::new(),
                    };
                    requests.extend(listed.into_iter().map(|request| {
                        OrgRequest {
                            org_id: org_id.clone(),
                            org_name: org_name.clone(),
                            requester: members
                                .iter()
                                .find(|m| m.id.is_some() && m.id == request.initiator_id)
                                .map(|m| m.full_name()),
                            request,
                        }
                    }));
                    let listed = self.api.supplier_invoices(&org.id).await.expect("invoices");
                    bills.extend(listed.into_iter().map(|invoice| OrgInvoice {
                        org_id: org_id.clone(),
                        org_name: org_name.clone(),
                        invoice,
                    }));
                }
                let items = jobs::review_work::arrange(requests, bills);
                vec![Msg::ReviewLoaded {
                    generation,
                    result: Ok((items, Vec::new())),
                }]
            }
            (
                Job::ListCategories {
                    ticket,
                    transactions,
                },
                Some(books),
            ) => {
                let orgs: std::collections::BTreeSet<String> = books
                    .filed(&transactions)
                    .expect("filed")
                    .into_iter()
                    .map(|f| f.org_id)
                    .collect();
                let mut names = std::collections::BTreeSet::new();
                for org in orgs {
                    let listed = self.api.cash_flow_categories(&org).await.expect("tree");
                    let nodes = qonto_tui::writes::categories::nodes_of(&listed);
                    names.extend(jobs::category_work::leaf_names(&nodes));
                }
                vec![Msg::CategoriesListed {
                    ticket,
                    result: Ok(names.into_iter().collect()),
                }]
            }
            _ => Vec::new(),
        }
    }

    pub async fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .await;
    }

    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    /// The screen as drawn, at the app's own "now".
    pub fn render(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
        terminal
            .draw(|f| qonto_tui::ui::draw(f, &self.app))
            .expect("a frame");
        terminal.backend().to_string()
    }

    /// The screen as drawn now under `NO_COLOR`: its text, each row with a highlight followed
    /// by a row marking where (`^` reversed, `_` underlined or bold); panics if any cell is
    /// coloured.
    pub fn render_mono(&mut self, width: u16, height: u16) -> String {
        use ratatui::style::{Color, Modifier};
        self.app.now = Instant::now();
        let before = self.app.no_color;
        self.app.no_color = true;
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
        terminal
            .draw(|f| qonto_tui::ui::draw(f, &self.app))
            .expect("a frame");
        self.app.no_color = before;
        let buffer = terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..height {
            let mut text = String::new();
            let mut marks = String::new();
            for x in 0..width {
                let cell = &buffer[(x, y)];
                assert!(
                    cell.fg == Color::Reset && cell.bg == Color::Reset,
                    "a colour under NO_COLOR at {x},{y}: {cell:?}"
                );
                text.push_str(cell.symbol());
                marks.push(if cell.modifier.contains(Modifier::REVERSED) {
                    '^'
                } else if cell
                    .modifier
                    .intersects(Modifier::UNDERLINED | Modifier::BOLD)
                {
                    '_'
                } else {
                    ' '
                });
            }
            out.push_str(&text);
            out.push('\n');
            if marks.contains('^') {
                out.push_str(marks.trim_end());
                out.push('\n');
            }
        }
        out
    }

    /// The screen as drawn now.
    pub fn render_now(&mut self, width: u16, height: u16) -> String {
        self.app.now = Instant::now();
        self.render(width, height)
    }

    /// Freezes time as "just now" for everything loaded, so ages do not vary between runs.
    pub fn freeze(&mut self) {
        self.app.now = Instant::now();
        for data in self.app.data.values_mut() {
            if let qonto_tui::app::state::Load::Ready { at, .. } = &mut data.overview {
                *at = self.app.now;
            }
        }
    }
}
