//! A Secret Service that stops answering (its daemon SIGSTOPped, on a private D-Bus of the
//! test's own): every command says so within its time limit, the TUI draws and explains, and
//! quitting never waits for the stuck call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::app::{Home, app, app_env, output_within, text};
use common::pty::PtyApp;
use qonto_testkit::keyring::PrivateKeyring;

#[tokio::test(flavor = "multi_thread")]
async fn status_and_logout_say_the_store_is_not_answering_within_its_limit() {
    let sb = common::sandbox().await;
    let keyring = PrivateKeyring::start();
    keyring.freeze();
    let home = Home::new("frozen-status");
    for command in ["status", "logout"] {
        let mut cmd = app(&sb, &home);
        cmd.arg(command).envs(keyring.env());
        let started = Instant::now();
        let out = tokio::task::spawn_blocking(move || output_within(cmd, Duration::from_secs(20)))
            .await
            .unwrap();
        let took = started.elapsed();
        assert!(!out.status.success(), "{command}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("did not answer within 10 s"),
            "{command}: {}",
            text(&out)
        );
        assert!(took < Duration::from_secs(14), "{command} took {took:?}");
    }
}

fn tui_on_frozen_keyring(
    home: &Home,
    sb: &qonto_sandbox::Sandbox,
    keyring: &PrivateKeyring,
) -> PtyApp {
    let mut env: Vec<(String, String)> = app_env(sb, home)
        .into_iter()
        .filter(|(k, _)| k != "QONTO_TOKEN_STORE")
        .collect();
    env.extend(keyring.env());
    PtyApp::spawn(&[], &env, 100, 30)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tui_draws_at_once_explains_the_silence_and_quits_without_waiting() {
    let sb = common::sandbox().await;
    let keyring = PrivateKeyring::start();
    keyring.freeze();
    let home = Home::new("frozen-tui");
    let mut tui = tui_on_frozen_keyring(&home, &sb, &keyring);
    tokio::task::spawn_blocking(move || {
        let drawn = tui.wait_for("a first frame", Duration::from_secs(5), |s| {
            !s.trim().is_empty()
        });
        assert!(
            drawn < Duration::from_secs(3),
            "first frame after {drawn:?}"
        );
        tui.wait_text("did not answer within 10 s", Duration::from_secs(15));
        let pressed = Instant::now();
        tui.send(b"q");
        let exited = tui.wait_exit(Duration::from_secs(5));
        assert!(
            exited.is_some(),
            "still running {:?} after q:\n{}",
            pressed.elapsed(),
            tui.screen()
        );
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn quitting_while_a_store_call_hangs_is_immediate() {
    let sb = common::sandbox().await;
    let keyring = PrivateKeyring::start();
    keyring.freeze();
    let home = Home::new("frozen-quit");
    let mut tui = tui_on_frozen_keyring(&home, &sb, &keyring);
    tokio::task::spawn_blocking(move || {
        tui.wait_for("a first frame", Duration::from_secs(5), |s| {
            !s.trim().is_empty()
        });
        // The read of the stored sign-in is still stuck in the frozen keyring.
        let pressed = Instant::now();
        tui.send(b"q");
        let exited = tui.wait_exit(Duration::from_secs(5));
        let took = pressed.elapsed();
        assert!(exited.is_some(), "still running after q:\n{}", tui.screen());
        assert!(took < Duration::from_secs(2), "quit took {took:?}");
    })
    .await
    .unwrap();
}
