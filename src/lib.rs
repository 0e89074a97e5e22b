//! qonto-tui: a terminal app for people who keep the books of several Qonto organizations,
//! signed in once through Qonto's User OAuth flow. The binary is a thin CLI over this library
//! so that tests and benchmarks reach every part.

pub mod api;
pub mod app;
pub mod auth;
pub mod commands;
pub mod config;
pub mod http;
pub mod logging;
pub mod random;
pub mod runtime;
pub mod sandbox;
pub mod sandbox_cmd;
pub mod secret;
pub mod state_file;
pub mod tui;
pub mod ui;
pub mod worker;
