//! The settings' tests: file, environment, presets and their errors.

use super::*;
use std::collections::HashMap;

fn load(vars: &[(&str, &str)], file: &str) -> Result<Config, ConfigError> {
    let dir = std::env::temp_dir().join(format!(
        "qonto-tui-config-{}",
        qonto_client::random::random_hex(6).unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, file).unwrap();
    let mut map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    map.insert("QONTO_TUI_CONFIG".into(), path.display().to_string());
    let result = Config::load_from(|k| map.get(k).cloned());
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[test]
fn a_huge_value_is_not_echoed_whole() {
    let huge = format!("ftp://{}\u{1b}[2J", "x".repeat(10 << 20));
    for var in [
        "QONTO_API_BASE_URL",
        "QONTO_ENVIRONMENT",
        "QONTO_TOKEN_STORE",
    ] {
        let err = load(&[("QONTO_CLIENT_ID", "c"), (var, &huge)], "")
            .unwrap_err()
            .to_string();
        assert!(err.len() < 400, "{var}: {} bytes", err.len());
        assert!(!err.contains('\u{1b}'), "{var}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_config_file_is_refused_at_once() {
    let dir = tempfile_dir();
    let fifo = dir.join("config.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let started = std::time::Instant::now();
    let env = |k: &str| match k {
        "QONTO_TUI_CONFIG" => Some(fifo.display().to_string()),
        "QONTO_CLIENT_ID" => Some("c".to_string()),
        _ => None,
    };
    let err = Config::load_from(env).unwrap_err().to_string();
    assert!(err.contains("not a regular file"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "qonto-tui-config-{}",
        qonto_client::random::random_hex(6).unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn missing_client_id_names_the_variable_and_the_file() {
    let err = load(&[], "").unwrap_err().to_string();
    assert!(
        err.contains("QONTO_CLIENT_ID") && err.contains("client_id") && err.contains("config.toml"),
        "{err}"
    );
}

#[test]
fn production_preset_and_environment_overrides_the_file() {
    let c = load(
        &[("QONTO_CLIENT_ID", "from-env")],
        "client_id = \"from-file\"\nscopes = \"a b\"",
    )
    .unwrap();
    assert_eq!(c.client_id, "from-env");
    assert_eq!(c.scopes, "a b");
    assert_eq!(c.token_url, presets::PRODUCTION_TOKEN);
    assert_eq!(c.redirect_uri, DEFAULT_REDIRECT_URI);
    assert_eq!(c.token_store, TokenStoreKind::Keyring);
}

#[test]
fn sandbox_preset_and_namespaces_differ() {
    let prod = load(&[("QONTO_CLIENT_ID", "c")], "").unwrap();
    let sand = load(
        &[("QONTO_CLIENT_ID", "c")],
        "environment = \"sandbox\"\nstaging_token = \"st\"",
    )
    .unwrap();
    assert_eq!(sand.api_base_url, presets::SANDBOX_API);
    assert_ne!(prod.namespace(), sand.namespace());
    assert!(
        format!("{sand:?}").contains("Secret("),
        "staging token is redacted in Debug"
    );
}

#[test]
fn custom_token_url_derives_the_revoke_url() {
    let c = load(
        &[
            ("QONTO_CLIENT_ID", "c"),
            ("QONTO_TOKEN_URL", "http://127.0.0.1:9/oauth2/token"),
        ],
        "",
    )
    .unwrap();
    assert_eq!(
        c.revoke_url.as_deref(),
        Some("http://127.0.0.1:9/oauth2/revoke")
    );
}

#[test]
fn keys_and_theme_tables_are_read_and_bad_entries_named() {
    use crate::app::keymap::Action;
    let c = load(
        &[("QONTO_CLIENT_ID", "c")],
        "[keys]\nreconsent = \"C\"\ndown = [\"n\", \"Down\"]\n[theme]\naccent = \"magenta\"",
    )
    .unwrap();
    assert_eq!(c.preferences.keys.main(Action::Reconsent), "C");
    assert_eq!(c.preferences.keys.main(Action::Down), "n ↓");
    assert_eq!(c.preferences.palette.accent, ratatui::style::Color::Magenta);
    let err = load(&[("QONTO_CLIENT_ID", "c")], "[keys]\ndown = \"c\"")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("config.toml") && err.contains("bound to both"),
        "{err}"
    );
    let err = load(
        &[("QONTO_CLIENT_ID", "c"), ("QONTO_TOKEN_STORE", "keyrnig")],
        "",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("keyrnig"), "{err}");
    assert!(
        load(&[("QONTO_CLIENT_ID", "c"), ("NO_COLOR", "1")], "")
            .unwrap()
            .preferences
            .no_color
    );
}

#[test]
fn bad_file_and_bad_values_are_explained() {
    assert!(
        load(&[("QONTO_CLIENT_ID", "c")], "client_id = ")
            .unwrap_err()
            .to_string()
            .contains("is not valid")
    );
    assert!(
        load(&[("QONTO_CLIENT_ID", "c")], "colour = \"red\"")
            .unwrap_err()
            .to_string()
            .contains("unknown field")
    );
    assert!(
        load(
            &[("QONTO_CLIENT_ID", "c"), ("QONTO_API_BASE_URL", "ftp://x")],
            ""
        )
        .unwrap_err()
        .to_string()
        .contains("QONTO_API_BASE_URL")
    );
    assert!(
        load(
            &[("QONTO_CLIENT_ID", "c"), ("QONTO_ENVIRONMENT", "staging")],
            ""
        )
        .is_err()
    );
}
