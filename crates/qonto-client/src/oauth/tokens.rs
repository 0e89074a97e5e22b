//! Talking to the token endpoint: code exchange, refresh and revocation, with client
//! credentials in the form body, the staging token when configured, no redirects followed,
//! and RFC 6749 errors turned into plain words.

use serde::Deserialize;

use crate::http::{BodyError, read_capped};
use crate::printable::printable;
use crate::secret::Secret;

/// A token answer is a few hundred bytes; anything near this is not one.
const MAX_TOKEN_BODY: usize = 64 << 10;
use crate::store::StoredTokens;

/// Where and as whom to ask for tokens.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub token_url: String,
    pub revoke_url: Option<String>,
    pub client_id: String,
    pub client_secret: Secret,
    pub staging_token: Option<Secret>,
    http: reqwest::Client,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// The server said no for good: only `invalid_grant` and `invalid_client` mean this.
    #[error("Qonto refused the {what}: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rejected {
        what: &'static str,
        error: String,
        description: Option<String>,
    },
    /// Worth retrying later; the tokens stay.
    #[error("the token server is unavailable ({0}); your sign-in is kept, retrying later")]
    Transient(String),
    /// The code exchange met a passing failure: there is no sign-in yet to keep.
    #[error(
        "the token server is unavailable ({0}), so the sign-in did not complete; try again in a moment"
    )]
    ExchangeUnavailable(String),
    #[error(
        "the token server answered with an HTML page: with Qonto's sandbox this means the X-Qonto-Staging-Token is missing or wrong (set QONTO_STAGING_TOKEN)"
    )]
    StagingTokenMissing,
    #[error("the token server's answer is not understood: {0}")]
    Malformed(String),
}

impl TokenError {
    /// Whether the stored tokens are dead and the user must sign in again.
    pub fn requires_sign_in(&self) -> bool {
        matches!(self, TokenError::Rejected { error, .. } if error == "invalid_grant" || error == "invalid_client")
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl OAuthClient {
    /// A client on the given HTTP client (see `crate::http`), shared with the API client.
    pub fn new(
        token_url: String,
        revoke_url: Option<String>,
        client_id: String,
        client_secret: Secret,
        staging_token: Option<Secret>,
        http: reqwest::Client,
    ) -> Self {
        crate::redact::register_secret(client_secret.expose());
        if let Some(st) = &staging_token {
            crate::redact::register_secret(st.expose());
        }
        Self {
            token_url,
            revoke_url,
            client_id,
            client_secret,
            staging_token,
            http,
        }
    }

    /// The HTTP client, shared with the API client: one connection pool for everything.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub async fn exchange_code(
        &self,
        code: &Secret,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<StoredTokens, TokenError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ];
        self.token_request("sign-in", &form, None)
            .await
            .map_err(|e| match e {
                TokenError::Transient(cause) => TokenError::ExchangeUnavailable(cause),
                other => other,
            })
    }

    /// Refreshes; a response without a refresh token keeps the old one.
    pub async fn refresh(&self, current: &StoredTokens) -> Result<StoredTokens, TokenError> {
        let Some(refresh_token) = &current.refresh_token else {
            return Err(TokenError::Rejected {
                what: "refresh",
                error: "invalid_grant".into(),
                description: Some(
                    "no refresh token was issued (the offline_access scope is needed)".into(),
                ),
            });
        };
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        self.token_request("refresh", &form, Some(refresh_token))
            .await
    }

    /// RFC 7009 revocation; true when the server confirmed.
    pub async fn revoke(&self, token: &Secret) -> Result<bool, TokenError> {
        let Some(url) = &self.revoke_url else {
            return Ok(false);
        };
        let form = [
            ("token", token.expose()),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let response = self
            .with_staging(self.http.post(url))
            .form(&form)
            .send()
            .await
            .map_err(transient)?;
        Ok(response.status().is_success())
    }

    fn with_staging(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.staging_token {
            Some(t) => request.header("X-Qonto-Staging-Token", t.expose()),
            None => request,
        }
    }

    async fn token_request(
        &self,
        what: &'static str,
        form: &[(&str, &str)],
        previous_refresh: Option<&Secret>,
    ) -> Result<StoredTokens, TokenError> {
        let response = self
            .with_staging(self.http.post(&self.token_url))
            .form(form)
            .send()
            .await
            .map_err(transient)?;
        let status = response.status();
        let is_html = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body = read_capped(response, MAX_TOKEN_BODY)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge { limit } => TokenError::Malformed(format!(
                    "the answer was larger than {}; it was not read",
                    crate::http::size_in_words(limit)
                )),
                BodyError::Network(e) => transient(e),
            })?;
        if is_html {
            return Err(TokenError::StagingTokenMissing);
        }
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            return Err(TokenError::Transient(format!("HTTP {}", status.as_u16())));
        }
        if !status.is_success() {
            return match serde_json::from_slice::<OAuthErrorBody>(&body) {
                Ok(e) => Err(TokenError::Rejected {
                    what,
                    error: printable(&e.error, 100),
                    description: e.error_description.map(|d| printable(&d, 300)),
                }),
                Err(_) => Err(TokenError::Malformed(format!(
                    "HTTP {} without an OAuth error body",
                    status.as_u16()
                ))),
            };
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| TokenError::Malformed(e.to_string()))?;
        crate::redact::register_secret(&parsed.access_token);
        if let Some(r) = &parsed.refresh_token {
            crate::redact::register_secret(r);
        }
        if parsed
            .token_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(TokenError::Malformed("the token type is not bearer".into()));
        }
        let lifetime = parsed
            .expires_in
            .as_ref()
            .and_then(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .filter(|s| *s > 0)
            .unwrap_or(3600);
        Ok(StoredTokens {
            access_token: Secret::new(parsed.access_token),
            refresh_token: parsed
                .refresh_token
                .map(Secret::new)
                .or_else(|| previous_refresh.cloned()),
            expires_at: chrono::Utc::now().timestamp() + lifetime,
            lifetime_secs: lifetime,
            scope: parsed.scope.unwrap_or_default(),
        })
    }
}

fn transient(e: reqwest::Error) -> TokenError {
    // reqwest's messages can carry the URL; ours never has a secret in it (they go in bodies).
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "network error"
    };
    TokenError::Transient(kind.to_string())
}
