//! The TUI on a staff member's machine of a firm (`books` set): no Qonto token here. Its local
//! copy is pulled from the firm's books as the staff member (PostgreSQL gives what is granted
//! to them), at the start and then every sync interval; every list is answered from that copy;
//! and a write is asked of the firm's service as an intent, which it carries out with the staff
//! member's own Qonto credential.

use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;

use qonto_books::firm::{Firm, actions, pull};
use qonto_client::api::ApiError;
use qonto_client::api::models::{Meta, Organization, TransactionsPage};
use qonto_client::printable::printable;
use qonto_client::secret::Secret;

use super::cache::{Cache, CacheSlot};
use crate::app::msg::WriteAsk;
use crate::app::{Fetch, Msg};
use crate::writes::receipts::{read_receipt, target};

/// Transactions a page of a list holds (as Qonto's).
const PER_PAGE: i64 = super::fetch::TRANSACTIONS_PER_PAGE;

/// The copy could not be read: said as a failed answer, which the screen shows and retries.
fn unread(why: impl std::fmt::Display) -> ApiError {
    ApiError::Network(format!("the local copy of the firm's books: {why}"))
}

/// A read of the copy, its two failures said alike.
fn from_copy<T>(
    read: Result<Result<T, qonto_books::BooksError>, crate::app::local_error::LocalCopyError>,
) -> Result<T, ApiError> {
    read.map_err(|e| unread(crate::app::text::local_copy_error(&e)))?
        .map_err(unread)
}

/// On a staff member's machine, the jobs that would ask Qonto: lists and the review answered
/// from the local copy, the category names in use there, a write asked of the firm's service.
/// Any other job is handed back.
pub fn take(
    url: Secret,
    cache: CacheSlot,
    to_app: UnboundedSender<Msg>,
    job: crate::app::Job,
) -> Option<crate::app::Job> {
    use crate::app::Job;
    match job {
        Job::Fetch(fetch) => {
            tokio::spawn(async move {
                let _ = to_app.send(answer(&cache, fetch).await);
            });
        }
        Job::Prefetch { orgs, generation } => {
            tokio::spawn(async move {
                for org in orgs {
                    let fetch = Fetch::Overview { org, generation };
                    let _ = to_app.send(answer(&cache, fetch).await);
                }
            });
        }
        Job::Write(wanted) => {
            tokio::spawn(ask(url, cache, wanted, to_app));
        }
        Job::ListCategories {
            ticket,
            transactions,
        } => {
            tokio::spawn(async move {
                let result = category_names(&cache, transactions).await;
                let _ = to_app.send(Msg::CategoriesListed { ticket, result });
            });
        }
        Job::LoadReview { generation } => {
            tokio::spawn(async move {
                let result = super::firm_review::from_copy(&cache).await;
                let _ = to_app.send(Msg::ReviewLoaded { generation, result });
            });
        }
        other => return Some(other),
    }
    None
}

/// Answers `fetch` from the local copy: no request leaves this machine.
pub async fn answer(cache: &CacheSlot, fetch: Fetch) -> Msg {
    let opened = cache.wait_open().await;
    match fetch {
        Fetch::Orgs { generation } => {
            let result = match opened {
                Some(c) => from_copy(c.read(|b| b.organizations()).await)
                    .map(|orgs| orgs.into_iter().map(|(o, _)| o).collect()),
                None => Err(unread("it is not open")),
            };
            Msg::OrgsLoaded {
                generation,
                result,
                user_flow_ended: false,
            }
        }
        Fetch::Overview { org, generation } => {
            let result = match opened {
                Some(c) => overview(c, &org).await,
                None => Err(unread("it is not open")),
            };
            Msg::OverviewLoaded {
                org,
                generation,
                result,
            }
        }
        Fetch::Transactions {
            org,
            account,
            page,
            generation,
            declined,
        } => {
            let result = match opened {
                Some(c) => Ok(c
                    .listed_page(account.clone(), page, PER_PAGE, declined)
                    .await
                    .unwrap_or_else(nothing_yet)),
                None => Err(unread("it is not open")),
            };
            Msg::TransactionsLoaded {
                org,
                account,
                page,
                generation,
                result,
            }
        }
        Fetch::Members { org, generation } => {
            let id = org.clone();
            let result = match opened {
                Some(c) => from_copy(c.read(move |b| b.memberships(&id)).await),
                None => Err(unread("it is not open")),
            };
            Msg::MembersLoaded {
                org,
                generation,
                result,
            }
        }
        Fetch::Labels { org, generation } => {
            let id = org.clone();
            let result = match opened {
                Some(c) => from_copy(c.read(move |b| b.labels(&id)).await),
                None => Err(unread("it is not open")),
            };
            Msg::LabelsLoaded {
                org,
                generation,
                result,
            }
        }
    }
}

