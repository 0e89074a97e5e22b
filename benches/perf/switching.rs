//! Key-to-screen latency when switching organizations (uncached, transactions, prefetched), and
//! the requests a held-down key costs.

use super::*;

pub async fn switching() {
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
        // The focus stays in the organizations pane; the Transactions tab is shown.
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

/// Holding Down for 3 s (a key repeat of 30 per second) across 60 organizations at 300 ms of
/// latency: every API request of the session, counted by the sandbox, from the start to the
/// moment everything the app asked for has been answered.
pub async fn held_down() {
    // The same session twice: without the background sync (the user's own requests: the
    // selection's fetches and a bounded prefetch), then with it (the difference is the
    // sync's, which runs one organization and two pages at a time).
    let user = held_down_requests(false).await;
    let both = held_down_requests(true).await;
    row(
        "API requests while Down is held 3 s across 60 orgs (L = 300 ms)",
        format!(
            "{} the user's (background sync off); with the sync on {}, so {} the sync's",
            user.holding,
            both.holding,
            both.holding.saturating_sub(user.holding)
        ),
        "the sync's: at most 1 per 500 ms while the user waits on Qonto (+ 2 in flight)",
    );
    row(
        "API requests of the whole session: start, hold, stop when they stop coming",
        format!(
            "{} the user's; with the sync on {} (every organization synced)",
            user.session, both.session
        ),
        "the user's: where the user stops + a bounded prefetch",
    );
}

/// Requests counted while the key was held, and over the whole session.
struct HeldRequests {
    holding: u64,
    session: u64,
}

/// The API requests of one held-Down session, until they stop coming.
async fn held_down_requests(background_sync: bool) -> HeldRequests {
    let sb = sandbox(
        DataOptions {
            extra_orgs: 55,
            ..DataOptions::default()
        },
        Duration::from_secs(3600),
    )
    .await;
    let orgs = sb.data().orgs.len();
    let last = sb.data().orgs[orgs - 1].accounts[0].name.clone();
    let first = sb.data().orgs[0].accounts[0].name.clone();
    sb.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    let home = Home::new("bench-held");
    let mut env = env_for(&sb, &home, true);
    if !background_sync {
        env.push(("QONTO_TUI_SYNC".into(), "off".into()));
    }
    let before = sb.stats().api_requests;
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    let app = blocking(move || {
        app.wait_text(&first, WAIT);
        app
    })
    .await;
    let at_start = sb.stats().api_requests;
    let app = blocking(move || {
        let mut app = app;
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            app.send(DOWN);
            std::thread::sleep(Duration::from_millis(33));
        }
        app
    })
    .await;
    let holding = sb.stats().api_requests - at_start;
    let app = blocking(move || {
        app.wait_text(&last, WAIT);
        app
    })
    .await;
    // Let whatever is still on its way (prefetches included) land.
    let mut settled = sb.stats().api_requests;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = sb.stats().api_requests;
        if now == settled {
            break;
        }
        settled = now;
    }
    drop(app);
    HeldRequests {
        holding,
        session: settled - before,
    }
}
