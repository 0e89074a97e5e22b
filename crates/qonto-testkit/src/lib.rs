//! What the tests and benchmarks of qonto-tui share: the real binary in a pseudo-terminal
//! (`pty`), a private home and environment for it (`app`), and a sandbox with the OAuth dance
//! done against it (`fixtures`). Dev-only; never published.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod fixtures;
pub mod flood;
pub mod keyring;
pub mod pty;

use std::path::PathBuf;

/// A binary of the workspace, built by cargo before the tests and benches that run it: it sits
/// in the profile directory above the running test's `deps/` directory.
/// `QONTO_TUI_TEST_BINARY` points the tests at another build of `qonto-tui` instead: how a
/// test for a bug is shown to fail on the commit before the fix.
pub fn binary(name: &str) -> PathBuf {
    if name == "qonto-tui"
        && let Some(other) = std::env::var_os("QONTO_TUI_TEST_BINARY")
    {
        return PathBuf::from(other);
    }
    let exe = std::env::current_exe().expect("the running test's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test runs from target/<profile>/deps");
    profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}
