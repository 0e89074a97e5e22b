//! The typed Qonto API client: one connection pool, the credential that reaches each organization
//! (the User-flow session with `X-Qonto-Organization-Id`, a membership session or an API key;
//! sessions refreshed once on a 401), bounded waits on 429, timeouts, and one client-side rate
//! limit for all of them (Qonto's is per IP).

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::credential::{Credential, Via};
use super::error::{ApiError, describe_error_body};
use super::models::*;
use super::throttle::Throttle;
use crate::http::{BodyError, read_capped};
use crate::oauth::session::{AuthError, Session};
use crate::secret::Secret;

const MAX_RATE_LIMIT_WAITS: u32 = 3;
/// The largest answer read: a page of 100 transactions with their attachments and labels is
/// well under 1 MiB.
pub const MAX_API_BODY: usize = 16 << 20;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

pub struct ApiClient {
    http: reqwest::Client,
    base_url: String,
    session: Arc<Session>,
    staging_token: Option<Secret>,
    throttle: Throttle,
    /// Organizations reached otherwise than through the User-flow session.
    routes: std::sync::RwLock<std::collections::HashMap<String, Credential>>,
}

impl ApiClient {
    /// Uses the token client's HTTP client: one connection pool, timeouts, no redirects followed
    /// (the API never redirects, and a second client would cost start-up time).
    pub fn new(
        base_url: &str,
        session: Arc<Session>,
        staging_token: Option<Secret>,
    ) -> Result<Self, ApiError> {
        let http = session.client().http().clone();
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            session,
            staging_token,
            throttle: Throttle::qonto(),
            routes: Default::default(),
        })
    }

    /// Keeps to Qonto's per-IP budget together with the user's other copies of the app, through
    /// the file at `path` (see [`super::shared_budget`]).
    pub fn sharing_budget(mut self, path: std::path::PathBuf) -> Self {
        self.throttle = self
            .throttle
            .sharing(super::shared_budget::SharedBudget::qonto(path));
        self
    }

    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// Reaches `org` through `credential` from now on, instead of the User-flow session.
    pub fn route(&self, org: &str, credential: Credential) {
        self.routes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(org.to_string(), credential);
    }

    /// Reaches `org` through the User-flow session again.
    pub fn unroute(&self, org: &str) {
        self.routes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(org);
    }

    /// Keeps only the routes of these organizations.
    pub fn retain_routes(&self, keep: impl Fn(&str) -> bool) {
        self.routes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|org, _| keep(org));
    }

    /// How `org` is reached.
    pub fn via(&self, org: &str) -> Via {
        self.credential_for(org).map_or(Via::User, |c| c.via())
    }

    /// The credential that reaches `org`, when it is not the User-flow session.
    pub fn credential(&self, org: &str) -> Option<Credential> {
        self.credential_for(org)
    }

    fn credential_for(&self, org: &str) -> Option<Credential> {
        self.routes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(org)
            .cloned()
    }

    /// GET `path` as JSON about `org` (if any), through the credential that reaches it: the
    /// User-flow session with `X-Qonto-Organization-Id`, or the organization's own.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        org: Option<&str>,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        match org.and_then(|o| self.credential_for(o)) {
            None => {
                let caller = Caller::Session(&self.session, Via::User);
                self.get_as(caller, path, org, query).await
            }
            Some(credential) => self.get_with(&credential, path, query).await,
        }
    }

    /// Sends `outgoing` about `org` through the credential that reaches it; the body of a
    /// 2xx answer (empty for a 204).
    pub(super) async fn send_for(
        &self,
        org: &str,
        outgoing: &Outgoing<'_>,
    ) -> Result<Vec<u8>, ApiError> {
        match self.credential_for(org) {
            None => {
                let caller = Caller::Session(&self.session, Via::User);
                self.send(caller, Some(org), outgoing).await
            }
            Some(credential) => {
                let caller = caller_of(&credential)?;
                self.send(caller, None, outgoing).await
            }
        }
    }

    /// GET `path` as JSON through a given single-organization credential (no organization
    /// header: the credential names it).
    pub async fn get_with<T: DeserializeOwned>(
        &self,
        credential: &Credential,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let caller = caller_of(credential)?;
        self.get_as(caller, path, None, query).await
    }

    async fn get_as<T: DeserializeOwned>(
        &self,
        caller: Caller<'_>,
        path: &str,
        org: Option<&str>,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let outgoing = Outgoing {
            method: reqwest::Method::GET,
            path,
            query,
            payload: Payload::Empty,
            idempotency_key: None,
        };
        let body = self.send(caller, org, &outgoing).await?;
        serde_json::from_slice(&body).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// One request, sent again after a 401 (with a renewed token) and after a 429 (after the
    /// wait Qonto asks, within bounds): the body of its 2xx answer.
    async fn send(
        &self,
        caller: Caller<'_>,
        org: Option<&str>,
        outgoing: &Outgoing<'_>,
    ) -> Result<Vec<u8>, ApiError> {
        let Outgoing {
            method,
            path,
            query,
            ..
        } = outgoing;
        let mut token = match caller {
            Caller::Session(session, via) => Some(
                session
                    .access_token()
                    .await
                    .map_err(|e| auth_error(via, e))?,
            ),
            Caller::Key(..) => None,
        };
        let mut refreshed = false;
        let mut rate_limited = 0;
        loop {
            self.throttle.acquire().await;
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base_url))
                .query(query);
            request = outgoing.attach_payload(request)?;
            if let Some(key) = outgoing.idempotency_key {
                request = request.header("X-Qonto-Idempotency-Key", key);
            }
            request = match (&caller, &token) {
                (Caller::Key(login, secret), _) => request.header(
                    reqwest::header::AUTHORIZATION,
                    format!("{login}:{}", secret.expose()),
                ),
                (_, Some(token)) => request.bearer_auth(token.expose()),
                (_, None) => request,
            };
            if let Some(org) = org {
                request = request.header("X-Qonto-Organization-Id", org);
            }
            if let Some(st) = &self.staging_token {
                request = request.header("X-Qonto-Staging-Token", st.expose());
            }
            let started = std::time::Instant::now();
            let response = request.send().await.map_err(network)?;
            let status = response.status();
            tracing::debug!(
                "{method} {path} -> {} in {} ms",
                status.as_u16(),
                started.elapsed().as_millis()
            );
            let headers = response.headers().clone();
            let body = read_capped(response, MAX_API_BODY)
                .await
                .map_err(|e| match e {
                    BodyError::TooLarge { limit } => ApiError::TooLarge { limit },
                    BodyError::Network(e) => network(e),
                })?;
            let header_trace = headers
                .get("x-tyk-trace-id")
                .and_then(|v| v.to_str().ok())
                .map(String::from);
            let is_html = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            if is_html {
                return Err(ApiError::StagingToken);
            }
            match (status.as_u16(), &caller, &token) {
                (200..=299, _, _) => return Ok(body),
                (401, Caller::Key(..), _) => {
                    let (detail, _) = describe_error_body(&body, None);
                    return Err(ApiError::CredentialRefused {
                        via: Via::ApiKey,
                        detail,
                    });
                }
                (401, Caller::Session(session, via), Some(rejected)) if !refreshed => {
                    refreshed = true;
                    token = Some(
                        session
                            .refresh_after_unauthorized(rejected)
                            .await
                            .map_err(|e| auth_error(*via, e))?,
                    );
                }
                (401, _, _) => return Err(ApiError::Unauthorized),
                (429, _, _) => {
                    let wait = headers
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs)
                        .unwrap_or(Duration::from_secs(1 << rate_limited.min(4)));
                    rate_limited += 1;
                    if rate_limited > MAX_RATE_LIMIT_WAITS || wait > MAX_RETRY_AFTER {
                        return Err(ApiError::RateLimited {
                            retry_after_secs: wait.as_secs().max(1),
                        });
                    }
                    tracing::info!("429 from Qonto; waiting {} s", wait.as_secs());
                    tokio::time::sleep(wait).await;
                }
                (code, _, _) => {
                    let (detail, trace_id) = describe_error_body(&body, header_trace);
                    return Err(match code {
                        403 => ApiError::Forbidden { detail, trace_id },
                        404 => ApiError::NotFound { detail, trace_id },
                        500..=599 => ApiError::Server {
                            status: code,
                            detail,
                            trace_id,
                        },
                        _ => ApiError::Client {
                            status: code,
                            detail,
                            trace_id,
                        },
                    });
                }
            }
        }
    }

    pub async fn user_organizations(&self) -> Result<Vec<UserOrganization>, ApiError> {
        Ok(self
            .get::<UserOrganizations>("/v2/user_organizations", None, &[])
            .await?
            .organizations)
    }

    /// The organization a single-organization credential reaches (checks the credential too).
    pub async fn organization_with(
        &self,
        credential: &Credential,
    ) -> Result<Organization, ApiError> {
        Ok(self
            .get_with::<OrganizationEnvelope>(credential, "/v2/organization", &[])
            .await?
            .organization)
    }

    pub async fn organization(&self, org: &str) -> Result<Organization, ApiError> {
        Ok(self
            .get::<OrganizationEnvelope>("/v2/organization", Some(org), &[])
            .await?
            .organization)
    }

    /// One page of an account's transactions, newest first, whose status is one of `statuses`.
    pub async fn transactions(
        &self,
        org: &str,
        account: &str,
        statuses: &[&str],
        page: i64,
        per_page: i64,
    ) -> Result<TransactionsPage, ApiError> {
        let mut query = vec![
            ("bank_account_id", account.to_string()),
            ("sort_by", "settled_at:desc".to_string()),
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        // Without `status[]` Qonto returns completed transactions only.
        query.extend(statuses.iter().map(|s| ("status[]", s.to_string())));
        query.push(("includes[]", "vat_details".to_string()));
        self.get("/v2/transactions", Some(org), &query).await
    }

    /// One page of an account's transactions of every status, in `order` (`updated_at:desc`,
    /// `updated_at:asc`…), changed at or after `updated_from` if given: what sync asks.
    pub async fn transactions_changed(
        &self,
        org: &str,
        account: &str,
        order: &str,
        updated_from: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<TransactionsPage, ApiError> {
        let mut query = vec![
            ("bank_account_id", account.to_string()),
            ("sort_by", order.to_string()),
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        for status in ["pending", "completed", "declined"] {
            query.push(("status[]", status.to_string()));
        }
        // The VAT lines of a split bill, which the books and their exports keep.
        query.push(("includes[]", "vat_details".to_string()));
        if let Some(from) = updated_from {
            query.push(("updated_at_from", from.to_string()));
        }
        self.get("/v2/transactions", Some(org), &query).await
    }

    /// The caller's own membership in `org` (who is signed in, and as what).
    pub async fn own_membership(&self, org: &str) -> Result<Membership, ApiError> {
        Ok(self
            .get::<MembershipEnvelope>("/v2/membership", Some(org), &[])
            .await?
            .membership)
    }

    /// Every membership.
    pub async fn memberships(&self, org: &str) -> Result<Vec<Membership>, ApiError> {
        self.all_pages("/v2/memberships", org, |p: MembershipsPage| {
            (p.memberships, p.meta)
        })
        .await
    }

    /// The files attached to a transaction of `org`.
    pub async fn transaction_attachments(
        &self,
        org: &str,
        transaction: &str,
    ) -> Result<Vec<Attachment>, ApiError> {
        let transaction = super::writes::checked_id("transaction", transaction)?;
        let path = format!("/v2/transactions/{transaction}/attachments");
        Ok(self
            .get::<AttachmentsEnvelope>(&path, Some(org), &[])
            .await?
            .attachments)
    }

    /// A file behind one of Qonto's short-lived URLs (an attachment's, a statement's): no
    /// credential is sent (the URL carries its own signature), at most `limit` bytes.
    pub async fn download(&self, url: &str, limit: usize) -> Result<Vec<u8>, ApiError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| ApiError::Decode("the file's address is not a URL".into()))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(ApiError::Decode(
                "the file's address is not a web address".into(),
            ));
        }
        let response = self.http.get(parsed).send().await.map_err(network)?;
        let status = response.status();
        if !status.is_success() {
            return Err(ApiError::Network(format!(
                "the file could not be fetched (HTTP {}); its link may have expired",
                status.as_u16()
            )));
        }
        read_capped(response, limit).await.map_err(|e| match e {
            BodyError::TooLarge { limit } => ApiError::TooLarge { limit },
            BodyError::Network(e) => network(e),
        })
    }

    /// Every label.
    pub async fn labels(&self, org: &str) -> Result<Vec<Label>, ApiError> {
        self.all_pages("/v2/labels", org, |p: LabelsPage| (p.labels, p.meta))
            .await
    }

    /// Follows `meta.next_page` (a missing or backwards `next_page` ends it; at most 100 pages).
    pub(super) async fn all_pages<P: DeserializeOwned, T>(
        &self,
        path: &str,
        org: &str,
        split: impl Fn(P) -> (Vec<T>, Meta),
    ) -> Result<Vec<T>, ApiError> {
        let mut all = Vec::new();
        let mut page = 1;
        for _ in 0..100 {
            let (items, meta) = split(
                self.get(
                    path,
                    Some(org),
                    &[("page", page.to_string()), ("per_page", "100".into())],
                )
                .await?,
            );
            all.extend(items);
            match meta.next(page) {
                Some(next) => page = next,
                None => break,
            }
        }
        Ok(all)
    }
}

