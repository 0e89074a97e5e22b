//! `qonto-tui sandbox` as a script would use it: read the printed settings, sign in through the
//! consent page, call the API at the printed base URL, stop it with a signal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qonto_client::oauth::authorize::{DEFAULT_SCOPES, build_authorization_request};
use qonto_sandbox::browser::{Tick, answer_consent};

#[tokio::test]
async fn prints_settings_serves_them_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qonto-tui"))
        .args(["sandbox", "--seed", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut env = HashMap::new();
    for _ in 0..7 {
        let line = lines.next().expect("a line").expect("utf-8");
        let (k, v) = line.split_once('=').expect("KEY=VALUE");
        env.insert(k.to_string(), v.to_string());
    }
    for key in [
        "QONTO_AUTH_URL",
        "QONTO_TOKEN_URL",
        "QONTO_API_BASE_URL",
        "QONTO_CLIENT_ID",
        "QONTO_CLIENT_SECRET",
        "QONTO_REDIRECT_URI",
    ] {
        assert!(env.contains_key(key), "{key} printed");
    }
    assert!(env["QONTO_API_BASE_URL"].starts_with("http://127.0.0.1:"));

    let req = build_authorization_request(
        &env["QONTO_AUTH_URL"],
        &env["QONTO_CLIENT_ID"],
        &env["QONTO_REDIRECT_URI"],
        DEFAULT_SCOPES,
    )
    .unwrap();
    let location = answer_consent(req.url.as_str(), &Tick::All, true)
        .await
        .unwrap();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let http = qonto_client::http::builder().build().unwrap();
    let tokens: serde_json::Value = http
        .post(&env["QONTO_TOKEN_URL"])
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &env["QONTO_CLIENT_ID"]),
            ("client_secret", &env["QONTO_CLIENT_SECRET"]),
            ("redirect_uri", &env["QONTO_REDIRECT_URI"]),
            ("code_verifier", req.pkce.verifier()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap();
    let r = http
        .get(format!(
            "{}/v2/user_organizations",
            env["QONTO_API_BASE_URL"]
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["organizations"].as_array().unwrap().len(), 5);

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "sandbox did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit 0 after SIGTERM, got {status:?}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(
        log.contains("GET /v2/user_organizations -> 200"),
        "request log on stderr: {log}"
    );
    assert!(
        !log.contains(token) && !log.contains(&code) && !log.contains(&env["QONTO_CLIENT_SECRET"]),
        "no secrets in the log"
    );
}
