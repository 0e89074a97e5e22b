//! Performance figures of issue 6, printed as a table: drawing cost, bytes per move, key-to-frame
//! latencies, start-up, memory and request counts. Latencies use the real release binary in a
//! pseudo-terminal against the sandbox with injected latency L. Run: `cargo bench --bench perf`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/app.rs"]
mod app_helpers;
#[path = "../tests/common/pty.rs"]
mod pty;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app_helpers::{Home, free_port};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pty::{DOWN, PtyApp};
use qonto_client::api::models::{Organization, TransactionsPage, UserOrganization};
use qonto_sandbox::data::fixed_anchor;
use qonto_sandbox::{DataOptions, Faults, Sandbox, SandboxOptions};
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

// ---------- library-level: draw cost and bytes ----------

fn app_with_transactions(n: usize, width: u16, height: u16) -> App {
    let mut app = App::new(false, None, Instant::now());
    update(&mut app, Msg::Resize(width, height));
    let cmds = update(
        &mut app,
        Msg::SessionChecked {
            signed_in: true,
            problem: None,
        },
    );
    let Some(Cmd::Job(Job::Fetch(Fetch::Orgs { generation }))) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    let org: UserOrganization = serde_json::from_value(serde_json::json!({
        "id": "org-1", "name": "Atelier Laurent", "legal_name": "Atelier Laurent SAS", "legal_number": "85234567800017",
        "legal_country": "FR", "membership_role": "owner"
    }))
    .unwrap();
    let cmds = update(
        &mut app,
        Msg::OrgsLoaded {
            generation,
            result: Ok(vec![org]),
        },
    );
    let Some(Cmd::Job(Job::Fetch(Fetch::Overview { generation, .. }))) = cmds.first().cloned()
    else {
        panic!("{cmds:?}")
    };
    let overview: Organization = serde_json::from_value(serde_json::json!({
        "id": "org-1", "legal_name": "Atelier Laurent SAS",
        "bank_accounts": [{"id": "acc-1", "name": "Main account", "iban": "FR7616798000010000005663951", "currency": "EUR",
            "balance_cents": 21979912, "authorized_balance_cents": 21952715, "status": "active", "main": true}]
    }))
    .unwrap();
    update(
        &mut app,
        Msg::OverviewLoaded {
            org: "org-1".into(),
            generation,
            result: Ok(overview),
        },
    );
    let cmds = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE)),
    );
    let Some(Cmd::Job(Job::Fetch(Fetch::Transactions { generation, .. }))) = cmds.first().cloned()
    else {
        panic!("{cmds:?}")
    };
    let counterparties = [
        "Stripe Payments Europe",
        "URSSAF",
        "OVHcloud",
        "Maison Dubois",
        "Le Petit Bistrot",
    ];
    let transactions: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("tx-{i}"), "amount_cents": 1000 + (i * 37 % 90000), "currency": "EUR",
                "side": if i % 3 == 0 { "credit" } else { "debit" }, "status": if i % 17 == 0 { "pending" } else { "completed" },
                "operation_type": "card", "label": counterparties[i % 5], "settled_at": "2026-11-19T14:02:11.000Z"
            })
        })
        .collect();
    let page: TransactionsPage = serde_json::from_value(serde_json::json!({
        "transactions": transactions, "meta": {"current_page": 1, "next_page": null, "total_count": n}
    }))
    .unwrap();
    update(
        &mut app,
        Msg::TransactionsLoaded {
            org: "org-1".into(),
            account: "acc-1".into(),
            page: 1,
            generation,
            result: Ok(page),
        },
    );
    app
}

/// p99 and median draw times at 200×60 for each ledger size. Frames of the sizes alternate, so
/// whatever else the machine does in the meantime falls on all of them alike.
fn draw_times(sizes: &[usize]) -> Vec<(Duration, Duration)> {
    let mut apps: Vec<App> = sizes
        .iter()
        .map(|&n| app_with_transactions(n, 200, 60))
        .collect();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut times = vec![Vec::with_capacity(1000); sizes.len()];
    for i in 0..1100 {
        for (app, times) in apps.iter_mut().zip(times.iter_mut()) {
            // Scroll as a user would, so frames differ.
            update(
                app,
                Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
            );
            let start = Instant::now();
            terminal.draw(|f| qonto_tui::ui::draw(f, app)).unwrap();
            if i >= 100 {
                times.push(start.elapsed());
            }
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort();
            (t[t.len() * 99 / 100], t[t.len() / 2])
        })
        .collect()
}

