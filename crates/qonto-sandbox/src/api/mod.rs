//! The sandbox's Business API (`/v2/…`): who is calling (user-flow token, membership token or
//! API key), the `X-Qonto-Organization-Id` rule, and the documented JSON shapes.

// Handlers answer early with a ready HTTP response; its size on the error path does not matter.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::data::{
    Account, Ledger, Org, Tx, format_timestamp, role_sees_balances, statement_periods,
};
use crate::errors::{api_error, api_error_with_source, new_trace_id};
use crate::params::Params;
use crate::random::constant_time_eq;
use crate::state::SandboxState;

pub(crate) mod attachments;
pub(crate) mod categories;
pub(crate) mod files;
mod invoices;
pub(crate) mod listing_order;
pub(crate) mod lists;
mod organizations;
mod requests;
mod transaction_shape;
mod transactions;
pub(crate) mod uploads;

pub use attachments::{attachment, transaction_attachments};
pub use categories::cash_flow_categories;
pub use categories::{assign_category, create_category, create_subcategory, unassign_category};
pub use files::file;
pub use invoices::{
    bulk as bulk_invoices, mark_paid, reject as reject_invoice, supplier_invoices, unmark_paid,
};
pub use lists::{label, labels, membership, memberships, statement, statements};
pub use organizations::{
    bank_account, bank_accounts, einvoicing_settings, iban_certificate, organization,
    user_organizations,
};
pub use requests::{decline_request, requests};
pub use transactions::{transaction, transactions};

type Shared = State<Arc<SandboxState>>;

/// Who is calling, once authenticated.
enum Caller {
    /// A User OAuth flow token: several organizations, chosen per request by header.
    User { grant: crate::state::Grant },
    /// A membership-flow token or an API key: one organization.
    SingleOrg {
        org_id: String,
        scoped: Option<crate::state::Grant>,
    },
}

fn unauthorized(detail: &str) -> Response {
    api_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        detail,
        &new_trace_id(),
    )
}

fn forbidden(detail: &str) -> Response {
    api_error(StatusCode::FORBIDDEN, "forbidden", detail, &new_trace_id())
}

fn not_found(detail: &str) -> Response {
    api_error(StatusCode::NOT_FOUND, "not_found", detail, &new_trace_id())
}

fn bad_parameter(parameter: &str, code: &str, detail: &str) -> Response {
    api_error_with_source(
        StatusCode::BAD_REQUEST,
        code,
        detail,
        Some(parameter),
        &new_trace_id(),
    )
}

fn authenticate(state: &SandboxState, headers: &HeaderMap) -> Result<Caller, Response> {
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized("The Authorization header is missing"));
    };
    if let Some(token) = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
    {
        let now = state.clock.now();
        let records = state.records();
        let Some(t) = records.access_tokens.get(token.trim()) else {
            return Err(unauthorized(
                "The access token is invalid or has been revoked",
            ));
        };
        if records.revoked_families.contains(&t.grant.family) {
            return Err(unauthorized(
                "The access token is invalid or has been revoked",
            ));
        }
        if now >= t.expires_at {
            return Err(unauthorized("The access token has expired"));
        }
        let grant = t.grant.clone();
        drop(records);
        return Ok(match &grant.membership_org {
            Some(org) if !grant.user_flow => Caller::SingleOrg {
                org_id: org.clone(),
                scoped: Some(grant.clone()),
            },
            _ => Caller::User { grant },
        });
    }
    // Qonto's API-key scheme: `Authorization: {login}:{secret-key}` (not Basic, no base64).
    if let Some((login, secret)) = auth.split_once(':')
        && let Some(org) = state.data.org_by_slug(login)
        && constant_time_eq(secret.as_bytes(), state.api_key_secret.as_bytes())
        && !state
            .revoked_api_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(login)
    {
        return Ok(Caller::SingleOrg {
            org_id: org.id.clone(),
            scoped: None,
        });
    }
    Err(unauthorized("The Authorization header is invalid"))
}

/// An organization-scoped request: counted, authenticated, and its organization resolved by
/// Qonto's rules (`X-Qonto-Organization-Id` for User-flow tokens); otherwise answered with
/// Qonto's error before the handler runs.
pub struct Scoped {
    state: Arc<SandboxState>,
    org: usize,
    /// The OAuth grant that reached it; `None` for an API key, which reads everything.
    grant: Option<crate::state::Grant>,
}

impl Scoped {
    fn org(&self) -> &Org {
        &self.state.data.orgs[self.org]
    }

