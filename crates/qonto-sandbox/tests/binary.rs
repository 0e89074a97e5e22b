//! The `qonto-sandbox` binary as another integration's test suite would use it: read the printed
//! settings, call the API at the printed base URL with an API key, stop it with a signal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qonto_sandbox::data::{DataOptions, DemoData};

/// Starts the binary with `args` and reads the seven settings it prints first.
fn start(args: &[&str]) -> (std::process::Child, HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qonto-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--seed", "7"])
        .args(args)
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
    (child, env)
}

#[tokio::test]
async fn prints_settings_serves_them_and_stops_on_sigterm() {
    let (mut child, env) = start(&[]);
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
    let http = http_client();
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

/// `--new-transactions-every`: within a few steps some account has transactions updated since
/// the start, found through `updated_at_from` with each organization's API key.
#[tokio::test]
async fn the_books_move_on_their_own() {
    let since = (chrono::Utc::now() - chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (mut child, env) = start(&["--new-transactions-every", "0.2"]);
    let data = DemoData::generate(DataOptions {
        seed: 7,
        ..DataOptions::default()
    })
    .unwrap();
    let http = http_client();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut found = 0;
    while found == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(300)).await;
        for org in &data.orgs {
            let key = format!("{}:{}", org.slug, qonto_sandbox::DEFAULT_API_KEY_SECRET);
            for account in &org.accounts {
                let url = format!(
                    "{}/v2/transactions?bank_account_id={}&status[]=pending&status[]=completed&updated_at_from={since}",
                    env["QONTO_API_BASE_URL"], account.id
                );
                let body: serde_json::Value = http
                    .get(url)
                    .header("Authorization", &key)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                found += body["transactions"].as_array().map_or(0, |t| t.len());
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(found > 0, "no transaction moved within 10 s");
}

#[test]
fn a_period_that_is_not_a_positive_number_is_refused() {
    // 1e30 and NaN: no Duration holds them (they were a panic).
    for bad in ["0", "-1", "soon", "1e30", "NaN"] {
        let out = Command::new(env!("CARGO_BIN_EXE_qonto-sandbox"))
            .arg(format!("--new-transactions-every={bad}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("from 0.1 to 86400"));
    }
}

/// reqwest is built without a TLS provider of its own: ring is installed first, as the app does.
fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    #[allow(clippy::disallowed_methods)] // The provider is installed on the line above.
    reqwest::Client::new()
}
