//! One request to Qonto and the message its answer becomes. The worker runs these; tests that
//! drive `update` against the sandbox run the very same function.

use qonto_client::api::{ApiClient, ApiError};

use crate::app::{Fetch, Msg};
use crate::sources::{Sources, listing};

/// Transactions asked for per page.
pub const TRANSACTIONS_PER_PAGE: i64 = 100;

/// Asks Qonto for `fetch` and wraps the answer (or the failure) for `update`.
pub async fn run(api: &ApiClient, sources: &std::sync::Arc<Sources>, fetch: Fetch) -> Msg {
    match fetch {
        Fetch::Orgs { generation } => {
            tracing::debug!(at = ?crate::logging::since_start(), "asking for the organization list");
            organizations(api, sources, generation).await
        }
        Fetch::Overview { org, generation } => {
            let result = api.organization(&org).await;
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
            // Qonto returns completed transactions only unless asked: pending ones matter most.
            let statuses: &[&str] = if declined {
                &["pending", "completed", "declined"]
            } else {
                &["pending", "completed"]
            };
            let result = api
                .transactions(&org, &account, statuses, page, TRANSACTIONS_PER_PAGE)
                .await;
            Msg::TransactionsLoaded {
                org,
                account,
                page,
                generation,
                result,
            }
        }
        Fetch::Members { org, generation } => {
            let result = api.memberships(&org).await;
            Msg::MembersLoaded {
                org,
                generation,
                result,
            }
        }
        Fetch::Labels { org, generation } => {
            let result = api.labels(&org).await;
            Msg::LabelsLoaded {
                org,
                generation,
                result,
            }
        }
    }
}

/// Every organization across sources. A User flow that fails for a passing reason fails the
/// whole list (the one shown is kept and retried); one that is signed out leaves the others.
async fn organizations(api: &ApiClient, sources: &std::sync::Arc<Sources>, generation: u64) -> Msg {
    let listing = match listing::list(api, sources).await {
        Ok(listing) => listing,
        Err(e) => {
            tracing::warn!("the other sources could not be read: {e}");
            return Msg::OrgsLoaded {
                generation,
                result: api.user_organizations().await,
                user_flow_ended: false,
            };
        }
    };
    for (source, why) in &listing.unreachable {
        tracing::warn!(
            "{} ({}) cannot be reached: {why}",
            source.org_id,
            source.via.as_str()
        );
    }
    let user_flow_ended = listing.user_flow_ended();
    let result = match listing.user_flow {
        Some(e) if !e.requires_sign_in() || listing.orgs.is_empty() => Err(e),
        _ => Ok(listing.orgs),
    };
    Msg::OrgsLoaded {
        generation,
        result,
        user_flow_ended,
    }
}

/// Whether an error is a refused single-organization credential.
pub fn is_refused_source(e: &ApiError) -> bool {
    matches!(e, ApiError::CredentialRefused { .. })
}
