//! The shared harness of the integration tests (`crates/qonto-testkit`): the sandbox fixtures,
//! the private home and environment of the real binary (`app`), and the pty it runs in (`pty`).
#![allow(unused_imports)]

pub use qonto_testkit::fixtures::*;
pub use qonto_testkit::{app, pty};
