//! Commands that only read the local copy (`search`, `export`) never change it: a key missing
//! from the store chosen, or another key, is said in words naming where it was looked for, and
//! the copy is left exactly as it is (F18).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::app::{Home, app, app_env, files_under, output_within, text};

/// Every file under `dir` with `part` in its name.
fn named(dir: &Path, part: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains(part))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_other_key_is_said_and_the_copy_left_as_it_is() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("read-key");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let run = |args: &[&str]| {
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(args);
        tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(60)))
    };
    let keys = named(&home.dir, "books-key-");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = keys[0].clone();
    let dbs: Vec<PathBuf> = named(&home.dir, "books-")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    assert_eq!(dbs.len(), 1, "{dbs:?}");
    let before = std::fs::read(&dbs[0]).unwrap();
    let month = common::last_whole_month(&sb);

    // The key gone from the store chosen.
    let kept = home.dir.join("key-kept");
    std::fs::rename(&key, &kept).unwrap();
    for args in [
        vec!["search", ">0"],
        vec!["export", "--all", "--month", &month],
    ] {
        let out = run(&args).await.unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        let said = text(&out);
        assert!(
            said.contains("is not in") && said.contains("--token-store"),
            "{args:?}: {said}"
        );
        assert!(
            said.contains(&key.display().to_string()),
            "names the place: {said}"
        );
    }
    assert!(!key.exists(), "no key was made");
    assert!(
        named(&home.dir, "unreadable").is_empty(),
        "nothing set aside"
    );
    assert_eq!(
        std::fs::read(&dbs[0]).unwrap(),
        before,
        "the copy unchanged"
    );

    // Another key: said, and left as it is too.
    std::fs::write(&key, "ab".repeat(32)).unwrap();
    let out = run(&["search", ">0"]).await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("cannot be read with the key"),
        "{}",
        text(&out)
    );
    assert!(
        named(&home.dir, "unreadable").is_empty(),
        "nothing set aside"
    );

    // The right key back: everything is there.
    std::fs::rename(&kept, &key).unwrap();
    let out = run(&["search", ">0"]).await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!out.stdout.is_empty(), "the transactions are found again");
}

/// A folder no one may write to for as long as it lives: `chattr +i` for root (whom permission
/// bits do not stop), `chmod 0500` for anyone else; put back when dropped.
struct Frozen(PathBuf);

impl Frozen {
    fn new(dir: &Path) -> Self {
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let done = if root {
            std::process::Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success())
        } else {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o500)).is_ok()
        };
        assert!(done, "{} could not be made read-only", dir.display());
        assert!(
            std::fs::write(dir.join("probe"), b"x").is_err(),
            "the folder is still writable"
        );
        Frozen(dir.to_path_buf())
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o700));
    }
}

/// F26: a data folder that cannot be written to still lets `search` and `export` read.
#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_data_folder_can_still_be_read() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("read-only-dir");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let db: PathBuf = named(&home.dir, "books-")
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "db"))
        .unwrap();
    let month = common::last_whole_month(&sb);
    let frozen = Frozen::new(db.parent().unwrap());
    for args in [
        vec!["search", ">0"],
        vec!["export", "--all", "--month", &month],
    ] {
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(&args);
        let out = tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(60)))
            .await
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    drop(frozen);
}

/// F19: damage in the middle of the database (not its first page) is said in words by the
/// command that meets it, and the next `sync` sets the copy aside and builds a new one; after
/// it, the commands read again.
#[tokio::test(flavor = "multi_thread")]
async fn damage_in_the_middle_is_repaired_by_the_next_sync() {
    use std::io::{Seek, SeekFrom, Write};
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("damaged");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let run = |args: &[&str]| {
        let mut c = app(&sb, &home);
        c.envs(env.iter().cloned()).args(args);
        tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(120)))
    };
    let db: PathBuf = named(&home.dir, "books-")
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "db"))
        .unwrap();
    let month = common::last_whole_month(&sb);
    let export = ["export", "--all", "--from", "2000-01", "--to", &month];
    let whole = run(&export).await.unwrap();
    assert!(whole.status.success(), "{}", text(&whole));

    // Every third page of the file's middle fifth, overwritten.
    let size = std::fs::metadata(&db).unwrap().len();
    let pages = size / 4096;
    assert!(pages > 20, "{pages} pages");
    let mut file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    for page in (pages * 2 / 5..pages * 3 / 5).step_by(3) {
        file.seek(SeekFrom::Start(page * 4096 + 64)).unwrap();
        file.write_all(&[0x5a; 512]).unwrap();
    }
    drop(file);
    let damaged = run(&export).await.unwrap();
    assert_eq!(damaged.status.code(), Some(1), "{}", text(&damaged));
    assert!(text(&damaged).contains("damaged"), "{}", text(&damaged));

    let sync = run(&["sync"]).await.unwrap();
    assert!(sync.status.success(), "{}", text(&sync));
    assert_eq!(
        named(&home.dir, "unreadable").len(),
        1,
        "the damaged copy set aside"
    );
    let again = run(&export).await.unwrap();
    assert!(again.status.success(), "{}", text(&again));
    let lines = |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(
        lines(&again),
        lines(&whole),
        "the same books, rebuilt from Qonto"
    );
}
