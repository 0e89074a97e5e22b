//! Syncing the local books from the sandbox over loopback: a backfill stopped part way resumes
//! without duplicates or gaps, and incremental syncs land new and settled transactions once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::books::{sandbox_books, stored_books};

use qonto_books::BooksHandle;
use qonto_books::sync::{Budget, Change, Listeners, News, OrgReport, Pace, sync_all};
use qonto_client::api::ApiClient;
use qonto_client::api::models::UserOrganization;
use qonto_sandbox::{DataOptions, Sandbox, SandboxOptions};

async fn sandbox() -> Sandbox {
    sandbox_of(2, 250).await
}

/// The test sandbox with `accounts` accounts per organization of `transactions` each.
async fn sandbox_of(accounts: usize, transactions: usize) -> Sandbox {
    let options = common::options();
    Sandbox::start(SandboxOptions {
        data: DataOptions {
            transactions_per_account: Some(transactions),
            accounts_per_org: Some(accounts),
            ..options.data.clone()
        },
        ..options
    })
    .await
    .unwrap()
}

/// Every organization, two at a time, as `qonto-tui sync` does.
async fn sync_every(
    api: &ApiClient,
    books: &BooksHandle,
    orgs: &[UserOrganization],
    budget: &Budget,
) -> Vec<OrgReport> {
    sync_all(
        api,
        books,
        orgs,
        budget,
        Pace {
            orgs_at_once: 2,
            pages_at_once: 8,
            requests_at_once: 16,
        },
        Listeners::none(),
    )
    .await
    .into_iter()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_backfill_resumes_and_incremental_syncs_land_each_change_once() {
    let sb = sandbox().await;
    let api = common::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = qonto_client::Secret::new(qonto_client::random::random_hex(32).unwrap());
    let books = BooksHandle::open_async(dir.path().join("books.db"), key, true)
        .await
        .unwrap()
        .books;

    // Stopped after four pages, part way through the first account, as a killed sync would be.
    let reports = sync_every(&api, &books, &orgs, &Budget::pages(4)).await;
    assert!(reports.iter().any(|r| r.interrupted));
    let partial = books
        .read(|b| b.total_transactions())
        .await
        .unwrap()
        .unwrap();
    assert!(
        partial > 0 && partial < 2 * 250 * orgs.len() as i64,
        "{partial}"
    );

    // The books move while it is stopped.
    for _ in 0..5 {
        sb.step_books();
    }
    // Resumed: the stored books are exactly the sandbox's, no duplicate, no gap.
    let reports = sync_every(&api, &books, &orgs, &Budget::unlimited()).await;
    assert!(reports.iter().all(|r| !r.interrupted));
    assert_eq!(stored_books(&books, &sb).await, sandbox_books(&sb));

    // Nothing changed: the overview, memberships, labels, requests and supplier invoices, and
    // one page per account; nothing written.
    let reports = sync_every(&api, &books, &orgs, &Budget::unlimited()).await;
    for r in &reports {
        assert_eq!((r.added, r.changed), (0, 0), "{r:?}");
        assert_eq!(r.requests, 5 + r.accounts, "{r:?}");
    }
    // What waits for a decision is kept as the sandbox lists it.
    for org in &sb.data().orgs {
        let id = org.id.clone();
        let (requests, invoices) = books
            .read(move |b| {
                Ok::<_, qonto_books::BooksError>((b.requests(&id)?, b.supplier_invoices(&id)?))
            })
            .await
            .unwrap()
            .unwrap();
        let ids = |v: Vec<String>| v.into_iter().collect::<std::collections::BTreeSet<_>>();
        assert_eq!(
            ids(requests.items.into_iter().map(|r| r.id).collect()),
            ids(sb.requests_of(org).into_iter().map(|r| r.id).collect())
        );
        assert_eq!(
            ids(invoices.items.into_iter().map(|i| i.id).collect()),
            ids(sb.invoices_of(org).into_iter().map(|i| i.id).collect())
        );
        assert!(requests.synced_at.is_some());
    }

    // New pending transactions and settled ones land once each.
    sb.advance_clock(std::time::Duration::from_secs(5));
    let mut moved = 0;
    for _ in 0..7 {
        if sb.step_books().is_some() {
            moved += 1;
        }
    }
    let reports = sync_every(&api, &books, &orgs, &Budget::unlimited()).await;
    let added: usize = reports.iter().map(|r| r.added).sum();
    let changed: usize = reports.iter().map(|r| r.changed).sum();
    assert_eq!(added, moved, "one new transaction per step");
    assert!(
        changed >= 1 && changed <= moved,
        "settled pending ones: {changed}"
    );
    assert_eq!(stored_books(&books, &sb).await, sandbox_books(&sb));
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_on_the_command_line_keeps_an_encrypted_private_copy_and_rebuilds_a_damaged_one() {
    use common::app::{Home, app, output_within, text};
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("books");
    let run = |args: &[&str]| {
        let mut c = app(&sb, &home);
        c.args(args).env("BROWSER", home.browser_script(&[]));
        c
    };
    let within = |c: std::process::Command| {
        tokio::task::spawn_blocking(move || output_within(c, std::time::Duration::from_secs(120)))
    };
    let out = within(run(&["login"])).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let total: usize = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| o.accounts.iter())
        .map(|a| sb.ledger_now(a).transactions.len())
        .sum();

    // Turned off, nothing is kept and sync says why.
    let out = within(run(&["sync", "--no-cache"])).await.unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("turned off"),
        "{}",
        text(&out)
    );
    assert!(
        home.all_files().iter().all(|(p, _)| !p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("books")),
        "no local copy, no key"
    );

    let out = within(run(&["sync", "--json"])).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stored"], total, "{report}");
    let database = std::path::PathBuf::from(report["database"].as_str().unwrap());
    let bytes = std::fs::read(&database).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&database).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let counterparty = &sb.data().counterparties[0].name;
    assert!(!String::from_utf8_lossy(&bytes).contains(counterparty.as_str()));

    // Damaged: set aside (kept), said so, rebuilt from Qonto.
    std::fs::write(&database, vec![0x42; 4096]).unwrap();
    let out = within(run(&["sync", "--json"])).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("could not be read; it was moved to"),
        "{}",
        text(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stored"], total);
    let dir = database.parent().unwrap();
    assert!(
        std::fs::read_dir(dir).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".unreadable-")),
        "the damaged copy is kept"
    );

    // Signing out of the last source deletes the copy.
    let out = within(run(&["logout"])).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!database.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tui_starts_from_the_local_copy_and_stays_browsable_offline() {
    use common::app::{Home, app_env};
    use common::pty::PtyApp;
    const WAIT: std::time::Duration = std::time::Duration::from_secs(20);
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("books-offline");
    let env = app_env(&sb, &home);
    let first = &sb.data().orgs[0];
    let account = first.accounts[0].name.clone();
    let ledger = sb.ledger_now(&first.accounts[0]);
    let newest = sb.data().counterparties[ledger.transactions.last().unwrap().counterparty]
        .name
        .clone();
    let member = first.members[0].last_name.clone();

    // Online: the answers are written to the local copy as they arrive.
    let online = env.clone();
    let mut tui = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &online, 120, 30))
        .await
        .unwrap();
    tui.wait_text("Organizations (5)", WAIT);
    tui.wait_text(&account, WAIT);
    tui.send(b"2");
    tui.wait_text(&newest, WAIT);
    tui.send(b"3");
    tui.wait_text(&member, WAIT);
    tui.send(b"q");
    tokio::task::spawn_blocking(move || tui.wait_exit(std::time::Duration::from_secs(5)))
        .await
        .unwrap();

    // Offline: the same organizations, accounts and transactions, marked as such.
    sb.stop().await;
    let mut tui = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &env, 120, 30))
        .await
        .unwrap();
    tui.wait_text("Organizations (5)", WAIT);
    tui.wait_text(&account, WAIT);
    tui.wait_text("offline: showing data from", WAIT);
    tui.send(b"2");
    tui.wait_text(&newest, WAIT);
    tui.send(b"3");
    tui.wait_text(&member, WAIT);
    tui.send(b"q");
    tokio::task::spawn_blocking(move || tui.wait_exit(std::time::Duration::from_secs(5)))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_mid_backfill_resumes_without_duplicates_or_gaps() {
    use common::app::{Home, app, output_within, text};
    let port = common::app::free_port();
    let sb = Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        data: DataOptions {
            transactions_per_account: Some(2_000),
            accounts_per_org: Some(1),
            ..common::options().data
        },
        ..common::options()
    })
    .await
    .unwrap();
    let home = Home::new("books-kill");
    let mut login = app(&sb, &home);
    login.arg("login").env("BROWSER", home.browser_script(&[]));
    let out = tokio::task::spawn_blocking(move || {
        output_within(login, std::time::Duration::from_secs(60))
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let total: usize = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| o.accounts.iter())
        .map(|a| sb.ledger_now(a).transactions.len())
        .sum();

    // Slow answers, and a kill -9 once a first batch of pages is written: the books' file and
    // its write-ahead log past a megabyte (a fixed count of requests raced the writer: on a
    // busy machine the kill came before any commit, 1 run in 3).
    sb.set_faults(qonto_sandbox::Faults {
        latency: std::time::Duration::from_millis(150),
        ..qonto_sandbox::Faults::default()
    });
    let written = || -> u64 {
        common::app::files_under(&home.dir.join("data"))
            .iter()
            .filter(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                name.starts_with("books-") && (name.ends_with(".db") || name.ends_with(".db-wal"))
            })
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    };
    let mut sync = app(&sb, &home);
    sync.args(["sync", "--json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = sync.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while written() < 1 << 20 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // And once a commit is surely in, as a reader of the copy sees it: past a megabyte the
    // kill could still land inside the first commit (1 CI run in 4), leaving nothing kept.
    let stored_some = || {
        let mut search = app(&sb, &home);
        search.args(["search", "--json", "--limit", "1", "side:debit"]);
        let out = output_within(search, std::time::Duration::from_secs(30));
        out.status.success()
            && serde_json::from_slice::<serde_json::Value>(&out.stdout)
                .ok()
                .and_then(|v| v.as_array().map(|r| !r.is_empty()))
                .unwrap_or(false)
    };
    while !stored_some() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed before the end");

    // Run again: it resumes, and holds every transaction exactly once.
    sb.set_faults(qonto_sandbox::Faults::default());
    let mut again = app(&sb, &home);
    again.args(["sync", "--json"]);
    let out = tokio::task::spawn_blocking(move || {
        output_within(again, std::time::Duration::from_secs(60))
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stored"], total, "{report}");
    let added: u64 = report["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["added"].as_u64().unwrap())
        .sum();
    assert!(
        (added as usize) < total,
        "what the killed run stored was kept: {added} of {total} added now"
    );
    assert!(added > 0, "the killed run stopped part way");
}

/// Every transaction the sandbox holds now, id → `updated_at`.
fn versions(sb: &Sandbox) -> BTreeMap<String, chrono::DateTime<chrono::Utc>> {
    common::sandbox_transactions(sb)
        .into_iter()
        .map(|(_, t)| (t.id, t.updated_at))
        .collect()
}

/// The news a sync told, sorted: (new or changed, id).
type Told = std::sync::Mutex<Vec<(Change, String)>>;

fn hear(told: &Told) -> impl Fn(News) + Sync + '_ {
    move |n: News| {
        let id = n.transaction.id.clone().unwrap_or_default();
        told.lock().unwrap().push((n.change, id));
    }
}

fn sorted(told: &Told) -> Vec<(Change, String)> {
    let mut all = std::mem::take(&mut *told.lock().unwrap());
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_sync_adds_or_changes_is_told_once_as_news_and_history_is_not() {
    let sb = sandbox().await;
    let api = common::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let books = BooksHandle::in_memory().unwrap();
    let told = Told::default();
    let news = hear(&told);
    let listeners = Listeners {
        progress: &|_| {},
        news: &news,
        news_since: None,
    };
    let unlimited = Budget::unlimited();
    let sync = || sync_all(&api, &books, &orgs, &unlimited, Pace::FULL, listeners);

    // The first sync fills in history: nothing in it is news.
    let reports: Vec<OrgReport> = sync().await.into_iter().map(Result::unwrap).collect();
    assert!(reports.iter().map(|r| r.added).sum::<usize>() > 1000);
    assert_eq!(sorted(&told), []);
    assert_eq!(reports.iter().map(|r| r.arrived).sum::<usize>(), 0);

    // The books move: what the sandbox added is told as new, what it changed as changed,
    // each once, and nothing else.
    let before = versions(&sb);
    sb.advance_clock(std::time::Duration::from_secs(5));
    for _ in 0..7 {
        sb.step_books();
    }
    let after = versions(&sb);
    let mut expected: Vec<(Change, String)> = after
        .iter()
        .filter_map(|(id, at)| match before.get(id) {
            None => Some((Change::New, id.clone())),
            Some(was) if was != at => Some((Change::Changed, id.clone())),
            Some(_) => None,
        })
        .collect();
    expected.sort_by(|a, b| a.1.cmp(&b.1));
    assert!(expected.iter().any(|(c, _)| *c == Change::New));
    assert!(expected.iter().any(|(c, _)| *c == Change::Changed));
    let reports: Vec<OrgReport> = sync().await.into_iter().map(Result::unwrap).collect();
    assert_eq!(sorted(&told), expected);
    let new = expected.iter().filter(|(c, _)| *c == Change::New).count();
    assert_eq!(reports.iter().map(|r| r.arrived).sum::<usize>(), new);

    // Nothing moved since: no news.
    sync().await.into_iter().for_each(|r| drop(r.unwrap()));
    assert_eq!(sorted(&told), []);
    books.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_news_since_what_changed_from_then_is_news_even_while_history_is_filled_in() {
    let sb = sandbox().await;
    let api = common::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let all = versions(&sb);
    // A moment in the middle of the sandbox's history, as a watch's start would be for an
    // account opened while watched: what changed from then on is news, the rest history.
    let mut times: Vec<_> = all.values().copied().collect();
    times.sort();
    let since = times[times.len() / 2];
    let mut expected: Vec<(Change, String)> = all
        .iter()
        .filter(|(_, at)| **at >= since)
        .map(|(id, _)| (Change::New, id.clone()))
        .collect();
    expected.sort_by(|a, b| a.1.cmp(&b.1));

    let books = BooksHandle::in_memory().unwrap();
    let told = Told::default();
    let news = hear(&told);
    let listeners = Listeners {
        progress: &|_| {},
        news: &news,
        news_since: Some(since),
    };
    for r in sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        listeners,
    )
    .await
    {
        r.unwrap();
    }
    assert!(!expected.is_empty() && expected.len() < all.len());
    assert_eq!(sorted(&told), expected);
    books.close().await;
}

/// The backfill pages of every organization share one limit of requests in flight: however
/// many organizations and pages run side by side, no more than `requests_at_once` page
/// requests are out at once (and the limit is used, not one at a time).
#[tokio::test(flavor = "multi_thread")]
async fn organizations_syncing_side_by_side_share_one_limit_of_requests_in_flight() {
    // Accounts of 20 pages: enough for eight of each to be in flight.
    let sb = sandbox_of(1, 2_000).await;
    let api = common::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let books = BooksHandle::in_memory().unwrap();
    sb.set_faults(qonto_sandbox::Faults {
        latency: std::time::Duration::from_millis(40),
        ..qonto_sandbox::Faults::default()
    });
    let before = sb.stats().most_in_flight;
    // Five organizations at once, each with eight pages in flight, would be 40.
    let pace = Pace {
        orgs_at_once: 5,
        pages_at_once: 8,
        requests_at_once: 6,
    };
    for report in sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        pace,
        Listeners::none(),
    )
    .await
    {
        report.unwrap();
    }
    let most = sb.stats().most_in_flight;
    assert!(before <= 2, "{before} before the sync");
    // Each organization's own requests (overview, members, labels, requests, invoices: up to 2
    // at once each) are outside the pages' limit: 5 × 2 + 6 at most.
    assert!(most <= 16, "{most} requests in flight at once");
    assert!(most >= 6, "{most}: the limit is not used");
    assert_eq!(stored_books(&books, &sb).await, sandbox_books(&sb));
}

/// Changes that take more than a page, hours apart, after a backfill: every page of the
/// incremental pass asks from the same time, so none is skipped (asked from the newest change
/// of the page before, the second page was the second page of another listing).
#[tokio::test(flavor = "multi_thread")]
async fn changes_over_several_pages_land_every_one() {
    let sb = sandbox_of(1, 120).await;
    let api = common::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let books = BooksHandle::in_memory().unwrap();
    sync_every(&api, &books, &orgs, &Budget::unlimited()).await;
    assert_eq!(stored_books(&books, &sb).await, sandbox_books(&sb));

    // About 150 changes an account (a pending one settled, a new one), seconds apart: more
    // than the two minutes an incremental pass asks back.
    for _ in 0..150 * orgs.len() {
        sb.advance_clock(std::time::Duration::from_secs(3));
        sb.step_books();
    }
    let reports = sync_every(&api, &books, &orgs, &Budget::unlimited()).await;
    let most = reports.iter().map(|r| r.added).max().unwrap_or(0);
    assert!(
        most > 100,
        "an account had more than a page of changes: {most}"
    );
    assert_eq!(stored_books(&books, &sb).await, sandbox_books(&sb));
}
