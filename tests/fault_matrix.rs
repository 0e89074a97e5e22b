//! The fault matrix: the real binary in a pseudo-terminal against a sandbox injecting one fault
//! at a time. Each test checks that the app stays up, says the right thing, keeps its tokens,
//! and recovers by itself once the fault clears (or after `c` where consent is the cause).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::app::{Home, free_port};
use common::pty::{DOWN, PtyApp, UP};
use qonto_sandbox::{FaultScope, Faults, Sandbox, SandboxOptions};

const WAIT: Duration = Duration::from_secs(20);

/// Fields drop in order: the app first (killed and waited for), then its home, then the sandbox.
struct Running {
    app: PtyApp,
    home: Home,
    sb: Sandbox,
}

impl Running {
    async fn start() -> Self {
        let port = free_port();
        let sb = Sandbox::start(SandboxOptions {
            redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
            ..common::options()
        })
        .await
        .unwrap();
        let home = Home::new("faults");
        let mut env = common::app::app_env(&sb, &home);
        env.push(("QONTO_TUI_LOG_LEVEL".into(), "debug".into()));
        let first = sb.data().orgs[0].accounts[0].name.clone();
        let app = tokio::task::spawn_blocking(move || {
            let app = PtyApp::spawn(&[], &env, 150, 36);
            app.wait_text(&first, WAIT);
            app
        })
        .await
        .unwrap();
        Self { sb, home, app }
    }

