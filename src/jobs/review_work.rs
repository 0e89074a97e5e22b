//! The review's work: what waits for a decision in every organization the local copy knows
//! (pending requests; supplier invoices to review, to approve or to pay), read from Qonto; and
//! a decline or an invoice change, carried out in the write lane through the journal.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::cache::CacheSlot;
use crate::app::Msg;
use crate::app::msg::WriteAsk;
use crate::app::review_view::Item;
use crate::config::Config;
use crate::outcome::{OrgInvoice, OrgRequest, WriteError};
use crate::writes::invoices::Invoices;
use crate::writes::requests::Declines;
use qonto_client::api::{ApiClient, ApiError};

/// Invoice statuses that wait for someone.
const WAITING: [&str; 3] = ["to_review", "to_approve", "awaiting_payment"];

pub fn load(
    api: Arc<ApiClient>,
    cache: CacheSlot,
    config: Config,
    generation: u64,
    to_app: UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let result = read(&api, &cache, &config).await;
        let _ = to_app.send(Msg::ReviewLoaded { generation, result });
    });
}

async fn read(
    api: &ApiClient,
    cache: &CacheSlot,
    config: &Config,
) -> Result<(Vec<Item>, Vec<String>), WriteError> {
    let cache = cache
        .wait_open()
        .await
        .ok_or_else(|| WriteError::Journal("the local copy is not open (see the log)".into()))?;
    let books = cache.books();
    let orgs = books.read_fresh(|b| b.organization_names()).await??;
    let declines = Declines {
        api,
        books,
        policy: &config.writes,
        config_path: &config.config_path,
    };
    let invoices = Invoices {
        api,
        books,
        policy: &config.writes,
        config_path: &config.config_path,
    };
    let (mut requests, failed_requests) = declines.list(&orgs).await;
    let (mut bills, failed_bills) = invoices.list(&orgs).await;
    keep(
        books,
        &orgs,
        &requests,
        &bills,
        &failed_requests,
        &failed_bills,
    )
    .await;
    let mut from_copy = Vec::new();
    // An organization Qonto did not answer for shows what the copy kept, said with its age.
    for (name, e) in &failed_requests {
        let Some((id, _)) = orgs.iter().find(|(_, n)| n == name) else {
            continue;
        };
        let (org, named) = (id.clone(), name.clone());
        let kept = books.read_fresh(move |b| b.requests(&org)).await??;
        let members = declines.member_names(id).await;
        requests.extend(kept.items.into_iter().map(|request| {
            OrgRequest {
                org_id: id.clone(),
                org_name: named.clone(),
                requester: request
                    .initiator_id
                    .as_ref()
                    .and_then(|who| members.get(who).cloned()),
                request,
            }
        }));
        from_copy.push(("requests", name.clone(), reason(e), kept.synced_at));
    }
    for (name, e) in &failed_bills {
        let Some((id, _)) = orgs.iter().find(|(_, n)| n == name) else {
            continue;
        };
        let (org, named) = (id.clone(), name.clone());
        let kept = books
            .read_fresh(move |b| b.supplier_invoices(&org))
            .await??;
        bills.extend(kept.items.into_iter().map(|invoice| OrgInvoice {
            org_id: id.clone(),
            org_name: named.clone(),
            invoice,
        }));
        from_copy.push(("invoices", name.clone(), reason(e), kept.synced_at));
    }
    Ok((arrange(requests, bills), said(&from_copy)))
}

/// Why Qonto did not list, in a few words (the trace id goes to the log).
fn reason(e: &ApiError) -> String {
    tracing::warn!("a review list was not read: {e}");
    match e {
        ApiError::Forbidden { detail, .. } => detail.clone(),
        other => other.to_string(),
    }
}

