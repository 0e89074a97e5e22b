//! Several copies of the app on one token store (a file store here, the case the lock file is
//! for): a copy holding tokens another has since rotated adopts the newer ones instead of
//! signing everyone out, and logout finds every copy of the tokens, stray ones included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::*;
use common::pty::PtyApp;
use qonto_sandbox::{Sandbox, SandboxOptions};

async fn sandbox(ttl: Duration) -> Sandbox {
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{}/callback", free_port())],
        access_token_ttl: ttl,
        ..common::options()
    })
    .await
    .unwrap()
}

async fn run(sb: &Sandbox, home: &Home, args: &[&str]) -> std::process::Output {
    let mut c = app(sb, home);
    c.arg("--token-store")
        .arg("file")
        .args(args)
        .env("BROWSER", home.browser_script(&[]));
    tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(60)))
        .await
        .unwrap()
}

fn token_file(home: &Home) -> std::path::PathBuf {
    let dir = home.dir.join("data/qonto-tui");
    std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("tokens-") && name.ends_with(".json")
        })
        .expect("a token file")
}

fn refresh_token(file: &std::path::Path) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    json["refresh_token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_copy_adopts_the_tokens_another_copy_rotated_and_nobody_is_signed_out() {
    let sb = sandbox(Duration::from_secs(2)).await;
    let home = Home::new("two-copies");
    let out = run(&sb, &home, &["login"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let file = token_file(&home);
    let first = refresh_token(&file);

    // Copy B: the TUI, holding the first tokens in memory.
    let env = app_env(&sb, &home);
    let account = sb.data().orgs[0].accounts[0].name.clone();
    let mut b = tokio::task::spawn_blocking(move || {
        let b = PtyApp::spawn(&[], &env, 140, 36);
        b.wait_text(&account, Duration::from_secs(20));
        b
    })
    .await
    .unwrap();

    // Copy A refreshes (its access token is past half its 2 s life) and rotates the refresh
    // token; then the old one's grace period passes.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let out = run(&sb, &home, &["status"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let rotated = refresh_token(&file);
    assert_ne!(first, rotated, "copy A rotated the refresh token");
    sb.advance_clock(Duration::from_secs(61));

    // Copy B needs a token now: it must adopt A's, not sign out with its own dead one.
    let screen = tokio::task::spawn_blocking(move || {
        b.send(b"r");
        b.wait_text("updated just now", Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(500));
        let screen = b.screen();
        b.send(b"q");
        b.wait_exit(Duration::from_secs(5));
        screen
    })
    .await
    .unwrap();
    assert!(
        !screen.to_lowercase().contains("sign-in has ended"),
        "{screen}"
    );
    let out = run(&sb, &home, &["status"]).await;
    assert!(
        out.status.success(),
        "still signed in after both copies refreshed: {}\n{}",
        text(&out),
        std::fs::read_to_string(home.log()).unwrap_or_default()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_revokes_and_removes_the_copy_an_interrupted_write_left_behind() {
    let sb = sandbox(Duration::from_secs(3600)).await;
    let home = Home::new("stray");
    let out = run(&sb, &home, &["login"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let file = token_file(&home);
    let stray_refresh = refresh_token(&file);
    // What a write interrupted after its temporary copy was synced leaves behind.
    let stray = file.with_file_name(format!(
        ".{}.k3Xq9z.partial",
        file.file_name().unwrap().to_string_lossy()
    ));
    std::fs::rename(&file, &stray).unwrap();
    let out = run(&sb, &home, &["login"]).await;
    assert!(out.status.success(), "{}", text(&out));

    let out = run(&sb, &home, &["logout"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("revoked at Qonto"),
        "{}",
        text(&out)
    );
    assert!(!stray.exists(), "the stray copy is removed");
    assert!(!file.exists(), "the token file is removed");
    let (status, body) = common::refresh(&sb, &stray_refresh).await;
    assert_eq!(
        status, 400,
        "the stray copy's refresh token was revoked: {body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_of_a_damaged_token_file_says_so_and_of_an_unreadable_one_keeps_it() {
    let sb = sandbox(Duration::from_secs(3600)).await;
    let home = Home::new("damaged");
    let out = run(&sb, &home, &["login"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let file = token_file(&home);

    std::fs::write(&file, "{\"access_token\": \"ory_at_cut-off").unwrap();
    let out = run(&sb, &home, &["logout"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        stdout.contains("unreadable") && stdout.contains("could not be revoked"),
        "{}",
        text(&out)
    );
    assert!(!stdout.contains("nothing to forget"), "{}", text(&out));
    assert!(!file.exists());

    // A token path that cannot be read at all (a directory here) is not "nothing to forget":
    // logout stops, says why, and removes nothing.
    std::fs::create_dir_all(&file).unwrap();
    let out = run(&sb, &home, &["logout"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        stderr.contains("token file cannot be used") && stderr.contains("nothing was signed out"),
        "{}",
        text(&out)
    );
    assert!(file.is_dir(), "left as it was");
}