    /// Who made this request, as an audit trail names it: the OAuth grant (`user#3`,
    /// `membership#5`: one sign-in's tokens share it across refreshes) or the API key
    /// (`api-key:SLUG`).
    pub fn made_by(&self) -> String {
        match &self.grant {
            Some(g) if g.user_flow => format!("user#{}", g.family),
            Some(g) => format!("membership#{}", g.family),
            None => format!("api-key:{}", self.org().slug),
        }
    }
}

impl axum::extract::FromRequestParts<Arc<SandboxState>> for Scoped {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<SandboxState>,
    ) -> Result<Self, Response> {
        count(state);
        let (org, via, grant) = org_for_request(state, &parts.headers)?;
        state.calls.record(&org.id, via);
        let index = state
            .data
            .orgs
            .iter()
            .position(|o| o.id == org.id)
            .ok_or_else(|| not_found("The organization does not exist"))?;
        Ok(Self {
            state: state.clone(),
            org: index,
            grant,
        })
    }
}

/// Authenticates and resolves the organization the request is about, with the kind of
/// credential that reached it (`user`, `membership`, `api-key`) and its OAuth grant.
fn org_for_request<'a>(
    state: &'a SandboxState,
    headers: &HeaderMap,
) -> Result<(&'a Org, &'static str, Option<crate::state::Grant>), Response> {
    let caller = authenticate(state, headers)?;
    let via = match &caller {
        Caller::User { .. } => "user",
        Caller::SingleOrg {
            scoped: Some(_), ..
        } => "membership",
        Caller::SingleOrg { scoped: None, .. } => "api-key",
    };
    let header = headers
        .get("x-qonto-organization-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let grant = match &caller {
        Caller::User { grant } => Some(grant.clone()),
        Caller::SingleOrg { scoped, .. } => scoped.clone(),
    };
    let org_id = match caller {
        Caller::User { grant } => {
            if !grant.has_scope("organization.read") {
                return Err(forbidden("missing required oauth scope: organization.read"));
            }
            let Some(requested) = header.filter(|h| !h.is_empty()) else {
                return Err(forbidden(
                    "The X-Qonto-Organization-Id header is required with a token from the user OAuth flow",
                ));
            };
            if !state.granted_orgs(&grant).iter().any(|id| id == requested) {
                return Err(forbidden(
                    "The user has not consented to share this organization",
                ));
            }
            requested.to_string()
        }
        Caller::SingleOrg { org_id, scoped } => {
            if scoped
                .as_ref()
                .is_some_and(|g| !g.has_scope("organization.read"))
            {
                return Err(forbidden("missing required oauth scope: organization.read"));
            }
            if header.is_some_and(|h| !h.is_empty() && h != org_id) {
                return Err(forbidden(
                    "This token is not valid for the requested organization",
                ));
            }
            org_id
        }
    };
    state
        .data
        .org(&org_id)
        .map(|org| (org, via, grant))
        .ok_or_else(|| forbidden("The organization does not exist"))
}

fn count(state: &SandboxState) {
    state.counters.api_requests.fetch_add(1, Ordering::SeqCst);
}

fn money(cents: i64) -> Value {
    json!(cents as f64 / 100.0)
}

/// `page` and `per_page` as Qonto validates them (1..; 1..=100, default 100). Qonto also takes
/// `current_page` for `page`, as older official clients send it.
fn paging(params: &Params) -> Result<(usize, usize), Response> {
    let parse = |name: &str, default: usize, max: usize| -> Result<usize, Response> {
        let raw = match name {
            "page" => params.get("page").or_else(|| params.get("current_page")),
            other => params.get(other),
        };
        match raw {
            None => Ok(default),
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if n >= 1 && n <= max => Ok(n),
                _ => Err(bad_parameter(
                    name,
                    "invalid_parameter",
                    &format!("{name} must be an integer between 1 and {max}"),
                )),
            },
        }
    };
    Ok((parse("page", 1, 1_000_000)?, parse("per_page", 100, 100)?))
}

fn meta(page: usize, per_page: usize, total: usize) -> Value {
    let total_pages = total.div_ceil(per_page);
    json!({
        "current_page": page,
        "next_page": if page < total_pages { json!(page + 1) } else { Value::Null },
        "prev_page": if page > 1 { json!(page - 1) } else { Value::Null },
        "total_pages": total_pages,
        "total_count": total,
        "per_page": per_page,
    })
}

fn page_of<T>(items: &[T], page: usize, per_page: usize) -> &[T] {
    let start = (page - 1).saturating_mul(per_page).min(items.len());
    let end = start.saturating_add(per_page).min(items.len());
    &items[start..end]
}