/// The lists shown from the copy, in one line each per kind and reason: "invoices of 5
/// organizations from the copy, listed 2026-12-05 14:59 (Qonto: missing required oauth scope:
/// supplier_invoice.read)".
fn said(from_copy: &[(&str, String, String, Option<i64>)]) -> Vec<String> {
    let mut groups: Vec<(&str, &str, Vec<&str>, Option<i64>)> = Vec::new();
    for (what, org, why, at) in from_copy {
        match groups
            .iter_mut()
            .find(|(w, r, _, _)| w == what && *r == why.as_str())
        {
            Some((_, _, orgs, oldest)) => {
                orgs.push(org);
                *oldest = match (*oldest, *at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    _ => None,
                };
            }
            None => groups.push((what, why, vec![org], *at)),
        }
    }
    groups
        .into_iter()
        .map(|(what, why, orgs, at)| {
            let whose = match orgs.as_slice() {
                [one] => format!("{one}'s {what}"),
                many => format!("{what} of {} organizations", many.len()),
            };
            let kept = match at.and_then(|at| chrono::DateTime::from_timestamp(at, 0)) {
                Some(at) => format!(
                    "from the copy, listed {}",
                    at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
                ),
                None => "not in the copy yet".to_string(),
            };
            qonto_client::printable::printable(&format!("{whose} {kept} (Qonto: {why})"), 240)
        })
        .collect()
}

/// What Qonto listed, kept in the copy for the organizations that answered.
async fn keep(
    books: &qonto_books::BooksHandle,
    orgs: &[(String, String)],
    requests: &[OrgRequest],
    bills: &[OrgInvoice],
    failed_requests: &[(String, ApiError)],
    failed_bills: &[(String, ApiError)],
) {
    let now = crate::writes::now();
    for (id, name) in orgs {
        if !failed_requests.iter().any(|(n, _)| n == name) {
            let of_org: Vec<_> = requests
                .iter()
                .filter(|r| r.org_id == *id)
                .map(|r| r.request.clone())
                .collect();
            let org = id.clone();
            let kept = books
                .write(move |b| b.put_requests(&org, &of_org, now))
                .await;
            if let Err(e) | Ok(Err(e)) = kept {
                tracing::warn!("the requests could not be kept in the copy: {e}");
            }
        }
        if !failed_bills.iter().any(|(n, _)| n == name) {
            let of_org: Vec<_> = bills
                .iter()
                .filter(|i| i.org_id == *id)
                .map(|i| i.invoice.clone())
                .collect();
            let org = id.clone();
            let kept = books
                .write(move |b| b.put_supplier_invoices(&org, &of_org, now))
                .await;
            if let Err(e) | Ok(Err(e)) = kept {
                tracing::warn!("the supplier invoices could not be kept in the copy: {e}");
            }
        }
    }
}

/// What waits for a decision, in the order the list shows it: members' pending requests, then
/// the invoices still to review, approve or pay, soonest due first.
pub fn arrange(requests: Vec<OrgRequest>, bills: Vec<OrgInvoice>) -> Vec<Item> {
    let mut items: Vec<Item> = requests
        .into_iter()
        .filter(|r| r.request.status == "pending")
        .map(Item::Request)
        .collect();
    let mut waiting: Vec<_> = bills
        .into_iter()
        .filter(|i| WAITING.contains(&i.invoice.status.as_str()))
        .collect();
    waiting.sort_by(|a, b| a.invoice.due_date.cmp(&b.invoice.due_date));
    items.extend(waiting.into_iter().map(Item::Invoice));
    items
}

/// Carries out a decline or an invoice change; its write.
pub async fn carry_out(
    api: &ApiClient,
    books: &qonto_books::BooksHandle,
    config: &Config,
    ask: &WriteAsk,
) -> Result<i64, WriteError> {
    match ask {
        WriteAsk::Decline { request, note, .. } => {
            let declines = Declines {
                api,
                books,
                policy: &config.writes,
                config_path: &config.config_path,
            };
            declines.decline(request, note).await
        }
        WriteAsk::Invoice {
            invoice, action, ..
        } => {
            let invoices = Invoices {
                api,
                books,
                policy: &config.writes,
                config_path: &config.config_path,
            };
            invoices.act(invoice, action.clone()).await
        }
        _ => Err(WriteError::Journal("not a review's write".into())),
    }
}
