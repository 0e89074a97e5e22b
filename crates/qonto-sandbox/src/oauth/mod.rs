//! The sandbox's OAuth server: `GET/POST /oauth2/auth` (consent), `POST /oauth2/token`
//! (authorization_code with PKCE, refresh_token with rotation and grace) and `POST /oauth2/revoke`.

// Handlers answer early with a ready HTTP response; its size on the error path does not matter.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::consent_page::{ConsentView, render};
use crate::errors::oauth_error;
use crate::params::Params;
use crate::random::{constant_time_eq, random_urlsafe};
use crate::state::{
    AccessToken, AuthCode, CODE_LIFETIME, Grant, PendingConsent, REFRESH_GRACE, REFRESH_LIFETIME,
    RefreshToken, SandboxState,
};

/// Scopes Qonto knows (a subset: those this app may ask for).
mod token;

pub use token::token;

const KNOWN_SCOPES: &[&str] = &[
    "offline_access",
    "openid",
    "organization.read",
    "user_organization.read",
    "membership.read",
    "attachment.read",
    "attachment.write",
    "card.read",
    "team.read",
    "client.read",
    "client_invoices.read",
    "supplier_invoice.read",
    "supplier_invoice.write",
    "cash_flow_category.read",
    "cash_flow_category.write",
    "request_review.write",
    "einvoicing.read",
];

type Shared = State<Arc<SandboxState>>;

fn random_or_500(bytes: usize) -> Result<String, Response> {
    random_urlsafe(bytes).map_err(|_| {
        oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "no randomness",
        )
    })
}

pub async fn authorize_page(State(state): Shared, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    match validate_authorize(&state, &params) {
        Ok(pending) => {
            let challenge = match random_or_500(24) {
                Ok(c) => c,
                Err(r) => return r,
            };
            let checked = current_consent(&state, &pending);
            let page = consent_page(&state, &challenge, &pending, &checked, None);
            state.records().pending.insert(challenge, pending);
            Html(page).into_response()
        }
        Err(response) => response,
    }
}

fn validate_authorize(state: &SandboxState, p: &Params) -> Result<PendingConsent, Response> {
    let not_found =
        |error: &str, description: &str| oauth_error(StatusCode::NOT_FOUND, error, description);
    let client_id = p
        .get("client_id")
        .ok_or_else(|| not_found("invalid_client", "client_id is missing"))?;
    if client_id != state.client.id {
        return Err(not_found("invalid_client", "Unknown client_id"));
    }
    let redirect_uri = p
        .get("redirect_uri")
        .ok_or_else(|| not_found("invalid_request", "redirect_uri is missing"))?;
    if !state.client.redirect_uris.iter().any(|r| r == redirect_uri) {
        return Err(not_found(
            "invalid_request",
            "The redirect_uri does not match any redirect URI registered for this client",
        ));
    }
    // From here the client and its redirect URI are known: errors go back to the client
    // (RFC 6749 §4.1.2.1), so that its loopback listener hears of them instead of waiting.
    let bad = |error: &str, description: &str| {
        redirect_error(redirect_uri, error, description, p.get("state"))
    };
    if p.get("response_type") != Some("code") {
        return Err(bad(
            "unsupported_response_type",
            "Only response_type=code is supported",
        ));
    }
    let auth_state = p
        .get("state")
        .ok_or_else(|| bad("invalid_request", "state is missing"))?;
    if auth_state.len() < 8 {
        return Err(bad(
            "invalid_state",
            "state must be at least 8 characters long",
        ));
    }
    let scopes: Vec<String> = p
        .get("scope")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if scopes.is_empty() {
        return Err(bad("invalid_scope", "scope is missing"));
    }
    if let Some(unknown) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return Err(bad(
            "invalid_scope",
            &format!("The OAuth 2.0 Client is not allowed to request scope '{unknown}'"),
        ));
    }
    let user_flow = match p.get("identity_type") {
        None => false,
        Some("user") => true,
        Some(other) => {
            return Err(bad(
                "invalid_request",
                &format!("Unknown identity_type '{other}'"),
            ));
        }
    };
    if user_flow && !scopes.iter().any(|s| s == "user_organization.read") {
        return Err(bad(
            "invalid_scope",
            "identity_type=user requires the user_organization.read scope",
        ));
    }
    let code_challenge = p.get("code_challenge").map(String::from);
    if code_challenge.is_some() && p.get("code_challenge_method") != Some("S256") {
        return Err(bad("invalid_request", "code_challenge_method must be S256"));
    }
    if code_challenge
        .as_ref()
        .is_some_and(|c| c.len() < 43 || c.len() > 128)
    {
        return Err(bad(
            "invalid_request",
            "code_challenge must be 43 to 128 characters",
        ));
    }
    let locked_org = if user_flow {
        None
    } else {
        p.get("organization_id").map(String::from)
    };
    if let Some(org) = &locked_org
        && state.data.org(org).is_none()
    {
        return Err(bad("invalid_request", "Unknown organization_id"));
    }
    Ok(PendingConsent {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        state: auth_state.to_string(),
        scopes,
        code_challenge,
        user_flow,
        locked_org,
        created_at: state.clock.now(),
    })
}

fn current_consent(state: &SandboxState, pending: &PendingConsent) -> Vec<String> {
    if !pending.user_flow {
        return pending.locked_org.iter().cloned().collect();
    }
    state
        .records()
        .consents
        .get(&(state.data.user.id.clone(), pending.client_id.clone()))
        .cloned()
        .unwrap_or_default()
}

