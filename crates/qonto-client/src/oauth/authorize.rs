//! The authorization URL of Qonto's User OAuth flow (`identity_type=user`) or membership flow:
//! PKCE S256, a fresh `state`, and never `organization_id` (it would lock the consent page to
//! one organization).

use url::Url;

use super::pkce::{Pkce, new_state};

pub const DEFAULT_SCOPES: &str = "offline_access user_organization.read organization.read attachment.read attachment.write cash_flow_category.read cash_flow_category.write request_review.write supplier_invoice.read supplier_invoice.write";

/// What reading alone needs: every read feature works with these.
pub const READ_SCOPES: &str = "offline_access user_organization.read organization.read";

/// One sign-in attempt: the URL to open and what the callback and exchange must match.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub url: Url,
    pub state: String,
    pub pkce: Pkce,
    pub redirect_uri: String,
}

/// Which of Qonto's OAuth flows a sign-in walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// `identity_type=user`: one consent, every organization the user ticks.
    User,
    /// No `identity_type`: one consent, one organization, its own tokens.
    Membership,
}

/// The User flow's authorization request.
pub fn build_authorization_request(
    auth_url: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &str,
) -> anyhow::Result<AuthorizationRequest> {
    build_authorization_request_for(Flow::User, auth_url, client_id, redirect_uri, scopes)
}

/// The authorization request of `flow`. The membership flow does not ask for
/// `user_organization.read`, which only the User flow grants.
pub fn build_authorization_request_for(
    flow: Flow,
    auth_url: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &str,
) -> anyhow::Result<AuthorizationRequest> {
    let scopes = match flow {
        Flow::User => scopes.to_string(),
        Flow::Membership => scopes
            .split(' ')
            .filter(|s| !s.is_empty() && *s != "user_organization.read")
            .collect::<Vec<_>>()
            .join(" "),
    };
    let mut url = Url::parse(auth_url)
        .map_err(|e| anyhow::anyhow!("the authorization URL {auth_url:?} is not a URL: {e}"))?;
    let pkce = Pkce::generate()?;
    let state = new_state()?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scopes)
        .append_pair("state", &state);
    if flow == Flow::User {
        url.query_pairs_mut().append_pair("identity_type", "user");
    }
    url.query_pairs_mut()
        .append_pair("code_challenge", pkce.challenge())
        .append_pair("code_challenge_method", "S256");
    Ok(AuthorizationRequest {
        url,
        state,
        pkce,
        redirect_uri: redirect_uri.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_has_every_user_flow_parameter_and_no_organization_id() {
        let r = build_authorization_request(
            "https://oauth.qonto.com/oauth2/auth",
            "cid",
            "http://127.0.0.1:18920/callback",
            DEFAULT_SCOPES,
        )
        .unwrap();
        let pairs: std::collections::HashMap<_, _> = r.url.query_pairs().into_owned().collect();
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["identity_type"], "user");
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert_eq!(pairs["code_challenge"], r.pkce.challenge());
        assert_eq!(pairs["state"], r.state);
        assert!(r.state.len() >= 43);
        assert_eq!(pairs["scope"], DEFAULT_SCOPES);
        assert!(!pairs.contains_key("organization_id"));
    }
}
