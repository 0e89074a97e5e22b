//! The shared harness of the integration tests (`crates/qonto-testkit`): the sandbox fixtures,
//! the private home and environment of the real binary (`app`), and the pty it runs in (`pty`).
#![allow(unused_imports)]

pub use qonto_testkit::fixtures::*;
pub use qonto_testkit::{app, pty};

/// The sandbox's books synced into local books in memory, as `qonto-tui sync` does, and the
/// client that read them.
#[allow(dead_code)]
pub async fn synced_books(
    sb: &qonto_sandbox::Sandbox,
) -> (qonto_client::api::ApiClient, qonto_tui::books::Books) {
    use qonto_tui::books::sync::{Budget, Pace, sync_all};
    let api = signed_in_api(sb).await;
    let orgs = api.user_organizations().await.expect("the organizations");
    let books = std::sync::Mutex::new(qonto_tui::books::Books::in_memory().expect("books"));
    for r in sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        &|_| {},
    )
    .await
    {
        r.expect("each organization syncs");
    }
    let books = books.into_inner().unwrap_or_else(|p| p.into_inner());
    (api, books)
}
