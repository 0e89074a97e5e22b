//! `qonto-tui login`, `logout` and `status`: the consent flows and the sessions without the TUI;
//! `key` and `orgs` in their own modules.

mod bundle;
mod bundle_month;
pub mod categorize;
mod category_rules;
pub mod export;
pub mod files;
mod firm_ask;
pub mod invoice_upload;
pub mod invoices;
pub mod key;
mod local;
mod membership;
mod org_names;
mod orgs;
pub mod out;
mod reach;
pub mod receipt_match;
pub mod receipts;
pub mod requests;
mod search;
pub mod serve;
mod serve_act;
mod serve_categorize;
mod serve_decline;
pub mod statements;
mod status;
mod sync;
pub mod watch;
pub mod writes;

pub use orgs::orgs;
pub use search::search;
pub use status::{EXIT_NOT_SIGNED_IN, status};
pub use sync::sync;

use reach::clean;

use crate::auth::{begin_flow, explain, oauth_client, save_client_secret, store_for};
use qonto_client::oauth::authorize::Flow;

use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::mpsc;

use crate::config::Config;
use qonto_client::oauth::callback::CALLBACK_TIMEOUT;
use qonto_client::oauth::session::Session;
use qonto_client::store::{StoreError, StoredTokens, blocking};

/// `qonto-tui export`: the files of a period, or with `--bundle` an accountant's folders per
/// organization and month (dispatched here, so the bundle uses the export and not the reverse).
pub async fn run_export(config: &Config, args: export::ExportArgs) -> anyhow::Result<u8> {
    if args.bundle {
        bundle::run(config, args).await
    } else {
        export::run(config, args).await
    }
}

/// One line per organization: id, name and the user's role in it.
fn print_orgs(
    orgs: &[qonto_client::api::models::UserOrganization],
    indent: &str,
) -> Result<(), out::OutError> {
    for o in orgs {
        crate::say!(
            "{indent}{}  {}  ({})",
            clean(&o.id),
            clean(o.display_name()),
            o.membership_role
                .as_deref()
                .map(clean)
                .unwrap_or("?".into())
        )?;
    }
    Ok(())
}

