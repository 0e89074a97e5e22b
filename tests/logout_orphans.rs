//! F22: a secret left in the store without its list entry (a removal interrupted part way, as
//! with a frozen secret store) is found and deleted by `logout`, not left for ever where `key
//! list` and later logouts never see it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::app::{Home, app, app_env, files_under, output_with_input, output_within, text};

/// The files under `dir` whose name begins with `prefix`.
fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_deletes_secrets_no_entry_names() {
    orphans_are_deleted(true).await;
}

/// The same in the Secret Service (gnome-keyring in the test's D-Bus session, see
/// scripts/test), looked for with `secret-tool`.
#[tokio::test(flavor = "multi_thread")]
async fn logout_deletes_secrets_no_entry_names_in_the_secret_service() {
    orphans_are_deleted(false).await;
}

/// How many of this home's API keys the Secret Service holds.
fn keyring_keys(namespace_part: &str) -> usize {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", "qonto-tui"])
        .output()
        .unwrap();
    let listing =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    listing
        .lines()
        .filter(|l| l.contains("username") && l.contains("api-key/") && l.contains(namespace_part))
        .count()
}

async fn orphans_are_deleted(file_store: bool) {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("orphans");
    let mut env = app_env(&sb, &home);
    if !file_store {
        env.retain(|(k, _)| k != "QONTO_TOKEN_STORE");
    }
    // This sandbox's entries: their names hold its host and port.
    let base = sb.base_url().to_string();
    let after_scheme = base
        .split_once("://")
        .map_or(base.as_str(), |(_, rest)| rest);
    let namespace_part = format!("/{}/", after_scheme.split('/').next().unwrap_or_default());
    let secret = sb.api_keys()[0].secret.clone();
    let slugs: Vec<String> = sb.data().orgs[..2].iter().map(|o| o.slug.clone()).collect();
    for slug in &slugs {
        let mut add = app(&sb, &home);
        add.envs(env.iter().cloned()).args(["key", "add", slug]);
        let input = format!("{secret}\n");
        let out = tokio::task::spawn_blocking(move || output_with_input(add, &input))
            .await
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    if file_store {
        assert_eq!(files(&home.dir, "api-key-").len(), 2);
    } else {
        assert_eq!(keyring_keys(&namespace_part), 2);
    }

    // An earlier version's removal, interrupted after the entry went and before the secret.
    let list = files(&home.dir, "sources-");
    let list = list
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let mut entries: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(list).unwrap()).unwrap();
    entries.retain(|e| e["login"] != slugs[0].as_str());
    std::fs::write(list, serde_json::to_vec(&entries).unwrap()).unwrap();

    let mut logout = app(&sb, &home);
    logout.envs(env.iter().cloned()).arg("logout");
    let out = tokio::task::spawn_blocking(move || output_within(logout, Duration::from_secs(60)))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Deleted 1 stored secret"),
        "{}",
        text(&out)
    );
    assert_eq!(
        files(&home.dir, "api-key-"),
        Vec::<PathBuf>::new(),
        "no secret left"
    );
}