/// An account not pulled yet: an empty last page.
fn nothing_yet() -> TransactionsPage {
    TransactionsPage {
        transactions: Vec::new(),
        meta: Meta {
            current_page: Some(1),
            next_page: None,
            total_pages: Some(0),
            total_count: Some(0),
            per_page: Some(PER_PAGE),
        },
    }
}

/// An organization and its accounts, in Qonto's shape, from the copy.
async fn overview(c: &Cache, org: &str) -> Result<Organization, ApiError> {
    let id = org.to_string();
    let (name, accounts) = from_copy(
        c.read(move |b| {
            let name = b
                .organizations()?
                .into_iter()
                .find(|(o, _)| o.id == id)
                .map(|(o, _)| o.display_name().to_string());
            Ok::<_, qonto_books::BooksError>((name, b.bank_accounts(&id)?))
        })
        .await,
    )?;
    serde_json::from_value(json!({ "id": org, "name": name, "bank_accounts": accounts }))
        .map_err(unread)
}

/// Pulls the firm's books into the copy at once and then every `every`, telling the app each
/// time; the app is let in at once (it shows what the copy already holds).
pub async fn keep_pulled(
    url: Secret,
    cache: CacheSlot,
    every: Duration,
    to_app: UnboundedSender<Msg>,
) {
    let _ = to_app.send(Msg::SessionChecked {
        signed_in: true,
        problem: None,
    });
    let Some(opened) = cache.wait_open().await else {
        let _ = to_app.send(Msg::FirmPulled {
            result: Err("the local copy is off (cache = false): nothing to show".into()),
        });
        return;
    };
    let books = opened.books().clone();
    let mut firm: Option<Firm> = None;
    loop {
        let result = match &firm {
            Some(f) => pull::pull(f.client(), &books).await,
            None => match Firm::connect(url.expose()).await {
                Ok(f) => {
                    let pulled = pull::pull(f.client(), &books).await;
                    firm = Some(f);
                    pulled
                }
                Err(e) => Err(e),
            },
        };
        if let Err(e) = &result {
            tracing::warn!("the firm's books could not be pulled: {e}");
            // A dropped connection is made again next time.
            firm = None;
        }
        let missing = opened.missing_receipts().await;
        let _ = to_app.send(Msg::ReceiptsCounted(missing));
        let _ = to_app.send(Msg::FirmPulled {
            result: result
                .map(|p| (p.added, p.changed))
                .map_err(|e| printable(&e.to_string(), 300)),
        });
        if to_app.is_closed() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

/// Asks the firm's service for `ask` (attaching a receipt, filing under a category,
/// declining a request; an invoice's change is done in Qonto for now), as the staff member.
pub async fn ask(url: Secret, cache: CacheSlot, ask: WriteAsk, to_app: UnboundedSender<Msg>) {
    if matches!(ask, WriteAsk::Invoice { .. }) {
        // The review's own answer, so its row is no longer shown as being sent.
        let result = Err(crate::outcome::WriteError::NotHere(
            "on the firm's books, changing a supplier invoice is done in Qonto for now".into(),
        ));
        let _ = to_app.send(Msg::Reviewed { ask, result });
        return;
    }
    let result = match &ask {
        WriteAsk::Decline { request, note, .. } => decline(&url, request, note).await,
        WriteAsk::Categorize {
            transactions, name, ..
        } => categorize(&url, &cache, transactions, name.as_deref()).await,
        _ => asked(&url, &cache, &ask).await,
    };
    let _ = to_app.send(Msg::IntentAsked { ask, result });
}

/// The category names the picker offers on a staff member's machine: those the firm's books
/// file the organizations' transactions under (no tree can be read from Qonto here).
pub async fn category_names(
    cache: &CacheSlot,
    transactions: Vec<String>,
) -> Result<Vec<String>, crate::outcome::WriteError> {
    let unread = |why: String| crate::outcome::WriteError::Journal(why);
    let opened = cache
        .wait_open()
        .await
        .ok_or_else(|| unread("the local copy is off (cache = false)".into()))?;
    let names = opened
        .read(move |b| {
            let mut orgs: Vec<String> = b
                .filed(&transactions)?
                .into_iter()
                .map(|f| f.org_id)
                .collect();
            orgs.sort();
            orgs.dedup();
            b.leaves_in_use(&orgs)
        })
        .await
        .map_err(|e| unread(crate::app::text::local_copy_error(&e)))?
        .map_err(|e| unread(e.to_string()))?;
    if names.is_empty() {
        return Err(unread(
            "the firm's books file none of these organizations' transactions under a category yet: name one with `qonto-tui categorize QUERY --category NAME --apply`".into(),
        ));
    }
    Ok(names)
}

/// Asks the service to decline `request` with `note` (the person said yes to the question
/// naming it already).
async fn decline(
    url: &Secret,
    request: &crate::outcome::OrgRequest,
    note: &str,
) -> Result<String, String> {
    let firm = Firm::connect(url.expose())
        .await
        .map_err(|e| e.to_string())?;
    let id = actions::ask_decline(firm.client(), &request.org_id, &request.request.id, note)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "asked the firm's service to decline {} · {} (intent #{id}); it declines it if it is still pending",
        printable(request.request.counterparty(), 60),
        printable(&request.org_name, 60)
    ))
}

