//! Nothing written where it should not be, nothing silently lost: the files `export`,
//! `statements`, `receipts` and the bundle write, against a hostile local user (planted links,
//! pipes) and clashing names, with the real binary and the sandbox over loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::app::{Home, app, app_env, files_under, output_within, text};
use qonto_sandbox::{DataOptions, Sandbox, SandboxOptions};

const LIMIT: Duration = Duration::from_secs(120);

/// A signed-in home with a synced local copy, and a way to run the binary in it.
struct Books {
    sb: Sandbox,
    home: Home,
    env: Vec<(String, String)>,
}

impl Books {
    async fn new(name: &str, org_names: &[&str]) -> Self {
        Self::with(name, |data| {
            data.org_names = org_names.iter().map(ToString::to_string).collect();
        })
        .await
    }

    /// Books from a sandbox whose data `change` adjusts first.
    async fn with(name: &str, change: impl FnOnce(&mut DataOptions)) -> Self {
        let port = common::app::free_port();
        let mut options = common::options();
        change(&mut options.data);
        let sb = Sandbox::start(SandboxOptions {
            redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
            data: DataOptions { ..options.data },
            ..options
        })
        .await
        .unwrap();
        let home = Home::new(name);
        let env = app_env(&sb, &home);
        common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
        Books { sb, home, env }
    }

    async fn run(&self, args: &[&str]) -> Output {
        let mut c = app(&self.sb, &self.home);
        c.envs(self.env.iter().cloned()).args(args);
        tokio::task::spawn_blocking(move || output_within(c, LIMIT))
            .await
            .unwrap()
    }
}

/// The file's text (lossy: for messages that stay readable when they fail).
fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// F13, F24: a link planted where a file or an organization's folder goes is never followed;
/// what the app makes is 0600 (files) and 0700 (folders).
#[tokio::test(flavor = "multi_thread")]
async fn planted_links_are_never_followed_and_what_is_made_is_private() {
    let books = Books::new("links", &["Acme"]).await;
    let month = common::last_whole_month(&books.sb);
    let work = tempfile::tempdir().unwrap();
    let outside = work.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("target"), b"precious").unwrap();

    // The name the file used to be written aside under, and the file itself, both links.
    let out = work.path().join("out");
    std::fs::create_dir(&out).unwrap();
    symlink(outside.join("target"), out.join("all.csv.part")).unwrap();
    let exported = books
        .run(&["export", "--all", "--month", &month, "--output"])
        .await;
    assert_eq!(exported.status.code(), Some(2), "--output needs a value");
    let all = out.join("all.csv");
    let exported = books
        .run(&[
            "export",
            "--all",
            "--month",
            &month,
            "--output",
            all.to_str().unwrap(),
        ])
        .await;
    assert!(exported.status.success(), "{}", text(&exported));
    assert_eq!(read(&outside.join("target")), "precious");
    assert_eq!(mode(&all), 0o600);
    symlink(outside.join("target"), out.join("link.csv")).unwrap();
    let refused = books
        .run(&[
            "export",
            "--all",
            "--month",
            &month,
            "--force",
            "--output",
            out.join("link.csv").to_str().unwrap(),
        ])
        .await;
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("is a link"), "{}", text(&refused));
    assert_eq!(read(&outside.join("target")), "precious");

    // An organization's folder planted as a link to somewhere else.
    let dir = work.path().join("statements");
    std::fs::create_dir(&dir).unwrap();
    symlink(&outside, dir.join("acme")).unwrap();
    let statements = books
        .run(&[
            "statements",
            "--all",
            "--month",
            &month,
            "--dir",
            dir.to_str().unwrap(),
        ])
        .await;
    assert_eq!(statements.status.code(), Some(1), "{}", text(&statements));
    assert!(
        text(&statements).contains("is a link"),
        "{}",
        text(&statements)
    );
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        1,
        "nothing outside"
    );

    // Made by the app: private.
    let fresh = work.path().join("fresh");
    let saved = books
        .run(&[
            "statements",
            "--all",
            "--month",
            &month,
            "--dir",
            fresh.to_str().unwrap(),
        ])
        .await;
    assert!(saved.status.success(), "{}", text(&saved));
    let files = files_under(&fresh);
    assert!(!files.is_empty());
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
        assert_eq!(mode(file.parent().unwrap()), 0o700, "{}", file.display());
    }
    assert!(
        files
            .iter()
            .all(|f| !f.to_string_lossy().ends_with(".part"))
    );
}