#[derive(Clone, Default)]
struct Counting(Arc<Mutex<usize>>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn bytes_per_move() -> usize {
    let mut app = app_with_transactions(100_000, 200, 60);
    let counter = Counting::default();
    let backend = CrosstermBackend::new(counter.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 200, 60)),
        },
    )
    .unwrap();
    terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
    );
    let before = *counter.0.lock().unwrap();
    terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
    *counter.0.lock().unwrap() - before
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

async fn switching() {
    let sb = sandbox(DataOptions::default(), Duration::from_secs(3600)).await;
    let names: Vec<(String, String)> = sb
        .data()
        .orgs
        .iter()
        .map(|o| (o.name.clone(), o.accounts[0].name.clone()))
        .collect();

    // Uncached: prefetch off.
    let home = Home::new("bench-uncached");
    let env = env_for(&sb, &home, false);
    let first = names[0].1.clone();
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    let mut app = blocking(move || {
        app.wait_text(&first, WAIT);
        app
    })
    .await;
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let n = names.clone();
    let (samples, app) = blocking(move || {
        let mut samples = Vec::new();
        for (_, account) in n.iter().skip(1) {
            // A person's pace: the previous frame is not 1 ms old (frames are capped at 100 per s).
            std::thread::sleep(Duration::from_millis(50));
            let t = Instant::now();
            app.send(DOWN);
            app.wait_text(account, WAIT);
            samples.push(t.elapsed());
        }
        (samples, app)
    })
    .await;
    row(
        "key Down → accounts of an uncached org drawn, L = 100 ms",
        format!(
            "median {} / max {} (4 orgs)",
            ms(median(samples.clone())),
            ms(*samples.iter().max().unwrap())
        ),
        "≤ 120 ms",
    );
    drop(app);

    // Uncached, transactions tab.
    sb.set_faults(Faults::default());
    let home = Home::new("bench-uncached-tx");
    let env = env_for(&sb, &home, false);
    let first = names[0].1.clone();
    let mut app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    let mut app = blocking(move || {
        app.wait_text(&first, WAIT);
        app.send(b"2");
        app.wait_for("first transactions", WAIT, |s| {
            s.contains(&format!("{first}  1 of"))
        });
        // Back to the organizations pane; the Transactions tab stays.
        app.send(b"\t");
        app
    })
    .await;
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let n = names.clone();
    let (samples, app) = blocking(move || {
        let mut samples = Vec::new();
        for (_, account) in n.iter().skip(1) {
            // A person's pace: the previous frame is not 1 ms old (frames are capped at 100 per s).
            std::thread::sleep(Duration::from_millis(50));
            let t = Instant::now();
            app.send(DOWN);
            app.wait_for("transactions", WAIT, |s| {
                s.contains(&format!("{account}  1 of"))
            });
            samples.push(t.elapsed());
        }
        (samples, app)
    })
    .await;
    row(
        "key Down → first transactions page of an uncached org drawn",
        format!(
            "median {} / max {}",
            ms(median(samples.clone())),
            ms(*samples.iter().max().unwrap())
        ),
        "≤ 220 ms",
    );
    drop(app);

    // Prefetched.
    sb.set_faults(Faults::default());
    let home = Home::new("bench-prefetched");
    let env = env_for(&sb, &home, true);
    let first = names[0].1.clone();
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    let app = blocking(move || {
        app.wait_text(&first, WAIT);
        std::thread::sleep(Duration::from_millis(800));
        app
    })
    .await;
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let before = sb.stats().api_requests;
    let n = names.clone();
    let (samples, app) = blocking(move || {
        let mut app = app;
        let mut samples = Vec::new();
        for (_, account) in n.iter().skip(1) {
            // A person's pace: the previous frame is not 1 ms old (frames are capped at 100 per s).
            std::thread::sleep(Duration::from_millis(50));
            let t = Instant::now();
            app.send(DOWN);
            app.wait_text(account, WAIT);
            samples.push(t.elapsed());
        }
        (samples, app)
    })
    .await;
    let requests = sb.stats().api_requests - before;
    row(
        "key Down → accounts of a prefetched org drawn",
        format!(
            "median {} / max {}, {requests} requests",
            ms(median(samples.clone())),
            ms(*samples.iter().max().unwrap())
        ),
        "< 16 ms, 0 requests",
    );
    drop(app);
}

