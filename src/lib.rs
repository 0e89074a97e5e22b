//! qonto-tui: a terminal app for people who keep the books of several Qonto organizations. The
//! binary is a thin CLI over this library; `app` (state, messages, `update`) and `ui` (`draw`)
//! are public so that tests and benchmarks drive them without a terminal.

pub mod app;
pub mod auth;
pub(crate) mod browser;
pub mod commands;
pub mod config;
pub mod jobs;
pub mod layout;
pub mod local_copy;
pub mod locale;
pub mod logging;
pub mod palette;
pub mod runtime;
pub mod sources;
pub(crate) mod state_file;
pub(crate) mod tui;
pub mod ui;
