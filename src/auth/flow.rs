//! One complete sign-in: bind the callback first (so a busy port fails before the browser
//! opens), build the URL, then wait for the browser or a pasted URL and exchange the code.

use std::time::Duration;

use tokio::sync::mpsc;

use super::authorize::{AuthorizationRequest, build_authorization_request};
use super::callback::{CallbackError, CallbackListener};
use super::store::StoredTokens;
use super::tokens::{OAuthClient, TokenError};
use crate::config::Config;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Callback(#[from] CallbackError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("{0}")]
    Setup(String),
}

/// A sign-in waiting for the browser.
pub struct PendingSignIn {
    pub request: AuthorizationRequest,
    listener: CallbackListener,
}

impl PendingSignIn {
    pub async fn begin(config: &Config) -> Result<Self, SignInError> {
        let listener = CallbackListener::bind(&config.redirect_uri).await?;
        let request = build_authorization_request(
            &config.auth_url,
            &config.client_id,
            &config.redirect_uri,
            &config.scopes,
        )
        .map_err(|e| SignInError::Setup(e.to_string()))?;
        Ok(Self { request, listener })
    }

    pub fn url(&self) -> &str {
        self.request.url.as_str()
    }

    /// Waits for the code (browser callback or pasted URL), then exchanges it.
    pub async fn finish(
        self,
        client: &OAuthClient,
        pasted: mpsc::Receiver<String>,
        paste_errors: mpsc::Sender<CallbackError>,
        timeout: Duration,
    ) -> Result<StoredTokens, SignInError> {
        let Self { request, listener } = self;
        let code = listener
            .wait(&request.state, timeout, pasted, paste_errors)
            .await?;
        Ok(client
            .exchange_code(&code.0, request.pkce.verifier(), &request.redirect_uri)
            .await?)
    }
}
