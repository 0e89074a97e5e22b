//! The app over books of 1,000,000 stored transactions (20 organizations × 2 accounts), and of
//! 5,000,000 (200 × 1, section `scale`, run only when named): key
//! Down to a prefetched organization, scrolling an account to its end from the books, and the
//! peak memory of it all.

use qonto_books::{Books, SyncState};

use super::*;

/// How large the books are.
#[derive(Clone, Copy)]
pub struct Scale {
    pub orgs: usize,
    pub accounts: usize,
    pub per_account: usize,
}

/// The `million` section's books.
pub const MILLION: Scale = Scale {
    orgs: 20,
    accounts: 2,
    per_account: 25_000,
};
/// The `scale` section's: 200 organizations × 25,000 transactions.
pub const FIVE_MILLION: Scale = Scale {
    orgs: 200,
    accounts: 1,
    per_account: 25_000,
};

/// The app's database and its key, once a first run has made them.
pub(super) fn database_and_key(home: &Home) -> (std::path::PathBuf, qonto_client::Secret) {
    let (path, key_file) = database_and_key_file(home);
    let key = std::fs::read_to_string(key_file).unwrap();
    (path, qonto_client::Secret::new(key.trim_end()))
}

/// The app's database and the file of its key, once a first run has made them.
fn database_and_key_file(home: &Home) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = home.dir.join("data").join("qonto-tui");
    let find = |prefix: &str, suffix: &str| {
        std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                name.starts_with(prefix) && name.ends_with(suffix)
            })
            .unwrap_or_else(|| panic!("no {prefix}*{suffix} in {}", dir.display()))
    };
    (find("books-", ".db"), find("books-key-", ".secret"))
}

/// Puts books kept by an earlier run (`QONTO_BENCH_KEEP_BOOKS`: `books.db` and `key` in `kept`)
/// in place of the app's, its key in the app's key file: the same sandbox data (its seed is
/// fixed) without the twelve minutes of writing it. For working on the rows after the fill.
fn reuse_kept(kept: &std::path::Path, home: &Home) -> i64 {
    let (path, key_file) = database_and_key_file(home);
    for journal in ["-wal", "-shm"] {
        let mut name = path.clone().into_os_string();
        name.push(journal);
        let _ = std::fs::remove_file(name);
    }
    std::fs::copy(kept.join("books.db"), &path).unwrap();
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .unwrap();
    let key = std::fs::read_to_string(kept.join("key")).unwrap();
    std::fs::write(&key_file, key.trim_end()).unwrap();
    let (path, key) = database_and_key(home);
    qonto_books::Books::open_to_read(&path, &key)
        .and_then(|b| b.total_transactions())
        .unwrap()
}

