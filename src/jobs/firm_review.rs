//! The review on a staff member's machine of a firm: what waits for a decision in every
//! organization of the copy (members' requests, supplier invoices), as the firm's service last
//! listed it and the copy pulled it; no request leaves this machine. Declining and changing an
//! invoice are not asked of the service yet: the screen says so when tried.

use crate::app::review_view::Item;
use crate::outcome::{OrgInvoice, OrgRequest, WriteError};

use super::cache::CacheSlot;
use super::review_work::arrange;

/// The items of every organization in the copy, and a line saying where they come from.
pub async fn from_copy(cache: &CacheSlot) -> Result<(Vec<Item>, Vec<String>), WriteError> {
    let unread = |why: String| WriteError::Journal(why);
    let opened = cache
        .wait_open()
        .await
        .ok_or_else(|| unread("the local copy is off (cache = false)".into()))?;
    let kept = opened
        .read(|b| {
            let mut kept = Vec::new();
            for (org_id, org_name) in b.organization_names()? {
                let requests = b.requests(&org_id)?;
                let invoices = b.supplier_invoices(&org_id)?;
                kept.push((org_id, org_name, requests, invoices));
            }
            Ok::<_, qonto_books::BooksError>(kept)
        })
        .await
        .map_err(|e| unread(crate::app::text::local_copy_error(&e)))?
        .map_err(|e| unread(e.to_string()))?;
    let mut requests = Vec::new();
    let mut bills = Vec::new();
    let mut oldest: Option<i64> = None;
    for (org_id, org_name, kept_requests, kept_invoices) in kept {
        for at in [kept_requests.synced_at, kept_invoices.synced_at]
            .into_iter()
            .flatten()
        {
            oldest = Some(oldest.map_or(at, |o| o.min(at)));
        }
        requests.extend(kept_requests.items.into_iter().map(|request| OrgRequest {
            org_id: org_id.clone(),
            org_name: org_name.clone(),
            // The firm's books hold no members yet to name who asked.
            requester: None,
            request,
        }));
        bills.extend(kept_invoices.items.into_iter().map(|invoice| OrgInvoice {
            org_id: org_id.clone(),
            org_name: org_name.clone(),
            invoice,
        }));
    }
    let said = match oldest.and_then(|at| chrono::DateTime::from_timestamp(at, 0)) {
        Some(at) => format!(
            "from the firm's books, as its service listed them (the oldest list {}); declining and invoice changes are done in Qonto for now",
            at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
        ),
        None => "the firm's service has listed nothing to review yet".to_string(),
    };
    Ok((arrange(requests, bills), vec![said]))
}
