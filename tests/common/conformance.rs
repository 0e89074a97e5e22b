//! The conformance suite's harness: the two engines (the SQLite copy, a fresh PostgreSQL
//! database of a firm's books), a macro running a check on each, and the rows the checks store.
#![allow(dead_code)]

use qonto_books::{Books, BooksReads, BooksWrites, firm::PgBooks};
use qonto_client::api::models::{BankAccount, Transaction, UserOrganization};

/// The SQLite engine: a copy in memory (the file's own tests are `qonto-books`').
pub async fn sqlite(_: &str) -> Books {
    Books::in_memory().unwrap()
}

/// The PostgreSQL engine: a fresh database of a firm's books, set up, as its admin (named by
/// random letters: a check's name may be longer than PostgreSQL's 63 bytes).
pub async fn postgresql(_: &str) -> PgBooks {
    let (url, _) = super::firm::firm_database("conformance").await;
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    PgBooks::new(client)
}

/// A check run on both engines: `NAME::on_sqlite` and `NAME::on_postgresql`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread")]
            async fn on_sqlite() {
                super::$name($crate::common::conformance::sqlite(stringify!($name)).await).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn on_postgresql() {
                super::$name($crate::common::conformance::postgresql(stringify!($name)).await).await;
            }
        }
    )*};
}

pub fn tx(id: &str, counterparty: &str, at: &str) -> Transaction {
    serde_json::from_value(serde_json::json!({
        "id": id, "amount_cents": 12345, "currency": "EUR", "side": "debit",
        "status": "completed", "operation_type": "card", "clean_counterparty_name": counterparty,
        "settled_at": at, "emitted_at": at, "updated_at": at, "note": "Dîner d'équipe"
    }))
    .unwrap()
}

pub fn org(id: &str, name: &str) -> UserOrganization {
    serde_json::from_value(serde_json::json!({"id": id, "name": name})).unwrap()
}

pub fn account(id: &str, name: &str, iban: &str) -> BankAccount {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": name, "iban": iban, "currency": "EUR", "balance_cents": 0,
        "status": "active", "main": true
    }))
    .unwrap()
}

/// `count` transactions, every third paid to URSSAF (each noted as a team dinner, the month
/// named on every fifth),
/// each a minute older than the one before: `t00000` the newest.
pub fn many(count: usize) -> Vec<Transaction> {
    let start = chrono::DateTime::parse_from_rfc3339("2026-10-31T12:00:00Z").unwrap();
    (0..count)
        .map(|i| {
            let at = (start - chrono::Duration::minutes(i as i64)).to_rfc3339();
            let mut t = tx(
                &format!("t{i:05}"),
                if i % 3 == 0 { "URSSAF" } else { "Boulangerie" },
                &at,
            );
            t.note = Some(format!(
                "Dîner d'équipe {}",
                if i % 5 == 0 { "octobre" } else { "autre" }
            ));
            t
        })
        .collect()
}

/// Stores `page` in organization `org_id` (named "Org ORG_ID") and its account `acc-ORG_ID`.
pub async fn store(b: &mut impl BooksWrites, org_id: &str, page: &[Transaction]) {
    b.store_organization(&org(org_id, &format!("Org {org_id}")), 1)
        .await
        .unwrap();
    for chunk in page.chunks(2_000) {
        b.store_transactions(org_id, &format!("acc-{org_id}"), chunk)
            .await
            .unwrap();
    }
}

pub async fn ids(b: &impl BooksReads, text: &str, limit: usize) -> Vec<String> {
    let query = qonto_books::query::parse(text).unwrap();
    b.find(&query, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.tx.id)
        .collect()
}

pub fn numbered(keep: impl Fn(usize) -> bool, of: usize, limit: usize) -> Vec<String> {
    (0..of)
        .filter(|i| keep(*i))
        .take(limit)
        .map(|i| format!("t{i:05}"))
        .collect()
}
