//! A server that answers with a 1 GiB body, as the API and as the token endpoint: the app reads
//! no more than its cap, says so plainly, stays small, and does not ask again by itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::app::*;
use common::pty::PtyApp;
use qonto_sandbox::{Sandbox, SandboxOptions};
use qonto_testkit::flood::FloodServer;

const GIB: u64 = 1 << 30;
/// Peak resident memory allowed, in kB (VmHWM's unit).
const PEAK_RSS_LIMIT_KB: u64 = 100 * 1024;

async fn signed_in_home(name: &str) -> (Sandbox, Home) {
    let sb = Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{}/callback", free_port())],
        ..common::options()
    })
    .await
    .unwrap();
    let home = Home::new(name);
    let mut login = app(&sb, &home);
    login
        .args(["--token-store", "file", "login"])
        .env("BROWSER", home.browser_script(&[]));
    let out = tokio::task::spawn_blocking(move || output_within(login, Duration::from_secs(60)))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    (sb, home)
}

/// Runs `cmd` to the end, sampling its peak resident memory (kB) as it goes.
fn run_measured(mut cmd: std::process::Command) -> (std::process::Output, u64) {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while !flag.load(std::sync::atomic::Ordering::SeqCst) {
            peak = peak.max(proc_status(pid, "VmHWM:"));
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    (out, sampler.join().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gibibyte_from_the_api_is_refused_at_the_cap_with_a_clear_error() {
    let (sb, home) = signed_in_home("flood-api").await;
    for announced in [false, true] {
        let flood = FloodServer::start(GIB, announced);
        let mut status = app(&sb, &home);
        status
            .args(["--token-store", "file", "status"])
            .env("QONTO_API_BASE_URL", &flood.url);
        let started = Instant::now();
        let (out, peak_kb) = tokio::task::spawn_blocking(move || run_measured(status))
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("larger than 16 MiB; it was not read"),
            "{}",
            text(&out)
        );
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(peak_kb < PEAK_RSS_LIMIT_KB, "peak RSS {peak_kb} kB");
        assert_eq!(flood.requests(), 1, "asked once, not again");
        eprintln!("announced={announced}: peak RSS {peak_kb} kB");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gibibyte_from_the_token_endpoint_ends_the_sign_in_with_a_clear_error() {
    let sb = Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{}/callback", free_port())],
        ..common::options()
    })
    .await
    .unwrap();
    let home = Home::new("flood-token");
    let flood = FloodServer::start(GIB, false);
    let mut login = app(&sb, &home);
    login
        .args(["--token-store", "file", "login"])
        .env("BROWSER", home.browser_script(&[]))
        .env("QONTO_TOKEN_URL", &flood.url);
    let (out, peak_kb) = tokio::task::spawn_blocking(move || run_measured(login))
        .await
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("larger than 64 KiB"),
        "{}",
        text(&out)
    );
    assert!(peak_kb < PEAK_RSS_LIMIT_KB, "peak RSS {peak_kb} kB");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tui_on_a_flooding_api_stays_small_says_why_and_does_not_retry_by_itself() {
    let (sb, home) = signed_in_home("flood-tui").await;
    let flood = FloodServer::start(GIB, false);
    let mut env = app_env(&sb, &home);
    env.push(("QONTO_API_BASE_URL".into(), flood.url.clone()));
    let (screen, peak_kb) = tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 120, 30);
        tui.wait_text("larger than 16 MiB", Duration::from_secs(20));
        // Long enough for several automatic retries, were there any.
        std::thread::sleep(Duration::from_secs(6));
        let pid = tui.child.process_id().unwrap();
        let peak = proc_status(pid, "VmHWM:");
        let screen = tui.screen();
        tui.send(b"q");
        tui.wait_exit(Duration::from_secs(5));
        (screen, peak)
    })
    .await
    .unwrap();
    assert!(peak_kb < PEAK_RSS_LIMIT_KB, "peak RSS {peak_kb} kB");
    assert_eq!(flood.requests(), 1, "not retried by itself:\n{screen}");
}
