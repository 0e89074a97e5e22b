//! Two copies of the app on one database (the TUI and a `sync`, two starts at once): writers
//! take turns instead of failing with "database is locked", and two creations of a new
//! database both end with it made once.

use super::*;
use qonto_client::api::models::Transaction;

fn page(round: usize, writer: usize) -> Vec<Transaction> {
    (0..20)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "id": format!("t-{writer}-{round}-{i}"), "amount_cents": 100 + i,
                "currency": "EUR", "side": "debit", "status": "completed",
                "operation_type": "card", "clean_counterparty_name": "Boulangerie",
                "settled_at": "2026-10-01", "emitted_at": "2026-10-01",
                "updated_at": format!("2026-10-01T00:00:{:02}Z", i % 60)
            }))
            .unwrap_or_else(|e| panic!("a transaction: {e}"))
        })
        .collect()
}

#[test]
fn two_writers_on_one_database_take_turns() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("books.db");
    let key = Secret::new("1f".repeat(32));
    drop(Books::open(&path, &key).unwrap_or_else(|e| panic!("{e}")));
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let (path, key) = (path.clone(), key.clone());
            std::thread::spawn(move || -> Result<(), BooksError> {
                let mut books = Books::open(&path, &key)?.books;
                for round in 0..150 {
                    // Reads what is known, then writes: the pattern that failed at once when
                    // the other copy committed in between.
                    books.put_transactions("o", &format!("a{writer}"), &page(round, writer))?;
                }
                Ok(())
            })
        })
        .collect();
    for w in writers {
        let done = w.join().unwrap_or_else(|_| panic!("a writer panicked"));
        assert!(done.is_ok(), "{done:?}");
    }
    let books = Books::open(&path, &key)
        .unwrap_or_else(|e| panic!("{e}"))
        .books;
    assert_eq!(books.total_transactions().ok(), Some(2 * 150 * 20));
}

#[test]
fn two_copies_creating_the_database_at_once_both_open_it() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("books.db");
        let key = Secret::new("2e".repeat(32));
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let (path, key, start) = (path.clone(), key.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Books::open(&path, &key).map(|o| o.set_aside.is_none())
                })
            })
            .collect();
        for o in openers {
            let opened = o.join().unwrap_or_else(|_| panic!("an opener panicked"));
            assert!(matches!(opened, Ok(true)), "round {round}: {opened:?}");
        }
    }
}
