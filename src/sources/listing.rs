//! Every organization across sources, each once (the User flow preferred), and the API client
//! told which credential reaches which.

use qonto_client::api::models::UserOrganization;
use qonto_client::api::{ApiClient, ApiError, Credential, Via};
use qonto_client::store::{StoreError, blocking};

use super::{Source, Sources};

/// What one listing found.
pub struct Listing {
    /// User-flow organizations first (as Qonto lists them), then the others in the order added.
    pub orgs: Vec<UserOrganization>,
    /// Why the User flow gave nothing (not signed in, sign-in ended, network…).
    pub user_flow: Option<ApiError>,
    /// Sources whose secret is missing or unreadable: listed, but not reachable.
    pub unreachable: Vec<(Source, String)>,
}

impl Listing {
    /// Whether the User-flow sign-in was there and has ended (as opposed to never made).
    pub fn user_flow_ended(&self) -> bool {
        matches!(
            &self.user_flow,
            Some(ApiError::Auth(
                qonto_client::oauth::session::AuthError::SignInRequired { reason: Some(_) }
            ))
        )
    }
}

/// The organization row a source makes.
pub fn row(source: &Source) -> UserOrganization {
    UserOrganization {
        id: source.org_id.clone(),
        name: Some(source.name.clone()),
        legal_name: source.legal_name.clone(),
        legal_number: None,
        legal_country: None,
        membership_role: source.membership_role.clone(),
        via: source.via,
    }
}

/// Lists the User flow's organizations and every source's, and routes each source's
/// organization through its credential (unless the User flow reaches it too). A credential the
/// client already holds is kept, so a membership session refreshes once for everyone.
pub async fn list(
    api: &ApiClient,
    sources: &std::sync::Arc<Sources>,
) -> Result<Listing, StoreError> {
    let reading = {
        let sources = sources.clone();
        tokio::spawn(async move { blocking(move || sources.list()).await })
    };
    let user = api.user_organizations().await;
    let stored = reading.await.unwrap_or_else(|e| {
        Err(StoreError::Failed(format!(
            "reading the sources failed: {e}"
        )))
    })?;
    let (mut orgs, user_flow) = match user {
        Ok(orgs) => (orgs, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    // Each organization once: the User flow first, then a membership consent, then a key.
    let mut chosen: Vec<Source> = Vec::new();
    for source in stored {
        if orgs.iter().any(|o| o.id == source.org_id) {
            continue;
        }
        match chosen.iter_mut().find(|c| c.org_id == source.org_id) {
            Some(c) if source.via < c.via => *c = source,
            Some(_) => {}
            None => chosen.push(source),
        }
    }
    // Secrets are read at once, not one after another: a slow secret store costs its time
    // limit once.
    let oauth = api.session().client().clone();
    let loads = chosen.iter().map(|source| {
        let held = api.credential(&source.org_id).filter(|c| holds(c, source));
        let oauth = &oauth;
        async move {
            match held {
                Some(credential) => Ok(Some(credential)),
                None => sources.credential(source, oauth).await,
            }
        }
    });
    let loaded = futures_util::future::join_all(loads).await;
    let mut unreachable = Vec::new();
    let mut routed = Vec::new();
    for (source, credential) in chosen.into_iter().zip(loaded) {
        let credential = match credential {
            Ok(Some(credential)) => credential,
            Ok(None) => {
                let reason = match source.via {
                    Via::Membership => "its tokens are gone",
                    _ => "its secret key is no longer stored",
                };
                unreachable.push((source.clone(), reason.to_string()));
                unavailable(&source, reason.to_string())
            }
            Err(e) => {
                unreachable.push((source.clone(), e.to_string()));
                unavailable(&source, e.to_string())
            }
        };
        api.route(&source.org_id, credential);
        routed.push(source.org_id.clone());
        orgs.push(row(&source));
    }
    api.retain_routes(|org| routed.iter().any(|r| r == org));
    Ok(Listing {
        orgs,
        user_flow,
        unreachable,
    })
}

/// Whether a credential the client holds is the one `source` stores (kept, so that a
/// membership session refreshes once for everyone).
fn holds(credential: &Credential, source: &Source) -> bool {
    credential.via() == source.via
        && match credential {
            Credential::ApiKey { login, .. } => Some(login) == source.login.as_ref(),
            Credential::Membership(_) => true,
            // Looked for again: it may have been stored since.
            Credential::Unavailable { .. } => false,
        }
}

fn unavailable(source: &Source, reason: String) -> Credential {
    Credential::Unavailable {
        via: source.via,
        reason,
    }
}
