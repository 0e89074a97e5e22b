//! Signing in through Qonto's User OAuth flow: authorization URL and PKCE, the loopback
//! callback, token exchange and refresh, and the token store.

pub mod authorize;
pub mod pkce;
