//! `qonto-tui attach TX FILE…`, `detach TX [ATTACHMENT]` and `journal`: receipts written to
//! Qonto from the command line, through the journal (see [`crate::writes`]). Each writing
//! command first finishes what an earlier run left unfinished.

use std::io::{BufRead, IsTerminal, Write as _};
use std::path::PathBuf;

use serde_json::json;

use super::export::EXIT_USAGE;
use super::reach::{Reach, clean};
use crate::config::Config;
use crate::sources::listing;
use crate::writes::WriteError;
use crate::writes::receipts::{Outcome, Receipts, Target, target};
use qonto_books::BooksHandle;
use qonto_books::journal::{Write, WriteKind, WriteState};

/// Some write failed (the others were done).
const EXIT_FAILED: u8 = 1;

#[derive(Debug, clap::Args)]
pub struct AttachArgs {
    /// The transaction's id (as `search --json` gives it).
    pub transaction: String,
    /// The receipts: PDF, JPEG or PNG files, up to 15 MB each.
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Machine-readable output: one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct DetachArgs {
    /// The transaction's id.
    pub transaction: String,
    /// The attachment to remove (needed when the transaction has several).
    pub attachment: Option<String>,
    /// Do not ask for a confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Machine-readable output: one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct JournalArgs {
    /// Finish the writes an earlier run left unfinished (send again what got no answer, confirm
    /// what Qonto accepted).
    #[arg(long)]
    pub finish: bool,
    /// Take back attach #N: remove exactly the attachment it made (after a confirmation, or
    /// with --yes).
    #[arg(long, value_name = "N")]
    pub undo: Option<i64>,
    /// Do not ask for a confirmation (with --undo).
    #[arg(long)]
    pub yes: bool,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Machine-readable output: a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// What a writing command works with.
pub(super) struct Session {
    reach: Reach,
    pub(super) books: BooksHandle,
    /// The organizations reached, as listed when the session opened.
    orgs: Vec<qonto_client::api::models::UserOrganization>,
}

impl Session {
    pub(super) async fn open(config: &Config) -> anyhow::Result<Self> {
        if !config.cache {
            anyhow::bail!(
                "writes are recorded in the local copy, which is turned off (`cache = false`, QONTO_TUI_CACHE=off or --no-cache)"
            );
        }
        let books = crate::local_copy::open_for(config, false).await?.books;
        Self::open_on(config, books).await
    }

    /// Reaches Qonto for writes recorded in `books`, already open.
    pub(super) async fn open_on(config: &Config, books: BooksHandle) -> anyhow::Result<Self> {
        let reach = Reach::open(config).await?;
        // Routes each organization to the credential that reaches it.
        let listed = listing::list(&reach.api, &reach.sources)
            .await
            .map_err(crate::auth::explain)?;
        Ok(Self {
            reach,
            books,
            orgs: listed.orgs,
        })
    }

    pub(super) fn receipts<'a>(&'a self, config: &'a Config) -> Receipts<'a> {
        Receipts {
            api: &self.reach.api,
            books: &self.books,
            policy: &config.writes,
            config_path: &config.config_path,
        }
    }

    pub(super) fn categories<'a>(
        &'a self,
        config: &'a Config,
    ) -> crate::writes::categories::Categories<'a> {
        crate::writes::categories::Categories {
            api: &self.reach.api,
            books: &self.books,
            policy: &config.writes,
            config_path: &config.config_path,
        }
    }

    pub(super) fn declines<'a>(
        &'a self,
        config: &'a Config,
    ) -> crate::writes::requests::Declines<'a> {
        crate::writes::requests::Declines {
            api: &self.reach.api,
            books: &self.books,
            policy: &config.writes,
            config_path: &config.config_path,
        }
    }

    pub(super) fn invoices<'a>(
        &'a self,
        config: &'a Config,
    ) -> crate::writes::invoices::Invoices<'a> {
        crate::writes::invoices::Invoices {
            api: &self.reach.api,
            books: &self.books,
            policy: &config.writes,
            config_path: &config.config_path,
        }
    }

    /// Every organization reached, by id and name.
    pub(super) fn organizations(&self) -> Vec<(String, String)> {
        self.orgs
            .iter()
            .map(|o| (o.id.clone(), clean(o.display_name())))
            .collect()
    }

    pub(super) async fn close(self) {
        self.books.close().await;
    }
}

