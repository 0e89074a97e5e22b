//! Performance figures of issue 6, printed as a table: drawing cost, bytes per move, key-to-frame
//! latencies, start-up, memory and request counts. Latencies use the real release binary in a
//! pseudo-terminal against the sandbox with injected latency L. Run: `cargo bench --bench perf`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod books;
mod books_large;
mod cash;
mod draw;
mod firm;
mod mcp;
mod memory;
mod receipts;
mod startup;
mod switching;
mod writes;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use qonto_client::api::models::{Organization, TransactionsPage, UserOrganization};
use qonto_sandbox::data::fixed_anchor;
use qonto_sandbox::{DataOptions, Faults, Sandbox, SandboxOptions};
use qonto_testkit::app as app_helpers;
use qonto_testkit::app::{Home, free_port};
use qonto_testkit::pty::{DOWN, PtyApp};
use qonto_tui::app::{App, Cmd, Fetch, Job, Msg, update};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

const L: Duration = Duration::from_millis(100);
const WAIT: Duration = Duration::from_secs(60);

fn row(figure: &str, measured: String, target: &str) {
    println!("| {figure} | {measured} | {target} |");
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

// ---------- the real binary in a pty ----------

async fn sandbox(data: DataOptions, ttl: Duration) -> Sandbox {
    let port = free_port();
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        access_token_ttl: ttl,
        data: DataOptions {
            anchor: fixed_anchor(),
            ..data
        },
        ..SandboxOptions::default()
    })
    .await
    .unwrap()
}

fn env_for(sb: &Sandbox, home: &Home, prefetch: bool) -> Vec<(String, String)> {
    let mut env = app_helpers::app_env(sb, home);
    // Debug logs give the app's own timestamps for the start-up breakdown.
    env.push((
        "QONTO_TUI_LOG".into(),
        home.dir.join("app.log").display().to_string(),
    ));
    env.push(("QONTO_TUI_LOG_LEVEL".into(), "debug".into()));
    if !prefetch {
        env.push(("QONTO_TUI_PREFETCH".into(), "off".into()));
    }
    env
}

/// Signs in once with `qonto-tui login` so later starts find stored tokens.
fn login(env: &[(String, String)]) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_qonto-tui"));
    c.arg("login").stdin(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = app_helpers::output_within(c, Duration::from_secs(30));
    assert!(out.status.success(), "{}", app_helpers::text(&out));
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// Milliseconds from `since` to the first log line containing `needle` (the app's own clock).
fn logged_at(
    log: &std::path::Path,
    needle: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> Option<f64> {
    let text = std::fs::read_to_string(log).ok()?;
    let line = text.lines().rfind(|l| l.contains(needle))?;
    let stamp = chrono::DateTime::parse_from_rfc3339(line.split_whitespace().next()?).ok()?;
    Some((stamp.with_timezone(&chrono::Utc) - since).num_microseconds()? as f64 / 1000.0)
}

/// Milliseconds from `since` to the start of the app's `main`: a line's own time less the time
/// since `main` it reports (`at=…`).
fn main_started_at(log: &std::path::Path, since: chrono::DateTime<chrono::Utc>) -> Option<f64> {
    let text = std::fs::read_to_string(log).ok()?;
    let line = text.lines().find(|l| l.contains("first frame drawn"))?;
    let at = line.split("at=").nth(1)?.split_whitespace().next()?;
    let after_main = if let Some(v) = at.strip_suffix("ms") {
        v.parse::<f64>().ok()?
    } else if let Some(v) = at.strip_suffix("µs") {
        v.parse::<f64>().ok()? / 1000.0
    } else {
        at.strip_suffix('s')?.parse::<f64>().ok()? * 1000.0
    };
    Some(logged_at(log, "first frame drawn", since)? - after_main)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The benchmark's sections, each runnable alone: `cargo bench --bench perf -- startup`.
const SECTIONS: [&str; 13] = [
    "switching",
    "filter",
    "held",
    "startup",
    "memory",
    "books",
    "million",
    "scale",
    "cash",
    "receipts",
    "writes",
    "draw",
    "firm",
];

fn main() {
    // `cargo bench` passes --bench; a filter naming none of our sections skips the run (it was
    // meant for another bench), one naming some of them runs only those.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted =
        |section: &str| filters.is_empty() || filters.iter().any(|f| section.contains(f.as_str()));
    if !SECTIONS.iter().any(|s| wanted(s)) {
        return;
    }
    println!("| figure | measured | target |\n|---|---|---|");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if wanted("switching") {
            switching::switching().await;
        }
        if wanted("held") {
            switching::held_down().await;
        }
        if wanted("startup") {
            startup::startup().await;
        }
        if wanted("memory") {
            memory::memory_and_requests().await;
        }
        if wanted("books") {
            books::start_from_books().await;
            books::books().await;
        }
        if wanted("million") {
            books_large::large_books(books_large::MILLION).await;
        }
        // Five million transactions take a quarter of an hour to set up: only when named.
        if filters.iter().any(|f| f == "scale") {
            books_large::large_books(books_large::FIVE_MILLION).await;
        }
        // 12.5 million rows in PostgreSQL take long to make: only when named.
        if filters.iter().any(|f| f == "firm") {
            firm::firm_books().await;
        }
        if wanted("cash") {
            tokio::task::block_in_place(cash::cash);
        }
        if wanted("receipts") {
            receipts::receipts().await;
            receipts::uploads().await;
        }
        if wanted("writes") {
            writes::categorize().await;
            writes::mark_all_and_file().await;
        }
    });
    // In-process drawing comes last: its 100,000-transaction states leave this process with a
    // large heap, and forking a large process (the pty sections spawn the app) costs several
    // milliseconds more per start, which would be charged to the app.
    if wanted("filter") {
        let (p99, median) = draw::filter_times(25_000);
        row(
            "`/` filter over a 25,000-transaction account: keystroke → frame drawn (200×60), p99 over 400 keys",
            format!("{} (median {})", ms(p99), ms(median)),
            "< 16 ms (one frame)",
        );
    }
    if wanted("draw") {
        let times = draw::draw_times(&[100_000, 1_000]);
        let ((p99_big, median_big), (p99_small, median_small)) = (times[0], times[1]);
        row(
            "draw the main screen at 200×60, 100,000 loaded transactions, p99 over 1,000 frames",
            format!(
                "{} (median {}); with 1,000: {} (median {}) → ratio {:.2}",
                ms(p99_big),
                ms(median_big),
                ms(p99_small),
                ms(median_small),
                p99_big.as_secs_f64() / p99_small.as_secs_f64()
            ),
            "< 1 ms, ≤ 1.2× the 1,000 case",
        );
        row(
            "bytes written when the selection moves one row (200×60)",
            format!("{} B", draw::bytes_per_move()),
            "< 2 KB",
        );
    }
}
