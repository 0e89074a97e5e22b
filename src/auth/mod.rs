//! Signing in through Qonto's User OAuth flow: authorization URL and PKCE, the loopback
//! callback, token exchange and refresh, and the token store.

pub mod authorize;
pub mod browser;
pub mod callback;
pub mod flow;
pub mod pkce;
pub mod session;
pub mod store;
pub mod tokens;
