//! A real browser in the loop: headless Chromium is the BROWSER that `qonto-tui login`
//! launches. It loads the sandbox's consent page (which presses Allow by itself, a test-only
//! sandbox setting; the URL the app built is unchanged), follows the redirect to our loopback
//! listener, and the app ends signed in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::{Home, app, free_port, output_within, text};
use qonto_sandbox::{Sandbox, SandboxOptions};

fn chromium() -> &'static str {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("Chromium is installed (scripts/test installs Debian's chromium)")
}

#[tokio::test(flavor = "multi_thread")]
async fn headless_chromium_walks_the_consent_flow_to_our_loopback_listener() {
    let port = free_port();
    let sb = Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        consent_autosubmit: true,
        ..common::options()
    })
    .await
    .unwrap();
    let home = Home::new("chromium");
    let profile = home.dir.join("chromium-profile");
    let pid_file = home.dir.join("chromium.pid");
    let script = home.dir.join("chromium.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             timeout 60 '{bin}' --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
             --disable-component-update --disable-sync --disable-quic --user-data-dir='{profile}' \"$1\" >/dev/null 2>&1 &\n\
             echo $! > '{pid}'\n",
            bin = chromium(),
            profile = profile.display(),
            pid = pid_file.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut login = app(&sb, &home);
    login
        .args(["--token-store", "file", "login"])
        .env("BROWSER", &script);
    let out = tokio::task::spawn_blocking(move || {
        output_within(login, std::time::Duration::from_secs(60))
    })
    .await
    .unwrap();
    if let Ok(pid) = std::fs::read_to_string(&pid_file) {
        let _ = std::process::Command::new("pkill")
            .args(["-TERM", "-P", pid.trim()])
            .status();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", pid.trim()])
            .status();
    }
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("opened with $BROWSER"),
        "{}",
        text(&out)
    );
    assert_eq!(
        sb.stats().code_grants,
        1,
        "Chromium's redirect delivered the code"
    );
    assert_eq!(sb.consented_orgs().len(), 5);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Shared organizations (5)"), "{stdout}");
}
