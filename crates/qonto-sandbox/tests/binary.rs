//! The `qonto-sandbox` binary as another integration's test suite would use it: read the printed
//! settings, call the API at the printed base URL with an API key, stop it with a signal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qonto_sandbox::data::{DataOptions, DemoData};

#[tokio::test]
async fn prints_settings_serves_them_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qonto-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--seed", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut env = HashMap::new();
    for _ in 0..7 {
        let line = lines.next().expect("a line").expect("utf-8");
        let (k, v) = line.split_once('=').expect("KEY=VALUE");
        env.insert(k.to_string(), v.to_string());
    }
    for key in [
        "QONTO_AUTH_URL",
        "QONTO_TOKEN_URL",
        "QONTO_REVOKE_URL",
        "QONTO_API_BASE_URL",
        "QONTO_CLIENT_ID",
        "QONTO_CLIENT_SECRET",
        "QONTO_REDIRECT_URI",
    ] {
        assert!(env.contains_key(key), "{key} printed");
    }
    assert!(env["QONTO_API_BASE_URL"].starts_with("http://127.0.0.1:"));

    // The same seed gives the same books, so the test knows an organization's API-key login.
    let data = DemoData::generate(DataOptions {
        seed: 7,
        ..DataOptions::default()
    })
    .unwrap();
    let org = &data.orgs[0];
    let key = format!("{}:{}", org.slug, qonto_sandbox::DEFAULT_API_KEY_SECRET);
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/v2/organization", env["QONTO_API_BASE_URL"]))
        .header("Authorization", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["organization"]["id"], org.id.as_str(), "{body}");
    let r = http
        .get(format!("{}/v2/organization", env["QONTO_API_BASE_URL"]))
        .header("Authorization", format!("{}:wrong", org.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

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
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("GET /v2/organization -> 200"),
        "request log on stderr: {log}"
    );
    assert!(
        !log.contains(&env["QONTO_CLIENT_SECRET"]) && !log.contains(&key),
        "no secrets in the log"
    );
}
