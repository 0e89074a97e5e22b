//! The shared harness of the integration tests (`crates/qonto-testkit`): the sandbox fixtures,
//! the private home and environment of the real binary (`app`), and the pty it runs in (`pty`).
#![allow(unused_imports)]

pub use qonto_testkit::fixtures::*;
pub use qonto_testkit::{app, pty};

pub mod books;
pub mod conformance;
pub mod firm;
pub mod readers;
pub mod tui;

/// Local books synced from the sandbox, opened again on the test's thread for its checks (the
/// database is in a folder that goes with them).
pub struct SyncedBooks {
    books: qonto_books::Books,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for SyncedBooks {
    type Target = qonto_books::Books;

    fn deref(&self) -> &qonto_books::Books {
        &self.books
    }
}

impl std::ops::DerefMut for SyncedBooks {
    fn deref_mut(&mut self) -> &mut qonto_books::Books {
        &mut self.books
    }
}

/// The sandbox's books synced into encrypted local books through their owner thread, as
/// `qonto-tui sync` does, and the client that read them.
#[allow(dead_code)]
pub async fn synced_books(
    sb: &qonto_sandbox::Sandbox,
) -> (qonto_client::api::ApiClient, SyncedBooks) {
    use qonto_books::sync::{Budget, Listeners, Pace, sync_all};
    let api = signed_in_api(sb).await;
    let orgs = api.user_organizations().await.expect("the organizations");
    let dir = tempfile::tempdir().expect("a folder for the books");
    let path = dir.path().join("books.db");
    let key = qonto_client::Secret::new("ab".repeat(32));
    let books = qonto_books::BooksHandle::open_async(path.clone(), key.clone(), false)
        .await
        .expect("books")
        .books;
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
        r.expect("each organization syncs");
    }
    books.close().await;
    let books = qonto_books::Books::open(&path, &key)
        .expect("the books again")
        .books;
    (api, SyncedBooks { books, _dir: dir })
}

/// Every transaction the sandbox holds now (moved on by its living books, if they ran), with
/// its organization's id: the truth the tests compare the app against.
#[allow(dead_code)]
pub fn sandbox_transactions(sb: &qonto_sandbox::Sandbox) -> Vec<(String, qonto_sandbox::data::Tx)> {
    let mut all = Vec::new();
    for org in &sb.data().orgs {
        for account in &org.accounts {
            for tx in &sb.ledger_now(account).transactions {
                all.push((org.id.clone(), tx.clone()));
            }
        }
    }
    all
}

/// The month before the sandbox's newest transaction (`YYYY-MM`): a whole month of books.
#[allow(dead_code)]
pub fn last_whole_month(sb: &qonto_sandbox::Sandbox) -> String {
    use chrono::Datelike;
    let newest = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| o.accounts.iter())
        .filter_map(|a| {
            sb.ledger_now(a)
                .transactions
                .iter()
                .map(|t| t.emitted_at)
                .max()
        })
        .max()
        .expect("the sandbox has transactions")
        .date_naive();
    let first = chrono::NaiveDate::from_ymd_opt(newest.year(), newest.month(), 1)
        .expect("a month's first day");
    first
        .pred_opt()
        .expect("a day before it")
        .format("%Y-%m")
        .to_string()
}

/// Runs `qonto-tui ARGS` in `home` with `env` for each of `runs`, asserting each succeeds
/// (`[["login"], ["sync"]]`: signed in, with a local copy of the books).
#[allow(dead_code)]
pub async fn run_ok(
    sb: &qonto_sandbox::Sandbox,
    home: &app::Home,
    env: &[(String, String)],
    runs: &[&[&str]],
) {
    for args in runs {
        let mut c = app::app(sb, home);
        c.envs(env.iter().cloned()).args(*args);
        let out = tokio::task::spawn_blocking(move || {
            app::output_within(c, std::time::Duration::from_secs(120))
        })
        .await
        .expect("the command ran");
        assert!(out.status.success(), "{args:?}: {}", app::text(&out));
    }
}

/// Runs `qonto-tui ARGS` in `home` with `env` (three minutes at most): its exit code, standard
/// output and standard error.
#[allow(dead_code)]
pub async fn run_app(
    sb: &qonto_sandbox::Sandbox,
    home: &app::Home,
    env: &[(String, String)],
    args: &[&str],
) -> (i32, String, String) {
    let mut c = app::app(sb, home);
    c.envs(env.iter().cloned()).args(args);
    let out = tokio::task::spawn_blocking(move || {
        app::output_within(c, std::time::Duration::from_secs(180))
    })
    .await
    .expect("the command ran");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A download folder in `home`, named in `config/user-dirs.dirs` as the desktop names it.
#[allow(dead_code)]
pub fn download_folder(home: &app::Home) -> std::path::PathBuf {
    let downloads = home.dir.join("Downloads");
    std::fs::create_dir_all(home.dir.join("config")).expect("config folder");
    std::fs::create_dir_all(&downloads).expect("download folder");
    std::fs::write(
        home.dir.join("config/user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .expect("user-dirs.dirs");
    downloads
}
