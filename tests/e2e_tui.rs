//! The real binary in a pseudo-terminal against a sandbox: sign in, browse, re-consent; and
//! the UI staying live while the network is slow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, free_port};
use common::pty::{DOWN, PtyApp};
use qonto_sandbox::{DataOptions, Faults, Sandbox, SandboxOptions};

const WAIT: Duration = Duration::from_secs(20);

async fn sandbox(port: u16, data: DataOptions) -> Sandbox {
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        data,
        ..common::options()
    })
    .await
    .unwrap()
}

fn env_for(sb: &Sandbox, home: &Home) -> Vec<(String, String)> {
    common::app::app_env(sb, home)
}

/// A BROWSER script that allows all organizations the first time, then only `later`.
fn two_step_browser(home: &Home, later: &[String]) -> std::path::PathBuf {
    let path = home.dir.join("browser.sh");
    let bin = env!("CARGO_BIN_EXE_qonto-tui");
    let marker = home.dir.join("first-consent-done");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nif [ -e '{m}' ]; then exec '{bin}' simulate-browser --orgs {later} \"$1\"; else touch '{m}'; exec '{bin}' simulate-browser \"$1\"; fi\n",
            m = marker.display(),
            later = later.join(",")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_browse_and_reconsent_in_a_real_terminal() {
    let sb = sandbox(free_port(), common::options().data).await;
    let home = Home::new("e2e");
    let orgs = &sb.data().orgs;
    let keep = vec![orgs[1].id.clone(), orgs[3].id.clone()];
    let mut env = env_for(&sb, &home);
    env.push((
        "BROWSER".into(),
        two_step_browser(&home, &keep).display().to_string(),
    ));
    env.push(("QONTO_TUI_LOG_LEVEL".into(), "trace".into()));
    let mut app = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &env, 150, 40))
        .await
        .unwrap();

    // Signed in through the browser: five organizations with name, role and id.
    app.wait_text("Organizations (5)", WAIT);
    for org in orgs {
        app.wait_text(&org.name, WAIT);
        let screen = app.screen();
        let line = screen
            .lines()
            .find(|l| l.contains(&org.name) && l.contains(&org.membership_role));
        let line =
            line.unwrap_or_else(|| panic!("no row with {} and its role:\n{screen}", org.name));
        assert!(line.contains(&org.id[..8]), "{line}");
    }
    app.wait_text(&orgs[0].accounts[0].name, WAIT);

    // Down: the second organization's accounts.
    app.send(DOWN);
    app.wait_for("second org selected", WAIT, |s| {
        s.lines()
            .any(|l| l.contains('▸') && l.contains(&orgs[1].name))
    });
    app.wait_text(&orgs[1].accounts[0].name, WAIT);
    app.wait_text(&orgs[1].legal_name, WAIT);

    // c: the browser now shares only two organizations; the list follows and the change is said.
    app.send(b"c");
    app.wait_text("Organizations (2)", WAIT);
    // The change is said once the list that follows the consent is in (a frame may show the
    // list before the notice replaces "Signed in.").
    app.wait_text("No longer shared", WAIT);
    let screen = app.screen();
    for org in orgs {
        let expected = keep.contains(&org.id);
        assert_eq!(
            screen.contains(&org.id[..8]),
            expected,
            "{}: {screen}",
            org.name
        );
    }
    assert!(
        screen
            .lines()
            .any(|l| l.contains('▸') && l.contains(&orgs[1].name)),
        "the selection stayed on a still-shared org: {screen}"
    );

    app.send(b"q");
    let status = tokio::task::spawn_blocking(move || {
        let s = app.wait_exit(Duration::from_secs(5));
        (s, app.raw.lock().unwrap().clone())
    })
    .await
    .unwrap();
    assert!(status.0.is_some_and(|s| s.success()), "exits 0");
    let tail = String::from_utf8_lossy(&status.1[status.1.len().saturating_sub(200)..]).to_string();
    assert!(tail.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(tail.contains("\x1b[?25h"), "cursor shown again");

    // Redaction audit: nothing the app wrote during the session (trace-level log included) holds a
    // code, a token, the client secret or a full IBAN. The token file is the store the user chose
    // (`--token-store file`): it must hold the tokens, and only with mode 0600.
    let secrets = sb.issued_secrets();
    let ibans: Vec<String> = orgs
        .iter()
        .flat_map(|o| o.accounts.iter().map(|a| a.iban.clone()))
        .collect();
    let files = home.all_files();
    let listing: Vec<String> = files
        .iter()
        .map(|(p, c)| format!("{} ({} B)", p.display(), c.len()))
        .collect();
    assert!(
        files
            .iter()
            .any(|(p, c)| p.ends_with("qonto-tui.log") && c.len() > 1000),
        "a trace log was written: {listing:?}"
    );
    for (path, content) in &files {
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("tokens-"))
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            continue;
        }
        for s in secrets.iter().chain(ibans.iter()) {
            assert!(
                !content.contains(s.as_str()),
                "{} holds a secret or a full IBAN",
                path.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_quick_downs_at_300_ms_latency_each_show_at_once_with_bounded_requests() {
    let data = DataOptions {
        extra_orgs: 20,
        ..common::options().data
    };
    let sb = sandbox(free_port(), data).await;
    let home = Home::new("latency");
    let mut env = env_for(&sb, &home);
    let script = home.browser_script(&[]);
    env.push(("BROWSER".into(), script.display().to_string()));
    let mut app = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &env, 150, 40))
        .await
        .unwrap();
    app.wait_text("Organizations (25)", WAIT);
    sb.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    let before = sb.stats().api_requests;
    let names: Vec<String> = sb.data().orgs.iter().map(|o| o.name.clone()).collect();
    let stats = tokio::task::spawn_blocking(move || {
        let mut worst = Duration::ZERO;
        for expected in names.iter().skip(1).take(20) {
            app.send(DOWN);
            let took = app.wait_for(
                &format!("selection on {expected}"),
                Duration::from_secs(5),
                |s| {
                    s.lines()
                        .any(|l| l.contains('▸') && l.contains(expected.as_str()))
                },
            );
            worst = worst.max(took);
        }
        (worst, app)
    })
    .await
    .unwrap();
    let (worst, app) = stats;
    // Let in-flight requests land, then count.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let requests = sb.stats().api_requests - before;
    println!(
        "20 Down presses at 300 ms latency: slowest press shown after {} ms; {requests} API requests",
        worst.as_millis()
    );
    assert!(
        worst < Duration::from_millis(300),
        "a keypress waited for the network: {worst:?}"
    );
    assert!(
        requests <= 25,
        "requests stay bounded by the organizations: {requests}"
    );
    drop(app);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_started_again_at_once_gets_the_port_and_completes() {
    let port = free_port();
    let sb = sandbox(port, DataOptions::default()).await;
    let home = Home::new("restart-sign-in");
    // A browser that allows only once the test says so.
    let allow = home.dir.join("allow-now");
    let browser = home.script(
        "when-allowed.sh",
        &format!(
            "[ -e '{allow}' ] && exec '{bin}' simulate-browser \"$1\"\nexit 0",
            allow = allow.display(),
            bin = env!("CARGO_BIN_EXE_qonto-tui"),
        ),
    );
    let mut env = env_for(&sb, &home);
    env.retain(|(k, _)| k != "BROWSER");
    env.push(("BROWSER".into(), browser.display().to_string()));
    let first = sb.data().orgs[0].accounts[0].name.clone();
    tokio::task::spawn_blocking(move || {
        let mut app = PtyApp::spawn(&[], &env, 120, 36);
        app.wait_text("Waiting for the browser", WAIT);
        app.send(b"\x1b");
        app.wait_text("Enter", WAIT);
        std::thread::sleep(Duration::from_millis(200));
        // Enter starts the sign-in again; twice, as fast as a key repeat: the second start
        // comes while the first is binding the callback port.
        app.send(b"\r\r");
        app.wait_for("the sign-in waiting again", WAIT, |s| {
            s.contains("Waiting for the browser") || s.contains("already in use")
        });
        std::thread::sleep(Duration::from_millis(1_500));
        let screen = app.screen();
        assert!(!screen.contains("already in use"), "{screen}");
        // The listener that is left answers: the sign-in completes through it.
        std::fs::write(&allow, "").unwrap();
        app.send(b"o");
        app.wait_text(&first, WAIT);
        // The title says which Qonto this is and that the tokens sit in a plain file.
        let title = app.screen().lines().next().unwrap_or_default().to_string();
        assert!(
            title.contains("server 127.0.0.1:") && title.contains("tokens in a plain file"),
            "{title}"
        );
        app.send(b"q");
        app.wait_exit(Duration::from_secs(5));
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn amounts_and_dates_follow_the_locale() {
    for (lang, balance, date) in [
        ("fr_FR.UTF-8", "215\u{a0}299,12\u{a0}€", "/11/2026"),
        ("en_US.UTF-8", "€215,299.12", "11/"),
    ] {
        let home = Home::new("locale");
        let env = vec![
            ("LANG".to_string(), lang.to_string()),
            ("LC_ALL".to_string(), String::new()),
            ("LC_NUMERIC".to_string(), String::new()),
            (
                "XDG_STATE_HOME".to_string(),
                home.dir.join("state").display().to_string(),
            ),
            (
                "QONTO_TUI_CONFIG".to_string(),
                home.dir.join("none.toml").display().to_string(),
            ),
        ];
        tokio::task::spawn_blocking(move || {
            let mut app = PtyApp::spawn(&["--demo"], &env, 140, 36);
            app.wait_text("Waiting for the browser", WAIT);
            app.send(b"s");
            app.wait_text(balance, WAIT);
            app.send(b"2");
            app.wait_for("dates in the locale's order", WAIT, |s| {
                s.contains("Settled") && s.contains(date)
            });
            app.send(b"q");
            app.wait_exit(Duration::from_secs(5));
        })
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn y_copies_the_sign_in_url_through_the_terminal() {
    let home = Home::new("osc52");
    // A browser command that fails, as on a server without a desktop.
    let env = vec![
        (
            "XDG_STATE_HOME".to_string(),
            home.dir.join("state").display().to_string(),
        ),
        ("BROWSER".to_string(), "/nonexistent/browser".to_string()),
    ];
    let copied = tokio::task::spawn_blocking(move || {
        let mut app = PtyApp::spawn(&["--demo"], &env, 120, 36);
        app.wait_text("Waiting for the browser", WAIT);
        let screen = app.screen();
        assert!(
            screen.contains("No browser could be opened here. Press s")
                && !screen.contains("ExitStatus"),
            "plain words, no launcher internals:\n{screen}"
        );
        app.send(b"y");
        app.wait_text("Copied to the clipboard", WAIT);
        let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
        app.send(b"q");
        app.wait_exit(Duration::from_secs(5));
        raw
    })
    .await
    .unwrap();
    let start = copied.find("\x1b]52;c;").expect("an OSC 52 sequence") + 7;
    let end = start + copied[start..].find('\x07').unwrap();
    use base64::Engine;
    let url = base64::engine::general_purpose::STANDARD
        .decode(&copied[start..end])
        .unwrap();
    let url = String::from_utf8(url).unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:")
            && url.contains("/oauth2/auth?")
            && url.contains("state="),
        "{url}"
    );
}
