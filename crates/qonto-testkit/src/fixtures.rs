//! A sandbox on loopback with fixed books, and the OAuth dance against it done as a browser and
//! a client would: consent page, code, token exchange, refresh, API calls.

use qonto_client::oauth::authorize::{
    AuthorizationRequest, DEFAULT_SCOPES, build_authorization_request,
};
use qonto_sandbox::browser::{Tick, answer_consent};
use qonto_sandbox::data::fixed_anchor;
use qonto_sandbox::{DataOptions, Sandbox, SandboxOptions};
use serde_json::Value;

pub fn options() -> SandboxOptions {
    SandboxOptions {
        data: DataOptions {
            anchor: fixed_anchor(),
            ..DataOptions::default()
        },
        ..SandboxOptions::default()
    }
}

pub async fn sandbox() -> Sandbox {
    Sandbox::start(options()).await.expect("sandbox starts")
}

/// A sandbox whose redirect URI is a free loopback port: for the real binary to sign in to.
pub async fn sandbox_for_the_app() -> Sandbox {
    let port = crate::app::free_port();
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        ..options()
    })
    .await
    .expect("sandbox starts")
}

pub fn http() -> reqwest::Client {
    qonto_client::http::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn org_ids(sb: &Sandbox) -> Vec<String> {
    sb.data().orgs.iter().map(|o| o.id.clone()).collect()
}

pub fn authorization(sb: &Sandbox) -> AuthorizationRequest {
    let redirect = sb.redirect_uris()[0].clone();
    build_authorization_request(&sb.auth_url(), sb.client_id(), &redirect, DEFAULT_SCOPES)
        .expect("authorize url")
}

/// Walks the consent page like a browser and returns the code from the 302.
pub async fn consent_code(sb: &Sandbox, req: &AuthorizationRequest, tick: Tick) -> String {
    let location = answer_consent(req.url.as_str(), &tick, true)
        .await
        .expect("consent answered");
    let url = url::Url::parse(&location).expect("redirect is a URL");
    let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs.get("state"),
        Some(&req.state),
        "state comes back unchanged"
    );
    assert!(location.starts_with(&sb.redirect_uris()[0]));
    pairs.get("code").cloned().expect("code in redirect")
}

pub async fn exchange(
    sb: &Sandbox,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> (u16, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", sb.client_id()),
        ("client_secret", sb.client_secret()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ];
    let r = http()
        .post(sb.token_url())
        .form(&form)
        .send()
        .await
        .expect("token request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn refresh(sb: &Sandbox, refresh_token: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", sb.client_id()),
        ("client_secret", sb.client_secret()),
    ];
    let r = http()
        .post(sb.token_url())
        .form(&form)
        .send()
        .await
        .expect("token request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Signs in consenting to `orgs` and returns the token response.
pub async fn sign_in(sb: &Sandbox, orgs: &[String]) -> Value {
    sign_in_with_scopes(sb, orgs, DEFAULT_SCOPES).await
}

/// Signs in asking for `scopes` (space-separated), consenting to `orgs`.
pub async fn sign_in_with_scopes(sb: &Sandbox, orgs: &[String], scopes: &str) -> Value {
    let redirect = sb.redirect_uris()[0].clone();
    let req = build_authorization_request(&sb.auth_url(), sb.client_id(), &redirect, scopes)
        .expect("authorize url");
    let code = consent_code(sb, &req, Tick::Only(orgs.to_vec())).await;
    let (status, body) = exchange(sb, &code, req.pkce.verifier(), &req.redirect_uri).await;
    assert_eq!(status, 200, "{body}");
    body
}

pub fn access(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// GET an API path with a bearer token and an optional organization header.
pub async fn api(sb: &Sandbox, path: &str, token: &str, org: Option<&str>) -> (u16, Value) {
    let mut req = http()
        .get(format!("{}{}", sb.base_url(), path))
        .bearer_auth(token);
    if let Some(org) = org {
        req = req.header("X-Qonto-Organization-Id", org);
    }
    let r = req.send().await.expect("api request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Asserts a JSON:API error body with a trace id.
pub fn assert_json_api_error(body: &Value) {
    assert!(
        body["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "JSON:API errors in {body}"
    );
    assert!(body["errors"][0]["code"].is_string(), "{body}");
    assert!(body["errors"][0]["detail"].is_string(), "{body}");
    assert!(
        body["trace_id"].as_str().is_some_and(|t| t.len() == 32),
        "{body}"
    );
}

/// An API client signed in to `sb` with every organization shared (tokens in memory).
pub async fn signed_in_api(sb: &Sandbox) -> qonto_client::ApiClient {
    use std::sync::Arc;

    use qonto_client::Secret;
    use qonto_client::oauth::session::Session;
    use qonto_client::oauth::tokens::OAuthClient;
    use qonto_client::store::{MemoryStore, StoredTokens};

    let tokens = sign_in(sb, &org_ids(sb)).await;
    let client = OAuthClient::new(
        sb.token_url(),
        None,
        sb.client_id().into(),
        Secret::new(sb.client_secret()),
        None,
        qonto_client::http::build().unwrap(),
    );
    let session = Arc::new(Session::new(client, Arc::new(MemoryStore::default()), None));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let stored = StoredTokens {
        access_token: Secret::new(access(&tokens)),
        refresh_token: None,
        expires_at: now + 3600,
        lifetime_secs: 3600,
        scope: String::new(),
    };
    session.install(stored).await.unwrap();
    qonto_client::ApiClient::new(&sb.base_url(), session, None).unwrap()
}
