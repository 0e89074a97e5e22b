//! `qonto-tui orgs [--json]`: every organization across sources (User flow, membership flow,
//! API keys), each once, and whether it answered just now.

use futures_util::StreamExt;
use serde_json::json;

use super::reach::{Reach, clean};
use crate::config::Config;
use crate::sources::listing;
use qonto_client::api::ApiError;
use qonto_client::api::models::UserOrganization;

/// Organizations asked at once (the client-side rate limit paces them anyway).
const AT_ONCE: usize = 4;

pub async fn orgs(config: &Config, as_json: bool) -> anyhow::Result<u8> {
    let reach = Reach::open(config).await?;
    let listing = listing::list(&reach.api, &reach.sources)
        .await
        .map_err(crate::auth::explain)?;
    if let Some(e) = &listing.user_flow
        && !(e.requires_sign_in() && reach.stored.is_none())
    {
        eprintln!("The User-flow sign-in's organizations could not be listed: {e}");
    }
    for (source, why) in &listing.unreachable {
        eprintln!(
            "{} ({}) cannot be reached: {why}",
            clean(&source.name),
            source.via.as_str()
        );
    }
    if listing.orgs.is_empty() {
        if as_json {
            crate::say!("[]")?;
        } else {
            crate::say!(
                "No organizations: sign in with `qonto-tui login`, or add one with `qonto-tui key add LOGIN` or `qonto-tui login --membership`."
            )?;
        }
        return Ok(super::EXIT_NOT_SIGNED_IN);
    }
    let api = &reach.api;
    let mut answers: Vec<(usize, Result<Option<String>, ApiError>)> = futures_util::stream::iter(
        listing.orgs.iter().enumerate(),
    )
    .map(|(i, o)| async move { (i, api.organization(&o.id).await.map(|org| org.legal_name)) })
    .buffer_unordered(AT_ONCE)
    .collect()
    .await;
    answers.sort_by_key(|(i, _)| *i);
    let rows: Vec<(&UserOrganization, Result<Option<String>, ApiError>)> = listing
        .orgs
        .iter()
        .zip(answers.into_iter().map(|(_, a)| a))
        .collect();
    if as_json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(o, answer)| {
                let legal_name = match answer {
                    Ok(Some(l)) => Some(clean(l)),
                    _ => o.legal_name.as_deref().map(clean),
                };
                json!({
                    "id": clean(&o.id),
                    "name": o.name.as_deref().map(clean),
                    "legal_name": legal_name,
                    "membership_role": o.membership_role.as_deref().map(clean),
                    "source": o.via.as_str(),
                    "answered": answer.is_ok(),
                    "error": answer.as_ref().err().map(|e| e.to_string()),
                })
            })
            .collect();
        crate::say!("{}", serde_json::Value::Array(list))?;
        return Ok(0);
    }
    for (o, answer) in &rows {
        crate::say!(
            "{}  {}  ({})  via {}{}",
            clean(&o.id),
            clean(o.display_name()),
            o.membership_role
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "role unknown".into()),
            o.via.as_str(),
            match answer {
                Ok(_) => String::new(),
                Err(e) => format!("  — did not answer: {e}"),
            }
        )?;
    }
    Ok(0)
}
