//! The local database against a real SQLCipher file: encrypted, private, set aside when it
//! cannot be read, upserts by id, windowed reads and full-text matches.

use super::*;
use qonto_client::api::models::Transaction;

fn key() -> Secret {
    Secret::new(qonto_client::random::random_hex(32).unwrap())
}

fn tx(id: &str, counterparty: &str, status: &str, updated: &str, settled: &str) -> Transaction {
    serde_json::from_value(serde_json::json!({
        "id": id, "amount_cents": 12345, "currency": "EUR", "side": "debit",
        "status": status, "operation_type": "card", "clean_counterparty_name": counterparty,
        "settled_at": settled, "emitted_at": settled, "updated_at": updated,
        "note": "Dîner d'équipe"
    }))
    .unwrap()
}

#[test]
fn the_file_is_encrypted_private_and_readable_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.db");
    let key = key();
    {
        let mut books = Books::open(&path, &key).unwrap().books;
        books
            .put_transactions(
                "o",
                "a",
                &[tx(
                    "t1",
                    "URSSAF Île-de-France",
                    "completed",
                    "1",
                    "2026-10-01",
                )],
            )
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes.starts_with(b"SQLite format 3"),
        "no plain SQLite header"
    );
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("URSSAF"), "no plaintext row");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Opened again with its key: the rows are there.
    let opened = Books::open(&path, &key).unwrap();
    assert!(opened.set_aside.is_none());
    assert_eq!(opened.books.transaction_count("a").unwrap(), 1);
}

#[test]
fn a_database_that_cannot_be_read_is_set_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.db");
    {
        let mut books = Books::open(&path, &key()).unwrap().books;
        books
            .put_transactions("o", "a", &[tx("t1", "X", "completed", "1", "2026-10-01")])
            .unwrap();
    }
    // Another key (the secret store lost it): set aside, never deleted, a new one made.
    let opened = Books::open(&path, &key()).unwrap();
    let aside = opened.set_aside.clone().expect("set aside");
    assert!(aside.exists());
    assert_eq!(opened.books.transaction_count("a").unwrap(), 0);
    drop(opened);
    // Garbage where the database was: the same.
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let opened = Books::open(&path, &key()).unwrap();
    assert!(opened.set_aside.is_some());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().filter(|n| n.contains(".unreadable-")).count() >= 1,
        "{names:?}"
    );
}

#[test]
fn upserts_by_id_count_what_is_new_and_what_changed() {
    let mut books = Books::in_memory().unwrap();
    let first = books
        .put_transactions(
            "o",
            "a",
            &[
                tx("t1", "Boulangerie", "pending", "1", "2026-10-02"),
                tx("t2", "URSSAF", "completed", "1", "2026-10-01"),
            ],
        )
        .unwrap();
    assert_eq!((first.added, first.changed), (2, 0));
    // t1 settles; t2 comes again unchanged.
    let again = books
        .put_transactions(
            "o",
            "a",
            &[
                tx("t1", "Boulangerie", "completed", "2", "2026-10-02"),
                tx("t2", "URSSAF", "completed", "1", "2026-10-01"),
            ],
        )
        .unwrap();
    assert_eq!((again.added, again.changed), (0, 1));
    assert_eq!(books.transaction_count("a").unwrap(), 2);
    let page = books.transactions_page("a", 0, 10).unwrap();
    assert_eq!(page[0].id, "t1");
    assert_eq!(page[0].status.as_deref(), Some("completed"));
    assert_eq!(books.transactions_page("a", 1, 10).unwrap().len(), 1);
    // Words match whatever their case and accents; the settled row replaced the pending one.
    let found = books.search_text(&["urssaf"], 10).unwrap();
    assert_eq!(found.len(), 1);
    let found = books.search_text(&["equipe", "diner"], 10).unwrap();
    assert_eq!(found.len(), 2);
    assert!(books.search_text(&["\"", "OR"], 10).unwrap().is_empty());
}
