//! Soak: a scripted session against the sandbox with ~5% faults (5xx 2%, then 429, malformed and
//! dropped 1% each) for SOAK_MINUTES (default 10). Samples the app's RSS, open file descriptors and
//! threads each minute, then clears the faults and checks that nothing keeps spinning.
//! Run: `cargo bench --bench soak` (or SOAK_MINUTES=1 for a quick look).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use qonto_sandbox::data::fixed_anchor;
use qonto_sandbox::{DataOptions, FaultScope, Faults, Sandbox, SandboxOptions};
use qonto_testkit::app as app_helpers;
use qonto_testkit::app::{Home, free_port};
use qonto_testkit::pty::{DOWN, PtyApp, UP};

fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

fn sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with("--")) {
        return;
    }
    let minutes: u64 = std::env::var("SOAK_MINUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let port = free_port();
    let sb = rt
        .block_on(Sandbox::start(SandboxOptions {
            redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
            data: DataOptions {
                anchor: fixed_anchor(),
                transactions_per_account: Some(2_000),
                ..DataOptions::default()
            },
            ..SandboxOptions::default()
        }))
        .unwrap();
    let home = Home::new("soak");
    let env = app_helpers::app_env(&sb, &home);
    let mut app = PtyApp::spawn(&[], &env, 160, 45);
    app.wait_text(&sb.data().orgs[0].accounts[0].name, Duration::from_secs(30));
    let pid = app.child.process_id().unwrap();
    sb.set_faults(Faults {
        server_error_percent: 2,
        too_many_requests_percent: 1,
        retry_after_secs: 1,
        malformed_percent: 1,
        drop_percent: 1,
        scope: FaultScope::ApiAndToken,
        ..Faults::default()
    });
    // The draws are sequential (drop, 5xx, 429, malformed), so about 4.9% of requests get a fault.
    println!(
        "| minute | RSS | open fds | sockets | threads | API requests | faults injected |\n|---|---|---|---|---|---|---|"
    );
    let keys: &[&[u8]] = &[
        DOWN, DOWN, b"2", b"G", b"G", UP, b"3", b"4", b"1", b"r", b"]", b"G", DOWN, b"2", b"G", UP,
        b"r",
    ];
    let start = Instant::now();
    let mut i = 0usize;
    let mut next_sample = Duration::ZERO;
    while start.elapsed() < Duration::from_secs(minutes * 60) {
        if start.elapsed() >= next_sample {
            let stats = sb.stats();
            println!(
                "| {} | {:.1} MB | {} | {} | {} | {} | {} |",
                next_sample.as_secs() / 60,
                app_helpers::proc_status(pid, "VmRSS:") as f64 / 1024.0,
                fds(pid),
                sockets(pid),
                app_helpers::proc_status(pid, "Threads:"),
                stats.api_requests,
                stats.faults_injected
            );
            next_sample += Duration::from_secs(60);
        }
        app.send(keys[i % keys.len()]);
        i += 1;
        std::thread::sleep(Duration::from_millis(100));
        if let Ok(Some(status)) = app.child.try_wait() {
            panic!(
                "the app exited during the soak: {status:?}\n{}",
                app.screen()
            );
        }
    }
    sb.set_faults(Faults::default());
    // Give retries time to run, then nothing may still be loading.
    std::thread::sleep(Duration::from_secs(8));
    app.send(b"1");
    std::thread::sleep(Duration::from_millis(500));
    let screen = app.screen();
    let spinning = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        .iter()
        .any(|s| screen.contains(s));
    let stats = sb.stats();
    println!(
        "| end | {:.1} MB (peak {:.1} MB) | {} | {} | {} | {} | {} |",
        app_helpers::proc_status(pid, "VmRSS:") as f64 / 1024.0,
        app_helpers::proc_status(pid, "VmHWM:") as f64 / 1024.0,
        fds(pid),
        sockets(pid),
        app_helpers::proc_status(pid, "Threads:"),
        stats.api_requests,
        stats.faults_injected
    );
    println!(
        "keys sent: {i}; spinner still visible after the faults cleared: {spinning}; rate-limited by Qonto's limits: {}",
        stats.rate_limited
    );
    assert!(!spinning, "a spinner is stuck:\n{screen}");
}
