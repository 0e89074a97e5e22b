//! Qonto's Business API: typed client, tolerant models, errors, paging and a rate limit.

pub mod categories;
pub mod client;
pub mod credential;
pub mod error;
pub mod invoices;
pub mod models;
pub mod requests;
pub mod shared_budget;
pub mod statements;
pub mod throttle;
pub mod user_first;
pub mod values;
pub mod vat_lines;
pub mod writes;

pub use client::ApiClient;
pub use credential::{Credential, Via};
pub use error::ApiError;