/// The browser consent of `flow`: `login` (User flow) or `login --membership`.
pub async fn login(
    config: &Config,
    save_client_secret_too: bool,
    membership: bool,
) -> anyhow::Result<()> {
    let flow = if membership {
        Flow::Membership
    } else {
        Flow::User
    };
    let store = store_for(config)?;
    // Find out before the browser opens whether the tokens will have somewhere to go.
    let s = store.clone();
    match blocking(move || s.load()).await {
        Ok(_) | Err(StoreError::Corrupt(_)) => {}
        Err(e) => return Err(explain(e).context("the token store cannot be used")),
    }
    let client = oauth_client(config).await?;
    let pending = begin_flow(config, flow).await?;
    let mut out = std::io::stderr();
    writeln!(
        out,
        "{}",
        match flow {
            Flow::User => "Sign in to Qonto in your browser and tick the organizations to share.",
            Flow::Membership =>
                "Sign in to Qonto in your browser and choose the organization to add (one per consent).",
        }
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
    if membership {
        return membership::add(config, &client, tokens).await;
    }
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
    let api = crate::auth::api_client(config, session)?;
    match api.user_organizations().await {
        Ok(orgs) => {
            crate::say!("Shared organizations ({}):", orgs.len())?;
            print_orgs(&orgs, "  ")?;
        }
        Err(e) => eprintln!("Signed in, but the organizations could not be listed yet: {e}"),
    }
    Ok(())
}

/// `logout --org ID` forgets that organization's own sources; `logout` forgets every source,
/// after a question on a terminal (`yes` skips it; without a terminal, as scripts run it, it
/// goes on as it always did).
pub async fn logout(config: &Config, org: Option<&str>, yes: bool) -> anyhow::Result<()> {
    if let Some(org) = org {
        return membership::forget_org(config, org).await;
    }
    if !yes
        && std::io::IsTerminal::is_terminal(&std::io::stdin())
        && !logout_confirmed(config).await?
    {
        crate::say!("Nothing was removed.")?;
        return Ok(());
    }
    let others = membership::forget_all(config).await?;
    logout_user_flow(config, others == 0).await?;
    forget_books(config).await
}

/// Says what a full sign-out removes and asks.
async fn logout_confirmed(config: &Config) -> anyhow::Result<bool> {
    let (keys, consents) = membership::source_counts(config).await?;
    let store = store_for(config)?;
    let s = store.clone();
    let signed_in = matches!(blocking(move || s.load()).await, Ok(Some(_)));
    let mut what = Vec::new();
    if signed_in {
        what.push("revokes the sign-in's tokens at Qonto and deletes them".to_string());
    }
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    if keys > 0 {
        what.push(format!("forgets {}", plural(keys, "API key")));
    }
    if consents > 0 {
        what.push(format!(
            "forgets {}",
            plural(consents, "membership consent")
        ));
    }
    if let Some(path) = crate::local_copy::database_path(config).filter(|p| p.exists()) {
        what.push(format!(
            "deletes the local copy of the books ({})",
            path.display()
        ));
    }
    if what.is_empty() {
        return Ok(true);
    }
    writes::asked(
        &format!(
            "Signing out of every organization {}. Go on? [y/N] ",
            what.join(", ")
        ),
        "signing out of every organization",
    )
}

/// With every source gone, the local copy of the books and its key go too.
async fn forget_books(config: &Config) -> anyhow::Result<()> {
    let Some(path) = crate::local_copy::database_path(config) else {
        return Ok(());
    };
    if path.exists() {
        qonto_books::Books::delete(&path).with_context(|| {
            format!("the local database {} could not be deleted", path.display())
        })?;
        crate::say!("Deleted the local copy of the books ({}).", path.display())?;
    }
    if let Some(slot) = crate::local_copy::key_slot(config) {
        blocking(move || slot.delete()).await.map_err(explain)?;
    }
    Ok(())
}

/// Signs out of the User flow; `say_if_nothing`: print so when there was nothing to forget.
async fn logout_user_flow(config: &Config, say_if_nothing: bool) -> anyhow::Result<()> {
    let store = store_for(config)?;
    let s = store.clone();
    let stored = blocking(move || s.load()).await;
    // Copies an interrupted write left behind hold live tokens too: revoked and removed alike.
    let s = store.clone();
    let strays = blocking(move || Ok(s.take_stray_copies()))
        .await
        .unwrap_or_default();
    let mut unreadable = None;
    let mut to_revoke: Vec<StoredTokens> = strays;
    match stored {
        Ok(Some(tokens)) => to_revoke.insert(0, tokens),
        Ok(None) => {}
        // Damaged beyond reading: nothing in it can be revoked, but it is still removed.
        Err(StoreError::Corrupt(why)) => unreadable = Some(why),
        Err(e) => {
            return Err(explain(e).context("nothing was signed out (the tokens were not read)"));
        }
    }
    if to_revoke.is_empty() && unreadable.is_none() {
        if say_if_nothing {
            crate::say!("Not signed in; nothing to forget.")?;
        }
        return Ok(());
    }
    let mut revoked = 0;
    match oauth_client(config).await {
        Ok(client) => {
            for tokens in &to_revoke {
                let token = tokens
                    .refresh_token
                    .as_ref()
                    .unwrap_or(&tokens.access_token);
                if client.revoke(token).await.unwrap_or(false) {
                    revoked += 1;
                }
            }
        }
        Err(e) => eprintln!("The tokens cannot be revoked at Qonto ({e:#}); deleting them here."),
    }
    let s = store.clone();
    blocking(move || s.delete()).await.map_err(explain)?;
    if let Some(why) = unreadable {
        crate::say!(
            "The stored tokens were unreadable ({why}), so they could not be revoked at Qonto; deleted them from {}.",
            store.describe()
        )?;
    }
    if !to_revoke.is_empty() {
        crate::say!(
            "Signed out: tokens deleted from {}{}.",
            store.describe(),
            match revoked {
                0 => String::new(),
                n if n == to_revoke.len() => " and revoked at Qonto".to_string(),
                n => format!(" ({n} of {} revoked at Qonto)", to_revoke.len()),
            }
        )?;
    }
    Ok(())
}