/// A start timed from just before the harness asks for the process (so the harness's pty and
/// fork, a millisecond or two, count against the app).
struct TimedStart {
    /// From the spawn call to the screen satisfying the predicate.
    on_screen: Duration,
    /// Of which the harness's openpty + fork + exec took this much.
    spawn: Duration,
    /// The wall clock at the spawn call, to place the app's own log lines.
    wall: chrono::DateTime<chrono::Utc>,
}

async fn start_and_wait(
    env: &[(String, String)],
    what: &'static str,
    pred: impl Fn(&str) -> bool + Send + 'static,
) -> TimedStart {
    let e = env.to_vec();
    blocking(move || {
        let wall = chrono::Utc::now();
        let t0 = Instant::now();
        let app = PtyApp::spawn(&[], &e, 200, 60);
        let spawn = t0.elapsed();
        let waited = app.wait_for(what, WAIT, pred);
        TimedStart {
            on_screen: spawn + waited,
            spawn,
            wall,
        }
    })
    .await
}

/// Starts the app and waits for the org list; returns the time and the app's own log breakdown.
async fn start_and_wait_for_list(
    env: &[(String, String)],
    log: &std::path::Path,
    org: &str,
) -> (Duration, String) {
    let _ = std::fs::write(log, "");
    let name = org.to_string();
    let start = start_and_wait(env, "the org list", move |s| {
        s.contains("Organizations (5)") && s.contains(&name)
    })
    .await;
    let at = |needle: &str| logged_at(log, needle, start.wall).unwrap_or(f64::NAN);
    let breakdown = format!(
        "app log, after the spawn call: main {:.1} ms, first frame {:.1} ms, list asked {:.1} ms, answered {:.1} ms",
        main_started_at(log, start.wall).unwrap_or(f64::NAN),
        at("first frame drawn"),
        at("asking for the organization list"),
        at("GET /v2/user_organizations"),
    );
    (start.on_screen, breakdown)
}

async fn startup() {
    let sb = sandbox(DataOptions::default(), Duration::from_secs(3600)).await;
    let home = Home::new("bench-start");
    let env = env_for(&sb, &home, true);
    let e = env.clone();
    blocking(move || login(&e)).await;
    let first_org = sb.data().orgs[0].name.clone();
    let log = home.dir.join("app.log");

    let mut first_frames = Vec::new();
    let mut spawns = Vec::new();
    for _ in 0..5 {
        let start = start_and_wait(&env, "a first frame", |s| !s.trim().is_empty()).await;
        first_frames.push(start.on_screen);
        spawns.push(start.spawn);
    }
    row(
        "process start → first frame (release, token stored)",
        format!(
            "median {} (of which the harness's pty + fork: median {})",
            ms(median(first_frames)),
            ms(median(spawns))
        ),
        "< 50 ms",
    );

    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let mut lists = Vec::new();
    let mut breakdown = String::new();
    for _ in 0..3 {
        let (took, b) = start_and_wait_for_list(&env, &log, &first_org).await;
        lists.push(took);
        breakdown = b;
    }
    row(
        "process start → org list drawn, access token valid, L = 100 ms",
        format!(
            "median {} spawn call → on screen ({breakdown})",
            ms(median(lists))
        ),
        "≤ 120 ms",
    );

    // Tokens that need a refresh first.
    sb.set_faults(Faults::default());
    let short = sandbox(DataOptions::default(), Duration::from_secs(2)).await;
    let home = Home::new("bench-refresh");
    let env = env_for(&short, &home, true);
    let log = home.dir.join("app.log");
    let mut samples = Vec::new();
    for _ in 0..3 {
        short.set_faults(Faults::default());
        let e = env.clone();
        blocking(move || login(&e)).await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        short.set_faults(Faults {
            latency: L,
            ..Faults::default()
        });
        let refreshes = short.stats().refresh_grants;
        let (took, b) = start_and_wait_for_list(&env, &log, &short.data().orgs[0].name).await;
        samples.push(took);
        breakdown = b;
        assert_eq!(
            short.stats().refresh_grants,
            refreshes + 1,
            "the start refreshed once"
        );
    }
    row(
        "process start → org list drawn, access token needs refresh, L = 100 ms",
        format!(
            "median {} spawn call → on screen ({breakdown})",
            ms(median(samples))
        ),
        "≤ 220 ms",
    );
}

/// The "N of TOTAL" position shown for `account`.
fn position(screen: &str, account: &str) -> Option<usize> {
    let line = screen
        .lines()
        .find(|l| l.contains(&format!("{account}  ")))?;
    let after = &line[line.find(&format!("{account}  "))? + account.len() + 2..];
    after.split(" of").next()?.trim().parse().ok()
}

