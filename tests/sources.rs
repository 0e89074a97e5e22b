//! Every organization however it is reached: the User flow, membership consents and API keys,
//! through the real binary against a sandbox the test started, with a real Secret Service
//! (gnome-keyring in a private D-Bus session, see scripts/test).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use common::app::*;
use common::pty::{DOWN, PtyApp};
use qonto_sandbox::{Sandbox, SandboxOptions};

const WAIT: Duration = Duration::from_secs(20);

async fn sandbox_on(port: u16) -> Sandbox {
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        // A secret of this test's own, so that the audit below can look for it.
        api_key_secret: format!("sk-{}", qonto_client::random::random_hex(12).unwrap()),
        ..common::options()
    })
    .await
    .unwrap()
}

async fn run(c: Command) -> Output {
    tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(60)))
        .await
        .unwrap()
}

async fn run_with_input(cmd: Command, input: String) -> Output {
    tokio::task::spawn_blocking(move || output_with_input(cmd, &input))
        .await
        .unwrap()
}

/// The binary against `sb`, keeping secrets in the Secret Service.
fn cli(sb: &Sandbox, home: &Home) -> Command {
    app(sb, home)
}

fn orgs_json(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{}", text(out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn source_of<'a>(list: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    list.iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed: {list:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn five_organizations_from_three_kinds_of_source_in_one_list_and_one_pane() {
    let sb = sandbox_on(free_port()).await;
    let home = Home::new("sources");
    let orgs: Vec<(String, String, String)> = sb
        .data()
        .orgs
        .iter()
        .map(|o| (o.id.clone(), o.slug.clone(), o.name.clone()))
        .collect();
    let keys = sb.api_keys();
    let secret = keys[0].secret.clone();

    // Two through the User flow.
    let mut login = cli(&sb, &home);
    login.arg("login").env(
        "BROWSER",
        home.browser_script(&[orgs[0].0.clone(), orgs[1].0.clone()]),
    );
    let out = run(login).await;
    assert!(out.status.success(), "{}", text(&out));

    // Two with their API keys, the secret piped in.
    for (_, slug, name) in &orgs[2..4] {
        let mut add = cli(&sb, &home);
        add.args(["key", "add", slug]);
        let out = run_with_input(add, format!("{secret}\n")).await;
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(name),
            "{}",
            text(&out)
        );
    }

    // One through the membership flow.
    let mut membership = cli(&sb, &home);
    membership
        .args(["login", "--membership"])
        .env("BROWSER", home.browser_script(&[orgs[4].0.clone()]));
    let out = run(membership).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&orgs[4].2),
        "{}",
        text(&out)
    );

    // A wrong key: Qonto's words, a failure, nothing stored.
    let mut wrong = cli(&sb, &home);
    wrong.args(["key", "add", &orgs[4].1]);
    let out = run_with_input(wrong, "not-the-key\n".into()).await;
    assert!(!out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("refused") && said.contains("The Authorization header is invalid"),
        "{said}"
    );
    assert!(said.contains("Nothing was stored"), "{said}");
    let mut list = cli(&sb, &home);
    list.args(["key", "list"]);
    let out = run(list).await;
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(!listed.contains(&orgs[4].1), "{listed}");
    assert!(!listed.contains(&secret), "{listed}");

    // A key for an organization the User flow already reaches: stored, but listed once.
    let mut twice = cli(&sb, &home);
    twice.args(["key", "add", &orgs[0].1]);
    let out = run_with_input(twice, format!("{secret}\n")).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("also reach it through your Qonto sign-in"),
        "{}",
        text(&out)
    );

    // Five, each with its source, each answering.
    let mut list = cli(&sb, &home);
    list.args(["orgs", "--json"]);
    let all = orgs_json(&run(list).await);
    assert_eq!(all.len(), 5, "{all:?}");
    let expected = ["user", "user", "api-key", "api-key", "membership"];
    for ((id, _, name), source) in orgs.iter().zip(expected) {
        let o = source_of(&all, id);
        assert_eq!(o["source"], source, "{o}");
        assert_eq!(o["name"], name.as_str(), "{o}");
        assert_eq!(o["answered"], true, "{o}");
        assert!(o["legal_name"].is_string(), "{o}");
        assert!(o["membership_role"].is_string(), "{o}");
    }

    // The TUI shows all five, and each request carries its organization's credential.
    let mut env = app_env(&sb, &home);
    env.retain(|(k, _)| k != "QONTO_TOKEN_STORE");
    let calls_before = sb.calls().len();
    let mut tui = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &env, 150, 40))
        .await
        .unwrap();
    tui.wait_text("Organizations (5)", WAIT);
    for (_, _, name) in &orgs {
        tui.wait_text(name, WAIT);
    }
    let screen = tui.screen();
    for (i, tag) in [(2, "key"), (4, "mbr")] {
        let row = screen
            .lines()
            .find(|l| l.contains(&orgs[i].2))
            .unwrap_or_default();
        assert!(row.contains(tag), "{} is marked {tag}: {screen}", orgs[i].2);
    }
    for (i, (_, _, name)) in orgs.iter().enumerate().skip(1) {
        tui.send(DOWN);
        tui.wait_for(&format!("{name} selected"), WAIT, |s| {
            s.lines()
                .any(|l| l.contains('▸') && l.contains(name.as_str()))
        });
        let account = sb.data().orgs[i].accounts[0].name.clone();
        tui.wait_text(&account, WAIT);
    }
    let calls = sb.calls()[calls_before..].to_vec();
    for ((id, _, name), source) in orgs.iter().zip(expected) {
        let used: Vec<&str> = calls
            .iter()
            .filter(|(org, _)| org == id)
            .map(|(_, via)| *via)
            .collect();
        assert!(!used.is_empty(), "{name} was asked for");
        assert!(used.iter().all(|v| *v == source), "{name}: {used:?}");
    }

    // A revoked membership consent cuts off its organization alone.
    sb.revoke_membership(&orgs[4].0);
    tui.send(b"r");
    tui.wait_text("membership consent", WAIT);
    tui.send(b"k");
    tui.wait_for("the key organization still answers", WAIT, |s| {
        s.lines().any(|l| l.contains('▸') && l.contains(&orgs[3].2))
    });
    tui.send(b"r");
    tui.wait_text(&sb.data().orgs[3].accounts[0].name, WAIT);
    let screen = tui.screen();
    assert!(!screen.contains("sign-in has ended"), "{screen}");
    tui.send(b"q");
    let screens = tokio::task::spawn_blocking(move || {
        tui.wait_exit(Duration::from_secs(5));
        tui.raw.lock().unwrap().clone()
    })
    .await
    .unwrap();

    let mut list = cli(&sb, &home);
    list.args(["orgs", "--json"]);
    let all = orgs_json(&run(list).await);
    let cut = source_of(&all, &orgs[4].0);
    assert_eq!(cut["answered"], false, "{cut}");
    assert!(
        cut["error"]
            .as_str()
            .unwrap()
            .contains("membership consent"),
        "{cut}"
    );
    for (id, _, _) in &orgs[..4] {
        assert_eq!(source_of(&all, id)["answered"], true);
    }

    // logout --org forgets one source; the User flow's organizations are changed by consent.
    let mut forget = cli(&sb, &home);
    forget.args(["logout", "--org", &orgs[4].0]);
    let out = run(forget).await;
    assert!(out.status.success(), "{}", text(&out));
    let mut forget = cli(&sb, &home);
    forget.args(["logout", "--org", &orgs[1].0]);
    let out = run(forget).await;
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("User flow"),
        "{}",
        text(&out)
    );
    let mut list = cli(&sb, &home);
    list.args(["orgs", "--json"]);
    let all = orgs_json(&run(list).await);
    assert_eq!(all.len(), 4, "{all:?}");
    assert_eq!(source_of(&all, &orgs[0].0)["source"], "user");

    // Audit: no code, token, client secret or API key in any file, the log or the screen.
    let secrets = sb.issued_secrets();
    assert!(secrets.contains(&secret));
    let screen_bytes = String::from_utf8_lossy(&screens).to_string();
    for (path, content) in home.all_files() {
        for s in &secrets {
            assert!(
                !content.contains(s.as_str()),
                "{} holds a secret",
                path.display()
            );
        }
    }
    for s in &secrets {
        assert!(
            !screen_bytes.contains(s.as_str()),
            "the screen showed a secret"
        );
    }

    // logout forgets every source.
    let out = run({
        let mut c = cli(&sb, &home);
        c.arg("logout");
        c
    })
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let mut list = cli(&sb, &home);
    list.args(["orgs", "--json"]);
    let out = run(list).await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_key_added_and_removed_in_the_tui() {
    let sb = sandbox_on(free_port()).await;
    let home = Home::new("sources-tui");
    let ids: Vec<String> = sb.data().orgs.iter().map(|o| o.id.clone()).collect();
    let key = sb.api_keys()[4].clone();
    let name = sb.data().orgs[4].name.clone();
    let mut env = app_env(&sb, &home);
    env.push((
        "BROWSER".into(),
        home.browser_script(&ids[..4]).display().to_string(),
    ));
    let mut tui = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &env, 120, 30))
        .await
        .unwrap();
    tui.wait_text("Organizations (4)", WAIT);

    // A wrong key is refused in the dialog, in Qonto's words; nothing is added.
    tui.send(b"a");
    tui.wait_text("Add an organization", WAIT);
    tui.send(format!("{}:wrong-secret\r", key.login).as_bytes());
    tui.wait_text("Qonto refused the API key", WAIT);
    assert!(tui.screen().contains("Organizations (4)"));

    // The right one: checked, added, listed with its mark; the secret never on screen.
    tui.send(b"\x1b");
    tui.wait_for("the dialog closed", WAIT, |s| {
        !s.contains("Add an organization")
    });
    tui.send(b"a");
    tui.wait_text("Add an organization", WAIT);
    tui.send(format!("{}:{}\r", key.login, key.secret).as_bytes());
    tui.wait_text("Organizations (5)", WAIT);
    tui.wait_text(&format!("Added {name}"), WAIT);
    let row = tui
        .screen()
        .lines()
        .find(|l| l.contains(&name))
        .unwrap_or_default()
        .to_string();
    assert!(row.contains("key"), "{row}");
    let calls = sb.calls().len();
    tui.send(b"G");
    tui.wait_text(&sb.data().orgs[4].accounts[0].name, WAIT);
    assert!(
        sb.calls()[calls..]
            .iter()
            .filter(|(org, _)| org == &ids[4])
            .all(|(_, via)| *via == "api-key")
    );

    // x asks, n keeps, x then y removes.
    tui.send(b"x");
    tui.wait_text("Remove an organization", WAIT);
    tui.send(b"n");
    tui.wait_for("the dialog closed", WAIT, |s| {
        !s.contains("Remove an organization")
    });
    tui.send(b"x");
    tui.wait_text("Remove an organization", WAIT);
    tui.send(b"y");
    tui.wait_text("Organizations (4)", WAIT);
    tui.wait_text(&format!("Removed {name}"), WAIT);
    tui.send(b"q");
    let raw = tokio::task::spawn_blocking(move || {
        tui.wait_exit(Duration::from_secs(5));
        tui.raw.lock().unwrap().clone()
    })
    .await
    .unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains(&key.secret));
    let files = home.all_files();
    assert!(
        files
            .iter()
            .all(|(p, _)| !p.to_string_lossy().contains("api-key-")),
        "the key's file went with it: {files:?}"
    );
}
