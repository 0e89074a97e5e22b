//! Signing in through Qonto's OAuth flows: authorization URL and PKCE, the loopback callback,
//! token exchange, refresh and revocation, and the session that keeps the tokens fresh.

pub mod authorize;
pub mod callback;
pub mod flow;
pub mod pkce;
pub mod session;
pub mod tokens;
