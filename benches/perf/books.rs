//! The local books' figures (issue 16): a full backfill against the client-side rate budget,
//! an incremental sync with nothing new, and bytes on disk per stored transaction.

use std::time::{Duration, Instant};

use qonto_books::BooksHandle;
use qonto_books::sync::{Budget, Listeners, Pace, sync_all};
use qonto_sandbox::{DataOptions, Faults, Sandbox, SandboxOptions};

use super::{L, row};

/// Organizations synced side by side, as `qonto-tui sync` does.
const AT_ONCE: usize = Pace::FULL.orgs_at_once;

async fn sandbox(orgs: usize, accounts: usize, per_account: usize) -> Sandbox {
    Sandbox::start(SandboxOptions {
        data: DataOptions {
            anchor: qonto_sandbox::data::fixed_anchor(),
            extra_orgs: orgs.saturating_sub(5),
            accounts_per_org: Some(accounts),
            transactions_per_account: Some(per_account),
            ..DataOptions::default()
        },
        ..SandboxOptions::default()
    })
    .await
    .unwrap()
}

/// The shortest time the client-side rate limit (800 requests per 10 s) allows for `requests`.
fn rate_floor(requests: usize) -> Duration {
    Duration::from_secs(10 * (requests.saturating_sub(1) / 800) as u64)
}

pub async fn books() {
    // Full backfill: 10 organizations × 1 account × 15,000 transactions, L on every request.
    let sb = sandbox(10, 1, 15_000).await;
    let api = qonto_testkit::fixtures::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.db");
    let key = qonto_client::Secret::new(qonto_client::random::random_hex(32).unwrap());
    let books = BooksHandle::open_async(path.clone(), key, false)
        .await
        .unwrap()
        .books;
    let before = sb.stats();
    let started = Instant::now();
    let reports = sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        Listeners::none(),
    )
    .await;
    let took = started.elapsed();
    let requests: usize = reports.iter().map(|r| r.as_ref().unwrap().requests).sum();
    let stored = books
        .read(|b| b.total_transactions())
        .await
        .unwrap()
        .unwrap();
    let limited = sb.stats().rate_limited - before.rate_limited;
    let sequential = L * requests as u32;
    row(
        &format!(
            "full backfill, {} organizations, {stored} transactions, L = {} ms, {AT_ONCE} at once",
            orgs.len(),
            L.as_millis()
        ),
        format!(
            "{:.1} s for {requests} requests, {limited} × 429; rate-budget floor {} s → {:.2}× (one request at a time would take {:.0} s)",
            took.as_secs_f64(),
            rate_floor(requests).as_secs(),
            took.as_secs_f64() / rate_floor(requests).as_secs_f64().max(1.0),
            sequential.as_secs_f64()
        ),
        "≤ 1.25× the floor, 0 × 429",
    );
    books.close().await;
    let bytes = std::fs::metadata(&path).unwrap().len();
    row(
        "bytes on disk per stored transaction (SQLCipher, indexes and FTS5 included)",
        format!(
            "{:.0} B ({bytes} B for {stored})",
            bytes as f64 / stored as f64
        ),
        "report",
    );

    // Incremental, nothing changed: 20 organizations × 2 accounts.
    let sb = sandbox(20, 2, 50).await;
    let api = qonto_testkit::fixtures::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let books = BooksHandle::in_memory().unwrap();
    for r in sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        Listeners::none(),
    )
    .await
    {
        r.unwrap();
    }
    incremental_sync(&sb, &api, &books, "2 accounts").await;
}

