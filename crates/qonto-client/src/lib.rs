//! A Qonto client: the Business API (typed, tolerant models, errors, paging, a client-side rate
//! limit) and OAuth (authorization URL with PKCE, the loopback callback, the token endpoint, a
//! session with single-flight refresh, token and secret stores). No terminal or server code: what
//! any Qonto integration could reuse.

pub mod api;
pub mod http;
pub mod oauth;
pub mod printable;
pub mod random;
pub mod redact;
pub mod secret;
pub mod store;

pub use api::{ApiClient, ApiError};
pub use secret::Secret;