/// Writes every transaction of the sandbox into the books, each account marked as fully
/// synced: what a finished `qonto-tui sync` leaves.
async fn fill(sb: &Sandbox, path: &std::path::Path, key: &qonto_client::Secret) -> i64 {
    let api = qonto_testkit::fixtures::signed_in_api(sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let mut books = Books::open(path, key).unwrap().books;
    let now = chrono::Utc::now().timestamp();
    for org in &orgs {
        let overview = api.organization(&org.id).await.unwrap();
        books.put_organization(org, now).unwrap();
        books
            .put_accounts(&org.id, &overview.bank_accounts)
            .unwrap();
    }
    for org in &sb.data().orgs {
        for account in &org.accounts {
            let ledger = sb.ledger_now(account);
            // In the order the app's backfill stores them: it asks `updated_at:desc`. (Stored
            // oldest first, each row went before the account's others in its indexes, which
            // left their pages half empty: 872 bytes a transaction against 700, over 200,000.)
            let mut newest_first: Vec<_> = ledger.transactions.iter().collect();
            newest_first.sort_by_key(|t| std::cmp::Reverse(t.updated_at));
            for chunk in newest_first.chunks(5_000) {
                let page: Vec<qonto_client::api::models::Transaction> = chunk
                    .iter()
                    .map(|t| {
                        serde_json::from_value(serde_json::json!({
                            "id": t.id, "amount_cents": t.amount_cents, "currency": "EUR",
                            "side": t.side.as_str(), "status": t.status.as_str(),
                            "operation_type": "transfer",
                            "clean_counterparty_name": sb.data().counterparties[t.counterparty].name,
                            "reference": t.reference, "note": t.note,
                            "emitted_at": stamp(t.emitted_at),
                            "settled_at": t.settled_at.map(stamp),
                            "updated_at": stamp(t.updated_at),
                        }))
                        .unwrap()
                    })
                    .collect();
                books.put_transactions(&org.id, &account.id, &page).unwrap();
            }
            let newest = ledger.transactions.iter().map(|t| t.updated_at).max();
            books
                .set_sync_state(&SyncState {
                    account_id: account.id.clone(),
                    org_id: org.id.clone(),
                    backfill_next_page: None,
                    newest_updated_at: newest
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                    synced_at: Some(now),
                })
                .unwrap();
        }
    }
    books.total_transactions().unwrap()
}

/// What is typed into the search, a key at a time.
const QUERY: &str = "urssaf >1000 2026-10";

/// The search shows `typed` and has answered it: its summary line (a count, or why the query
/// cannot be read yet, as `>` alone) has no spinner.
fn answered(screen: &str, typed: &str) -> bool {
    const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let mut lines = screen.lines();
    let Some(query) = lines.find(|l| l.contains("› ")) else {
        return false;
    };
    let shown = query
        .split("› ")
        .nth(1)
        .unwrap_or("")
        .trim_end_matches(['┃', ' ']);
    let summary = lines.next().unwrap_or("");
    shown == typed.trim_end()
        && !summary.trim_matches(['┃', ' ']).is_empty()
        && !summary.contains(SPINNER)
}

/// A time as Qonto writes it.
fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// What the transactions tab shows as "N of TOTAL" for `account`.
fn position(screen: &str, account: &str) -> Option<usize> {
    let label = format!("{account}  ");
    let line = screen.lines().find(|l| l.contains(&label))?;
    let after = &line[line.find(&label)? + label.len()..];
    after.split(" of").next()?.trim().parse().ok()
}

pub async fn large_books(scale: Scale) {
    let Scale {
        orgs: org_count,
        accounts: accounts_per_org,
        per_account,
    } = scale;
    let sb = sandbox(
        DataOptions {
            extra_orgs: org_count - 5,
            accounts_per_org: Some(accounts_per_org),
            transactions_per_account: Some(per_account),
            ..DataOptions::default()
        },
        Duration::from_secs(3600),
    )
    .await;
    let home = Home::new("bench-books-large");
    let env = env_for(&sb, &home, true);
    let e = env.clone();
    blocking(move || login(&e)).await;
    // A first run makes the database and its key (the sync is off: it would backfill it all).
    let mut quiet = env.clone();
    quiet.push(("QONTO_TUI_SYNC".into(), "off".into()));
    let first = sb.data().orgs[0].accounts[0].name.clone();
    let shown = first.clone();
    blocking(move || {
        let app = PtyApp::spawn(&[], &quiet, 200, 60);
        app.wait_text(&first, WAIT);
        std::thread::sleep(Duration::from_millis(300));
        drop(app);
    })
    .await;
    let (path, key) = database_and_key(&home);
    let filling = Instant::now();
    let (stored, key) = match std::env::var_os("QONTO_BENCH_BOOKS_FROM") {
        Some(kept) => (
            reuse_kept(std::path::Path::new(&kept), &home),
            database_and_key(&home).1,
        ),
        None => (fill(&sb, &path, &key).await, key),
    };
    let filled_in = filling.elapsed();
    // The gigabytes just written are flushed before anything is timed, so that no read is timed
    // against the kernel writing them back (a start from the copy took 58 ms in the benchmark
    // right after the fill, 19 ms for the same copy started later by hand).
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .unwrap();
    // What a sync pass's end does: nothing when every IBAN was known before the rows.
    let rebuilt = {
        let mut books = qonto_books::Books::open(&path, &key).unwrap().books;
        let t = Instant::now();
        books.bring_cash_up_to_date().unwrap().then(|| t.elapsed())
    };
    let on_disk = std::fs::metadata(&path).unwrap().len();
    // The cash view and the month-end board over these books, as the TUI works them out.
    let (cash, board) = {
        let books = qonto_books::Books::open_to_read(&path, &key).unwrap();
        let now = chrono::Utc::now();
        let month = chrono::Datelike::with_day(&now.date_naive(), 1).unwrap();
        let t = Instant::now();
        books.group_cash(now).unwrap();
        let cash = t.elapsed();
        let t = Instant::now();
        books.month_end(month).unwrap();
        (cash, t.elapsed())
    };

    // For profiling: the filled books and their key kept in a folder of one's choosing.
    if let Some(keep) = std::env::var_os("QONTO_BENCH_KEEP_BOOKS") {
        let keep = std::path::PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&path, keep.join("books.db")).unwrap();
        // Written back now, not while the rows below are timed.
        std::fs::File::open(keep.join("books.db"))
            .and_then(|f| f.sync_all())
            .unwrap();
        // Synthetic books' random key, 0600 like the app's own key file.
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(keep.join("key"))
            .and_then(|mut f| f.write_all(key.expose().as_bytes()))
            .unwrap();
    }
    // Nothing new at Qonto: what a sync of every organization asks, and the app's start from
    // these books.
    {
        let api = qonto_testkit::fixtures::signed_in_api(&sb).await;
        let books = qonto_books::BooksHandle::open_async(path.clone(), key.clone(), false)
            .await
            .unwrap()
            .books;
        super::books::incremental_sync(
            &sb,
            &api,
            &books,
            &format!("{accounts_per_org} account(s)"),
        )
        .await;
        books.close().await;
    }
    super::books::start_from_the_copy(&sb, &env, &home, &shown).await;
    sb.set_faults(Faults::default());

    // Each organization's first account, named with the end of its IBAN as the data pane
    // shows it (account names repeat across organizations).
    let targets: Vec<(String, String)> = sb
        .data()
        .orgs
        .iter()
        .map(|o| {
            let iban = &o.accounts[0].iban;
            (o.name.clone(), iban[iban.len() - 4..].to_string())
        })
        .collect();
    let account = sb.data().orgs[org_count - 1].accounts[0].name.clone();
    let listed = sb
        .ledger_now(&sb.data().orgs[org_count - 1].accounts[0])
        .transactions
        .iter()
        .filter(|t| t.status != qonto_sandbox::data::TxStatus::Declined)
        .count();
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let export_env = env.clone();
    // An assistant's searches through `qonto-tui mcp`, before the app runs beside them.
    let mcp_env = env.clone();
    blocking(move || super::mcp::search_calls(&mcp_env, stored)).await;
    let app = blocking(move || PtyApp::spawn(&[], &env, 200, 60)).await;
    let (samples, scrolled, before, peak, after, typing) = blocking(move || {
        let mut app = app;
        let pid = app.child.process_id().unwrap();
        app.wait_for("the first organization from the books", WAIT, |s| {
            s.contains(&targets[0].1)
        });
        // Every overview is in the books: give the start a moment to settle, then move.
        std::thread::sleep(Duration::from_millis(500));
        let before = app_helpers::proc_status(pid, "VmRSS:");
        let mut samples = Vec::new();
        for (name, last4) in targets.iter().skip(1) {
            std::thread::sleep(Duration::from_millis(50));
            let t = Instant::now();
            app.send(DOWN);
            app.wait_for("the next organization", WAIT, |s| {
                s.contains(last4)
                    && s.lines()
                        .any(|l| l.contains(&format!("▸ {}", &name[..name.len().min(12)])))
            });
            samples.push(t.elapsed());
        }
        // Its transactions, scrolled to the very end: pages come from the books.
        app.send(b"2");
        app.send(b"\t");
        app.wait_for("the first page", WAIT, |s| position(s, &account) == Some(1));
        let t = Instant::now();
        app.send(b"G");
        app.wait_for("the last transaction", Duration::from_secs(120), |s| {
            position(s, &account) == Some(listed)
        });
        let scrolled = t.elapsed();
        // And back up through every organization, on the transactions tab.
        app.send(b"\t");
        for _ in 1..org_count {
            app.send(b"k");
            std::thread::sleep(Duration::from_millis(30));
        }
        std::thread::sleep(Duration::from_millis(500));
        let peak = app_helpers::proc_status(pid, "VmHWM:");
        let after = app_helpers::proc_status(pid, "VmRSS:");
        // The search, typed a key at a time at a person's pace: each key to its results drawn.
        app.send(b"s");
        app.wait_for("the search", WAIT, |s| {
            s.contains("Search every organization")
        });
        let mut typing = Vec::new();
        for _ in 0..3 {
            let mut typed = String::new();
            for c in QUERY.chars() {
                std::thread::sleep(Duration::from_millis(60));
                typed.push(c);
                let t = Instant::now();
                app.send(c.to_string().as_bytes());
                // A space changes nothing on screen: it is typed, not timed.
                if c != ' ' {
                    app.wait_for("the results", WAIT, |s| answered(s, &typed));
                    typing.push((t.elapsed(), typed.clone()));
                }
            }
            for _ in 0..QUERY.chars().count() {
                app.send(b"\x7f");
            }
            app.wait_for("an empty query", WAIT, |s| answered(s, ""));
        }
        (samples, scrolled, before, peak, after, typing)
    })
    .await;
    row(
        &format!(
            "key Down → prefetched organization drawn from the books, {stored} stored ({org_count} organizations)"
        ),
        format!(
            "median {} / max {} over {} moves",
            ms(median(samples.clone())),
            ms(*samples.iter().max().unwrap()),
            samples.len()
        ),
        "< 16 ms",
    );
    let mut slowest = typing.clone();
    slowest.sort();
    let slow: Vec<String> = slowest
        .iter()
        .rev()
        .take(3)
        .map(|(d, typed)| format!("{typed:?} {}", ms(*d)))
        .collect();
    let typing: Vec<Duration> = typing.into_iter().map(|(d, _)| d).collect();
    let mut sorted = typing.clone();
    sorted.sort();
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    row(
        &format!(
            "keystroke → search results drawn, {stored} stored across {org_count} organizations (typing {QUERY:?}, 3 times)"
        ),
        format!(
            "p50 {} / p99 {} / max {} over {} keys; slowest: {}",
            ms(median(typing)),
            ms(p99),
            ms(*sorted.last().unwrap()),
            sorted.len(),
            slow.join(", ")
        ),
        "p99 < 16 ms",
    );
    row(
        &format!("G → last of {listed} transactions drawn, pages read from the books, L = 100 ms"),
        ms(scrolled),
        "report",
    );
    row(
        &format!(
            "RSS while switching through {org_count} organizations and scrolling one account to its end, {stored} stored"
        ),
        format!(
            "{:.1} MB peak ({:.1} MB at start, {:.1} MB after)",
            peak as f64 / 1024.0,
            before as f64 / 1024.0,
            after as f64 / 1024.0
        ),
        "< 80 MB",
    );
    // Exports of three organizations' books: 3 × 2 accounts × 25,000 = 150,000 transactions.
    // Organizations whose role shows balances (OFX and camt.053 state them), every status.
    let orgs: Vec<String> = sb
        .data()
        .orgs
        .iter()
        .filter(|o| qonto_sandbox::data::role_sees_balances(&o.membership_role))
        .take(3)
        .map(|o| o.id.clone())
        .collect();
    for format in ["csv", "json", "ofx", "camt053"] {
        let env = export_env.clone();
        let out = home.dir.join(format!("export.{format}"));
        let orgs = orgs.clone();
        let (took, peak, rows) = blocking(move || export_run(&env, &orgs, format, &out)).await;
        row(
            &format!(
                "export of {rows} transactions (3 organizations) as {format}, from {stored} stored"
            ),
            format!(
                "{:.2} s, {:.1} MB peak RSS",
                took.as_secs_f64(),
                peak as f64 / 1024.0
            ),
            "report",
        );
    }
    row(
        &format!("the cash view and the month-end board worked out from {stored} stored"),
        format!(
            "{} and {} ({})",
            ms(cash),
            ms(board),
            rebuilt.map_or("the sums kept as the rows were written".to_string(), |t| {
                format!("the sums worked out again at the fill's end in {}", ms(t))
            })
        ),
        "< 50 ms",
    );
    row(
        &format!("books of {stored} transactions: written in, size on disk"),
        format!(
            "{:.1} s{}, {:.0} MB ({:.0} B per transaction)",
            filled_in.as_secs_f64(),
            if std::env::var_os("QONTO_BENCH_BOOKS_FROM").is_some() {
                " (copied from kept books, not written)"
            } else {
                ""
            },
            on_disk as f64 / 1e6,
            on_disk as f64 / stored as f64
        ),
        "report",
    );
}

/// Runs `qonto-tui export` of `orgs` as `format` into `out`: its time, its peak RSS (KiB, read
/// from /proc while it runs) and the transactions it says it wrote.
fn export_run(
    env: &[(String, String)],
    orgs: &[String],
    format: &str,
    out: &std::path::Path,
) -> (Duration, u64, u64) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_qonto-tui"));
    c.args([
        "export",
        "--format",
        format,
        "--json",
        "--status",
        "completed,pending,declined",
    ])
    .arg("--output")
    .arg(out)
    .stdout(std::process::Stdio::piped());
    for org in orgs {
        c.args(["--org", org]);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let started = Instant::now();
    let mut child = c.spawn().unwrap();
    let pid = child.id();
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(app_helpers::proc_status(pid, "VmHWM:"));
        std::thread::sleep(Duration::from_millis(2));
    }
    let took = started.elapsed();
    let mut stdout = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    (took, peak, summary["transactions"].as_u64().unwrap_or(0))
}
