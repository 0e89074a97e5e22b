//! A fake of Qonto's OAuth server and Business API on loopback, faithful to the documented
//! paths, shapes, status codes and error bodies.
//!
//! It is what `qonto-tui --demo` runs on, what every test and benchmark talks to, and what the
//! `qonto-sandbox` binary (and `qonto-tui sandbox`) serves standalone. The hooks that bend it at
//! run time (clock, faults, consent, issued secrets) exist only with the `testing` feature.

pub mod acted;
mod api;
pub mod browser;
pub mod categories;
pub mod cli;
mod consent_page;
pub mod data;
mod errors;
pub mod faults;
pub mod inbox;
pub mod invoices;
mod oauth;
mod params;
mod random;
pub mod ratelimit;
pub mod requests;
mod rng;
mod state;
#[cfg(feature = "testing")]
mod testing;
pub mod uploads;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use data::{DataOptions, DemoData};
pub use faults::{FaultScope, Faults};
pub use state::Stats;

use faults::FaultState;
use ratelimit::{Limit, QONTO_LIMITS, RateLimiter};
use state::{Client, SandboxState};

pub const DEFAULT_CLIENT_ID: &str = "qonto-tui-sandbox";
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:18920/callback";
/// The secret of the sandbox's API-key scheme: `Authorization: {org-slug}:{this}`.
pub const DEFAULT_API_KEY_SECRET: &str = "sandbox-secret-key";

/// An organization's API key in the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub org_id: String,
    pub login: String,
    pub secret: String,
}

/// Everything the sandbox can be told at start.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub listen: SocketAddr,
    pub client_id: String,
    /// `None`: a fresh random secret each run.
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
    pub access_token_ttl: Duration,
    pub staging_token: Option<String>,
    pub api_key_secret: String,
    pub data: DataOptions,
    pub faults: Faults,
    pub rate_limits: Vec<Limit>,
    /// Test-only: the consent page clicks "Allow" by itself (for a real headless browser).
    pub consent_autosubmit: bool,
    /// Books that keep moving: every this often a new pending transaction appears on some
    /// account and the oldest pending one settles.
    pub new_transactions_every: Option<Duration>,
    /// How receipt uploads are taken (delay before they show, size cap).
    pub uploads: uploads::UploadOptions,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: DEFAULT_CLIENT_ID.to_string(),
            client_secret: None,
            redirect_uris: vec![DEFAULT_REDIRECT_URI.to_string()],
            access_token_ttl: Duration::from_secs(3600),
            staging_token: None,
            api_key_secret: DEFAULT_API_KEY_SECRET.to_string(),
            data: DataOptions::default(),
            faults: Faults::default(),
            rate_limits: QONTO_LIMITS.to_vec(),
            consent_autosubmit: false,
            new_transactions_every: None,
            uploads: uploads::UploadOptions::default(),
        }
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    state: Arc<SandboxState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The living books' ticker, when they run.
    life: Option<tokio::task::JoinHandle<()>>,
}

