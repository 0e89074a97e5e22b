//! `qonto-tui watch [--json]`: new and changed transactions of every organization as they
//! appear, one line each (NDJSON with `--json`), polling every account in turn within Qonto's
//! rate budget. A network loss or a Qonto outage is said once on stderr and waited out with a
//! growing pause; nothing is lost, since each poll asks from the last change seen.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use super::local::{Usage, choose_orgs};
use super::reach::{Reach, clean};
use crate::config::Config;
use crate::sources::listing;
use crate::watch::{Change, Event, Watched, relist};
use qonto_books::export::money::decimal;

const EXIT_USAGE: u8 = 2;
/// The longest pause between polls while Qonto cannot be reached.
const MAX_PAUSE: Duration = Duration::from_secs(120);
/// How often the organizations' accounts are listed again, for accounts opened or closed.
const RELIST_EVERY: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    /// Only these organizations, by id or the beginning of a name (repeatable; default: all).
    #[arg(long = "org", value_name = "ID")]
    pub orgs: Vec<String>,
    /// Seconds between polls (each asks once per account; at least 1).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub every: f64,
    /// Machine-readable: one JSON object per line (NDJSON), `event` `new` or `changed`.
    #[arg(long)]
    pub json: bool,
}

/// The line an event prints.
fn line(event: &Event, as_json: bool) -> String {
    let t = &event.transaction;
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(|s| qonto_client::printable::printable(s, 500))
    };
    let cents = t.signed_cents().unwrap_or(0);
    if as_json {
        return json!({
            "event": event.change,
            "org_id": clean(&event.org_id),
            "org_name": clean(&event.org_name),
            "account_id": clean(&event.account_id),
            "account_name": clean(&event.account_name),
            "id": text(&t.id.clone().or(t.transaction_id.clone())),
            "amount_cents": cents,
            "amount": decimal(cents, '.'),
            "currency": text(&t.currency),
            "side": text(&t.side),
            "status": text(&t.status),
            "operation_type": text(&t.operation_type),
            "counterparty": text(&t.clean_counterparty_name.clone().or(t.label.clone())),
            "emitted_at": text(&t.emitted_at),
            "settled_at": text(&t.settled_at),
            "updated_at": text(&t.updated_at),
        })
        .to_string();
    }
    let locale = crate::locale::Locale::from_env(&|k| std::env::var(k).ok());
    // The names share what the terminal's width leaves (80 columns fit a line).
    let width = crossterm::terminal::size().map_or(100, |(w, _)| usize::from(w));
    let names = width.saturating_sub(50).clamp(20, 52);
    let (org_width, counterparty_width) = (names * 2 / 5, names - names * 2 / 5);
    let cut = |text: &str, width: usize| -> String {
        let text = clean(text);
        if text.chars().count() <= width {
            format!("{text:<width$}")
        } else {
            let mut short: String = text.chars().take(width.saturating_sub(1)).collect();
            short.push('…');
            short
        }
    };
    format!(
        "{}  {:<7}  {}  {}  {:>13}  {}",
        // When it changed, in the local time zone.
        t.updated_at
            .as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d
                .with_timezone(&chrono::Local)
                .format("%m-%d %H:%M")
                .to_string())
            .unwrap_or_else(|| format!("{:11}", "")),
        match event.change {
            Change::New => "new",
            Change::Changed => "changed",
        },
        cut(&event.org_name, org_width),
        cut(
            t.clean_counterparty_name
                .as_deref()
                .or(t.label.as_deref())
                .unwrap_or("—"),
            counterparty_width
        ),
        locale.signed_money(cents, t.currency.as_deref().unwrap_or("EUR")),
        clean(t.status.as_deref().unwrap_or("")),
    )
}

