//! `qonto-tui invoices upload --org ORG FILE|FOLDER…`: PDFs uploaded as one organization's
//! supplier invoices (a folder gives its PDFs), twenty to a request, each through the journal
//! under its own idempotency key; what each became is said, and the exit code is 1 if any was
//! not taken.

use std::path::PathBuf;

use serde_json::json;

use super::reach::clean;
use super::writes::Session;
use crate::writes::invoice_uploads::{UploadOutcome, expand};
use crate::writes::invoices::Invoices;

/// Some file was not taken (the others were).
const EXIT_FAILED: u8 = 1;
/// No organization, or more than one, answers to `--org`.
const EXIT_UNKNOWN: u8 = 2;

/// The organization `wanted` names, as `export --org` reads it: its id, or the one name that
/// begins with it (case and accents ignored).
fn organization(session: &Session, wanted: &str) -> Result<(String, String), String> {
    super::local::choose_orgs(session.organizations(), &[wanted.to_string()], false)
        .map_err(|e| e.0)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("no organization is {wanted:?}"))
}

pub(super) async fn upload(
    session: &Session,
    invoices: &Invoices<'_>,
    org: &str,
    paths: &[PathBuf],
    json: bool,
) -> anyhow::Result<u8> {
    earlier(invoices).await?;
    let (org_id, org_name) = match organization(session, org) {
        Ok(found) => found,
        Err(why) => {
            eprintln!("qonto-tui invoices upload: {why}");
            return Ok(EXIT_UNKNOWN);
        }
    };
    let files = match expand(paths) {
        Ok(files) if files.is_empty() => {
            eprintln!("qonto-tui invoices upload: no PDF in what was named; nothing was sent");
            return Ok(EXIT_FAILED);
        }
        Ok(files) => files,
        Err(e) => {
            eprintln!("qonto-tui invoices upload: {}", clean(&e.to_string()));
            return Ok(EXIT_FAILED);
        }
    };
    if !json {
        eprintln!(
            "Uploading {} PDF{} to {org_name}…",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
    }
    let outcomes = match invoices.upload(&org_id, &org_name, &files).await {
        Ok(outcomes) => outcomes,
        Err(e) => {
            eprintln!("qonto-tui invoices upload: {}", clean(&e.to_string()));
            return Ok(EXIT_FAILED);
        }
    };
    say(&outcomes, &org_name, json)?;
    Ok(if outcomes.iter().all(|o| o.result.is_ok()) {
        0
    } else {
        EXIT_FAILED
    })
}

fn say(outcomes: &[UploadOutcome], org_name: &str, json: bool) -> anyhow::Result<()> {
    if json {
        let each: Vec<_> = outcomes
            .iter()
            .map(|o| match &o.result {
                Ok(invoice) => json!({"file": o.file, "org": org_name, "write": o.write,
                                      "invoice": invoice}),
                Err(e) => json!({"file": o.file, "org": org_name, "write": o.write,
                                 "error": clean(&e.to_string())}),
            })
            .collect();
        crate::say!("{}", serde_json::to_string(&each)?)?;
        return Ok(());
    }
    for o in outcomes {
        match &o.result {
            Ok(invoice) => crate::say!(
                "{}: invoice {} of {org_name}{}",
                clean(&o.file),
                clean(invoice),
                o.write
                    .map(|w| format!(" (write #{w})"))
                    .unwrap_or_default()
            )?,
            Err(e) => eprintln!("{}: {}", clean(&o.file), clean(&e.to_string())),
        }
    }
    Ok(())
}

/// Sends again the uploads an earlier run left unanswered, saying what became of them.
pub(super) async fn earlier(invoices: &Invoices<'_>) -> anyhow::Result<()> {
    for o in invoices.finish_unfinished_uploads().await? {
        let write = o.write.map(|w| format!("#{w} ")).unwrap_or_default();
        match &o.result {
            Ok(invoice) => eprintln!(
                "earlier write {write}(invoice upload of {}) finished: invoice {}",
                clean(&o.file),
                clean(invoice)
            ),
            Err(e) => eprintln!(
                "earlier write {write}(invoice upload of {}) not finished: {}",
                clean(&o.file),
                clean(&e.to_string())
            ),
        }
    }
    Ok(())
}