impl Sandbox {
    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(options: SandboxOptions) -> anyhow::Result<Self> {
        let data = DemoData::generate(options.data.clone()).map_err(anyhow::Error::msg)?;
        let secret = match options.client_secret.clone() {
            Some(s) => s,
            None => crate::random::random_urlsafe(24)?,
        };
        let ttl = chrono::Duration::from_std(options.access_token_ttl)?;
        let state = Arc::new(SandboxState::new(
            data,
            Client {
                id: options.client_id.clone(),
                secret,
                redirect_uris: options.redirect_uris.clone(),
            },
            ttl,
            options.staging_token.clone(),
            options.api_key_secret.clone(),
            options.consent_autosubmit,
            FaultState::new(options.faults.clone(), options.data.seed),
            RateLimiter::new(options.rate_limits.clone()),
            options.uploads.clone(),
        ));
        let listener = TcpListener::bind(options.listen).await?;
        let addr = listener.local_addr()?;
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
            if let Err(e) = served {
                tracing::error!(target: "sandbox", "sandbox server stopped: {e}");
            }
        });
        let life = options.new_transactions_every.map(|every| {
            let state = state.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(every.max(Duration::from_millis(100)));
                ticks.tick().await;
                loop {
                    ticks.tick().await;
                    state.living.step(&state.data, state.clock.now());
                }
            })
        });
        Ok(Self {
            state,
            addr,
            shutdown: Some(tx),
            task: Some(task),
            life,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn auth_url(&self) -> String {
        format!("{}/oauth2/auth", self.base_url())
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.base_url())
    }

    pub fn revoke_url(&self) -> String {
        format!("{}/oauth2/revoke", self.base_url())
    }

    pub fn client_id(&self) -> &str {
        &self.state.client.id
    }

    pub fn client_secret(&self) -> &str {
        &self.state.client.secret
    }

    pub fn redirect_uris(&self) -> &[String] {
        &self.state.client.redirect_uris
    }

    pub fn staging_token(&self) -> Option<&str> {
        self.state.staging_token.as_deref()
    }

    pub fn data(&self) -> &DemoData {
        &self.state.data
    }

    /// Each organization's API key: its slug as the login, and the sandbox's key secret
    /// (`qonto-tui key add LOGIN`, the secret on standard input).
    pub fn api_keys(&self) -> Vec<ApiKey> {
        self.state
            .data
            .orgs
            .iter()
            .map(|o| ApiKey {
                org_id: o.id.clone(),
                login: o.slug.clone(),
                secret: self.state.api_key_secret.clone(),
            })
            .collect()
    }

    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }

    /// A folder's worth of receipts made from the books: up to `count` for transactions that
    /// miss theirs, and `decoys` that belong to none (see [`inbox`]).
    pub fn inbox(&self, count: usize, decoys: usize) -> Vec<inbox::InboxFile> {
        inbox::inbox(&self.state, count, decoys)
    }

    /// An account's ledger as it stands now (moved on by the living books, if they ran).
    pub fn ledger_now(&self, account: &data::Account) -> Arc<data::Ledger> {
        self.state.ledger(account)
    }

    /// Whether `tx` needs a receipt and has none (a declined one needs none): the truth a
    /// missing-receipt list is checked against.
    pub fn misses_receipt(&self, tx: &data::Tx) -> bool {
        tx.status != data::TxStatus::Declined
            && api::attachments::attachment_required(tx)
            && api::attachments::receipt_ids(&self.state, tx).is_empty()
    }

    /// The `KEY=VALUE` lines that point `qonto-tui` at this sandbox.
    pub fn env_lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("QONTO_AUTH_URL={}", self.auth_url()),
            format!("QONTO_TOKEN_URL={}", self.token_url()),
            format!("QONTO_REVOKE_URL={}", self.revoke_url()),
            format!("QONTO_API_BASE_URL={}", self.base_url()),
            format!("QONTO_CLIENT_ID={}", self.client_id()),
            format!("QONTO_CLIENT_SECRET={}", self.client_secret()),
            format!(
                "QONTO_REDIRECT_URI={}",
                self.redirect_uris()
                    .first()
                    .map(String::as_str)
                    .unwrap_or_default()
            ),
        ];
        if let Some(t) = self.staging_token() {
            lines.push(format!("QONTO_STAGING_TOKEN={t}"));
        }
        lines
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(life) = self.life.take() {
            life.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(life) = self.life.take() {
            life.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The sandbox's stand-in for Qonto's web app, where what needs strong authentication (approving
/// a request) is done: it says so, and that the sandbox approves nothing.
async fn app_page() -> axum::response::Html<&'static str> {
    axum::response::Html(
        "<!doctype html><meta charset=utf-8><title>Qonto (sandbox)</title>\
         <h1>Qonto's app</h1><p>In Qonto's web app you would now approve the request, \
         confirming with strong customer authentication. The sandbox has no strong \
         authentication, so nothing is approved here: decline with a note from qonto-tui, \
         or leave the request pending.</p>",
    )
}

fn router(state: Arc<SandboxState>) -> Router {
    Router::new()
        .route("/app", get(app_page))
        .route(
            "/oauth2/auth",
            get(oauth::authorize_page).post(oauth::authorize_decision),
        )
        .route("/oauth2/token", axum::routing::post(oauth::token))
        .route("/oauth2/revoke", axum::routing::post(oauth::revoke))
        .route("/v2/user_organizations", get(api::user_organizations))
        .route("/v2/organization", get(api::organization))
        .route("/v2/bank_accounts", get(api::bank_accounts))
        .route("/v2/bank_accounts/{id}", get(api::bank_account))
        .route(
            "/v2/bank_accounts/{id}/iban_certificate",
            get(api::iban_certificate),
        )
        .route("/v2/einvoicing/settings", get(api::einvoicing_settings))
        .route(
            "/v2/cash_flow_categories",
            get(api::cash_flow_categories).post(api::create_category),
        )
        .route(
            "/v2/cash_flow_categories/{id}/subcategories",
            axum::routing::post(api::create_subcategory),
        )
        .route(
            "/v2/cash_flow_categories/assignments",
            axum::routing::post(api::assign_category),
        )
        .route(
            "/v2/cash_flow_categories/unassignments",
            axum::routing::post(api::unassign_category),
        )
        .route("/v2/transactions", get(api::transactions))
        .route("/v2/transactions/{id}", get(api::transaction))
        .route(
            "/v2/transactions/{id}/attachments",
            get(api::transaction_attachments)
                .post(api::uploads::attach)
                .delete(api::uploads::detach_all),
        )
        .route(
            "/v2/transactions/{id}/attachments/{attachment_id}",
            axum::routing::delete(api::uploads::detach),
        )
        .route(
            "/v2/attachments",
            axum::routing::post(api::uploads::attach_standalone),
        )
        .route("/v2/attachments/{id}", get(api::attachment))
        .route("/v2/supplier_invoices", get(api::supplier_invoices))
        .route(
            "/v2/supplier_invoices/bulk",
            axum::routing::post(api::bulk_invoices),
        )
        .route(
            "/v2/supplier_invoices/{id}/mark_as_paid",
            axum::routing::post(api::mark_paid),
        )
        .route(
            "/v2/supplier_invoices/{id}/unmark_as_paid",
            axum::routing::post(api::unmark_paid),
        )
        .route(
            "/v2/supplier_invoices/{id}/reject",
            axum::routing::post(api::reject_invoice),
        )
        .route("/v2/requests", get(api::requests))
        .route(
            "/v2/requests/{kind}/{id}/decline",
            axum::routing::post(api::decline_request),
        )
        .route("/v2/memberships", get(api::memberships))
        .route("/v2/membership", get(api::membership))
        .route("/v2/labels", get(api::labels))
        .route("/v2/labels/{id}", get(api::label))
        .route("/v2/statements", get(api::statements))
        .route("/v2/statements/{id}", get(api::statement))
        .route("/_sandbox/files/{kind}/{id}", get(api::file))
        .route("/_sandbox/stats", get(stats))
        .fallback(unknown_path)
        .method_not_allowed_fallback(method_not_allowed)
        // Room for the largest upload taken and its multipart framing; beyond, 413.
        .layer(axum::extract::DefaultBodyLimit::max(
            state.receipts.options.max_bytes.saturating_add(64 * 1024),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), gatekeeper))
        .with_state(state)
}

async fn stats(State(state): State<Arc<SandboxState>>) -> Response {
    axum::Json(state.counters.snapshot()).into_response()
}

async fn unknown_path() -> Response {
    errors::api_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "The requested URL was not found",
        &errors::new_trace_id(),
    )
}

