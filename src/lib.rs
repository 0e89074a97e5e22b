//! qonto-tui: a terminal app for people who keep the books of several Qonto organizations. The
//! binary is a thin CLI over this library. Public are what the binary calls (`commands`,
//! `runtime`, `config`, `auth`, `sources`, `logging`) and what tests and benchmarks drive without
//! a terminal (`app`: state, messages, `update`; `ui`: `draw`; `jobs`). Inside those, only the
//! submodules that the binary, a test or a benchmark names are `pub`; the rest, and every other
//! module, are the crate's own (`pub(crate)`).

pub mod app;
pub mod auth;
pub(crate) mod browser;
pub mod commands;
pub mod completions;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
#[cfg(feature = "demo")]
pub mod demo_inbox;
pub mod jobs;
pub(crate) mod layout;
pub(crate) mod local_copy;
pub(crate) mod locale;
pub mod logging;
pub mod mcp;
pub mod outcome;
pub(crate) mod palette;
pub(crate) mod path_complete;
pub(crate) mod receipt_inbox;
pub(crate) mod receipt_text;
pub mod runtime;
pub mod sources;
pub(crate) mod state_file;
pub(crate) mod tui;
pub mod ui;
pub mod welcome;
pub mod writes;