/// What one request sends besides its credential. Its payload is built again for every attempt
/// (a multipart form is consumed by sending it).
pub(super) struct Outgoing<'a> {
    pub method: reqwest::Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, String)],
    pub payload: Payload<'a>,
    /// Sent as `X-Qonto-Idempotency-Key`, the same on every attempt.
    pub idempotency_key: Option<&'a str>,
}

/// A request's body.
pub(super) enum Payload<'a> {
    Empty,
    /// A JSON body.
    Json(&'a serde_json::Value),
    /// A multipart form of one file part.
    File {
        field: &'static str,
        name: &'a str,
        content_type: &'static str,
        bytes: &'a [u8],
    },
    /// Supplier invoices for the bulk upload: each file part followed by its idempotency key.
    Invoices(&'a [super::invoices::InvoiceUpload<'a>]),
}

impl Outgoing<'_> {
    fn attach_payload(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        Ok(match &self.payload {
            Payload::Empty => request,
            Payload::Json(body) => request.json(body),
            Payload::File {
                field,
                name,
                content_type,
                bytes,
            } => {
                let part = reqwest::multipart::Part::bytes(bytes.to_vec())
                    .file_name(name.to_string())
                    .mime_str(content_type)
                    .map_err(|e| ApiError::Decode(format!("a file type not understood: {e}")))?;
                request.multipart(reqwest::multipart::Form::new().part(*field, part))
            }
            Payload::Invoices(files) => {
                let mut form = reqwest::multipart::Form::new();
                for file in *files {
                    let part = reqwest::multipart::Part::bytes(file.bytes.to_vec())
                        .file_name(file.name.to_string())
                        .mime_str("application/pdf")
                        .map_err(|e| {
                            ApiError::Decode(format!("a file type not understood: {e}"))
                        })?;
                    form = form.part("supplier_invoices[][file]", part).text(
                        "supplier_invoices[][idempotency_key]",
                        file.idempotency_key.to_string(),
                    );
                }
                request.multipart(form)
            }
        })
    }
}

