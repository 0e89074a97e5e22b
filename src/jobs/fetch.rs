//! One request to Qonto and the message its answer becomes. The worker runs these; tests that
//! drive `update` against the sandbox run the very same function.

use qonto_client::api::ApiClient;

use crate::app::{Fetch, Msg};

/// Transactions asked for per page.
pub const TRANSACTIONS_PER_PAGE: i64 = 100;

/// Asks Qonto for `fetch` and wraps the answer (or the failure) for `update`.
pub async fn run(api: &ApiClient, fetch: Fetch) -> Msg {
    match fetch {
        Fetch::Orgs { generation } => {
            tracing::debug!(at = ?crate::logging::since_start(), "asking for the organization list");
            Msg::OrgsLoaded {
                generation,
                result: api.user_organizations().await,
            }
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
