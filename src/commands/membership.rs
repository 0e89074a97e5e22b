//! The membership flow's organizations (`login --membership`) and forgetting sources
//! (`logout [--org ID]`), revoking what Qonto lets us revoke.

use std::sync::Arc;

use anyhow::bail;

use super::reach::{Reach, clean};
use crate::auth::{explain, oauth_client};
use crate::config::Config;
use crate::sources::adding;
use crate::sources::{Source, Sources};
use qonto_client::api::Via;
use qonto_client::oauth::tokens::OAuthClient;
use qonto_client::store::{StoredTokens, blocking};

/// Stores a membership consent's tokens as the source of the organization they reach.
pub async fn add(
    config: &Config,
    client: &OAuthClient,
    tokens: StoredTokens,
) -> anyhow::Result<()> {
    let reach = Reach::open(config).await?;
    let source = adding::add_membership(&reach.api, &reach.sources, client, tokens).await?;
    crate::say!(
        "Added {} ({}) through the membership flow; its tokens are in {}.",
        clean(&source.name),
        clean(&source.org_id),
        reach.sources.session_store(&source.org_id).describe()
    )?;
    if reach.user_flow_reaches(&source.org_id).await {
        crate::say!(
            "You also reach it through your Qonto sign-in, which the app keeps using first."
        )?;
    }
    Ok(())
}

async fn all_sources(sources: &Arc<Sources>) -> anyhow::Result<Vec<Source>> {
    let s = sources.clone();
    blocking(move || s.list()).await.map_err(explain)
}

/// How many organizations are reached with an API key, and with a membership consent.
pub async fn source_counts(config: &Config) -> anyhow::Result<(usize, usize)> {
    let sources = Sources::for_config(config);
    let all = all_sources(&sources).await?;
    let consents = all.iter().filter(|s| s.via == Via::Membership).count();
    Ok((all.len() - consents, consents))
}

/// `logout --org ORG`: ORG as every command reads it (an id or its beginning, an API key's
/// login, a name's beginning), among the organizations a key or consent reaches.
pub async fn forget_org(config: &Config, wanted: &str) -> anyhow::Result<()> {
    let sources = Sources::for_config(config);
    let all = all_sources(&sources).await?;
    let mut known: Vec<(String, String)> = Vec::new();
    for s in &all {
        if !known.iter().any(|(id, _)| id == &s.org_id) {
            known.push((s.org_id.clone(), s.name.clone()));
        }
    }
    let logins: Vec<(String, String)> = all
        .iter()
        .filter_map(|s| Some((s.org_id.clone(), s.login.clone()?)))
        .collect();
    let org = match super::org_names::resolve(&known, &logins, wanted) {
        super::org_names::Named::One((id, _)) => id.clone(),
        super::org_names::Named::Several(n) => bail!(
            "{:?} names {n} organizations reached by a key or consent: give more of its name, or its id (see `qonto-tui orgs`)",
            clean(wanted)
        ),
        super::org_names::Named::None => wanted.to_string(),
    };
    let org = org.as_str();
    let found: Vec<Source> = all.into_iter().filter(|s| s.org_id == org).collect();
    if found.is_empty() {
        let reach = Reach::open(config).await?;
        if reach.user_flow_reaches(org).await {
            bail!(
                "{} is reached through your Qonto sign-in (User flow): untick it by consenting again (`qonto-tui login`), or sign out of everything with `qonto-tui logout`",
                clean(org)
            );
        }
        bail!(
            "no API key or membership consent reaches {} (see `qonto-tui orgs`)",
            clean(org)
        );
    }
    let client = oauth_client(config).await.ok();
    for source in &found {
        let revoked = adding::forget(&sources, client.as_ref(), source).await?;
        crate::say!("{}", forgotten(source, revoked))?;
    }
    Ok(())
}

/// `logout`: every membership session (revoked) and API key; how many there were.
pub async fn forget_all(config: &Config) -> anyhow::Result<usize> {
    let sources = Sources::for_config(config);
    let all = all_sources(&sources).await?;
    let orphans = forget_orphans(&sources).await?;
    if all.is_empty() {
        return Ok(orphans);
    }
    let client = if all.iter().any(|s| s.via == Via::Membership) {
        oauth_client(config).await.ok()
    } else {
        None
    };
    for source in &all {
        let revoked = adding::forget(&sources, client.as_ref(), source).await?;
        crate::say!("{}", forgotten(source, revoked))?;
    }
    sources.remove_list_if_empty();
    Ok(all.len())
}

/// Secrets an interrupted removal left with no list entry (an earlier version removed the
/// entry first): deleted, and said.
async fn forget_orphans(sources: &Arc<Sources>) -> anyhow::Result<usize> {
    // Best effort: a store that cannot be searched does not stop the sign-out itself; one that
    // does not answer at all would not answer the sign-out either, and is said at once.
    let orphans = match sources.remove_orphans().await {
        Ok(n) => n,
        Err(e @ qonto_client::store::StoreError::Timeout(_)) => {
            return Err(explain(e).context("nothing was signed out"));
        }
        Err(e) => {
            tracing::warn!("stored secrets without a list entry could not be looked for: {e}");
            0
        }
    };
    if orphans > 0 {
        crate::say!(
            "Deleted {orphans} stored secret{} that no source named any longer (left by an interrupted removal).",
            if orphans == 1 { "" } else { "s" }
        )?;
    }
    Ok(orphans)
}

fn forgotten(source: &Source, revoked: bool) -> String {
    let name = clean(&source.name);
    match (source.via, revoked) {
        (Via::Membership, true) => {
            format!("Forgot {name}: its membership consent was revoked at Qonto.")
        }
        (Via::Membership, false) => {
            format!("Forgot {name}'s membership tokens (Qonto could not be told to revoke them).")
        }
        _ => format!(
            "Forgot {name}'s API key ({}); it stays valid at Qonto until you regenerate it there.",
            clean(source.login.as_deref().unwrap_or("?"))
        ),
    }
}
