//! How an organization is reached: through the User-flow session (many organizations, picked by
//! `X-Qonto-Organization-Id`), a membership-flow session (one organization, its own tokens), or
//! an API key (`Authorization: login:secret-key`, one organization, never expiring).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::oauth::session::Session;
use crate::secret::Secret;

/// The kind of credential an organization is reached through, as scripts and the UI name it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// The User OAuth flow: one sign-in, several organizations.
    #[default]
    User,
    /// The membership OAuth flow: one consent, one organization.
    Membership,
    /// The organization's API key: read-mostly, one organization.
    ApiKey,
}

impl Via {
    /// The word `orgs --json` and `status` use: `user`, `membership`, `api-key`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::User => "user",
            Via::Membership => "membership",
            Via::ApiKey => "api-key",
        }
    }

    /// What to do when this credential is refused.
    pub fn remedy(self) -> &'static str {
        match self {
            Via::User => "sign in again",
            Via::Membership => "consent again (`qonto-tui login --membership`)",
            Via::ApiKey => "add a valid key (`qonto-tui key add LOGIN`)",
        }
    }
}

/// A credential that reaches one organization (the User-flow session is the client's default).
#[derive(Clone)]
pub enum Credential {
    /// A membership-flow session, refreshed like the User-flow one.
    Membership(Arc<Session>),
    /// An organization's API key.
    ApiKey { login: String, secret: Secret },
    /// A source whose secret is gone or unreadable: its organization answers nothing, rather
    /// than being asked through another credential.
    Unavailable { via: Via, reason: String },
}

impl Credential {
    pub fn api_key(login: &str, secret: Secret) -> Self {
        crate::redact::register_secret(secret.expose());
        Credential::ApiKey {
            login: login.to_string(),
            secret,
        }
    }

    pub fn via(&self) -> Via {
        match self {
            Credential::Membership(_) => Via::Membership,
            Credential::ApiKey { .. } => Via::ApiKey,
            Credential::Unavailable { via, .. } => *via,
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Membership(_) => f.write_str("Credential::Membership"),
            Credential::ApiKey { login, .. } => write!(f, "Credential::ApiKey({login})"),
            Credential::Unavailable { via, reason } => {
                write!(f, "Credential::Unavailable({via:?}: {reason})")
            }
        }
    }
}
