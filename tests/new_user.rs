//! What a new user tripped on (issue 31, point 6), each checked from the user's side: the real
//! binary in a pseudo-terminal against the sandbox, keys in, screen out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread")]
async fn the_hint_bar_keeps_the_headline_keys_at_every_width() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("hints");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let org = sb.data().orgs[0].name.clone();
    tokio::task::spawn_blocking(move || {
        for (cols, rows, must, gone) in [
            (
                80u16,
                24u16,
                &["s search", "m missing", "? help", "q ^C quit"][..],
                &["r refresh"][..],
            ),
            (
                160,
                40,
                &[
                    "s search",
                    "m missing",
                    "V review",
                    "$ cash",
                    "e export",
                    "a add org",
                ][..],
                &[][..],
            ),
            (
                50,
                20,
                &["s search", "? help", "q ^C quit"][..],
                &["r refresh"][..],
            ),
        ] {
            let mut tui = PtyApp::spawn(&[], &env, cols, rows);
            let first = org.chars().take(8).collect::<String>();
            tui.wait_text(&first, WAIT);
            tui.wait_for("the hint bar", WAIT, |s| {
                s.lines().last().is_some_and(|l| l.contains("quit"))
            });
            let screen = tui.screen();
            let last = screen.lines().last().unwrap_or("").to_string();
            for hint in must {
                assert!(last.contains(hint), "{cols} columns: {hint} in {last:?}");
            }
            for hint in gone {
                assert!(
                    !last.contains(hint),
                    "{cols} columns: {hint} not in {last:?}"
                );
            }
            assert!(last.chars().count() <= usize::from(cols), "{last:?}");
            tui.send(b"\x03");
            assert!(tui.wait_exit(WAIT).is_some());
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_on_a_terminal_asks_first_and_says_what_it_would_remove() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("logout-asks");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let books = home.dir.join("data/qonto-tui");
    let copies = || {
        std::fs::read_dir(&books)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("books-"))
            .count()
    };
    assert!(copies() > 0);
    let env_c = env.clone();
    tokio::task::spawn_blocking(move || {
        // Anything but yes: nothing removed.
        let mut tui = PtyApp::spawn(&["logout"], &env_c, 120, 30);
        tui.wait_text("Go on? [y/N]", WAIT);
        let asked = tui.screen();
        assert!(asked.contains("revokes the sign-in's tokens"), "{asked}");
        assert!(
            asked.contains("deletes the local copy of the books"),
            "{asked}"
        );
        tui.send(b"n\r");
        tui.wait_text("Nothing was removed.", WAIT);
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    assert!(copies() > 0, "the copy is still there");
    let (code, out, _) = common::run_app(&sb, &home, &env, &["status"]).await;
    assert_eq!(code, 0, "still signed in: {out}");

    let env_c = env.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = PtyApp::spawn(&["logout"], &env_c, 120, 30);
        tui.wait_text("Go on? [y/N]", WAIT);
        tui.send(b"y\r");
        tui.wait_text("Signed out", WAIT);
        assert!(tui.wait_exit(WAIT).is_some());
    })
    .await
    .unwrap();
    assert_eq!(copies(), 0, "the copy is gone");
}
