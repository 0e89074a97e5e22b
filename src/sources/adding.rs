//! Adding a source: its credential checked with Qonto (the organization it reaches, and the
//! user's role there), then stored. Shared by `key add`, `login --membership` and the TUI.

use std::sync::Arc;

use super::{Source, Sources};
pub use crate::outcome::SourceError;
use qonto_client::api::models::MembershipEnvelope;
use qonto_client::api::{ApiClient, ApiError, Credential, Via};
use qonto_client::oauth::session::Session;
use qonto_client::oauth::tokens::OAuthClient;
use qonto_client::secret::Secret;
use qonto_client::store::{MemoryStore, StoredTokens, blocking};

/// The secret store's failure, with what to do about it (`auth::explain`'s words).
fn store_words(e: qonto_client::store::StoreError) -> String {
    format!("{:#}", crate::auth::explain(e))
}

/// Checks an API key with Qonto and stores it; nothing is stored if Qonto refuses it.
pub async fn add_api_key(
    api: &ApiClient,
    sources: &Arc<Sources>,
    login: &str,
    secret: Secret,
) -> Result<Source, SourceError> {
    let credential = Credential::api_key(login, secret.clone());
    let source = describe(api, &credential, Some(login))
        .await
        .map_err(|e| match e {
            ApiError::CredentialRefused { detail, .. } => SourceError::KeyRefused {
                login: login.to_string(),
                detail,
            },
            other => SourceError::KeyNotChecked(other),
        })?;
    let Some(source) = source else {
        return Err(SourceError::NoOrganization("key"));
    };
    sources
        .add_api_key(source.clone(), secret)
        .await
        .map_err(|e| SourceError::KeyNotStored(store_words(e)))?;
    Ok(source)
}

/// Stores a membership consent's tokens as the source of the organization they reach; an
/// earlier consent for the same organization is replaced and its tokens revoked.
pub async fn add_membership(
    api: &ApiClient,
    sources: &Arc<Sources>,
    client: &OAuthClient,
    tokens: StoredTokens,
) -> Result<Source, SourceError> {
    // A session of its own, in memory until the organization it reaches is known.
    let session = Arc::new(Session::new(
        client.clone(),
        Arc::new(MemoryStore::default()),
        Some(tokens.clone()),
    ));
    let credential = Credential::Membership(session.clone());
    let source = describe(api, &credential, None)
        .await
        .map_err(SourceError::ConsentNotRead)?;
    let Some(source) = source else {
        return Err(SourceError::NoOrganization("consent"));
    };
    // The tokens may have been refreshed while reading: keep the newest.
    let tokens = session.tokens().await.unwrap_or(tokens);
    let replaced = stored_session(sources, &source.org_id).await;
    sources
        .add_membership(source.clone(), tokens)
        .await
        .map_err(|e| SourceError::TokensNotStored(store_words(e)))?;
    if let Some(old) = replaced {
        revoke(client, &old).await;
    }
    Ok(source)
}

/// The source a credential makes: the organization it reaches and the caller's role there.
async fn describe(
    api: &ApiClient,
    credential: &Credential,
    login: Option<&str>,
) -> Result<Option<Source>, ApiError> {
    let org = api.organization_with(credential).await?;
    let Some(org_id) = org.id.clone() else {
        return Ok(None);
    };
    let role = api
        .get_with::<MembershipEnvelope>(credential, "/v2/membership", &[])
        .await
        .ok()
        .and_then(|m| m.membership.role);
    Ok(Some(Source {
        name: org
            .name
            .clone()
            .or(org.legal_name.clone())
            .unwrap_or_else(|| org_id.clone()),
        org_id,
        via: credential.via(),
        login: login.map(String::from),
        legal_name: org.legal_name,
        membership_role: role,
    }))
}

/// The tokens of the membership consent stored for `org`, if any.
pub async fn stored_session(sources: &Sources, org: &str) -> Option<StoredTokens> {
    let store = sources.session_store(org);
    blocking(move || store.load()).await.ok().flatten()
}

/// Revokes a session's tokens at Qonto; whether Qonto confirmed it.
pub async fn revoke(client: &OAuthClient, tokens: &StoredTokens) -> bool {
    let token = tokens
        .refresh_token
        .as_ref()
        .unwrap_or(&tokens.access_token);
    client.revoke(token).await.unwrap_or(false)
}

/// Forgets one source, revoking a membership session's tokens at Qonto first; whether they
/// were revoked.
pub async fn forget(
    sources: &Arc<Sources>,
    client: Option<&OAuthClient>,
    source: &Source,
) -> Result<bool, SourceError> {
    let mut revoked = false;
    if source.via == Via::Membership
        && let Some(client) = client
        && let Some(tokens) = stored_session(sources, &source.org_id).await
    {
        revoked = revoke(client, &tokens).await;
    }
    sources
        .remove(source)
        .await
        .map_err(|e| SourceError::NotForgotten(store_words(e)))?;
    Ok(revoked)
}