/// Asks the service to file `transactions` under `name`: one intent per organization and
/// hundred transactions.
async fn categorize(
    url: &Secret,
    cache: &CacheSlot,
    transactions: &[String],
    name: Option<&str>,
) -> Result<String, String> {
    let opened = cache
        .wait_open()
        .await
        .ok_or("the local copy is off (cache = false)")?;
    let ids = transactions.to_vec();
    let filed = opened
        .read(move |b| b.filed(&ids))
        .await
        .map_err(|e| crate::app::text::local_copy_error(&e))?
        .map_err(|e| e.to_string())?;
    let mut by_org: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in filed {
        by_org.entry(f.org_id).or_default().push(f.id);
    }
    let firm = Firm::connect(url.expose())
        .await
        .map_err(|e| e.to_string())?;
    let mut intents = Vec::new();
    for (org, ids) in &by_org {
        for chunk in ids.chunks(actions::MAX_CATEGORIZED) {
            let id = actions::ask_categorize(firm.client(), org, chunk, name)
                .await
                .map_err(|e| e.to_string())?;
            intents.push(id);
        }
    }
    let n: usize = by_org.values().map(Vec::len).sum();
    let to = name.map_or_else(|| "no category".to_string(), |n| printable(n, 80));
    let which = match intents.as_slice() {
        [one] => format!("intent #{one}"),
        [first, .., last] => format!("intents #{first} to #{last}"),
        [] => return Err("none of these transactions is in the local copy".into()),
    };
    Ok(format!(
        "asked the firm's service to file {n} transaction{} under {to} ({which}); it shows once the service has done it",
        if n == 1 { "" } else { "s" }
    ))
}

async fn asked(url: &Secret, cache: &CacheSlot, ask: &WriteAsk) -> Result<String, String> {
    let WriteAsk::Attach {
        file, transaction, ..
    } = ask
    else {
        return Err(
            "on the firm's books, receipts and categories are asked of the firm's service; the rest is done in Qonto for now".into(),
        );
    };
    let opened = cache
        .wait_open()
        .await
        .ok_or("the local copy is off (cache = false)")?;
    let target = target(opened.books(), transaction)
        .await
        .map_err(|e| e.to_string())?;
    let receipt = read_receipt(file).await.map_err(|e| e.to_string())?;
    let firm = Firm::connect(url.expose())
        .await
        .map_err(|e| e.to_string())?;
    let id = actions::ask_attach(
        firm.client(),
        &target.org_id,
        &target.tx_id,
        &receipt.name,
        &receipt.bytes,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "asked the firm's service to attach {} to {} · {} (intent #{id}); it shows once the service has done it",
        receipt.name, target.org_name, target.words
    ))
}
