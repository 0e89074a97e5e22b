//! What a command needs to reach every organization: the API client with the User-flow session
//! (if signed in) and every other source routed through its own credential.

use std::sync::Arc;

use crate::auth::{client_secret, explain, oauth_client_with, store_for};
use crate::config::Config;
use crate::sources::Sources;
use qonto_client::api::ApiClient;
use qonto_client::oauth::session::Session;
use qonto_client::secret::Secret;
use qonto_client::store::{StoredTokens, blocking};

pub struct Reach {
    pub api: Arc<ApiClient>,
    pub sources: Arc<Sources>,
    /// The User flow's tokens as stored (`None`: not signed in that way).
    pub stored: Option<StoredTokens>,
}

impl Reach {
    /// Reads the User-flow tokens and builds the client. The OAuth client secret is needed
    /// only by OAuth sessions: someone with API keys alone need not have one.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let store = store_for(config)?;
        let s = store.clone();
        let stored = blocking(move || s.load()).await.map_err(explain)?;
        Self::with_tokens(config, store, stored).await
    }

    /// As [`Reach::open`], with the User-flow tokens already read from `store`.
    pub async fn with_tokens(
        config: &Config,
        store: std::sync::Arc<dyn qonto_client::store::TokenStore>,
        stored: Option<StoredTokens>,
    ) -> anyhow::Result<Self> {
        let sources = Sources::for_config(config);
        let secret = match client_secret(config).await {
            Ok(secret) => secret,
            Err(e) => {
                let s = sources.clone();
                let memberships = blocking(move || s.list())
                    .await
                    .unwrap_or_default()
                    .iter()
                    .any(|s| s.via == qonto_client::api::Via::Membership);
                if stored.is_some() || memberships {
                    return Err(e);
                }
                Secret::new("")
            }
        };
        let http = qonto_client::http::build()?;
        let client = oauth_client_with(config, secret, http);
        let session = Arc::new(Session::new(client, store, stored.clone()));
        let api = Arc::new(crate::auth::api_client(config, session)?);
        Ok(Self {
            api,
            sources,
            stored,
        })
    }

    /// Whether the User-flow sign-in also reaches `org`.
    pub async fn user_flow_reaches(&self, org: &str) -> bool {
        self.stored.is_some()
            && self
                .api
                .user_organizations()
                .await
                .is_ok_and(|list| list.iter().any(|o| o.id == org))
    }
}

/// Text from outside the process, safe to print: control characters removed, length bounded.
pub fn clean(text: &str) -> String {
    qonto_client::printable::printable(text, 200)
}
