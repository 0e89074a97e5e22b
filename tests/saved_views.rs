//! Saved views and search history from the user's side: the real binary in a pseudo-terminal
//! with a config file holding `[views]`; a view's key opens it, ^S saves the query into the
//! file (its comments kept), ^N steps through the views shown as tabs, ↑ recalls the searches
//! run before (kept in the local copy, so a second run has them), and the palette offers both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;

const WAIT: Duration = Duration::from_secs(90);

fn query_line(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains('›'))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn views_from_the_config_and_saved_from_the_search_and_the_history() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("views");
    let mut env = app_env(&sb, &home);
    let config = home.dir.join("views.toml");
    std::fs::write(
        &config,
        "# my views\n[views]\nmissing_big = { query = \"missing:receipt >500\", key = \"F2\" }\n",
    )
    .unwrap();
    env.retain(|(k, _)| k != "QONTO_TUI_CONFIG");
    env.push(("QONTO_TUI_CONFIG".into(), config.display().to_string()));
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let org = sb.data().orgs[0].name.clone();
    let config_path = config.clone();
    let env2 = env.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env2, 140, 40);
        tui.wait_text(&org, WAIT);
        // F2 opens the view; its tab is in the title.
        tui.send(b"\x1bOQ");
        tui.wait_for("the view", WAIT, |s| {
            query_line(s).contains("missing:receipt >500") && s.contains(" found")
        });
        assert!(
            tui.screen().contains("^N views: missing_big"),
            "{}",
            tui.screen()
        );

        // ^U clears the field; a new query, saved as a view with ^S.
        tui.send(b"\x15side:debit >1000");
        tui.wait_for("the query", WAIT, |s| {
            query_line(s).contains("side:debit >1000") && s.contains(" found")
        });
        tui.send(b"\x13");
        tui.wait_text("Save this search as", WAIT);
        tui.send(b"big_debits\r");
        tui.wait_text("Saved the view big_debits", WAIT);
        let text = std::fs::read_to_string(&config_path).unwrap();
        assert!(text.starts_with("# my views\n"), "{text}");
        assert!(text.contains("big_debits = \"side:debit >1000\""), "{text}");
        assert!(
            tui.screen().contains("big_debits │ missing_big"),
            "{}",
            tui.screen()
        );

        // ^N steps from big_debits to missing_big, and round.
        tui.send(b"\x0e");
        tui.wait_for("the next view", WAIT, |s| {
            query_line(s).contains("missing:receipt >500")
        });
        tui.send(b"\x0e");
        tui.wait_for("round", WAIT, |s| {
            query_line(s).contains("side:debit >1000")
        });

        // A search run (Esc keeps it in the history), then ↑ in an empty field recalls it.
        tui.send(b"\x15urssaf");
        tui.wait_for("urssaf", WAIT, |s| {
            query_line(s).contains("urssaf") && s.contains(" found")
        });
        tui.send(b"\x1b");
        tui.wait_for("closed", WAIT, |s| !s.contains("Search every organization"));
        tui.send(b"s\x15");
        tui.wait_for("an empty field", WAIT, |s| {
            s.contains("Search every organization")
                && query_line(s).trim_end_matches(['┃', ' ']).ends_with('›')
        });
        tui.send(b"\x1b[A");
        tui.wait_for("the last search", WAIT, |s| {
            query_line(s).contains("urssaf")
        });
        tui.send(b"\x1b[A");
        tui.wait_for("the one before", WAIT, |s| {
            query_line(s).contains("side:debit >1000")
        });
        tui.send(b"\x1b[B\x1b[B");
        tui.wait_for("back to what was typed", WAIT, |s| {
            let q = query_line(s);
            !q.contains("urssaf") && !q.contains("side:debit")
        });
        tui.send(b"\x1b");
        tui.wait_for("closed", WAIT, |s| !s.contains("Search every organization"));
        tui.send(b"q");
        assert!(tui.wait_exit(WAIT).is_some(), "q quits");
    })
    .await
    .unwrap();

    // A second run: the history came from the copy, the palette offers it and the views.
    let org = sb.data().orgs[0].name.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&[], &env, 140, 40);
        tui.wait_text(&org, WAIT);
        tui.send(b":");
        tui.wait_text(" of ", WAIT);
        tui.send(b"urss");
        tui.wait_for("the recent search", WAIT, |s| {
            s.lines()
                .any(|l| l.contains("urssaf") && l.contains("recent search"))
        });
        tui.send(b"\x15big_deb");
        tui.wait_for("the saved view", WAIT, |s| {
            s.lines()
                .any(|l| l.contains("big_debits") && l.contains("saved view"))
        });
        tui.send(b"\r");
        tui.wait_for("the view opened", WAIT, |s| {
            query_line(s).contains("side:debit >1000") && s.contains(" found")
        });
        tui.send(b"\x03");
        assert!(tui.wait_exit(WAIT).is_some(), "^C quits");
    })
    .await
    .unwrap();
}
