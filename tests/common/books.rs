//! The books synced from the sandbox against the sandbox itself: every account's
//! transactions, id → status, on both sides.
#![allow(dead_code)]

use std::collections::BTreeMap;

use qonto_books::BooksHandle;
use qonto_sandbox::Sandbox;

/// Every account's transactions, id → (status, updated_at), as the sandbox has them now.
pub fn sandbox_books(sb: &Sandbox) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut all = BTreeMap::new();
    for org in &sb.data().orgs {
        for account in &org.accounts {
            let rows = sb
                .ledger_now(account)
                .transactions
                .iter()
                .map(|t| (t.id.clone(), format!("{:?}", t.status).to_lowercase()))
                .collect();
            all.insert(account.id.clone(), rows);
        }
    }
    all
}

/// Every account's transactions, id → status, as the books hold them (read on their thread).
pub async fn stored_books(
    books: &BooksHandle,
    sb: &Sandbox,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let accounts: Vec<String> = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| o.accounts.iter().map(|a| a.id.clone()))
        .collect();
    books
        .read(move |books| {
            let mut all = BTreeMap::new();
            for account in accounts {
                let rows = books
                    .transactions_page(&account, 0, 1_000_000)
                    .unwrap()
                    .into_iter()
                    .map(|t| (t.id, t.status.map(|s| s.to_string()).unwrap_or_default()))
                    .collect();
                all.insert(account, rows);
            }
            all
        })
        .await
        .unwrap()
}
