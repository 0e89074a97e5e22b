//! `qonto-tui sync [--json]`: brings the local books up to date without the TUI, every
//! organization in turn, with a progress line on a terminal.

use std::io::{IsTerminal, Write};

use serde_json::json;

use super::reach::{Reach, clean};
use crate::config::Config;
use crate::local_copy::open_for;
use crate::sources::listing;
use qonto_books::sync::{Budget, Listeners, Pace, Progress, sync_all};
use qonto_books::{BooksHandle, OpenedHandle};

/// Exit code when some organization could not be synced (the others were).
const EXIT_PARTIAL: u8 = 3;

pub async fn sync(config: &Config, as_json: bool) -> anyhow::Result<u8> {
    if !config.cache {
        anyhow::bail!(
            "the local copy of the books is turned off (`cache = false`, QONTO_TUI_CACHE=off or --no-cache): there is nothing to sync"
        );
    }
    let reach = Reach::open(config).await?;
    let listing = listing::list(&reach.api, &reach.sources)
        .await
        .map_err(crate::auth::explain)?;
    if listing.orgs.is_empty() {
        if as_json {
            crate::say!("{}", json!({"organizations": [], "stored": 0}))?;
        } else {
            crate::say!(
                "No organizations to sync: sign in with `qonto-tui login` or add one with `qonto-tui key add LOGIN`."
            )?;
        }
        return Ok(super::EXIT_NOT_SIGNED_IN);
    }
    let books = open_books(config).await?;
    if listing.user_flow.is_none() {
        // What the user no longer shares (or another person's books) is not kept.
        let shared = listing.orgs.clone();
        books.write(move |b| b.forget_unshared(&shared)).await??;
    }
    let show_progress = !as_json && std::io::stdout().is_terminal();
    let on_progress = |p: Progress| {
        if show_progress {
            let total = p.total_pages.map(|t| format!("/{t}")).unwrap_or_default();
            let org = listing
                .orgs
                .iter()
                .find(|o| o.id == p.org)
                .map(|o| clean(o.display_name()))
                .unwrap_or_default();
            eprint!(
                "\r\x1b[2K{org}: page {}{total} of an account, {} stored",
                p.page, p.stored
            );
            let _ = std::io::stderr().flush();
        }
    };
    let results = sync_all(
        &reach.api,
        &books,
        &listing.orgs,
        &Budget::unlimited(),
        Pace::FULL,
        Listeners::progress(&on_progress),
    )
    .await;
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let mut reports = Vec::new();
    let mut failed = 0;
    for (org, result) in listing.orgs.iter().zip(results) {
        let name = clean(org.display_name());
        match result {
            Ok(report) => {
                if !as_json {
                    crate::say!(
                        "{name}: {} new, {} changed ({} account{}, {} requests)",
                        report.added,
                        report.changed,
                        report.accounts,
                        if report.accounts == 1 { "" } else { "s" },
                        report.requests
                    )?;
                }
                reports.push(json!({
                    "id": clean(&report.org_id), "name": name, "source": org.via.as_str(),
                    "accounts": report.accounts, "added": report.added, "changed": report.changed,
                    "requests": report.requests, "error": null,
                }));
            }
            Err(e) => {
                failed += 1;
                if !as_json {
                    crate::say!("{name}: not synced: {e}")?;
                }
                reports.push(json!({
                    "id": clean(&org.id), "name": name, "source": org.via.as_str(),
                    "error": e.to_string(),
                }));
            }
        }
    }
    let stored = books.read_fresh(|b| b.total_transactions()).await;
    books.clone().close().await;
    let stored = stored??;
    let where_ = books
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "memory".into());
    if as_json {
        crate::say!(
            "{}",
            json!({"organizations": reports, "stored": stored, "database": where_})
        )?;
    } else {
        crate::say!("{stored} transactions stored, encrypted, in {where_}.")?;
    }
    Ok(if failed > 0 { EXIT_PARTIAL } else { 0 })
}

/// The books of `config`'s server; says so when an unreadable database was set aside.
async fn open_books(config: &Config) -> anyhow::Result<BooksHandle> {
    let OpenedHandle { books, set_aside } = open_for(config, false).await?;
    if let Some(aside) = set_aside {
        eprintln!(
            "The local database could not be read; it was moved to {} and is rebuilt from Qonto.",
            aside.display()
        );
    }
    Ok(books)
}
