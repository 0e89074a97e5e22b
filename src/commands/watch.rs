//! `qonto-tui watch [--json]`: new and changed transactions of every organization as they
//! appear, one line each (NDJSON with `--json`). Built on the sync: each round brings the books
//! (the local copy, or a copy in memory when it is off) up to date, and what the sync added or
//! changed is the news, so "what changed" has one definition for `sync`, the TUI and `watch`.
//! A network loss or a Qonto outage is said once on stderr and waited out with a growing
//! pause; nothing is lost, since each round asks from the last change stored.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;

use super::local::Usage;
use super::reach::{Reach, clean};
use crate::config::Config;
use crate::sources::listing;
use qonto_books::BooksHandle;
use qonto_books::export::money::decimal;
use qonto_books::sync::{Budget, Change, Listeners, News, Pace, sync_org};

const EXIT_USAGE: u8 = 2;
/// The longest pause between rounds while Qonto cannot be reached.
const MAX_PAUSE: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    /// Only these organizations, by id or the beginning of a name (repeatable; default: all).
    #[arg(long = "org", value_name = "ORG")]
    pub orgs: Vec<String>,
    /// Seconds between rounds (each asks for every organization's accounts and what changed
    /// on each; at least 1).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub every: f64,
    /// Machine-readable: one JSON object per line (NDJSON), `event` `new` or `changed`.
    #[arg(long)]
    pub json: bool,
}

/// The line a piece of news prints.
fn line(event: &News, as_json: bool) -> String {
    let t = &event.transaction;
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(|s| qonto_client::printable::printable(s, 500))
    };
    let cents = t.signed_cents().unwrap_or(0);
    if as_json {
        return json!({
            "event": event.change,
            "org_id": clean(event.org_id),
            "org_name": clean(event.org_name),
            "account_id": clean(event.account_id),
            "account_name": clean(event.account_name),
            "id": text(&t.id.clone().or(t.transaction_id.clone())),
            "amount_cents": cents,
            "amount": decimal(cents, '.'),
            "currency": text(&t.currency),
            "side": t.side.as_ref().map(|v| clean(v.as_str())),
            "status": t.status.as_ref().map(|v| clean(v.as_str())),
            "operation_type": t.operation_type.as_ref().map(|v| clean(v.as_str())),
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
        cut(event.org_name, org_width),
        cut(
            t.clean_counterparty_name
                .as_deref()
                .or(t.label.as_deref())
                .unwrap_or("—"),
            counterparty_width
        ),
        locale.signed_money(cents, t.currency.as_deref().unwrap_or("EUR")),
        clean(t.status.as_ref().map_or("", |s| s.as_str())),
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
    let chosen = match super::local::choose_orgs_reached(
        known,
        &super::local::logins(config),
        &args.orgs,
        args.orgs.is_empty(),
    ) {
        Ok(orgs) => orgs,
        Err(Usage(e)) => {
            eprintln!("qonto-tui watch: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let orgs: Vec<_> = listed
        .orgs
        .iter()
        .filter(|o| chosen.iter().any(|(id, _)| *id == o.id))
        .cloned()
        .collect();
    if orgs.is_empty() {
        eprintln!(
            "qonto-tui watch: no organizations to watch: sign in with `qonto-tui login` or add one with `qonto-tui key add LOGIN`"
        );
        return Ok(super::EXIT_NOT_SIGNED_IN);
    }
    let books = watched_books(config).await?;
    let answer = watch(&reach, &books, &orgs, every, args.json).await;
    books.close().await;
    answer
}

/// The books the watch keeps up to date: the local copy when it is on (it is then synced as a
/// side effect, and a change to an old transaction is told as changed), else a copy in memory.
async fn watched_books(config: &Config) -> anyhow::Result<BooksHandle> {
    if config.cache {
        match crate::local_copy::open_for(config, false).await {
            Ok(opened) => return Ok(opened.books),
            Err(e) => eprintln!(
                "qonto-tui watch: the local copy cannot be used ({e:#}); watching with a copy in memory."
            ),
        }
    }
    Ok(BooksHandle::in_memory()?)
}

/// Rounds of sync until Ctrl-C or until the reader of standard output goes away.
async fn watch(
    reach: &Reach,
    books: &BooksHandle,
    orgs: &[qonto_client::api::models::UserOrganization],
    every: Duration,
    as_json: bool,
) -> anyhow::Result<u8> {
    let terminal = std::io::stderr().is_terminal();
    let reader_gone = AtomicBool::new(false);
    let tell = |news: News| {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{}", line(&news, as_json))
            .and_then(|()| out.flush())
            .is_err()
        {
            reader_gone.store(true, Ordering::SeqCst);
        }
    };
    // What exists when the watch starts is not news; what changes from then on is, on every
    // account, including one opened while watched.
    let listeners = Listeners {
        progress: &|_| {},
        news: &tell,
        news_since: Some(chrono::Utc::now()),
    };
    let mut accounts: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut failures: u32 = 0;
    let mut told = false;
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let round = async {
            let mut failed = None;
            for org in orgs {
                let budget = Budget::unlimited();
                match sync_org(&reach.api, books, org, &budget, Pace::FULL, listeners).await {
                    Ok(report) => {
                        let name = clean(org.display_name());
                        let before = accounts.insert(org.id.clone(), report.listed.clone());
                        say_account_changes(&name, before.as_deref(), &report.listed);
                    }
                    Err(e) => failed = Some(e),
                }
                if reader_gone.load(Ordering::SeqCst) {
                    break;
                }
            }
            failed
        };
        // A first round can be long (a history filled in): Ctrl-C stops it too.
        let failed = tokio::select! {
            failed = round => failed,
            _ = &mut stop => {
                if terminal { eprintln!(); }
                return Ok(0);
            }
        };
        if reader_gone.load(Ordering::SeqCst) {
            // The reader went away (`| head`): done.
            return Ok(0);
        }
        let pause = match &failed {
            None => {
                if failures > 0 {
                    eprintln!("qonto-tui watch: Qonto answers again; watching.");
                }
                failures = 0;
                every
            }
            Some(e) => {
                if failures == 0 {
                    eprintln!("qonto-tui watch: Qonto cannot be reached ({e}); trying again.");
                }
                failures = failures.saturating_add(1);
                every
                    .checked_mul(2u32.saturating_pow(failures.min(8)))
                    .unwrap_or(MAX_PAUSE)
                    .min(MAX_PAUSE.max(every))
            }
        };
        if terminal && !told && failed.is_none() {
            told = true;
            eprintln!(
                "Watching {} accounts every {} s; Ctrl-C to stop.",
                accounts.values().map(Vec::len).sum::<usize>(),
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

/// Says which accounts an organization opened or closed since the round before (nothing on
/// its first round).
fn say_account_changes(org: &str, before: Option<&[(String, String)]>, now: &[(String, String)]) {
    let Some(before) = before else {
        return;
    };
    for (id, name) in now {
        if !before.iter().any(|(b, _)| b == id) {
            eprintln!(
                "qonto-tui watch: {org} has a new account, {}: watching it too.",
                clean(name)
            );
        }
    }
    for (id, name) in before {
        if !now.iter().any(|(n, _)| n == id) {
            eprintln!(
                "qonto-tui watch: {org} no longer lists the account {}: no longer watched.",
                clean(name)
            );
        }
    }
}