    fn token_file(&self) -> Option<PathBuf> {
        let dir = self.home.dir.join("data/qonto-tui");
        std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                // The token file, not the lock file beside it.
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                name.starts_with("tokens-") && name.ends_with(".json")
            })
    }

    fn tokens(&self) -> Option<String> {
        std::fs::read_to_string(self.token_file()?).ok()
    }

    /// The app's log, for a failure's context.
    fn log(&self) -> String {
        std::fs::read_to_string(self.home.dir.join("state/qonto-tui/qonto-tui.log"))
            .unwrap_or_default()
    }

    /// Presses r and waits for `text`.
    fn refresh_and_expect(&mut self, text: &str) {
        self.app.send(b"r");
        self.app.wait_text(text, WAIT);
    }

    /// Waits until the data is fresh again and no failure is shown.
    fn wait_recovered(&self) {
        self.app.wait_for("recovery", Duration::from_secs(15), |s| {
            s.contains("updated just now")
                && !s.contains("last refresh failed")
                && !s.contains("retrying")
        });
    }

    fn ui_is_live(&mut self) {
        let before = self.app.selected_line();
        self.app.send(DOWN);
        // Two seconds for the selection to move, looked at every 5 ms.
        let moved = (0..400).any(|_| {
            std::thread::sleep(Duration::from_millis(5));
            self.app.selected_line() != before
        });
        assert!(
            moved,
            "the UI answered a key while the fault lasted:\n{}",
            self.app.screen()
        );
        self.app.send(UP);
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// A transient fault on the API: message, tokens kept, recovery without a key press.
async fn transient(faults: Faults, message: &'static str) {
    let mut r = Running::start().await;
    let tokens = r.tokens();
    r.sb.set_faults(faults);
    let r = blocking(move || {
        r.refresh_and_expect(message);
        r.app.wait_text("retrying in 5 s", WAIT);
        r.app.wait_text("last refresh failed", WAIT);
        r.ui_is_live();
        r
    })
    .await;
    assert_eq!(r.tokens(), tokens, "the tokens are kept");
    r.sb.set_faults(Faults::default());
    blocking(move || {
        r.wait_recovered();
        r
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn burst_of_5xx() {
    transient(
        Faults {
            server_error_percent: 100,
            scope: FaultScope::ApiOnly,
            ..Faults::default()
        },
        "Qonto answered 503",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn storm_of_429_with_retry_after() {
    transient(
        Faults {
            too_many_requests_percent: 100,
            retry_after_secs: 1,
            scope: FaultScope::ApiOnly,
            ..Faults::default()
        },
        "Qonto is rate limiting",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json() {
    transient(
        Faults {
            malformed_percent: 100,
            scope: FaultScope::ApiOnly,
            ..Faults::default()
        },
        "not understood",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_connections() {
    transient(
        Faults {
            drop_percent: 100,
            scope: FaultScope::ApiOnly,
            ..Faults::default()
        },
        "network",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn latency_spike_keeps_the_ui_live() {
    let mut r = Running::start().await;
    r.sb.set_faults(Faults {
        latency: Duration::from_millis(2500),
        ..Faults::default()
    });
    let r = blocking(move || {
        r.refresh_and_expect("refreshing…");
        r.ui_is_live();
        r.app.wait_text("updated just now", Duration::from_secs(10));
        r
    })
    .await;
    r.sb.set_faults(Faults::default());
}

#[tokio::test(flavor = "multi_thread")]
async fn access_token_revoked_mid_session_is_a_banner_and_c_fixes_it() {
    let mut r = Running::start().await;
    r.sb.revoke_all_tokens();
    let r = blocking(move || {
        r.refresh_and_expect("Your Qonto sign-in has ended. Press c to sign in again.");
        r.ui_is_live();
        r
    })
    .await;
    assert_eq!(
        r.tokens(),
        None,
        "dead tokens are removed, never kept as if valid"
    );
    let mut r = r;
    blocking(move || {
        r.app.send(b"c");
        r.app.wait_for("the banner to go", WAIT, |s| {
            !s.contains("sign-in has ended") && s.contains("Organizations (5)")
        });
        r.wait_recovered();
        r
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_token_expired() {
    let mut r = Running::start().await;
    r.sb.advance_clock(Duration::from_secs(91 * 24 * 3600));
    blocking(move || {
        r.refresh_and_expect("Your Qonto sign-in has ended. Press c to sign in again.");
        r.app.send(b"c");
        r.app.wait_for("signed in again", WAIT, |s| {
            !s.contains("sign-in has ended")
        });
        r.wait_recovered();
        r
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn organization_unshared_mid_session() {
    let mut r = Running::start().await;
    let orgs: Vec<String> = r.sb.data().orgs.iter().map(|o| o.id.clone()).collect();
    let first_name = r.sb.data().orgs[0].name.clone();
    r.sb.set_consent(orgs[1..].to_vec());
    let r = blocking(move || {
        r.refresh_and_expect("no longer shared with qonto-tui. Press c");
        r.app.send(b"c");
        // The app knew the list of five; consent to all five again renews it.
        r.app.wait_text("Consent renewed", WAIT);
        r.wait_recovered();
        assert!(
            !r.app.screen().contains("no longer shared"),
            "{}",
            r.app.screen()
        );
        let _ = &first_name;
        r
    })
    .await;
    assert_eq!(r.sb.consented_orgs().len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn token_store_failing_mid_session_is_said_and_the_session_goes_on() {
    let mut r = Running::start().await;
    // The file store's path becomes a non-empty directory: the next save must fail, even as root.
    let path = r.token_file().unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir_all(path.join("blocker")).unwrap();
    // The access token expires at the server: the next call refreshes and must store the rotated tokens.
    r.sb.advance_clock(Duration::from_secs(3601));
    let r = blocking(move || {
        std::thread::sleep(Duration::from_millis(300));
        r.app.send(b"r");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            r.app.wait_text(
                "Signed in until you quit only: could not save the refreshed tokens",
                WAIT,
            )
        }));
        assert!(outcome.is_ok(), "log:\n{}", r.log());
        r.ui_is_live();
        r.app.wait_text("updated", WAIT);
        r
    })
    .await;
    drop(r);
}

#[tokio::test(flavor = "multi_thread")]
async fn key_mashing_never_exceeds_qontos_rate_limit() {
    let r = Running::start().await;
    let r = blocking(move || {
        let mut r = r;
        let keys: &[&[u8]] = &[
            b"r", DOWN, b"r", UP, b"2", b"r", b"3", b"4", b"1", b"r", b"]",
        ];
        for i in 0..600 {
            r.app.send(keys[i % keys.len()]);
        }
        std::thread::sleep(Duration::from_millis(1500));
        r
    })
    .await;
    let stats = r.sb.stats();
    println!(
        "600 keys mashed: {} API requests, {} refused for rate",
        stats.api_requests, stats.rate_limited
    );
    assert_eq!(stats.rate_limited, 0);
    assert!(stats.api_requests < 1000, "{} requests", stats.api_requests);
    let screen = r.app.screen();
    assert!(screen.contains("Organizations (5)"), "still up:\n{screen}");
}
