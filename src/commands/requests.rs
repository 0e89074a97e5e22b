//! `qonto-tui requests` (every organization's requests waiting for an approver, newest first)
//! and `qonto-tui decline REQUEST --note TEXT`: declined through the journal after a question
//! that names the organization, the counterparty and the amount (a decline cannot be taken
//! back). Approving needs Qonto's strong authentication: `requests` says to approve in Qonto's
//! app.

use serde_json::json;

use super::reach::clean;
use super::writes::{asked, in_session};
use crate::config::Config;
use crate::writes::requests::{Declines, OrgRequest};

/// The decline was refused or could not be done.
const EXIT_FAILED: u8 = 1;
/// No such request.
const EXIT_UNKNOWN: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct RequestsArgs {
    /// Every status (approved, declined, canceled too), not only the pending ones.
    #[arg(long)]
    pub all: bool,
    /// Machine-readable output: a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct DeclineArgs {
    /// The request's id (as `requests --json` gives it).
    pub request: String,
    /// Why: Qonto shows it to the member who asked.
    #[arg(long, required = true)]
    pub note: String,
    /// Do not ask for a confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Machine-readable output: one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn words(r: &OrgRequest) -> String {
    let amount = r
        .request
        .amount()
        .map(|a| {
            format!(
                "{} {}",
                clean(a),
                clean(r.request.currency.as_deref().unwrap_or("EUR"))
            )
        })
        .unwrap_or_default();
    format!(
        "{} · {} · {} · {amount}",
        clean(&r.org_name),
        clean(&r.request.request_type.replace('_', " ")),
        clean(r.request.counterparty())
    )
}

pub async fn requests(config: &Config, args: RequestsArgs) -> anyhow::Result<u8> {
    in_session(config, async |session| {
        let declines = session.declines(config);
        let (mut list, failed) = declines.list(&session.organizations()).await;
        if !args.all {
            list.retain(|r| r.request.status == "pending");
        }
        list.sort_by(|a, b| b.request.created_at.cmp(&a.request.created_at));
        for (org, e) in &failed {
            eprintln!("{org}: {}", clean(&e.to_string()));
        }
        if args.json {
            let out: Vec<_> = list
                .iter()
                .map(|r| json!({"org_id": r.org_id, "org": clean(&r.org_name), "request": r.request}))
                .collect();
            crate::say!("{}", serde_json::Value::Array(out))?;
        } else if list.is_empty() {
            crate::say!("No request is waiting.")?;
        } else {
            for r in &list {
                let when = r.request.created_at.as_deref().and_then(|d| d.get(..10)).unwrap_or("");
                crate::say!(
                    "{when}  {:<9} {}  — {}{}  [{}]",
                    r.request.status,
                    words(r),
                    r.requester
                        .as_deref()
                        .map(|who| format!("asked by {}: ", clean(who)))
                        .unwrap_or_default(),
                    clean(r.request.note.as_deref().unwrap_or("")),
                    r.request.id
                )?;
            }
            crate::say!(
                "Approving needs Qonto's strong authentication: approve in Qonto's app. `qonto-tui decline ID --note TEXT` declines."
            )?;
        }
        Ok(if failed.is_empty() { 0 } else { EXIT_FAILED })
    })
    .await
}

pub async fn decline(config: &Config, args: DeclineArgs) -> anyhow::Result<u8> {
    let note = args.note.trim().to_string();
    if note.is_empty() {
        eprintln!(
            "qonto-tui decline: --note needs words: Qonto shows them to the member who asked"
        );
        return Ok(super::export::EXIT_USAGE);
    }
    // A staff member on the firm's books asks the firm's service, after the same question.
    if let (Some(books), None) = (&config.books, &config.staff) {
        return super::firm_ask::decline(books.expose(), &args.request, &note, args.yes, args.json)
            .await;
    }
    in_session(config, async |session| {
        let declines = session.declines(config);
        finish_earlier(&declines).await?;
        let (list, _) = declines.list(&session.organizations()).await;
        let Some(found) = list.iter().find(|r| r.request.id == args.request) else {
            eprintln!(
                "qonto-tui decline: no request {} in any organization (see `qonto-tui requests`)",
                clean(&args.request)
            );
            return Ok(EXIT_UNKNOWN);
        };
        if !args.yes
            && !asked(
                &format!(
                    "Decline {}? Qonto cannot take a decline back. [y/N] ",
                    words(found)
                ),
                "declining a request",
            )?
        {
            eprintln!("Nothing was declined.");
            return Ok(super::export::EXIT_USAGE);
        }
        match declines.decline(found, &note).await {
            Ok(write) => {
                if args.json {
                    crate::say!("{}", json!({"declined": found.request.id, "write": write}))?;
                } else {
                    crate::say!("Declined {} (write #{write}).", words(found))?;
                }
                Ok(0)
            }
            Err(e) => {
                eprintln!("qonto-tui decline: {}", clean(&e.to_string()));
                Ok(EXIT_FAILED)
            }
        }
    })
    .await
}

/// Sends again what an earlier run left unanswered, saying what became of it.
pub(super) async fn finish_earlier(declines: &Declines<'_>) -> anyhow::Result<()> {
    for (write, result) in declines.finish_unfinished().await? {
        match result {
            Ok(()) => eprintln!("earlier write #{} (decline) finished", write.id),
            Err(e) => eprintln!(
                "earlier write #{} (decline) not finished: {}",
                write.id,
                clean(&e.to_string())
            ),
        }
    }
    Ok(())
}
