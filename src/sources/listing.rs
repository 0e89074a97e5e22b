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
    let oauth = api.session().client().clone();
    let mut unreachable = Vec::new();
    let mut routed = Vec::new();
    for source in stored {
        if orgs.iter().any(|o| o.id == source.org_id) {
            continue;
        }
        let held = api.credential(&source.org_id);
        let same = held.as_ref().is_some_and(|c| {
            c.via() == source.via
                && match c {
                    Credential::ApiKey { login, .. } => Some(login) == source.login.as_ref(),
                    Credential::Membership(_) => true,
                    // Looked for again: it may have been stored since.
                    Credential::Unavailable { .. } => false,
                }
        });
        if !same {
            match sources.credential(&source, &oauth).await {
                Ok(Some(credential)) => api.route(&source.org_id, credential),
                Ok(None) => {
                    let reason = match source.via {
                        Via::Membership => "its tokens are gone",
                        _ => "its secret key is no longer stored",
                    };
                    unreachable.push((source.clone(), reason.to_string()));
                    api.route(&source.org_id, unavailable(&source, reason.to_string()));
                }
                Err(e) => {
                    unreachable.push((source.clone(), e.to_string()));
                    api.route(&source.org_id, unavailable(&source, e.to_string()));
                }
            }
        }
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

fn unavailable(source: &Source, reason: String) -> Credential {
    Credential::Unavailable {
        via: source.via,
        reason,
    }
}
