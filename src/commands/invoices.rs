//! `qonto-tui invoices` (every organization's supplier invoices, overdue first, then by due
//! date) and its actions: `mark-paid ID [--date]`, `unmark ID`, `reject ID --note TEXT
//! [--reason CODE]`, `upload --org ORG FILE…` (in `invoice_upload`) (asked first, naming the organization, supplier and amount: a rejection
//! cannot be taken back). Each goes through the journal; `journal --undo N` takes back a mark
//! or an unmark.

use serde_json::json;

use super::reach::clean;
use super::writes::{Session, asked, in_session};
use crate::config::Config;
use crate::writes::invoices::{Action, Invoices, OrgInvoice};

/// The change was refused or could not be made.
const EXIT_FAILED: u8 = 1;
/// No such invoice.
const EXIT_UNKNOWN: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct InvoicesArgs {
    #[command(subcommand)]
    pub action: Option<InvoiceCommand>,
    /// Only invoices of this status (`to_review`, `to_approve`, `awaiting_payment`, `paid`,
    /// `rejected`, …).
    #[arg(long)]
    pub status: Option<String>,
    /// Machine-readable output: a JSON array.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum InvoiceCommand {
    /// Mark an invoice paid (on --date, default today).
    MarkPaid {
        id: String,
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Take back an invoice's payment mark.
    Unmark { id: String },
    /// Upload PDFs (or a folder's PDFs) as one organization's supplier invoices.
    Upload {
        /// The organization: its id, or the beginning of its name.
        #[arg(long, required = true)]
        org: String,
        /// PDF files, or folders whose PDFs are uploaded.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// Reject an invoice with a note (and an AFNOR reason code for a French e-invoice).
    Reject {
        id: String,
        #[arg(long, required = true)]
        note: String,
        #[arg(long)]
        reason: Option<String>,
        /// Do not ask for a confirmation.
        #[arg(long)]
        yes: bool,
    },
}

fn words(i: &OrgInvoice) -> String {
    let amount = i
        .invoice
        .total_amount
        .value
        .as_deref()
        .map(|v| {
            format!(
                "{} {}",
                clean(v),
                clean(i.invoice.total_amount.currency.as_deref().unwrap_or("EUR"))
            )
        })
        .unwrap_or_default();
    format!(
        "{} · {} {} · {amount}",
        clean(&i.org_name),
        clean(i.invoice.supplier_name.as_deref().unwrap_or("?")),
        clean(i.invoice.invoice_number.as_deref().unwrap_or("")),
    )
}

pub async fn run(config: &Config, args: InvoicesArgs) -> anyhow::Result<u8> {
    in_session(config, async |session| {
        let invoices = session.invoices(config);
        match &args.action {
            None => list(session, &invoices, &args).await,
            Some(command) => act(session, &invoices, command, args.json).await,
        }
    })
    .await
}

async fn list(
    session: &Session,
    invoices: &Invoices<'_>,
    args: &InvoicesArgs,
) -> anyhow::Result<u8> {
    let (mut all, failed) = invoices.list(&session.organizations()).await;
    if let Some(status) = &args.status {
        all.retain(|i| i.invoice.status == *status);
    }
    let today = chrono::Utc::now().date_naive().to_string();
    let overdue = |i: &OrgInvoice| {
        !matches!(i.invoice.status.as_str(), "paid" | "rejected")
            && i.invoice
                .due_date
                .as_deref()
                .is_some_and(|d| d < today.as_str())
    };
    all.sort_by(|a, b| {
        overdue(b)
            .cmp(&overdue(a))
            .then_with(|| a.invoice.due_date.cmp(&b.invoice.due_date))
    });
    for (org, e) in &failed {
        eprintln!("{org}: {}", clean(&e.to_string()));
    }
    if args.json {
        crate::say!("{}", serde_json::to_string(&all)?)?;
    } else if all.is_empty() {
        crate::say!("No supplier invoice.")?;
    } else {
        for i in &all {
            crate::say!(
                "{}  {:<16} {}{}  [{}]",
                i.invoice.due_date.as_deref().unwrap_or("          "),
                i.invoice.status,
                words(i),
                if overdue(i) { "  OVERDUE" } else { "" },
                i.invoice.id
            )?;
        }
    }
    Ok(if failed.is_empty() { 0 } else { EXIT_FAILED })
}

async fn act(
    session: &Session,
    invoices: &Invoices<'_>,
    command: &InvoiceCommand,
    json: bool,
) -> anyhow::Result<u8> {
    let (id, action, confirmed) = match command {
        InvoiceCommand::Upload { org, files } => {
            return super::invoice_upload::upload(session, invoices, org, files, json).await;
        }
        InvoiceCommand::MarkPaid { id, date } => {
            let date = date.unwrap_or_else(|| chrono::Utc::now().date_naive());
            (
                id,
                Action::MarkPaid {
                    date: date.to_string(),
                },
                true,
            )
        }
        InvoiceCommand::Unmark { id } => (id, Action::UnmarkPaid, true),
        InvoiceCommand::Reject {
            id,
            note,
            reason,
            yes,
        } => {
            let note = note.trim().to_string();
            if note.is_empty() {
                eprintln!("qonto-tui invoices reject: --note needs words");
                return Ok(super::export::EXIT_USAGE);
            }
            let code = reason.clone();
            (id, Action::Reject { note, code }, *yes)
        }
    };
    finish_earlier(invoices).await?;
    let (all, _) = invoices.list(&session.organizations()).await;
    let Some(found) = all.iter().find(|i| i.invoice.id == *id) else {
        eprintln!(
            "qonto-tui invoices: no supplier invoice {} in any organization (see `qonto-tui invoices`)",
            clean(id)
        );
        return Ok(EXIT_UNKNOWN);
    };
    // A rejection cannot be taken back: asked first, naming what it is.
    if !confirmed
        && !asked(
            &format!(
                "Reject {}? Qonto cannot take a rejection back. [y/N] ",
                words(found)
            ),
            "rejecting an invoice",
        )?
    {
        eprintln!("Nothing was rejected.");
        return Ok(super::export::EXIT_USAGE);
    }
    let name = action.name();
    match invoices.act(found, action).await {
        Ok(write) => {
            if json {
                crate::say!(
                    "{}",
                    json!({"invoice": found.invoice.id, "done": name, "write": write})
                )?;
            } else {
                crate::say!(
                    "{}: {} (write #{write}).",
                    words(found),
                    name.replace('_', " ")
                )?;
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!("qonto-tui invoices: {}", clean(&e.to_string()));
            Ok(EXIT_FAILED)
        }
    }
}

/// `journal --undo N` for an invoice: a mark taken back, or an unmark.
pub(super) async fn undo(
    config: &Config,
    session: &Session,
    write: i64,
    json: bool,
) -> anyhow::Result<u8> {
    match session.invoices(config).undo(write).await {
        Ok(made) => {
            if json {
                crate::say!("{}", json!({"undone": write, "write": made}))?;
            } else {
                crate::say!("Took back write #{write} (write #{made}).")?;
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!(
                "qonto-tui journal --undo {write}: {}",
                clean(&e.to_string())
            );
            Ok(EXIT_FAILED)
        }
    }
}

/// Sends again what an earlier run left unanswered, saying what became of it.
pub(super) async fn finish_earlier(invoices: &Invoices<'_>) -> anyhow::Result<()> {
    for (write, result) in invoices.finish_unfinished().await? {
        match result {
            Ok(()) => eprintln!("earlier write #{} (invoice) finished", write.id),
            Err(e) => eprintln!(
                "earlier write #{} (invoice) not finished: {}",
                write.id,
                clean(&e.to_string())
            ),
        }
    }
    Ok(())
}
