//! `qonto-tui login`, `status` and `logout` as a user runs them, against a sandbox the test
//! started, with a real Secret Service (gnome-keyring in a private D-Bus session, see scripts/test).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::*;
use qonto_sandbox::{Sandbox, SandboxOptions};

async fn sandbox_on(port: u16) -> Sandbox {
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        ..common::options()
    })
    .await
    .unwrap()
}

async fn run(c: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || output_within(c, std::time::Duration::from_secs(60)))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn login_status_logout_with_the_secret_service_and_no_secret_anywhere() {
    let sb = sandbox_on(free_port()).await;
    let home = Home::new("login");
    let orgs: Vec<String> = sb.data().orgs.iter().map(|o| o.id.clone()).collect();
    let three = vec![orgs[0].clone(), orgs[2].clone(), orgs[4].clone()];

    let mut login = app(&sb, &home);
    login
        .arg("login")
        .env("BROWSER", home.browser_script(&three));
    let out = run(login).await;
    assert!(out.status.success(), "{}", text(&out));

    let mut status = app(&sb, &home);
    status.args(["status", "--json"]);
    let out = run(status).await;
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["signed_in"], true);
    let listed: Vec<&str> = json["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, three.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        json["store"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("secret"),
        "{}",
        json["store"]
    );
    assert!(json["access_token_expires_at"].is_string());

    // Nothing the app wrote, logs at trace level included, holds a code, token or the secret.
    let secrets = sb.issued_secrets();
    assert!(
        secrets.len() >= 3,
        "a code, an access and a refresh token were issued"
    );
    let files = home.all_files();
    assert!(
        files.iter().any(|(p, _)| p == &home.log()),
        "the log was written"
    );
    for (path, content) in &files {
        for s in &secrets {
            assert!(
                !content.contains(s.as_str()),
                "{} contains a secret",
                path.display()
            );
        }
    }
    for s in &secrets {
        assert!(!String::from_utf8_lossy(&out.stdout).contains(s.as_str()));
        assert!(!String::from_utf8_lossy(&out.stderr).contains(s.as_str()));
    }

    let out = run({
        let mut c = app(&sb, &home);
        c.arg("logout");
        c
    })
    .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(sb.stats().revocations >= 1, "logout revokes at the server");
    let out = run({
        let mut c = app(&sb, &home);
        c.arg("status");
        c
    })
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Not signed in"));
    // Logging out again, with nothing stored, still succeeds.
    let out = run({
        let mut c = app(&sb, &home);
        c.arg("logout");
        c
    })
    .await;
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_secret_service_login_explains_and_writes_no_plaintext() {
    let sb = sandbox_on(free_port()).await;
    let home = Home::new("nokeyring");
    let mut login = app(&sb, &home);
    login
        .arg("login")
        .env("BROWSER", home.browser_script(&[]))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-such-bus", home.dir.display()),
        );
    let out = run(login).await;
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no secret store is reachable"), "{stderr}");
    assert!(
        stderr.contains("--token-store file"),
        "the explicit alternative is named: {stderr}"
    );
    assert_eq!(sb.stats().code_grants, 0, "it stopped before signing in");
    let token_files: Vec<_> = home
        .all_files()
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().contains("tokens"))
        .collect();
    assert!(
        token_files.is_empty(),
        "no plaintext token file: {token_files:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn port_in_use_is_explained() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let sb = sandbox_on(port).await;
    let home = Home::new("port");
    let mut login = app(&sb, &home);
    login.args(["--token-store", "file", "login"]);
    let out = run(login).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use"))
            && stderr.contains("QONTO_REDIRECT_URI"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_consent_is_said_plainly() {
    let sb = sandbox_on(free_port()).await;
    let home = Home::new("deny");
    let script = home.dir.join("deny.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexec '{}' simulate-browser --deny \"$1\"\n",
            env!("CARGO_BIN_EXE_qonto-tui")
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut login = app(&sb, &home);
    login
        .args(["--token-store", "file", "login"])
        .env("BROWSER", &script);
    let out = run(login).await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("you declined"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_503_on_the_code_exchange_says_the_sign_in_did_not_complete() {
    let sb = sandbox_on(free_port()).await;
    let home = Home::new("exchange-503");
    sb.set_faults(qonto_sandbox::Faults {
        server_error_percent: 100,
        scope: qonto_sandbox::FaultScope::TokenOnly,
        ..qonto_sandbox::Faults::default()
    });
    let mut login = app(&sb, &home);
    login
        .args(["--token-store", "file", "login"])
        .env("BROWSER", home.browser_script(&[]));
    let out = run(login).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        stderr.contains("the sign-in did not complete"),
        "{}",
        text(&out)
    );
    assert!(
        !stderr.contains("sign-in is kept"),
        "nothing is kept: {}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_servers_error_words_reach_the_terminal_without_control_characters() {
    let port = free_port();
    let sb = sandbox_on(port).await;
    let home = Home::new("hostile-words");
    // A "browser" that only writes down the URL; the test answers the callback itself.
    let seen = home.dir.join("url");
    let script = home.script("record.sh", &format!("echo \"$1\" > '{}'", seen.display()));
    let mut login = app(&sb, &home);
    login
        .args(["--token-store", "file", "login"])
        .env("BROWSER", &script);
    let running = tokio::task::spawn_blocking(move || {
        output_within(login, std::time::Duration::from_secs(60))
    });
    let url = loop {
        if let Ok(text) = std::fs::read_to_string(&seen)
            && !text.trim().is_empty()
        {
            break url::Url::parse(text.trim()).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut callback = url::Url::parse(&format!("http://127.0.0.1:{port}/callback")).unwrap();
    callback
        .query_pairs_mut()
        .append_pair("error", "invalid_scope\u{1b}[2J")
        .append_pair(
            "error_description",
            "\u{1b}]0;pwned\u{7}\u{1b}[31mred\u{9b}2J and a title",
        )
        .append_pair("state", &state);
    let http = qonto_client::http::builder().build().unwrap();
    let _ = http.get(callback.as_str()).send().await;
    let out = running.await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("red2J and a title"), "{stderr:?}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}') && !stderr.contains('\u{9b}'),
        "no control character reaches the terminal: {stderr:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_says_who_where_and_until_when_and_its_json_always_parses() {
    let sb = sandbox_on(free_port()).await;
    let home = Home::new("status-words");
    let mut login = app(&sb, &home);
    login
        .args(["--token-store", "file", "login"])
        .env("BROWSER", home.browser_script(&[]));
    let out = run(login).await;
    assert!(out.status.success(), "{}", text(&out));

    let mut status = app(&sb, &home);
    status.args(["--token-store", "file", "status"]);
    let out = run(status).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    let first = &sb.data().orgs[0];
    let me = &first.members[0];
    assert!(
        stdout.contains(&format!("Signed in as {} {}", me.first_name, me.last_name))
            && stdout.contains("on server 127.0.0.1:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(in 59 min)")
            || stdout.contains("(in 60 min)")
            || stdout.contains("(in 1 h"),
        "{stdout}"
    );
    assert!(!stdout.contains("crates.io"), "{stdout}");

    // No secret store at all: still one JSON object, with the error, and a failing exit code.
    let mut status = app(&sb, &home);
    status.args(["status", "--json"]).env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}/no-such-bus", home.dir.display()),
    );
    let out = run(status).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("no secret store is reachable"),
        "{json}"
    );
    assert_eq!(json["signed_in"], serde_json::Value::Null);
}
