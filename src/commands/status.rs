//! `qonto-tui status [--json]`: who is signed in, against which Qonto, until when, the shared
//! organizations and the token store. With `--json` the answer is always one JSON object, an
//! `error` field saying what could not be found out.

use std::sync::Arc;

use serde_json::json;

use super::reach::clean;
use crate::auth::{explain, oauth_client, store_for};
use crate::config::Config;
use crate::sources::Source;
use qonto_client::api::models::UserOrganization;
use qonto_client::oauth::session::Session;
use qonto_client::store::{StoredTokens, TokenStore, blocking};

/// `status` exits with this when nobody is signed in (like `gh auth status`).
pub const EXIT_NOT_SIGNED_IN: u8 = 4;
/// And with this when it could not find out (the store cannot be read).
const EXIT_ERROR: u8 = 1;

pub async fn status(
    config: &Config,
    as_json: bool,
    log_file: Option<&std::path::Path>,
) -> anyhow::Result<u8> {
    let report = Report {
        as_json,
        server: config.server_label(),
        log: log_file.map(|p| p.display().to_string()),
        others: Vec::new(),
    };
    let store = store_for(config)?;
    let s = store.clone();
    let stored = match blocking(move || s.load()).await {
        Ok(stored) => stored,
        Err(e) if as_json => {
            report.print(json!({
                "signed_in": null,
                "store": store.describe(),
                "error": explain(e).to_string(),
            }))?;
            return Ok(EXIT_ERROR);
        }
        Err(e) => return Err(explain(e)),
    };
    let others = other_sources(config, store.clone(), stored.clone()).await;
    let report = Report { others, ..report };
    let Some(tokens) = stored else {
        report.not_signed_in(&store.describe(), None)?;
        return Ok(report.exit_when_not_signed_in());
    };
    let client = oauth_client(config).await?;
    let session = Arc::new(Session::new(client, store.clone(), Some(tokens.clone())));
    let api = crate::auth::api_client(config, session.clone())?;
    let orgs = api.user_organizations().await;
    if orgs.as_ref().is_err_and(|e| e.requires_sign_in()) {
        report.not_signed_in(
            &store.describe(),
            Some("the sign-in expired or was revoked"),
        )?;
        return Ok(report.exit_when_not_signed_in());
    }
    // Who: the caller's own membership in the first shared organization.
    let me = match orgs.as_ref().ok().and_then(|list| list.first()) {
        Some(first) => api
            .own_membership(&first.id)
            .await
            .ok()
            .map(|m| (m, first.display_name().to_string())),
        None => None,
    };
    let expires_at = session
        .tokens()
        .await
        .map_or(tokens.expires_at, |t| t.expires_at);
    if as_json {
        let organizations = match &orgs {
            Ok(list) => json!(list.iter().map(org_json).collect::<Vec<_>>()),
            Err(_) => serde_json::Value::Null,
        };
        report.print(json!({
            "signed_in": true,
            "user": me.as_ref().map(|(m, org)| json!({
                "name": m.full_name(),
                "role": m.role,
                "in_organization": org,
            })),
            "store": store.describe(),
            "access_token_expires_at": chrono::DateTime::from_timestamp(expires_at, 0).map(|t| t.to_rfc3339()),
            "scope": tokens.scope,
            "organizations": organizations,
            "error": orgs.as_ref().err().map(|e| e.to_string()),
        }))?;
        return Ok(0);
    }
    match &me {
        Some((m, org)) => crate::say!(
            "Signed in as {} ({} of {org}), on {}.",
            m.full_name(),
            m.role.as_deref().unwrap_or("member"),
            report.server
        )?,
        None => crate::say!("Signed in, on {}.", report.server)?,
    }
    crate::say!("  token store:     {}", store.describe())?;
    crate::say!("  access token:    expires {}", when(expires_at))?;
    crate::say!("  scope:           {}", tokens.scope)?;
    if let Some(l) = &report.log {
        crate::say!("  log file:        {l}")?;
    }
    match &orgs {
        Ok(list) => {
            crate::say!("  organizations:   {}", list.len())?;
            super::print_orgs(list, "    ")?;
        }
        Err(e) => crate::say!("  organizations:   could not be listed: {e}")?,
    }
    report.print_others()?;
    Ok(0)
}

fn org_json(o: &UserOrganization) -> serde_json::Value {
    json!({"id": o.id, "name": o.name, "membership_role": o.membership_role})
}

/// What every answer says, whatever the outcome.
struct Report {
    as_json: bool,
    server: String,
    log: Option<String>,
    /// Membership sessions and API keys, each checked with Qonto.
    others: Vec<SourceState>,
}

