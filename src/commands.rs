//! `qonto-tui login`, `logout` and `status`: the consent flow and the session without the TUI.

use crate::auth::{begin_sign_in, oauth_client, save_client_secret, store_for};

use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::Context;
use serde_json::json;
use tokio::sync::mpsc;

use crate::config::Config;
use qonto_client::api::ApiClient;
use qonto_client::oauth::callback::CALLBACK_TIMEOUT;
use qonto_client::oauth::session::Session;
use qonto_client::store::blocking;

/// `status` exits with this when nobody is signed in (like `gh auth status`).
pub const EXIT_NOT_SIGNED_IN: u8 = 4;

pub async fn login(config: &Config, save_client_secret_too: bool) -> anyhow::Result<()> {
    let store = store_for(config)?;
    let client = oauth_client(config).await?;
    let pending = begin_sign_in(config).await?;
    let mut out = std::io::stderr();
    writeln!(
        out,
        "Sign in to Qonto in your browser and tick the organizations to share."
    )?;
    writeln!(out, "\n  {}\n", pending.url())?;
    match crate::browser::open_browser(pending.url(), config.browser.as_deref()) {
        Ok(how) => writeln!(
            out,
            "The browser was {how}. Waiting for it (10 minutes at most)…"
        )?,
        Err(why) => writeln!(
            out,
            "No browser could be opened ({why}). Open the URL above yourself."
        )?,
    }
    writeln!(
        out,
        "On another machine (SSH)? After allowing, paste the URL the browser ended on here and press Enter."
    )?;
    let (paste_tx, paste_rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if !line.trim().is_empty() && paste_tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    let (err_tx, mut err_rx) = mpsc::channel(4);
    tokio::spawn(async move {
        while let Some(e) = err_rx.recv().await {
            eprintln!("{e}");
        }
    });
    let tokens = pending
        .finish(&client, paste_rx, err_tx, CALLBACK_TIMEOUT)
        .await?;
    let session = Arc::new(Session::new(client.clone(), store.clone(), None));
    session
        .install(tokens)
        .await
        .context("the tokens could not be stored, so you are not signed in")?;
    if save_client_secret_too {
        save_client_secret(config, &client.client_secret)
            .await
            .context("the client secret could not be stored")?;
        eprintln!("The client secret is now in the secret store.");
    }
    eprintln!("Signed in. Tokens are in: {}", store.describe());
    let api = ApiClient::new(&config.api_base_url, session, config.staging_token.clone())?;
    match api.user_organizations().await {
        Ok(orgs) => {
            println!("Shared organizations ({}):", orgs.len());
            for o in orgs {
                println!(
                    "  {}  {}  ({})",
                    o.id,
                    o.display_name(),
                    o.membership_role.as_deref().unwrap_or("?")
                );
            }
        }
        Err(e) => eprintln!("Signed in, but the organizations could not be listed yet: {e}"),
    }
    Ok(())
}

pub async fn logout(config: &Config) -> anyhow::Result<()> {
    let store = store_for(config)?;
    let s = store.clone();
    let stored = blocking(move || s.load()).await.unwrap_or(None);
    if stored.is_none() {
        let s = store.clone();
        blocking(move || s.delete()).await?;
        println!("Not signed in; nothing to forget.");
        return Ok(());
    }
    let revoked = match oauth_client(config).await {
        Ok(client) => {
            let session = Session::new(client, store.clone(), stored);
            session.sign_out().await?
        }
        Err(_) => {
            let s = store.clone();
            blocking(move || s.delete()).await?;
            false
        }
    };
    println!(
        "Signed out: tokens deleted from {}{}.",
        store.describe(),
        if revoked { " and revoked at Qonto" } else { "" }
    );
    Ok(())
}

pub async fn status(
    config: &Config,
    as_json: bool,
    log_file: Option<&std::path::Path>,
) -> anyhow::Result<u8> {
    let store = store_for(config)?;
    let s = store.clone();
    let stored = blocking(move || s.load()).await?;
    let log = log_file.map(|p| p.display().to_string());
    let Some(tokens) = stored else {
        if as_json {
            println!(
                "{}",
                json!({ "signed_in": false, "store": store.describe(), "log_file": log })
            );
        } else {
            println!(
                "Not signed in (tokens looked up in {}). Run `qonto-tui login`.",
                store.describe()
            );
        }
        return Ok(EXIT_NOT_SIGNED_IN);
    };
    let expires = chrono::DateTime::from_timestamp(tokens.expires_at, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    let client = oauth_client(config).await?;
    let session = Arc::new(Session::new(client, store.clone(), Some(tokens.clone())));
    let api = ApiClient::new(
        &config.api_base_url,
        session.clone(),
        config.staging_token.clone(),
    )?;
    let orgs = api.user_organizations().await;
    if orgs.as_ref().is_err_and(|e| e.requires_sign_in()) {
        if as_json {
            println!(
                "{}",
                json!({ "signed_in": false, "store": store.describe(), "log_file": log, "reason": "the sign-in expired or was revoked" })
            );
        } else {
            println!("Not signed in: the sign-in expired or was revoked. Run `qonto-tui login`.");
        }
        return Ok(EXIT_NOT_SIGNED_IN);
    }
    let expires_now = session
        .tokens()
        .await
        .and_then(|t| chrono::DateTime::from_timestamp(t.expires_at, 0))
        .map(|t| t.to_rfc3339())
        .unwrap_or(expires);
    if as_json {
        let organizations = match &orgs {
            Ok(list) => json!(list.iter().map(|o| json!({"id": o.id, "name": o.name, "membership_role": o.membership_role})).collect::<Vec<_>>()),
            Err(_) => serde_json::Value::Null,
        };
        println!(
            "{}",
            json!({
                "signed_in": true,
                "store": store.describe(),
                "access_token_expires_at": expires_now,
                "scope": tokens.scope,
                "organizations": organizations,
                "error": orgs.as_ref().err().map(|e| e.to_string()),
                "log_file": log,
            })
        );
    } else {
        println!("Signed in.");
        println!("  token store:     {}", store.describe());
        println!("  access token:    expires {expires_now}");
        println!("  scope:           {}", tokens.scope);
        if let Some(l) = &log {
            println!("  log file:        {l}");
        }
        match &orgs {
            Ok(list) => {
                println!("  organizations:   {}", list.len());
                for o in list {
                    println!(
                        "    {}  {}  ({})",
                        o.id,
                        o.display_name(),
                        o.membership_role.as_deref().unwrap_or("?")
                    );
                }
            }
            Err(e) => println!("  organizations:   could not be listed: {e}"),
        }
    }
    Ok(0)
}
