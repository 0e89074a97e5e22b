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
use qonto_client::api::ApiClient;

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
    let (requests, mut failed) = declines.list(&orgs).await;
    let (bills, failed_bills) = invoices.list(&orgs).await;
    failed.extend(failed_bills);
    let items = arrange(requests, bills);
    let unread = failed
        .into_iter()
        .map(|(org, e)| qonto_client::printable::printable(&format!("{org}: {e}"), 200))
        .collect();
    Ok((items, unread))
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
