//! The shared harness of the integration tests (`crates/qonto-testkit`): the sandbox fixtures,
//! the private home and environment of the real binary (`app`), and the pty it runs in (`pty`).
#![allow(unused_imports)]

pub use qonto_testkit::fixtures::*;
pub use qonto_testkit::{app, pty};

pub mod tui;

/// The sandbox's books synced into local books in memory, as `qonto-tui sync` does, and the
/// client that read them.
#[allow(dead_code)]
pub async fn synced_books(
    sb: &qonto_sandbox::Sandbox,
) -> (qonto_client::api::ApiClient, qonto_tui::books::Books) {
    use qonto_tui::books::sync::{Budget, Pace, sync_all};
    let api = signed_in_api(sb).await;
    let orgs = api.user_organizations().await.expect("the organizations");
    let books = std::sync::Mutex::new(qonto_tui::books::Books::in_memory().expect("books"));
    for r in sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        &|_| {},
    )
    .await
    {
        r.expect("each organization syncs");
    }
    let books = books.into_inner().unwrap_or_else(|p| p.into_inner());
    (api, books)
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