/// Syncs every organization again with nothing new and says what it asked against the least
/// there is: per organization its overview (balances), memberships, labels, requests and
/// supplier invoices, and one page per account.
pub async fn incremental_sync(
    sb: &Sandbox,
    api: &qonto_client::api::ApiClient,
    books: &BooksHandle,
    accounts_each: &str,
) {
    let orgs = api.user_organizations().await.unwrap();
    let before = sb.stats().api_requests;
    let started = Instant::now();
    for r in sync_all(
        api,
        books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        Listeners::none(),
    )
    .await
    {
        r.unwrap();
    }
    let took = started.elapsed();
    let asked = sb.stats().api_requests - before;
    let accounts: usize = sb.data().orgs.iter().map(|o| o.accounts.len()).sum();
    let minimum = 5 * orgs.len() + accounts;
    row(
        &format!(
            "incremental sync, {} organizations × {accounts_each}, nothing changed: requests / minimum (per organization its overview for balances, memberships, labels, requests and supplier invoices; one page per account)",
            orgs.len()
        ),
        format!(
            "{asked} / {minimum} = {:.2} in {:.1} s",
            asked as f64 / minimum as f64,
            took.as_secs_f64()
        ),
        "1.0",
    );
}

/// Process start to the last-seen organization's accounts drawn from the local copy, with
/// Qonto L away: how soon the books make the app useful, and what it had asked by then.
pub async fn start_from_books() {
    let sb = super::sandbox(DataOptions::default(), Duration::from_secs(3600)).await;
    let home = super::Home::new("bench-books-start");
    let env = super::env_for(&sb, &home, true);
    let e = env.clone();
    super::blocking(move || super::login(&e)).await;
    let org = &sb.data().orgs[0];
    let account = org.accounts[0].name.clone();
    // A first run fills the local copy: it ends once the background sync has stored every
    // organization ("synced" in the title line), not at the accounts, when none was stored yet.
    let e = env.clone();
    let a = account.clone();
    super::blocking(move || {
        let app = super::PtyApp::spawn(&[], &e, 200, 60);
        app.wait_text(&a, super::WAIT);
        app.wait_text("synced", Duration::from_secs(60));
        drop(app);
    })
    .await;
    start_from_the_copy(&sb, &env, &home, &account).await;
}

/// Starts the app five times with Qonto L away and times process start to `account` drawn
/// from the local copy, with the requests the sandbox had received by then.
pub async fn start_from_the_copy(
    sb: &Sandbox,
    env: &[(String, String)],
    home: &super::Home,
    account: &str,
) {
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let mut samples = Vec::new();
    let mut spawns = Vec::new();
    let mut asked = Vec::new();
    for _ in 0..5 {
        let before = sb.stats().api_requests;
        let e = env.to_vec();
        let a = account.to_string();
        let (took, spawned) = super::blocking(move || {
            // Spawned without a fork of this process: with the sandbox's 5,000,000
            // transactions in its memory, a fork copied its page tables and the child's exec
            // freed them again, 34 ms before the spawn returned and 27 ms after (the app's own
            // log put its first instruction of `main` 27 ms after the spawn returned), time that
            // is the benchmark's, not the app's.
            let before_spawn = Instant::now();
            let app = super::PtyApp::spawn_unforked(&[], &e, 200, 60);
            let spawned = before_spawn.elapsed();
            app.wait_for("the accounts from the local copy", super::WAIT, |s| {
                // "updated N ago" when the copy was synced within the refresh interval.
                s.contains(&a) && (s.contains("from the local copy") || s.contains("updated "))
            });
            (before_spawn.elapsed(), spawned)
        })
        .await;
        asked.push(sb.stats().api_requests - before);
        samples.push(took);
        spawns.push(spawned);
    }
    let stored = {
        let (path, key) = super::books_large::database_and_key(home);
        qonto_books::Books::open_to_read(&path, &key)
            .and_then(|b| b.total_transactions())
            .unwrap_or(0)
    };
    row(
        &format!(
            "process start → last-seen organization's accounts drawn from the local copy ({stored} stored), token valid, L = 100 ms"
        ),
        format!(
            "median {} from the spawn (posix_spawn, its own median {}); API requests the sandbox had received by then: {:?}",
            super::ms(super::median(samples)),
            super::ms(super::median(spawns)),
            asked
        ),
        "< 50 ms, 0 requests before it",
    );
}