async fn method_not_allowed() -> Response {
    errors::api_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This method is not allowed on this URL",
        &errors::new_trace_id(),
    )
}

/// What every request meets before its handler: the staging token, Qonto's rate limits and
/// injected faults; then one log line (method, path, status, time; never a query or a header).
async fn gatekeeper(
    State(state): State<Arc<SandboxState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    state.acted.asked(&method, &path);
    let response = {
        let _counted = InFlight::enter(&state.counters);
        gate(&state, peer, request, next, &path).await
    };
    tracing::info!(
        target: "sandbox",
        "{method} {path} -> {} ({} ms)",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// A request being answered, counted in [`state::Counters`] until it is (or is dropped).
struct InFlight<'a>(&'a state::Counters);

impl<'a> InFlight<'a> {
    fn enter(counters: &'a state::Counters) -> Self {
        use std::sync::atomic::Ordering::SeqCst;
        let now = counters.in_flight.fetch_add(1, SeqCst) + 1;
        counters.most_in_flight.fetch_max(now, SeqCst);
        Self(counters)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn gate(
    state: &SandboxState,
    peer: SocketAddr,
    request: Request,
    next: Next,
    path: &str,
) -> Response {
    let guarded = path.starts_with("/v2/") || path == "/oauth2/token" || path == "/oauth2/revoke";
    if !guarded {
        return next.run(request).await;
    }
    if let Some(expected) = &state.staging_token {
        let presented = request
            .headers()
            .get("x-qonto-staging-token")
            .and_then(|v| v.to_str().ok());
        if !presented
            .is_some_and(|p| crate::random::constant_time_eq(p.as_bytes(), expected.as_bytes()))
        {
            return errors::staging_login_page();
        }
    }
    if let Err(wait) = state.rate_limiter.check(peer.ip(), Instant::now()) {
        state
            .counters
            .rate_limited
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut r = errors::api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Rate limit exceeded",
            &errors::new_trace_id(),
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            r.headers_mut().insert("retry-after", v);
        }
        return r;
    }
    let faults = state.faults.get();
    if faults.applies_to(path) {
        if !faults.latency.is_zero() {
            tokio::time::sleep(faults.latency).await;
        }
        if let Some(fault) = state.faults.draw(&faults) {
            state
                .counters
                .faults_injected
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return faults::fault_response(fault, &errors::new_trace_id());
        }
    }
    next.run(request).await
}
