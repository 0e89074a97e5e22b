//! `qonto-tui watch --json` against a sandbox whose books move every 2 seconds: each new
//! transaction is printed exactly once, within a polling interval of its arrival, and the
//! watch keeps going across an outage (every API request dropped for a while).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use qonto_sandbox::faults::{FaultScope, Faults};
use qonto_sandbox::{Sandbox, SandboxOptions};

const EVERY: Duration = Duration::from_secs(2);

/// Each line the watch printed, with when it was read.
type Told = Arc<Mutex<Vec<(DateTime<Utc>, serde_json::Value)>>>;

/// Every transaction the sandbox holds now, with when it appeared.
fn emitted(sb: &Sandbox) -> BTreeMap<String, DateTime<Utc>> {
    common::sandbox_transactions(sb)
        .into_iter()
        .map(|(_, t)| (t.id, t.emitted_at))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_prints_each_new_transaction_once_and_survives_an_outage() {
    use common::app::{Home, app, app_env, free_port, output_within, text};
    let port = free_port();
    let sb = Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        new_transactions_every: Some(EVERY),
        ..common::options()
    })
    .await
    .unwrap();
    let home = Home::new("watch");
    let env = app_env(&sb, &home);
    let mut login = app(&sb, &home);
    login.envs(env.iter().cloned()).arg("login");
    let out = tokio::task::spawn_blocking(move || output_within(login, Duration::from_secs(60)))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    // A pause no clock can hold is refused, not a crash.
    for every in ["1e30", "NaN", "0.5"] {
        let mut bad = app(&sb, &home);
        bad.envs(env.iter().cloned())
            .args(["watch", "--every", every]);
        let out = tokio::task::spawn_blocking(move || output_within(bad, Duration::from_secs(30)))
            .await
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "--every {every}: {}",
            text(&out)
        );
    }

    let before = emitted(&sb);
    let started = Utc::now();
    let mut watch = app(&sb, &home);
    watch
        .envs(env.iter().cloned())
        .args(["watch", "--json", "--every", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = watch.spawn().unwrap();
    let lines: Told = Arc::default();
    let stdout = child.stdout.take().unwrap();
    let sink = lines.clone();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let value: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            sink.lock().unwrap().push((Utc::now(), value));
        }
    });
    let stderr = child.stderr.take().unwrap();
    let said = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            all.push_str(&line);
            all.push('\n');
        }
        all
    });

    tokio::time::sleep(Duration::from_secs(9)).await;
    // An outage: every API request dropped for 7 seconds.
    let outage_from = Utc::now();
    sb.set_faults(Faults {
        drop_percent: 100,
        scope: FaultScope::ApiOnly,
        ..Faults::default()
    });
    tokio::time::sleep(Duration::from_secs(7)).await;
    sb.set_faults(Faults::default());
    let outage_to = Utc::now();
    tokio::time::sleep(Duration::from_secs(14)).await;
    let ended = Utc::now();
    let _ = child.kill();
    let _ = child.wait();
    reader.join().unwrap();
    let stderr = said.join().unwrap();

    let lines = lines.lock().unwrap().clone();
    let mut news: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    for (at, line) in &lines {
        if line["event"] == "new" {
            let id = line["id"].as_str().unwrap().to_string();
            assert!(news.insert(id.clone(), *at).is_none(), "{id} told twice");
            assert!(!before.contains_key(&id), "{id} existed before the watch");
        }
    }
    let now = emitted(&sb);
    // What appeared once the watch had its starting point, and early enough to be seen.
    let expected: BTreeSet<&String> = now
        .iter()
        .filter(|(id, at)| {
            !before.contains_key(*id)
                && **at > started + chrono::Duration::seconds(4)
                && **at < ended - chrono::Duration::seconds(5)
        })
        .map(|(id, _)| id)
        .collect();
    assert!(expected.len() >= 6, "the books moved: {}", expected.len());
    for id in &expected {
        assert!(
            news.contains_key(*id),
            "{id} was never told; stderr:\n{stderr}"
        );
    }
    // Away from the outage, each is told within a polling interval of its arrival (plus the
    // time a poll of every account takes).
    let slack = chrono::Duration::from_std(EVERY).unwrap() + chrono::Duration::milliseconds(1500);
    for id in &expected {
        let arrived = now[*id];
        let told = news[*id];
        let near_outage = arrived > outage_from - chrono::Duration::seconds(3)
            && arrived < outage_to + chrono::Duration::seconds(10);
        if !near_outage {
            assert!(
                told - arrived <= slack,
                "{id}: told {} after it arrived",
                told - arrived
            );
        }
    }
    assert!(stderr.contains("cannot be reached"), "{stderr}");
    assert!(stderr.contains("answers again"), "{stderr}");
    assert!(
        lines
            .iter()
            .any(|(at, l)| l["event"] == "new" && *at > outage_to),
        "new transactions told after the outage"
    );
}
