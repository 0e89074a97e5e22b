//! Wiring the configuration to qonto-client's OAuth pieces: which token store, the OAuth client
//! and its secret (from the environment, the config file or its own secret-store entry), and
//! the start of a browser sign-in. Used by the commands and the TUI alike.

use std::sync::Arc;

use anyhow::Context;
use qonto_client::oauth::authorize::Flow;
use qonto_client::oauth::flow::{PendingSignIn, SignInError};
use qonto_client::oauth::tokens::OAuthClient;
use qonto_client::secret::Secret;
use qonto_client::store::{
    FileStore, KeyringSecret, KeyringStore, MemoryStore, StoreError, StoredTokens, TokenStore,
    blocking,
};

use crate::config::{Config, TokenStoreKind};

/// The store the configuration (or `--token-store`) chose, with the file store's warning.
pub fn store_for(config: &Config) -> anyhow::Result<Arc<dyn TokenStore>> {
    let namespace = config.namespace();
    let store: Arc<dyn TokenStore> = match config.token_store {
        TokenStoreKind::Keyring => {
            // The lock file sits where the file store's tokens would, named alike.
            let lock = FileStore::for_namespace(&crate::config::data_dir(), &namespace)
                .path()
                .with_extension("lock");
            Arc::new(KeyringStore::open(&namespace).with_refresh_lock(lock))
        }
        TokenStoreKind::File => Arc::new(FileStore::for_namespace(
            &crate::config::data_dir(),
            &namespace,
        )),
        TokenStoreKind::Memory => Arc::new(MemoryStore::default()),
    };
    if config.token_store == TokenStoreKind::File {
        eprintln!(
            "warning: your Qonto tokens are kept unencrypted in {}",
            store.describe()
        );
    }
    Ok(store)
}

/// A store error in words for the command line: a missing secret store names the explicit
/// alternative.
/// The API client for `config`'s server, keeping to Qonto's per-IP budget together with the
/// user's other copies of the app (through a small file in the data dir; not for tokens kept
/// in memory, the demo's).
pub fn api_client(
    config: &Config,
    session: Arc<qonto_client::oauth::session::Session>,
) -> Result<qonto_client::api::ApiClient, qonto_client::api::ApiError> {
    let api = qonto_client::api::ApiClient::new(
        &config.api_base_url,
        session,
        config.staging_token.clone(),
    )?;
    Ok(match config.token_store {
        TokenStoreKind::Memory => api,
        _ => api.sharing_budget(crate::config::data_dir().join(format!(
            "rate-budget-{}.state",
            crate::config::file_safe(&config.server_namespace())
        ))),
    })
}

pub fn explain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Unavailable { .. } => anyhow::anyhow!(
            "{e}, or choose the file store explicitly with `--token-store file` (a 0600 file in {}; less safe)",
            crate::config::data_dir().display()
        ),
        other => other.into(),
    }
}

/// The OAuth client, with the secret from the environment, the config file or the secret store.
pub async fn oauth_client(config: &Config) -> anyhow::Result<OAuthClient> {
    config.require_client()?;
    let secret = client_secret(config).await?;
    let http = qonto_client::http::build().context("cannot set up HTTPS")?;
    Ok(oauth_client_with(config, secret, http))
}

/// The OAuth client for `config` on a given secret and HTTP client.
pub fn oauth_client_with(config: &Config, secret: Secret, http: reqwest::Client) -> OAuthClient {
    OAuthClient::new(
        config.token_url.clone(),
        config.revoke_url.clone(),
        config.client_id.clone(),
        secret,
        config.staging_token.clone(),
        http,
    )
}

/// The client secret from the environment, the config file or the secret store.
pub async fn client_secret(config: &Config) -> anyhow::Result<Secret> {
    config.require_client()?;
    match &config.client_secret {
        Some(s) => Ok(s.clone()),
        None => client_secret_from_store(config).await?.with_context(|| {
            format!(
                "The OAuth client secret is not set: set QONTO_CLIENT_SECRET in the environment, `client_secret = \"…\"` in {}, or run `qonto-tui login --save-client-secret` once with it set",
                config.config_path.display()
            )
        }),
    }
}

/// The client secret's own entry in the secret store (not a set of tokens).
fn client_secret_entry(config: &Config) -> KeyringSecret {
    KeyringSecret::open(&format!("client-secret/{}", config.client_namespace()))
}

async fn client_secret_from_store(config: &Config) -> anyhow::Result<Option<Secret>> {
    let entry = client_secret_entry(config);
    match blocking(move || entry.load()).await {
        Ok(stored) => Ok(stored.map(unwrap_legacy_client_secret)),
        // A store that hangs may well hold the secret: "not set" would send the user astray.
        Err(e @ StoreError::Timeout(_)) => {
            Err(anyhow::Error::new(e).context("the OAuth client secret could not be read"))
        }
        // No store at all: the secret is simply not there; the caller says where to set it.
        Err(_) => Ok(None),
    }
}

/// Before qonto-tui 0.2 the client secret was saved dressed as a set of tokens; read it either way.
fn unwrap_legacy_client_secret(value: Secret) -> Secret {
    match serde_json::from_str::<StoredTokens>(value.expose()) {
        Ok(legacy) if legacy.scope == "client_secret" => legacy.access_token,
        _ => value,
    }
}

pub async fn save_client_secret(config: &Config, secret: &Secret) -> anyhow::Result<()> {
    let entry = client_secret_entry(config);
    let secret = secret.clone();
    blocking(move || entry.save(&secret)).await?;
    Ok(())
}

/// Binds the callback and builds the consent URL for the configured client (User flow).
pub async fn begin_sign_in(config: &Config) -> Result<PendingSignIn, SignInError> {
    begin_flow(config, Flow::User).await
}

/// Binds the callback and builds the consent URL of `flow` for the configured client.
pub async fn begin_flow(config: &Config, flow: Flow) -> Result<PendingSignIn, SignInError> {
    if let Some(why) = &config.oauth_unavailable {
        return Err(SignInError::Setup(why.clone()));
    }
    PendingSignIn::begin_flow(
        flow,
        &config.auth_url,
        &config.client_id,
        &config.redirect_uri,
        &config.scopes,
    )
    .await
}
