//! Answers across every organization from the local books: the query a person types, and
//! the transactions it finds.

pub mod form;
pub mod query;

pub use query::{Query, QueryError, parse};