pub async fn run(config: &Config, args: WatchArgs) -> anyhow::Result<u8> {
    if !(1.0..=86_400.0).contains(&args.every) {
        eprintln!("qonto-tui watch: --every is between 1 second and 86400 (a day)");
        return Ok(EXIT_USAGE);
    }
    let every = Duration::from_secs_f64(args.every);
    let reach = Reach::open(config).await?;
    let listed = listing::list(&reach.api, &reach.sources)
        .await
        .map_err(crate::auth::explain)?;
    let known = listed
        .orgs
        .iter()
        .map(|o| (o.id.clone(), o.display_name().to_string()))
        .collect();
    let orgs = match choose_orgs(known, &args.orgs, args.orgs.is_empty()) {
        Ok(orgs) => orgs,
        Err(Usage(e)) => {
            eprintln!("qonto-tui watch: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    if orgs.is_empty() {
        eprintln!(
            "qonto-tui watch: no organizations to watch: sign in with `qonto-tui login` or add one with `qonto-tui key add LOGIN`"
        );
        return Ok(super::EXIT_NOT_SIGNED_IN);
    }
    let watch_start = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let mut watched: Vec<Watched> = Vec::new();
    let mut unlisted: Vec<(String, String)> = orgs.clone();
    let mut listed_once: HashSet<String> = HashSet::new();
    let mut relisted_at = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut out = std::io::stdout();
    let mut failures: u32 = 0;
    let mut told = false;
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        // Accounts are listed until every organization's are known (one that failed is asked
        // again on the next poll), then again every RELIST_EVERY for accounts opened or closed.
        if unlisted.is_empty() && relisted_at.elapsed() >= RELIST_EVERY {
            unlisted = orgs.clone();
            relisted_at = Instant::now();
        }
        let mut still = Vec::new();
        for (id, name) in unlisted {
            let Ok(org) = reach.api.organization(&id).await else {
                still.push((id, name));
                continue;
            };
            let accounts: Vec<(String, String)> = org
                .bank_accounts
                .iter()
                .filter_map(|a| Some((a.id.clone()?, a.name.clone().unwrap_or_default())))
                .collect();
            let first = listed_once.insert(id.clone());
            let changes = relist(&mut watched, (&id, &name), &accounts, first, &watch_start);
            for account in &changes.added {
                eprintln!(
                    "qonto-tui watch: {} has a new account, {}: watching it too.",
                    clean(&name),
                    clean(account)
                );
            }
            for account in &changes.dropped {
                eprintln!(
                    "qonto-tui watch: {} no longer lists the account {}: no longer watched.",
                    clean(&name),
                    clean(account)
                );
            }
        }
        unlisted = still;
        let mut failed = None;
        for account in &mut watched {
            match account.poll(&reach.api).await {
                Ok(events) => {
                    for e in &events {
                        if writeln!(out, "{}", line(e, args.json))
                            .and_then(|()| out.flush())
                            .is_err()
                        {
                            // The reader went away (`| head`): done.
                            return Ok(0);
                        }
                    }
                }
                Err(e) => failed = Some(e),
            }
        }
        let pause = match (&failed, unlisted.is_empty()) {
            (None, true) => {
                if failures > 0 {
                    eprintln!("qonto-tui watch: Qonto answers again; watching.");
                }
                failures = 0;
                every
            }
            (Some(e), _) => {
                if failures == 0 {
                    eprintln!("qonto-tui watch: Qonto cannot be reached ({e}); trying again.");
                }
                failures = failures.saturating_add(1);
                every
                    .checked_mul(2u32.saturating_pow(failures.min(8)))
                    .unwrap_or(MAX_PAUSE)
                    .min(MAX_PAUSE.max(every))
            }
            (None, false) => {
                if failures == 0 {
                    eprintln!(
                        "qonto-tui watch: some organizations' accounts could not be listed; trying again."
                    );
                }
                failures = failures.saturating_add(1);
                every
            }
        };
        if terminal && !told && unlisted.is_empty() && failed.is_none() {
            told = true;
            eprintln!(
                "Watching {} accounts every {} s; Ctrl-C to stop.",
                watched.len(),
                every.as_secs_f64()
            );
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = &mut stop => {
                if terminal { eprintln!(); }
                return Ok(0);
            }
        }
    }
}