/// Finishes earlier runs' writes, saying what became of each.
async fn finish_earlier(
    receipts: &Receipts<'_>,
    json: bool,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut said = Vec::new();
    for (write, result) in receipts.finish_unfinished().await? {
        let what = format!(
            "earlier write #{} ({} {})",
            write.id,
            write.kind.as_str(),
            clean(&write.subject)
        );
        match &result {
            Ok(outcome) => {
                if !json {
                    eprintln!("Finished {what}: {}.", outcome.state.as_str());
                }
            }
            Err(e) => eprintln!("Not finished, {what}: {e}"),
        }
        said.push(json!({
            "write": write.id,
            "state": result.as_ref().map(|o| o.state.as_str()).unwrap_or(write.state.as_str()),
            "error": result.err().map(|e| e.to_string()),
        }));
    }
    Ok(said)
}

/// Runs `work` in a writing session, closing the books whatever it returns.
pub(super) async fn in_session(
    config: &Config,
    work: impl AsyncFnOnce(&Session) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    let session = Session::open(config).await?;
    let code = work(&session).await;
    session.close().await;
    code
}

/// The transaction `id` from the local copy; `None` (said on stderr, for `command`) when the
/// copy does not hold it.
async fn known_target(
    session: &Session,
    id: &str,
    command: &str,
) -> anyhow::Result<Option<Target>> {
    match target(&session.books, id).await {
        Ok(t) => Ok(Some(t)),
        Err(e @ WriteError::UnknownTransaction(_)) => {
            eprintln!("qonto-tui {command}: {e}");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn attach(config: &Config, args: AttachArgs) -> anyhow::Result<u8> {
    // A staff member on the firm's books asks the firm's service; the service itself acts
    // for a staff member only through `serve act`.
    if let (Some(books), None) = (&config.books, &config.staff) {
        return super::firm_ask::attach(books.expose(), &args).await;
    }
    in_session(config, async |session| {
        attach_in(config, session, &args).await
    })
    .await
}

async fn attach_in(config: &Config, session: &Session, args: &AttachArgs) -> anyhow::Result<u8> {
    let receipts = session.receipts(config);
    let earlier = finish_earlier(&receipts, args.json).await?;
    let Some(target) = known_target(session, &args.transaction, "attach").await? else {
        return Ok(EXIT_USAGE);
    };
    let mut failed = 0;
    let mut results = Vec::new();
    for file in &args.files {
        let shown = clean(&file.display().to_string());
        let result = receipts.attach(&target, file).await;
        if !args.json {
            match &result {
                Ok(outcome) => crate::say!("{}", said(&shown, &target, outcome))?,
                Err(e) => eprintln!("{shown}: {e}"),
            }
        }
        if result.is_err() {
            failed += 1;
        }
        results.push(outcome_json(&shown, &result));
    }
    if args.json {
        crate::say!(
            "{}",
            json!({
                "transaction": clean(&target.tx_id),
                "organization": target.org_name,
                "results": results,
                "earlier": earlier,
            })
        )?;
    }
    Ok(if failed > 0 { EXIT_FAILED } else { 0 })
}

/// One attach in words.
fn said(file: &str, target: &Target, outcome: &Outcome) -> String {
    let on = format!("{} ({})", target.words, target.org_name);
    match (outcome.already, outcome.state) {
        (true, state) => format!(
            "{file} was already attached to {on} (write #{}, {}); nothing was sent.",
            outcome.write,
            state.as_str()
        ),
        (false, WriteState::Confirmed) => {
            format!("Attached {file} to {on} (write #{}).", outcome.write)
        }
        (false, _) => format!(
            "Sent {file} to {on}: Qonto accepted it and is processing it (write #{}); `qonto-tui journal --finish` confirms it later.",
            outcome.write
        ),
    }
}

fn outcome_json(file: &str, result: &Result<Outcome, WriteError>) -> serde_json::Value {
    match result {
        Ok(o) => json!({
            "file": file, "write": o.write, "state": o.state.as_str(),
            "attachment": o.attachment, "already": o.already, "error": null,
        }),
        Err(e) => json!({ "file": file, "state": "failed", "error": e.to_string() }),
    }
}

pub async fn detach(config: &Config, args: DetachArgs) -> anyhow::Result<u8> {
    in_session(config, async |session| {
        detach_in(config, session, &args).await
    })
    .await
}

async fn detach_in(config: &Config, session: &Session, args: &DetachArgs) -> anyhow::Result<u8> {
    let receipts = session.receipts(config);
    let earlier = finish_earlier(&receipts, args.json).await?;
    let Some(target) = known_target(session, &args.transaction, "detach").await? else {
        return Ok(EXIT_USAGE);
    };
    let listed = session
        .reach
        .api
        .transaction_attachments(&target.org_id, &target.tx_id)
        .await?;
    let chosen = match (&args.attachment, listed.as_slice()) {
        (Some(id), _) => listed.iter().find(|a| a.id.as_deref() == Some(id.as_str())),
        (None, [one]) => Some(one),
        (None, []) => {
            eprintln!(
                "qonto-tui detach: {} ({}) has no receipt.",
                target.words, target.org_name
            );
            return Ok(EXIT_USAGE);
        }
        (None, many) => {
            let list: Vec<String> = many
                .iter()
                .map(|a| {
                    format!(
                        "  {}  {}",
                        clean(a.id.as_deref().unwrap_or("?")),
                        clean(a.file_name.as_deref().unwrap_or(""))
                    )
                })
                .collect();
            eprintln!(
                "qonto-tui detach: {} ({}) has {} receipts; name the one to remove:\n{}",
                target.words,
                target.org_name,
                many.len(),
                list.join("\n")
            );
            return Ok(EXIT_USAGE);
        }
    };
    let Some(attachment) = chosen else {
        eprintln!(
            "qonto-tui detach: Qonto lists no attachment {} on {} ({}).",
            clean(args.attachment.as_deref().unwrap_or("")),
            target.words,
            target.org_name
        );
        return Ok(EXIT_USAGE);
    };
    let id = attachment.id.clone().unwrap_or_default();
    let name = clean(attachment.file_name.as_deref().unwrap_or(&id));
    if !args.yes
        && !confirmed(&format!(
            "Remove the receipt {name} from {} of {}? Qonto keeps no copy. [y/N] ",
            target.words, target.org_name
        ))?
    {
        eprintln!("Nothing was removed.");
        return Ok(EXIT_USAGE);
    }
    let result = receipts.detach(&target, &id).await;
    if args.json {
        crate::say!(
            "{}",
            json!({
                "transaction": clean(&target.tx_id),
                "organization": target.org_name,
                "result": outcome_json(&name, &result),
                "earlier": earlier,
            })
        )?;
    } else {
        match &result {
            Ok(o) => crate::say!(
                "Removed {name} from {} ({}) (write #{}).",
                target.words,
                target.org_name,
                o.write
            )?,
            Err(e) => eprintln!("{name}: {e}"),
        }
    }
    Ok(if result.is_err() { EXIT_FAILED } else { 0 })
}

async fn undo_in(
    config: &Config,
    session: &Session,
    write: i64,
    args: &JournalArgs,
) -> anyhow::Result<u8> {
    let receipts = session.receipts(config);
    finish_earlier(&receipts, args.json).await?;
    let Some(found) = session
        .books
        .read_fresh(move |b| b.write_by_id(write))
        .await??
    else {
        eprintln!("qonto-tui journal: there is no write #{write} (see `qonto-tui journal`).");
        return Ok(EXIT_USAGE);
    };
    match found.kind {
        WriteKind::Categorize => {
            return super::categorize::undo(config, session, write, args.json).await;
        }
        WriteKind::Invoice => {
            return super::invoices::undo(config, session, write, args.json).await;
        }
        WriteKind::InvoiceUpload => {
            eprintln!(
                "qonto-tui journal: write #{write} uploaded a supplier invoice; Qonto's API cannot delete one: reject it (`qonto-tui invoices reject ID --note TEXT`) or delete it in Qonto's app."
            );
            return Ok(EXIT_USAGE);
        }
        _ => {}
    }
    let target = target(&session.books, &found.target).await?;
    if !args.yes
        && !confirmed(&format!(
            "Remove {} (attached by write #{write}) from {} of {}? [y/N] ",
            clean(&found.subject),
            target.words,
            target.org_name
        ))?
    {
        eprintln!("Nothing was removed.");
        return Ok(EXIT_USAGE);
    }
    match receipts.undo(write).await {
        Ok(o) => {
            if args.json {
                crate::say!(
                    "{}",
                    json!({"undone": write, "write": o.write, "attachment": o.attachment})
                )?;
            } else {
                crate::say!(
                    "Took back write #{write}: {} is no longer attached to {} ({}) (write #{}).",
                    clean(&found.subject),
                    target.words,
                    target.org_name,
                    o.write
                )?;
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!("qonto-tui journal --undo {write}: {e}");
            Ok(EXIT_FAILED)
        }
    }
}

/// Asks on the terminal; without one, `--yes` is needed.
fn confirmed(question: &str) -> anyhow::Result<bool> {
    asked(question, "removing a receipt")
}

/// Asks `question` on the terminal; without one, `--yes` is needed for `what`.
pub(super) fn asked(question: &str, what: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{what} needs a confirmation: run it on a terminal, or add --yes");
    }
    eprint!("{question}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().take_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// One line read, at most 64 bytes kept.
trait TakeLine {
    fn take_line(&mut self, into: &mut String) -> std::io::Result<()>;
}

impl<R: BufRead> TakeLine for R {
    fn take_line(&mut self, into: &mut String) -> std::io::Result<()> {
        let mut line = Vec::new();
        std::io::Read::take(self, 64).read_until(b'\n', &mut line)?;
        *into = String::from_utf8_lossy(&line).into_owned();
        Ok(())
    }
}

pub async fn journal(config: &Config, args: JournalArgs) -> anyhow::Result<u8> {
    if let Some(write) = args.undo {
        return in_session(config, async |session| {
            undo_in(config, session, write, &args).await
        })
        .await;
    }
    if args.finish {
        let session = Session::open(config).await?;
        let receipts = session.receipts(config);
        let done = finish_earlier(&receipts, args.json).await;
        let categorized = super::categorize::finish_earlier(&session.categories(config)).await;
        let declined = super::requests::finish_earlier(&session.declines(config)).await;
        let invoiced = super::invoices::finish_earlier(&session.invoices(config)).await;
        let uploaded = super::invoice_upload::earlier(&session.invoices(config)).await;
        let listed = session
            .books
            .read_fresh(move |b| b.writes(args.limit))
            .await;
        session.close().await;
        done?;
        categorized?;
        declined?;
        invoiced?;
        uploaded?;
        return show(&listed??, args.json);
    }
    let books = super::local::open_copy(config).await?;
    let listed = books.read(move |b| b.writes(args.limit)).await;
    books.close().await;
    show(&listed??, args.json)
}

fn show(writes: &[Write], json: bool) -> anyhow::Result<u8> {
    if json {
        crate::say!("{}", serde_json::to_string(writes)?)?;
        return Ok(0);
    }
    if writes.is_empty() {
        crate::say!("Nothing was written to Qonto yet.")?;
        return Ok(0);
    }
    for w in writes {
        let when = chrono::DateTime::from_timestamp(w.created_at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let what = match w.kind {
            WriteKind::Attach => format!(
                "attach {} · transaction {}",
                clean(&w.subject),
                clean(&w.target)
            ),
            WriteKind::Detach => format!(
                "detach {} · transaction {}",
                clean(&w.subject),
                clean(&w.target)
            ),
            WriteKind::InvoiceUpload => format!(
                "upload invoice {}{}",
                clean(&w.subject),
                w.result
                    .as_deref()
                    .map(|r| format!(" → {}", clean(r)))
                    .unwrap_or_default()
            ),
            WriteKind::Invoice => format!(
                "invoice {} · {}",
                clean(&w.target),
                clean(&w.subject.replace('_', " "))
            ),
            WriteKind::Decline => format!(
                "decline request {} ({})",
                clean(&w.target),
                clean(&w.subject)
            ),
            WriteKind::Categorize => format!(
                "categorize {} transaction{} as {}",
                w.before_ids.len(),
                if w.before_ids.len() == 1 { "" } else { "s" },
                clean(&w.subject)
            ),
        };
        let error = w
            .error
            .as_deref()
            .map(|e| format!(" — {}", clean(e)))
            .unwrap_or_default();
        crate::say!(
            "#{:<4} {when}  {:<9}  {what}{error}",
            w.id,
            w.state.as_str()
        )?;
    }
    let open = writes.iter().filter(|w| w.state.is_open()).count();
    if open > 0 {
        crate::say!(
            "{open} not finished: `qonto-tui journal --finish` (or the next attach or detach) finishes them."
        )?;
    }
    Ok(0)
}