fn consent_page(
    state: &SandboxState,
    challenge: &str,
    pending: &PendingConsent,
    checked: &[String],
    problem: Option<&str>,
) -> String {
    let orgs = state
        .data
        .orgs
        .iter()
        .filter(|o| pending.locked_org.as_ref().is_none_or(|id| *id == o.id))
        .collect();
    let user_name = format!(
        "{} {}",
        state.data.user.first_name, state.data.user.last_name
    );
    render(&ConsentView {
        challenge,
        pending,
        orgs,
        checked,
        user_name: &user_name,
        problem,
        autosubmit: state.consent_autosubmit,
    })
}

pub async fn authorize_decision(State(state): Shared, body: Bytes) -> Response {
    let form = Params::parse(&body);
    let Some(challenge) = form.get("challenge") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The consent form is incomplete",
        );
    };
    let now = state.clock.now();
    let pending = {
        let mut records = state.records();
        records.prune(now);
        records.pending.remove(challenge)
    };
    let Some(pending) = pending else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "This consent request has expired or was already answered; start the sign-in again from the app",
        );
    };
    let mut redirect = match url::Url::parse(&pending.redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "redirect_uri is not a URL",
            );
        }
    };
    match form.get("decision") {
        Some("allow") => {}
        Some("deny") => {
            redirect
                .query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair("error_description", "The resource owner denied the request")
                .append_pair("state", &pending.state);
            return found(redirect.as_str());
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "decision must be allow or deny",
            );
        }
    }
    let mut chosen: Vec<String> = Vec::new();
    for id in form.all("organization_id") {
        if !chosen.iter().any(|c| c == id) {
            chosen.push(id.to_string());
        }
    }
    let valid = chosen.iter().all(|id| {
        state.data.org(id).is_some()
            && pending
                .locked_org
                .as_ref()
                .is_none_or(|locked| locked == id)
    });
    let problem = if !valid {
        Some("One of the organizations is not yours.")
    } else if chosen.is_empty() {
        Some("Tick at least one organization.")
    } else if !pending.user_flow && chosen.len() != 1 {
        Some("This application may access only one organization: tick exactly one.")
    } else {
        None
    };
    if let Some(problem) = problem {
        let new_challenge = match random_or_500(24) {
            Ok(c) => c,
            Err(r) => return r,
        };
        let checked: Vec<String> = chosen
            .into_iter()
            .filter(|id| state.data.org(id).is_some())
            .collect();
        let page = consent_page(&state, &new_challenge, &pending, &checked, Some(problem));
        state.records().pending.insert(new_challenge, pending);
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    }
    let code = match random_or_500(32) {
        Ok(c) => format!("ory_ac_{c}"),
        Err(r) => return r,
    };
    {
        let mut records = state.records();
        let family = records.new_family();
        let grant = Grant {
            client_id: pending.client_id.clone(),
            user_id: state.data.user.id.clone(),
            scopes: pending.scopes.clone(),
            user_flow: pending.user_flow,
            membership_org: if pending.user_flow {
                None
            } else {
                chosen.first().cloned()
            },
            family,
        };
        if pending.user_flow {
            records
                .consents
                .insert((grant.user_id.clone(), grant.client_id.clone()), chosen);
        }
        records.issued.push(code.clone());
        records.codes.insert(
            code.clone(),
            AuthCode {
                grant,
                redirect_uri: pending.redirect_uri.clone(),
                code_challenge: pending.code_challenge.clone(),
                expires_at: now + CODE_LIFETIME,
                used: false,
            },
        );
    }
    redirect
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("scope", &pending.scopes.join(" "))
        .append_pair("state", &pending.state);
    found(redirect.as_str())
}

/// `302 Found` to the client's redirect URI, as Qonto's OAuth server answers.
/// A redirect to the client with `error`, `error_description` and the `state` it sent.
fn redirect_error(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let Ok(mut location) = url::Url::parse(redirect_uri) else {
        return oauth_error(StatusCode::BAD_REQUEST, error, description);
    };
    {
        let mut query = location.query_pairs_mut();
        query.append_pair("error", error);
        query.append_pair("error_description", description);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    found(location.as_str())
}

fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [("location", location), ("cache-control", "no-store")],
    )
        .into_response()
}

/// Authenticates the client from the form body (Qonto documents only client_secret_post).
fn authenticate_client(
    state: &SandboxState,
    headers: &HeaderMap,
    form: &Params,
) -> Result<(), Response> {
    let failed = |why: &str| {
        oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            &format!("Client authentication failed ({why})"),
        )
    };
    let (Some(id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) else {
        if headers.contains_key("authorization") {
            return Err(failed(
                "unsupported authentication method: send client_id and client_secret in the body",
            ));
        }
        return Err(failed(
            "client_id and client_secret are required in the body",
        ));
    };
    if id != state.client.id || !constant_time_eq(secret.as_bytes(), state.client.secret.as_bytes())
    {
        return Err(failed("unknown client or wrong secret"));
    }
    Ok(())
}

/// RFC 7009: always 200 for a well-formed request, whether or not the token was known.
pub async fn revoke(State(state): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = Params::parse(&body);
    if let Err(r) = authenticate_client(&state, &headers, &form) {
        return r;
    }
    let Some(token) = form.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is missing",
        );
    };
    state.counters.revocations.fetch_add(1, Ordering::SeqCst);
    let mut records = state.records();
    if let Some(t) = records.refresh_tokens.get(token) {
        // Revoking a refresh token ends the whole grant, access tokens included.
        let family = t.grant.family;
        records.revoked_families.insert(family);
    } else {
        records.access_tokens.remove(token);
    }
    StatusCode::OK.into_response()
}
