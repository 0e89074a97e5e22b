//! A user key map in the config file: re-consent moved to `C`, "next" to `n`. The real binary
//! in a pseudo-terminal obeys the new keys, ignores the old ones, and names the new keys in the
//! status-line hints, the help overlay and the sentences that tell which key fixes something.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, free_port};
use common::pty::PtyApp;
use qonto_sandbox::{Sandbox, SandboxOptions};

const WAIT: Duration = Duration::from_secs(20);

fn selected_is(screen: &str, name: &str) -> bool {
    screen.lines().any(|l| l.contains('▸') && l.contains(name))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remapped_key_map_is_obeyed_and_shown_everywhere() {
    let port = free_port();
    let sb = Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        ..common::options()
    })
    .await
    .unwrap();
    let home = Home::new("keys");
    let config = home.dir.join("keys.toml");
    std::fs::write(
        &config,
        "[keys]\nreconsent = \"C\"\ndown = \"n\"\n[theme]\naccent = \"magenta\"\n",
    )
    .unwrap();
    let mut env = common::app::app_env(&sb, &home);
    env.retain(|(k, _)| k != "QONTO_TUI_CONFIG");
    env.push(("QONTO_TUI_CONFIG".into(), config.display().to_string()));
    let orgs: Vec<String> = sb.data().orgs.iter().map(|o| o.name.clone()).collect();
    let mut app = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &env, 150, 46))
        .await
        .unwrap();
    app.wait_text("Organizations (5)", WAIT);
    app.wait_for("first org selected", WAIT, |s| selected_is(s, &orgs[0]));

    // The status line names the new keys, not the defaults (Esc clears "Signed in." first).
    app.send(b"\x1b");
    app.wait_for("key hints", WAIT, |s| {
        s.lines().last().is_some_and(|l| l.contains("share orgs"))
    });
    let screen = app.screen();
    let hints = screen.lines().last().unwrap_or_default().to_string();
    assert!(hints.contains("n move"), "{hints}");
    assert!(hints.contains("C share orgs"), "{hints}");
    assert!(
        !hints.contains("↓ j move") && !hints.contains("c share"),
        "{hints}"
    );

    // `j` no longer moves; `n` does (one step: the selection is on the second, not the third).
    // Keys are handled in order: once the help `?` opens is drawn, `j` and `n` were handled,
    // with no sleep to guess how long that takes.
    app.send(b"j");
    app.send(b"n");
    app.send(b"?");
    app.wait_text("Mouse: click selects", WAIT);
    app.send(b"\x1b");
    app.wait_for("the help closed", WAIT, |s| {
        !s.contains("Mouse: click selects")
    });
    assert!(selected_is(&app.screen(), &orgs[1]), "{}", app.screen());

    // Help is generated from the same map.
    app.send(b"?");
    app.wait_text("Mouse: click selects", WAIT);
    let help = app.screen();
    let line_of = |what: &str| {
        help.lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no help line for {what}:\n{help}"))
            .to_string()
    };
    assert!(line_of("next organization / row").contains(" n "), "{help}");
    assert!(
        line_of("change which organizations are shared").contains(" C "),
        "{help}"
    );
    app.send(b"\x1b");
    app.wait_for("help closed", WAIT, |s| !s.contains("this help"));

    // The old re-consent key does nothing; the new one opens the consent flow, whose browser
    // (the test's BROWSER script) allows every organization again.
    app.send(b"c");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !app.screen()
            .contains("Change which organizations are shared"),
        "{}",
        app.screen()
    );
    app.send(b"C");
    app.wait_text("Consent renewed", WAIT);

    app.send(b"q");
    let status = tokio::task::spawn_blocking(move || app.wait_exit(Duration::from_secs(5)))
        .await
        .unwrap();
    assert!(status.is_some_and(|s| s.success()), "exits 0");
}

#[tokio::test]
async fn a_key_map_with_a_clash_is_refused_before_the_terminal_is_touched() {
    let sb = Sandbox::start(common::options()).await.unwrap();
    let home = Home::new("keys-clash");
    let config = home.dir.join("keys.toml");
    std::fs::write(&config, "[keys]\ndown = \"c\"\n").unwrap();
    let mut cmd = common::app::app(&sb, &home);
    cmd.env("QONTO_TUI_CONFIG", &config);
    let out = common::app::output_within(cmd, Duration::from_secs(20));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("c is bound to both") && stderr.contains("keys.toml"),
        "{stderr}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("\x1b[?1049h"),
        "the alternate screen was never entered"
    );
}
