//! Every command ends quietly when the reader of its output has gone (`qonto-tui search … |
//! head`): exit 0, nothing on standard error, no panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app, app_env, stderr_within};

#[tokio::test(flavor = "multi_thread")]
async fn commands_end_quietly_on_a_closed_pipe() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("closed-pipe");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let month = common::last_whole_month(&sb);
    for args in [
        vec!["search", "--limit", "500", ""],
        vec!["search", "--json", "--limit", "500", ""],
        vec!["orgs"],
        vec!["orgs", "--json"],
        vec!["status"],
        vec!["export", "--all", "--month", &month],
    ] {
        // The reading end is closed before the command starts: its first write meets no reader.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(&args).stdout(writer);
        let (code, stderr) =
            tokio::task::spawn_blocking(move || stderr_within(c, Duration::from_secs(60)))
                .await
                .unwrap();
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        // Nor a summary that would read as if nothing had been found.
        assert!(!stderr.contains("No transaction"), "{args:?}: {stderr}");
    }
}