/// Scrolls the account to its end with End presses, each reaching what is loaded and so
/// fetching the next page; waits for that page before pressing again.
fn scroll_to_end(app: &mut PtyApp, account: &str, total: usize) {
    let mut last = position(&app.screen(), account).unwrap_or(0);
    for _ in 0..(total / 100) * 2 + 50 {
        if last >= total {
            return;
        }
        app.send(b"G");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            let screen = app.screen();
            let now = position(&screen, account).unwrap_or(0);
            let loading = screen.contains("loading page");
            if now > last && !loading {
                last = now;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert!(
        last >= total,
        "did not reach the end ({last} of {total}):\n{}",
        app.screen()
    );
}

async fn memory_and_requests() {
    let sb = sandbox(
        DataOptions {
            transactions_per_account: Some(100_000),
            ..DataOptions::default()
        },
        Duration::from_secs(3600),
    )
    .await;
    let home = Home::new("bench-rss");
    let env = env_for(&sb, &home, false);
    let account = sb.data().orgs[1].accounts[0].name.clone();
    let org_name = sb.data().orgs[1].name.clone();
    let first = sb.data().orgs[0].accounts[0].name.clone();
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    let (before, after, peak) = blocking(move || {
        let mut app = app;
        app.wait_text(&first, WAIT);
        app.send(DOWN);
        app.wait_text(&org_name, WAIT);
        app.send(b"2");
        app.wait_for("first page", WAIT, |s| {
            s.contains(&format!("{account}  1 of"))
        });
        let pid = app.child.process_id().unwrap();
        let before = app_helpers::proc_status(pid, "VmRSS:");
        scroll_to_end(&mut app, &account, 100_000);
        (
            before,
            app_helpers::proc_status(pid, "VmRSS:"),
            app_helpers::proc_status(pid, "VmHWM:"),
        )
    })
    .await;
    let per_tx = (after.saturating_sub(before) * 1024) as f64 / 99_900.0;
    row(
        "peak RSS after scrolling one account through 100,000 transactions",
        format!(
            "{:.1} MB peak ({:.1} MB before scrolling; {per_tx:.0} bytes per transaction)",
            peak as f64 / 1024.0,
            before as f64 / 1024.0
        ),
        "< 100 MB",
    );

    // Requests for a session that visits every org once and scrolls one account to its end.
    let sb = sandbox(
        DataOptions {
            transactions_per_account: Some(1_000),
            ..DataOptions::default()
        },
        Duration::from_secs(3600),
    )
    .await;
    let home = Home::new("bench-requests");
    let env = env_for(&sb, &home, true);
    let orgs: Vec<(String, String)> = sb
        .data()
        .orgs
        .iter()
        .map(|o| (o.name.clone(), o.accounts[0].name.clone()))
        .collect();
    let org_count = orgs.len();
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    blocking(move || {
        let mut app = app;
        app.wait_text(&orgs[0].1, WAIT);
        for (_, account) in orgs.iter().skip(1) {
            app.send(DOWN);
            app.wait_text(account, WAIT);
        }
        app.send(b"2");
        let last = &orgs[org_count - 1].1;
        app.wait_for("first page", WAIT, |s| s.contains(&format!("{last}  1 of")));
        scroll_to_end(&mut app, last, 1_000);
        std::thread::sleep(Duration::from_millis(300));
    })
    .await;
    let made = sb.stats().api_requests;
    let minimum = 1 + org_count as u64 + 10;
    row(
        "requests (visit every org once, scroll one account of 1,000 to its end) / minimum",
        format!("{made} / {minimum} = {:.2}", made as f64 / minimum as f64),
        "1.0",
    );
}

/// The benchmark's sections, each runnable alone: `cargo bench --bench perf -- startup`.
const SECTIONS: [&str; 4] = ["switching", "startup", "memory", "draw"];

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
            switching().await;
        }
        if wanted("startup") {
            startup().await;
        }
        if wanted("memory") {
            memory_and_requests().await;
        }
    });
    // In-process drawing comes last: its 100,000-transaction states leave this process with a
    // large heap, and forking a large process (the pty sections spawn the app) costs several
    // milliseconds more per start, which would be charged to the app.
    if wanted("draw") {
        let times = draw_times(&[100_000, 1_000]);
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
            format!("{} B", bytes_per_move()),
            "< 2 KB",
        );
    }
}
