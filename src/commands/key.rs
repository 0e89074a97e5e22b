//! `qonto-tui key add|remove|list`: organizations reached with their API key
//! (`login:secret-key`), each checked against Qonto before it is stored.

use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;

use anyhow::{Context, bail};

use super::reach::{Reach, clean};
use crate::config::Config;
use crate::sources::{Source, Sources};
use qonto_client::api::Via;
use qonto_client::secret::Secret;

/// No API key's secret is this long; more on standard input is not one.
const MAX_SECRET: u64 = 4096;

pub async fn add(config: &Config, login: &str) -> anyhow::Result<()> {
    check_login(login)?;
    let secret = read_secret(login)?;
    let reach = Reach::open(config).await?;
    eprintln!("Checking the key with Qonto…");
    let source =
        crate::sources::adding::add_api_key(&reach.api, &reach.sources, login, secret).await?;
    let org_id = source.org_id.clone();
    let name = clean(&source.name);
    crate::say!(
        "Added {name} ({}) with its API key, kept in {}.",
        clean(&org_id),
        reach.sources.key_slot(login).describe()
    )?;
    if reach.user_flow_reaches(&org_id).await {
        crate::say!(
            "You also reach it through your Qonto sign-in, which the app keeps using first."
        )?;
    }
    Ok(())
}

pub async fn remove(config: &Config, login: &str) -> anyhow::Result<()> {
    let sources = Sources::for_config(config);
    let list = list_sources(&sources).await?;
    let Some(source) = list
        .into_iter()
        .find(|s| s.via == Via::ApiKey && s.login.as_deref() == Some(login))
    else {
        bail!("no API key with the login {login} is stored (see `qonto-tui key list`)");
    };
    sources
        .remove(&source)
        .await
        .map_err(crate::auth::explain)?;
    crate::say!(
        "Removed the API key of {} ({}). The key itself stays valid at Qonto until you regenerate it there.",
        clean(&source.name),
        clean(&source.org_id)
    )?;
    Ok(())
}

pub async fn list(config: &Config) -> anyhow::Result<()> {
    let sources = Sources::for_config(config);
    let keys: Vec<Source> = list_sources(&sources)
        .await?
        .into_iter()
        .filter(|s| s.via == Via::ApiKey)
        .collect();
    if keys.is_empty() {
        crate::say!("No API keys stored. Add one with `qonto-tui key add LOGIN`.")?;
        return Ok(());
    }
    for s in &keys {
        crate::say!(
            "{}  {}  {}",
            clean(s.login.as_deref().unwrap_or("?")),
            clean(&s.org_id),
            clean(&s.name)
        )?;
    }
    Ok(())
}

async fn list_sources(sources: &Arc<Sources>) -> anyhow::Result<Vec<Source>> {
    let s = sources.clone();
    qonto_client::store::blocking(move || s.list())
        .await
        .map_err(crate::auth::explain)
}

/// A login as Qonto shows it in the organization's settings: letters, digits, `-`, `_`, `.`.
fn check_login(login: &str) -> anyhow::Result<()> {
    let fine = !login.is_empty()
        && login.len() <= 128
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !fine {
        bail!(
            "{:?} is not an API-key login: use the login shown beside the secret key in the organization's settings (letters, digits, '-', '_', '.')",
            clean(login)
        );
    }
    Ok(())
}

/// The secret key: from standard input when it is piped, else typed at a prompt without echo.
fn read_secret(login: &str) -> anyhow::Result<Secret> {
    let text = if std::io::stdin().is_terminal() {
        prompt_hidden(&format!("Secret key for {login} (not shown): "))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_SECRET + 1)
            .read_to_string(&mut text)
            .context("cannot read the secret key from standard input")?;
        if text.len() as u64 > MAX_SECRET {
            bail!("standard input holds more than an API key ({MAX_SECRET} bytes at most)");
        }
        text
    };
    let secret = text.trim();
    // `login:secret` pasted whole is taken too.
    let secret = secret.strip_prefix(&format!("{login}:")).unwrap_or(secret);
    if secret.is_empty() {
        bail!("no secret key was given");
    }
    if secret.chars().any(|c| c.is_control() || c.is_whitespace()) {
        bail!("the secret key holds spaces or control characters; paste it alone");
    }
    Ok(Secret::new(secret))
}

/// Reads one line from the terminal with echo off (raw mode), restoring the terminal however
/// it ends. Ctrl-C or Esc cancels.
fn prompt_hidden(prompt: &str) -> anyhow::Result<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    crossterm::terminal::enable_raw_mode().context("cannot turn the terminal's echo off")?;
    let result = (|| -> anyhow::Result<String> {
        let mut typed = String::new();
        loop {
            let Event::Key(key) = read()? else { continue };
            if key.kind == KeyEventKind::Release {
                continue;
            }
            match key.code {
                KeyCode::Enter => return Ok(typed),
                KeyCode::Esc => bail!("cancelled"),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    bail!("cancelled")
                }
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char(c) if typed.len() < MAX_SECRET as usize => typed.push(c),
                _ => {}
            }
        }
    })();
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = writeln!(err);
    result
}
