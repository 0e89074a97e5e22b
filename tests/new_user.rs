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