/// F17: onto a pipe, nothing is written and the pipe stays; an existing file with other
/// content is left unless --force says otherwise.
#[tokio::test(flavor = "multi_thread")]
async fn pipes_are_refused_and_files_are_replaced_only_when_asked() {
    let books = Books::new("pipes", &[]).await;
    let month = common::last_whole_month(&books.sb);
    let work = tempfile::tempdir().unwrap();
    let fifo = work.path().join("fifo.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = books
        .run(&[
            "export",
            "--all",
            "--month",
            &month,
            "--output",
            fifo.to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not a regular file"), "{}", text(&out));
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    let theirs = work.path().join("theirs.csv");
    std::fs::write(&theirs, b"the user's own file").unwrap();
    let path = theirs.to_str().unwrap();
    let kept = books
        .run(&["export", "--all", "--month", &month, "--output", path])
        .await;
    assert_eq!(kept.status.code(), Some(1), "{}", text(&kept));
    assert!(text(&kept).contains("--force"), "{}", text(&kept));
    assert_eq!(read(&theirs), "the user's own file");
    let forced = books
        .run(&[
            "export", "--all", "--month", &month, "--output", path, "--force",
        ])
        .await;
    assert!(forced.status.success(), "{}", text(&forced));
    assert_ne!(read(&theirs), "the user's own file");
    assert_eq!(mode(&theirs), 0o600);
    assert_eq!(files_under(work.path()).len(), 1, "nothing left aside");
}

/// F14: names that clash once made file names ("Acme" and "ACME", two in another script, two
/// alike in their first 40 characters) still get a file each, and every count said is the count
/// on disk.
#[tokio::test(flavor = "multi_thread")]
async fn names_that_clash_still_get_a_file_each() {
    let long = "Compagnie Générale des Transports Routiers du";
    let north = format!("{long} Nord");
    let south = format!("{long} Sud");
    let books = Books::new("clash", &["Acme", "ACME", &north, &south, "株式会社"]).await;
    let month = common::last_whole_month(&books.sb);
    let work = tempfile::tempdir().unwrap();

    let per_org = work.path().join("per-org");
    let out = books
        .run(&[
            "export",
            "--all",
            "--per-org",
            "--month",
            &month,
            "--json",
            "--output",
            per_org.to_str().unwrap(),
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let said = json(&out)["files"].as_array().unwrap().len();
    assert_eq!(said, 5, "one file per organization: {}", text(&out));
    assert_eq!(files_under(&per_org).len(), said, "each said is on disk");

    // Receipts over the whole books: many share a counterparty, an amount and a day.
    let receipts = work.path().join("receipts");
    let out = books
        .run(&[
            "receipts",
            "--all",
            "--from",
            "2000-01",
            "--to",
            &month,
            "--json",
            "--dir",
            receipts.to_str().unwrap(),
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let said = json(&out).as_array().unwrap().len();
    assert!(said > 20, "{said} receipts");
    assert_eq!(
        files_under(&receipts).len(),
        said,
        "each receipt said is on disk"
    );
    // Five organizations, five folders.
    assert_eq!(std::fs::read_dir(&receipts).unwrap().count(), 5);

    // Again: the same files, left as they are, and still counted once each.
    let again = books
        .run(&[
            "receipts",
            "--all",
            "--from",
            "2000-01",
            "--to",
            &month,
            "--json",
            "--dir",
            receipts.to_str().unwrap(),
        ])
        .await;
    assert!(again.status.success(), "{}", text(&again));
    let fates: Vec<String> = json(&again)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["fate"].as_str().unwrap_or("?").to_string())
        .collect();
    assert_eq!(fates.len(), said);
    assert!(fates.iter().all(|f| f == "unchanged"), "{fates:?}");
    assert_eq!(files_under(&receipts).len(), said);
}

/// F27: a bundle over a very wide period is refused in words; months with nothing make no
/// folder.
#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_is_bounded_and_makes_no_empty_folders() {
    let books = Books::new("bundle", &[]).await;
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("bundle");
    let wide = books
        .run(&[
            "export",
            "--bundle",
            "--all",
            "--from",
            "1990-01",
            "--to",
            "2026-11",
            "--output",
            dir.to_str().unwrap(),
        ])
        .await;
    assert_eq!(wide.status.code(), Some(2), "{}", text(&wide));
    assert!(
        text(&wide).contains("at most 120 months"),
        "{}",
        text(&wide)
    );
    assert!(!dir.exists(), "nothing made");

    // A year before the books begin, and their first month.
    let first = common::sandbox_transactions(&books.sb)
        .iter()
        .map(|(_, t)| t.emitted_at.format("%Y-%m").to_string())
        .min()
        .unwrap();
    let (y, m) = first.split_once('-').unwrap();
    let year_before = format!("{}-{m}", y.parse::<i32>().unwrap() - 1);
    let out = books
        .run(&[
            "export",
            "--bundle",
            "--all",
            "--from",
            &year_before,
            "--to",
            &first,
            "--output",
            dir.to_str().unwrap(),
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let mut month_folders = Vec::new();
    for org in std::fs::read_dir(&dir).unwrap().flatten() {
        for month in std::fs::read_dir(org.path()).unwrap().flatten() {
            month_folders.push(month.file_name().to_string_lossy().into_owned());
        }
    }
    assert!(!month_folders.is_empty());
    assert!(
        month_folders.iter().all(|m| m.as_str() >= first.as_str()),
        "no folder for a month before the books: {month_folders:?}"
    );
}

/// F16: an IBAN from the server with characters outside ASCII is cut by characters, not
/// bytes: `statements` and the bundle name their files and go on.
#[tokio::test(flavor = "multi_thread")]
async fn an_iban_outside_ascii_names_files_without_a_panic() {
    let books = Books::with("iban", |data| {
        data.first_iban = Some("FR76 3000 6000 0112 3456 7890 1é€".into());
    })
    .await;
    let month = common::last_whole_month(&books.sb);
    let work = tempfile::tempdir().unwrap();
    for args in [
        vec!["statements", "--all", "--month", &month, "--dir"],
        vec!["export", "--bundle", "--all", "--month", &month, "--output"],
    ] {
        let dir = work.path().join(args[0]);
        let mut args = args.clone();
        args.push(dir.to_str().unwrap());
        let out = books.run(&args).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert!(
            files_under(&dir)
                .iter()
                .any(|f| f.to_string_lossy().contains("-1e.pdf")),
            "{args:?}: {:?}",
            files_under(&dir)
        );
    }
}

/// F15: quitting the app removes nothing through a link planted where its receipt folder used
/// to be (`$TMPDIR/qonto-tui-receipts-PID`), even old files, and even when no receipt was opened.
#[tokio::test(flavor = "multi_thread")]
async fn quitting_deletes_nothing_through_a_planted_link() {
    let home = Home::new("quit-sweep");
    let tmp = home.dir.join("tmp");
    let outside = home.dir.join("outside");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let precious = outside.join("contract.pdf");
    std::fs::write(&precious, b"%PDF precious").unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&precious)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let env = vec![
        ("TMPDIR".to_string(), tmp.display().to_string()),
        ("XDG_RUNTIME_DIR".to_string(), String::new()),
        (
            "XDG_STATE_HOME".to_string(),
            home.dir.join("state").display().to_string(),
        ),
        (
            "XDG_CACHE_HOME".to_string(),
            home.dir.join("cache").display().to_string(),
        ),
        (
            "QONTO_TUI_CONFIG".to_string(),
            home.dir.join("none.toml").display().to_string(),
        ),
    ];
    let (tmp2, outside2) = (tmp.clone(), outside.clone());
    let exited = tokio::task::spawn_blocking(move || {
        let mut app = common::pty::PtyApp::spawn(&["--demo"], &env, 120, 36);
        let pid = app.child.process_id().unwrap();
        symlink(&outside2, tmp2.join(format!("qonto-tui-receipts-{pid}"))).unwrap();
        app.wait_text("Waiting for the browser", LIMIT);
        app.send(b"q");
        app.wait_exit(Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert!(exited.is_some(), "the app quit");
    assert!(
        precious.exists(),
        "a file outside was deleted through the link"
    );
}
