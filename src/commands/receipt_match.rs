//! `qonto-tui receipts match [PATH…] [--apply] [--json]`: reads a folder of receipts (the inbox
//! by default) and proposes, for each, the transaction it belongs to among every organization's
//! transactions that miss a receipt. A dry run unless `--apply`, which attaches the confident
//! matches only (through the journal) and moves each attached file to `attached/ORGANIZATION/`
//! inside its folder; nothing is ever attached on a guess.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::reach::clean;
use crate::config::Config;
use crate::receipt_inbox::{Item, Skipped, keep_attached, list, match_files};
use crate::receipt_text::Limits;
use crate::writes::receipts::Outcome;
use qonto_books::matching::{Candidate, Matcher, Proposal, Scored};

/// No receipt matched a transaction confidently.
const EXIT_NONE: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// Folders of receipts and single files (default: `receipts_inbox` from the config, else
    /// `Receipts` in your documents folder).
    pub paths: Vec<PathBuf>,
    /// Attach the confident matches (without it, nothing is sent: a dry run).
    #[arg(long)]
    pub apply: bool,
    /// Machine-readable output: one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Where a file came from: a folder (moved into its `attached/` once attached) or named alone.
struct Source {
    path: PathBuf,
    folder: Option<PathBuf>,
}

pub async fn run(config: &Config, args: MatchArgs) -> anyhow::Result<u8> {
    if !config.cache {
        anyhow::bail!(
            "matching reads the local copy, which is turned off (`cache = false`, QONTO_TUI_CACHE=off or --no-cache)"
        );
    }
    let asked = if args.paths.is_empty() {
        vec![config.receipts_inbox.clone()]
    } else {
        args.paths.clone()
    };
    let mut sources = Vec::new();
    let mut skipped = Vec::new();
    for path in &asked {
        if path.is_dir() {
            let (files, set_aside) = list(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", clean(&path.display().to_string())))?;
            sources.extend(files.into_iter().map(|f| Source {
                path: f,
                folder: Some(path.clone()),
            }));
            skipped.extend(set_aside);
        } else {
            sources.push(Source {
                path: path.clone(),
                folder: None,
            });
        }
    }
    let books = crate::local_copy::open_for(config, false).await?.books;
    let result = run_with(config, &args, &books, &sources, skipped).await;
    books.close().await;
    result
}

async fn run_with(
    config: &Config,
    args: &MatchArgs,
    books: &qonto_books::BooksHandle,
    sources: &[Source],
    mut skipped: Vec<Skipped>,
) -> anyhow::Result<u8> {
    let candidates: Vec<Candidate> = books.read_fresh(|b| b.receipt_candidates()).await??;
    if !args.json {
        eprintln!(
            "Reading {} receipt{} against {} transactions missing one…",
            sources.len(),
            if sources.len() == 1 { "" } else { "s" },
            candidates.len()
        );
    }
    let paths: Vec<PathBuf> = sources.iter().map(|s| s.path.clone()).collect();
    let matcher = Matcher::new(candidates);
    let (items, unread) = match_files(books, &paths, &matcher, Limits::from_env(), |_| {}).await;
    skipped.extend(unread);
    let session = if args.apply {
        Some(super::writes::Session::open_on(config, books.clone()).await?)
    } else {
        None
    };
    let mut confident = 0;
    let mut failed = 0;
    let mut report = Vec::new();
    for item in &items {
        let folder = sources
            .iter()
            .find(|s| s.path == item.path)
            .and_then(|s| s.folder.clone());
        let applied = match (&item.proposal, &session) {
            (Proposal::Confident(best), Some(session)) => {
                confident += 1;
                Some(apply(session, config, item, best, folder.as_deref()).await)
            }
            (Proposal::Confident(_), None) => {
                confident += 1;
                None
            }
            _ => None,
        };
        if matches!(applied, Some(Err(_))) {
            failed += 1;
        }
        if args.json {
            report.push(item_json(item, applied.as_ref()));
        } else {
            say_item(item, applied.as_ref())?;
        }
    }
    for s in &skipped {
        if !args.json {
            eprintln!(
                "{}: not read: {}",
                clean(&s.path.display().to_string()),
                clean(&s.why)
            );
        }
    }
    if args.json {
        let skipped: Vec<_> = skipped
            .iter()
            .map(|s| json!({"file": clean(&s.path.display().to_string()), "why": clean(&s.why)}))
            .collect();
        crate::say!("{}", json!({"files": report, "skipped": skipped}))?;
    } else {
        let listed = items
            .iter()
            .filter(|i| matches!(&i.proposal, Proposal::Candidates { candidates } if !candidates.is_empty()))
            .count();
        eprintln!(
            "{} read: {confident} matched{}, {listed} with candidates to choose from, {} unmatched{}.",
            items.len(),
            if args.apply {
                ""
            } else {
                " (a dry run: --apply attaches them)"
            },
            items.len() - confident - listed,
            if skipped.is_empty() {
                String::new()
            } else {
                format!(", {} not read", skipped.len())
            }
        );
    }
    Ok(if failed > 0 {
        1
    } else if confident == 0 {
        EXIT_NONE
    } else {
        0
    })
}

/// Attaches a confident match and moves the file out of the inbox.
async fn apply(
    session: &super::writes::Session,
    config: &Config,
    item: &Item,
    best: &Scored,
    folder: Option<&Path>,
) -> Result<(Outcome, Option<PathBuf>), String> {
    let receipts = session.receipts(config);
    let target = crate::writes::receipts::target(&session.books, &best.candidate.id)
        .await
        .map_err(|e| e.to_string())?;
    let outcome = receipts
        .attach(&target, &item.path)
        .await
        .map_err(|e| e.to_string())?;
    let moved = match folder {
        Some(folder) => move_attached(folder, &best.candidate.org_name, item).await,
        None => None,
    };
    Ok((outcome, moved))
}

/// Moves an attached file out of its inbox, saying so when it cannot.
async fn move_attached(folder: &Path, org: &str, item: &Item) -> Option<PathBuf> {
    match keep_attached(folder, org, &item.path, &item.sha256).await {
        Ok(path) => Some(path),
        Err(e) => {
            eprintln!(
                "{}: attached, but not moved out of the inbox: {}",
                clean(&item.name),
                clean(&e.to_string())
            );
            None
        }
    }
}

fn words(c: &Candidate) -> String {
    let date = c.emitted_on.map(|d| d.to_string()).unwrap_or_default();
    format!(
        "{} · {date} {} {}.{:02} {}",
        clean(&c.org_name),
        clean(&c.counterparty),
        c.amount_cents / 100,
        c.amount_cents % 100,
        clean(&c.currency)
    )
}

fn say_item(
    item: &Item,
    applied: Option<&Result<(Outcome, Option<PathBuf>), String>>,
) -> anyhow::Result<()> {
    let name = clean(&item.name);
    match &item.proposal {
        Proposal::Confident(best) => {
            crate::say!(
                "✓ {name} → {}  ({})",
                words(&best.candidate),
                best.reasons.join(", ")
            )?;
            match applied {
                Some(Ok((outcome, moved))) => {
                    let state = if outcome.already {
                        "already attached".to_string()
                    } else {
                        format!("{} (write #{})", outcome.state.as_str(), outcome.write)
                    };
                    let moved = moved
                        .as_ref()
                        .map(|p| format!("; moved to {}", clean(&p.display().to_string())))
                        .unwrap_or_default();
                    crate::say!("    attached: {state}{moved}")?;
                }
                Some(Err(e)) => crate::say!("    not attached: {}", clean(e))?,
                None => {}
            }
        }
        Proposal::Candidates { candidates: list } if !list.is_empty() => {
            crate::say!(
                "? {name}: {} could be it, none clearly; not attached:",
                list.len()
            )?;
            for s in list {
                crate::say!(
                    "    {}  (score {:.2}: {})",
                    words(&s.candidate),
                    s.score,
                    s.reasons.join(", ")
                )?;
            }
        }
        Proposal::Candidates { .. } => {
            crate::say!("· {name}: no transaction missing a receipt matches")?
        }
    }
    if let Some(note) = &item.note {
        crate::say!("    (read less than it could: {})", clean(note))?;
    }
    Ok(())
}

fn item_json(
    item: &Item,
    applied: Option<&Result<(Outcome, Option<PathBuf>), String>>,
) -> serde_json::Value {
    let applied = applied.map(|r| match r {
        Ok((o, moved)) => json!({
            "write": o.write, "state": o.state.as_str(), "already": o.already,
            "attachment": o.attachment,
            "moved_to": moved.as_ref().map(|p| clean(&p.display().to_string())),
        }),
        Err(e) => json!({"error": clean(e)}),
    });
    json!({
        "file": clean(&item.path.display().to_string()),
        "sha256": item.sha256,
        "read_by": item.method.as_str(),
        "note": item.note.as_deref().map(clean),
        // Written out first: `json!` would panic on a value that does not serialize.
        "proposal": serde_json::to_value(&item.proposal).unwrap_or_default(),
        "applied": applied,
    })
}