/// The caller a single-organization credential makes, or why there is none.
fn caller_of(credential: &Credential) -> Result<Caller<'_>, ApiError> {
    match credential {
        Credential::Membership(session) => Ok(Caller::Session(session, Via::Membership)),
        Credential::ApiKey { login, secret } => Ok(Caller::Key(login, secret)),
        Credential::Unavailable { via, reason } => Err(ApiError::CredentialRefused {
            via: *via,
            detail: reason.clone(),
        }),
    }
}

/// Who a request goes out as.
#[derive(Clone, Copy)]
enum Caller<'a> {
    Session(&'a Session, Via),
    Key(&'a str, &'a Secret),
}

/// A session's failure: for the User flow it stays an `Auth` error (the whole app signs in
/// again); for a membership session, refused tokens cut off that organization alone.
fn auth_error(via: Via, e: AuthError) -> ApiError {
    match (via, &e) {
        (Via::Membership, AuthError::SignInRequired { reason }) => ApiError::CredentialRefused {
            via,
            detail: reason
                .clone()
                .unwrap_or_else(|| "its tokens are gone".to_string()),
        },
        _ => ApiError::Auth(e),
    }
}

fn network(e: reqwest::Error) -> ApiError {
    let kind = if e.is_timeout() {
        "the request timed out"
    } else if e.is_connect() {
        "cannot connect to Qonto"
    } else if e.is_body() || e.is_decode() {
        "the connection dropped mid-answer"
    } else {
        "the connection failed"
    };
    ApiError::Network(kind.to_string())
}