/// A source other than the User flow, and whether Qonto takes its credential now.
struct SourceState {
    source: Source,
    /// `None`: it answered.
    problem: Option<String>,
}

/// Every other source, each asked for its organization once.
async fn other_sources(
    config: &Config,
    store: Arc<dyn TokenStore>,
    stored: Option<StoredTokens>,
) -> Vec<SourceState> {
    let Ok(reach) = super::reach::Reach::with_tokens(config, store, stored).await else {
        return Vec::new();
    };
    let s = reach.sources.clone();
    let Ok(list) = blocking(move || s.list()).await else {
        return Vec::new();
    };
    let oauth = reach.api.session().client().clone();
    let mut states = Vec::new();
    for source in list {
        let problem = match reach.sources.credential(&source, &oauth).await {
            Ok(Some(credential)) => reach
                .api
                .organization_with(&credential)
                .await
                .err()
                .map(|e| e.to_string()),
            Ok(None) => Some("its secret is no longer stored".to_string()),
            Err(e) => Some(e.to_string()),
        };
        states.push(SourceState { source, problem });
    }
    states
}

impl Report {
    fn print(&self, mut fields: serde_json::Value) -> Result<(), super::out::OutError> {
        if let Some(map) = fields.as_object_mut() {
            map.insert("server".into(), json!(self.server));
            map.insert("log_file".into(), json!(self.log));
            let sources: Vec<serde_json::Value> = self
                .others
                .iter()
                .map(|s| {
                    json!({
                        "source": s.source.via.as_str(),
                        "org_id": clean(&s.source.org_id),
                        "name": clean(&s.source.name),
                        "login": s.source.login.as_deref().map(clean),
                        "answered": s.problem.is_none(),
                        "error": s.problem,
                    })
                })
                .collect();
            map.insert("sources".into(), json!(sources));
        }
        crate::say!("{fields}")
    }

    /// Not signed in through the User flow: still "reaching organizations" with other sources.
    fn exit_when_not_signed_in(&self) -> u8 {
        if self.others.is_empty() {
            EXIT_NOT_SIGNED_IN
        } else {
            0
        }
    }

    fn print_others(&self) -> Result<(), super::out::OutError> {
        if self.as_json || self.others.is_empty() {
            return Ok(());
        }
        crate::say!("  other sources:   {}", self.others.len())?;
        for s in &self.others {
            crate::say!(
                "    {}  {}  via {}{}  {}",
                clean(&s.source.org_id),
                clean(&s.source.name),
                s.source.via.as_str(),
                s.source
                    .login
                    .as_deref()
                    .map(|l| format!(" ({})", clean(l)))
                    .unwrap_or_default(),
                match &s.problem {
                    None => "answers".to_string(),
                    Some(why) => format!("refused: {why}"),
                }
            )?;
        }
        Ok(())
    }

    fn not_signed_in(&self, store: &str, reason: Option<&str>) -> Result<(), super::out::OutError> {
        if self.as_json {
            self.print(json!({ "signed_in": false, "store": store, "reason": reason }))?;
            return Ok(());
        }
        if !self.others.is_empty() {
            crate::say!(
                "Not signed in through the User flow{}; organizations reached otherwise, on {}:",
                reason.map(|r| format!(" ({r})")).unwrap_or_default(),
                self.server
            )?;
            self.print_others()?;
            return Ok(());
        }
        match reason {
            Some(why) => crate::say!("Not signed in: {why}. Run `qonto-tui login`.")?,
            None => crate::say!(
                "Not signed in (tokens looked up in {store}). Run `qonto-tui login` ({}).",
                self.server
            )?,
        }
        self.print_others()
    }
}

/// A Unix time as local time with how far away it is: "2026-11-23 14:32 (in 52 min)".
fn when(unix: i64) -> String {
    let Some(at) = chrono::DateTime::from_timestamp(unix, 0) else {
        return "at an unknown time".to_string();
    };
    let local = at.with_timezone(&chrono::Local);
    let secs = unix - chrono::Utc::now().timestamp();
    let minutes = secs.abs() / 60;
    let distance = match minutes {
        0 => "now".to_string(),
        m if m < 120 => format!("{m} min"),
        m => format!("{} h {} min", m / 60, m % 60),
    };
    let relative = match (secs >= 0, minutes) {
        (_, 0) => distance,
        (true, _) => format!("in {distance}"),
        (false, _) => format!("{distance} ago"),
    };
    format!("{} ({relative})", local.format("%Y-%m-%d %H:%M %Z"))
}
