//! One complete sign-in: bind the callback first (so a busy port fails before the browser
//! opens), build the URL, then wait for the browser or a pasted URL and exchange the code.

use std::time::Duration;

use tokio::sync::mpsc;

use super::authorize::{AuthorizationRequest, Flow, build_authorization_request_for};
use super::callback::{CallbackError, CallbackListener};
use super::tokens::{OAuthClient, TokenError};
use crate::store::StoredTokens;

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
    /// Binds `redirect_uri`'s loopback port, then builds the consent URL for `client_id`.
    pub async fn begin(
        auth_url: &str,
        client_id: &str,
        redirect_uri: &str,
        scopes: &str,
    ) -> Result<Self, SignInError> {
        Self::begin_flow(Flow::User, auth_url, client_id, redirect_uri, scopes).await
    }

    /// As [`PendingSignIn::begin`], for either flow.
    pub async fn begin_flow(
        flow: Flow,
        auth_url: &str,
        client_id: &str,
        redirect_uri: &str,
        scopes: &str,
    ) -> Result<Self, SignInError> {
        let listener = CallbackListener::bind(redirect_uri).await?;
        let request =
            build_authorization_request_for(flow, auth_url, client_id, redirect_uri, scopes)
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
