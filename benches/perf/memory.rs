//! Peak memory while scrolling a huge ledger, and requests against their minimum.

use super::*;

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

/// How many transactions the list of organization `org`'s first account holds: declined ones
/// are not listed.
fn listed_of(sb: &Sandbox, org: usize) -> usize {
    sb.ledger_now(&sb.data().orgs[org].accounts[0])
        .transactions
        .iter()
        .filter(|t| t.status != qonto_sandbox::data::TxStatus::Declined)
        .count()
}

pub async fn memory_and_requests() {
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
    let listed = listed_of(&sb, 1);
    let org_name = sb.data().orgs[1].name.clone();
    let first = sb.data().orgs[0].accounts[0].name.clone();
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    let (before, after, peak) = blocking(move || {
        let mut app = app;
        app.wait_text(&first, WAIT);
        app.send(DOWN);
        app.wait_text(&org_name, WAIT);
        app.send(b"2");
        app.send(b"\t"); // into the data pane: G scrolls the transactions
        app.wait_for("first page", WAIT, |s| {
            s.contains(&format!("{account}  1 of"))
        });
        let pid = app.child.process_id().unwrap();
        let before = app_helpers::proc_status(pid, "VmRSS:");
        scroll_to_end(&mut app, &account, listed);
        (
            before,
            app_helpers::proc_status(pid, "VmRSS:"),
            app_helpers::proc_status(pid, "VmHWM:"),
        )
    })
    .await;
    // `before` was read with the first page (100) loaded.
    let per_tx = (after.saturating_sub(before) * 1024) as f64 / listed.saturating_sub(100) as f64;
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
    let mut env = env_for(&sb, &home, true);
    // The user's requests: the background sync's are counted apart by the held-key rows (here
    // it had asked for one organization's overview by the end, the 17th of 16).
    env.push(("QONTO_TUI_SYNC".into(), "off".into()));
    let orgs: Vec<(String, String)> = sb
        .data()
        .orgs
        .iter()
        .map(|o| (o.name.clone(), o.accounts[0].name.clone()))
        .collect();
    let org_count = orgs.len();
    let last_listed = listed_of(&sb, org_count - 1);
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    blocking(move || {
        let mut app = app;
        app.wait_text(&orgs[0].1, WAIT);
        for (_, account) in orgs.iter().skip(1) {
            app.send(DOWN);
            app.wait_text(account, WAIT);
        }
        app.send(b"2");
        app.send(b"\t"); // into the data pane: G scrolls the transactions
        let last = &orgs[org_count - 1].1;
        app.wait_for("first page", WAIT, |s| s.contains(&format!("{last}  1 of")));
        scroll_to_end(&mut app, last, last_listed);
        std::thread::sleep(Duration::from_millis(300));
    })
    .await;
    let made = sb.stats().api_requests;
    let minimum = 1 + org_count as u64 + 10;
    row(
        "the user's requests (visit every org once, scroll one account of 1,000 to its end; background sync off) / minimum",
        format!("{made} / {minimum} = {:.2}", made as f64 / minimum as f64),
        "1.0",
    );
}
