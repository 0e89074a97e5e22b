//! The firm's service declining a member's request for a staff member (a `decline` intent,
//! asked after the staff member confirmed it, naming the organization, counterparty and
//! amount): the request read fresh from Qonto with the staff member's credential, declined
//! only while it is still pending, through their write journal under one idempotency key.

use qonto_books::firm::actions::Intent;
use qonto_client::printable::printable;

use super::serve_act::Carried;
use super::writes::Session;
use crate::config::Config;
use crate::writes::WriteError;

/// Declines the intent's request with its note, as `session`'s staff member.
pub(super) async fn carry_out(
    config: &Config,
    session: &Session,
    intent: &Intent,
    org_name: &str,
) -> Result<Carried, String> {
    let (Some(request_id), Some(note)) = (&intent.request, &intent.note) else {
        return Err("the intent names no request or note".into());
    };
    let org_name = printable(org_name, 80);
    let declines = session.declines(config);
    let (listed, failed) = declines
        .list(&[(intent.org_id.clone(), org_name.clone())])
        .await;
    if let Some((_, e)) = failed.first() {
        return Err(format!("Qonto did not list {org_name}'s requests: {e}"));
    }
    let Some(request) = listed.into_iter().find(|r| r.request.id == *request_id) else {
        return Err(format!(
            "{org_name} has no request {}",
            printable(request_id, 60)
        ));
    };
    let named = format!(
        "{} · {} {} ({org_name})",
        printable(request.request.counterparty(), 60),
        printable(request.request.amount().unwrap_or("?"), 20),
        printable(request.request.currency.as_deref().unwrap_or(""), 5),
    );
    if request.request.status != "pending" {
        return Err(format!(
            "{named} is {} now, no longer pending: nothing was done",
            printable(&request.request.status, 20)
        ));
    }
    match declines.decline(&request, note).await {
        Ok(write) => Ok(Carried::Done {
            write: Some(write),
            words: format!("declined {named} (write #{write})"),
        }),
        Err(WriteError::Unfinished { id, cause }) => Ok(Carried::Waiting {
            words: format!(
                "decline of {named} sent, no answer yet (write #{id}: {})",
                printable(&cause.to_string(), 200)
            ),
        }),
        Err(e) => Err(e.to_string()),
    }
}
