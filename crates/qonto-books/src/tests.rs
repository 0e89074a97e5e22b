//! The local database against a real SQLCipher file: encrypted, private, set aside when it
//! cannot be read, upserts by id, windowed reads and full-text matches. What a search answers
//! (words, totals, OR and `-`, orders, filters) is the conformance suite's, run on this engine
//! and on the firm's PostgreSQL alike (`tests/books_conformance*.rs` at the workspace's root).

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
    // The same page once more writes nothing: the transactions' version stays where it is.
    let version = |b: &Books| -> i64 {
        b.db.query_row("SELECT version FROM changes", [], |r| r.get(0))
            .unwrap()
    };
    let before = version(&books);
    let page = [
        tx("t1", "Boulangerie", "completed", "2", "2026-10-02"),
        tx("t2", "URSSAF", "completed", "1", "2026-10-01"),
    ];
    books.put_transactions("o", "a", &page).unwrap();
    assert_eq!(version(&books), before);
    assert_eq!(books.transaction_count("a").unwrap(), 2);
    let page = books.transactions_page("a", 0, 10).unwrap();
    assert_eq!(page[0].id, "t1");
    assert_eq!(page[0].status, Some(crate::values::Status::Completed));
    assert_eq!(books.transactions_page("a", 1, 10).unwrap().len(), 1);
    // Words match whatever their case and accents; the settled row replaced the pending one.
    let found = books.search_text(&["urssaf"], 10).unwrap();
    assert_eq!(found.len(), 1);
    let found = books.search_text(&["equipe", "diner"], 10).unwrap();
    assert_eq!(found.len(), 2);
    assert!(books.search_text(&["\"", "OR"], 10).unwrap().is_empty());
}

/// The cash sums as kept, every row of both tables.
pub(crate) fn kept_sums(books: &Books) -> Vec<String> {
    let mut rows = Vec::new();
    for table in ["cash_days", "cash_months"] {
        let mut q = books
            .db
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3"))
            .unwrap();
        let found = q
            .query_map([], |r| {
                Ok(format!(
                    "{table} {} {} {} {} {} {} {} {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?
                ))
            })
            .unwrap();
        rows.extend(found.map(Result::unwrap));
    }
    rows
}

/// New rows' full-text entries and cash sums are written after the batch: a transaction
/// listed twice in one batch (renamed and settled between two pages) is counted as it ends,
/// never twice nor as it was; FTS5 finds its index in step with the rows, and the kept sums
/// are those worked out again from every row.
#[test]
fn a_batch_counts_its_new_rows_in_even_one_listed_twice() {
    let mut books = Books::in_memory().unwrap();
    let mut renamed = tx("t1", "Dupont SARL", "completed", "2", "2026-10-02");
    renamed.note = None;
    let batch = [
        tx("t1", "Boulangerie", "pending", "1", "2026-10-02"),
        tx("t2", "URSSAF", "completed", "1", "2026-10-01"),
        renamed,
        tx("t3", "Boulangerie Martin", "completed", "1", "2026-09-30"),
    ];
    let done = books.put_transactions("o", "a", &batch).unwrap();
    assert_eq!((done.added, done.changed), (3, 1));
    books
        .db
        .execute_batch(
            "INSERT INTO transactions_text(transactions_text) VALUES ('integrity-check')",
        )
        .unwrap();
    let ids = |words: &[&str]| -> Vec<String> {
        let mut ids: Vec<String> = books
            .search_text(words, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&["boulangerie"]), ["t3"]);
    assert_eq!(ids(&["dupont"]), ["t1"]);
    assert_eq!(ids(&["diner"]), ["t2", "t3"]);
    assert_eq!(ids(&["urssaf"]), ["t2"]);
    let mut credit = tx("t4", "Client", "completed", "1", "2026-08-15");
    credit.side = Some(crate::values::Side::Credit);
    let more = [
        credit,
        tx("t5", "Refused", "declined", "1", "2026-10-02"),
        tx("t6", "Later", "pending", "1", "2026-10-03"),
    ];
    books.put_transactions("o", "a", &more).unwrap();
    let kept = kept_sums(&books);
    assert_eq!(kept.len(), 8, "{kept:#?}");
    books
        .db
        .execute_batch(crate::cash_sql::CASH_REBUILD)
        .unwrap();
    assert_eq!(kept, kept_sums(&books));
}

/// A row stored before schema 6 (no `vat_lines`) is written again by the next pass with its
/// VAT lines, and counted neither new nor changed: the news stays quiet.
#[test]
fn rows_stored_before_vat_lines_get_them_without_being_news() {
    let mut books = Books::in_memory().unwrap();
    let split: Transaction = serde_json::from_value(serde_json::json!({
        "id": "t1", "amount_cents": 7340, "currency": "EUR", "side": "debit",
        "status": "completed", "clean_counterparty_name": "Le Petit Bistrot",
        "settled_at": "2026-10-02", "updated_at": "1",
        "vat_details": {"items": [
            {"vat_rate": 10.0, "vat_amount_cents": 455, "amount_cents": 5000},
            {"vat_rate": 20.0, "vat_amount_cents": 390, "amount_cents": 2340}
        ]}
    }))
    .unwrap();
    assert_eq!(split.vat_details[1].rate, Some(20.0));
    books
        .put_transactions("o", "a", std::slice::from_ref(&split))
        .unwrap();
    let lines = |b: &Books| -> Option<String> {
        b.db.query_row("SELECT vat_lines FROM transactions", [], |r| r.get(0))
            .unwrap()
    };
    assert!(lines(&books).is_some_and(|l| l.contains("455")));
    books
        .db
        .execute("UPDATE transactions SET vat_lines = NULL", [])
        .unwrap();
    let again = books.put_transactions("o", "a", &[split]).unwrap();
    assert_eq!((again.added, again.changed), (0, 0));
    assert!(lines(&books).is_some_and(|l| l.contains("390")));
    assert_eq!(
        lines(&books).map(|l| serde_json::from_str::<Vec<serde_json::Value>>(&l)
            .unwrap()
            .len()),
        Some(2)
    );
}

/// `count` transactions, every third paid to URSSAF (a note naming the month on every fifth),
/// each a minute older than the one before.
fn many(count: usize) -> Vec<Transaction> {
    let start = chrono::DateTime::parse_from_rfc3339("2026-10-31T12:00:00Z").unwrap();
    (0..count)
        .map(|i| {
            let at = (start - chrono::Duration::minutes(i as i64)).to_rfc3339();
            let mut t = tx(
                &format!("t{i:05}"),
                if i % 3 == 0 { "URSSAF" } else { "Boulangerie" },
                "completed",
                &at,
                &at,
            );
            t.note = Some(if i % 5 == 0 { "octobre" } else { "autre" }.into());
            t
        })
        .collect()
}

#[test]
fn a_word_matching_many_rows_is_answered_newest_first_and_follows_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.db");
    let key = key();
    let mut books = Books::open(&path, &key).unwrap().books;
    let all = many(9_000);
    books.put_transactions("o", "a", &all).unwrap();
    let reader = Books::reader_at(&path, &key).unwrap();
    let ids = |query: &str, limit: usize| -> Vec<String> {
        let query = crate::query::parse(query).unwrap();
        let (found, _) = reader.search(&query, limit, limit + 1).unwrap();
        found.into_iter().map(|f| f.tx.id).collect()
    };
    let expected = |keep: &dyn Fn(usize) -> bool, limit: usize| -> Vec<String> {
        (0..all.len())
            .filter(|i| keep(*i))
            .take(limit)
            .map(|i| format!("t{i:05}"))
            .collect()
    };
    // 3,000 matches: walked down the date index, checked against the matches kept.
    assert_eq!(ids("urssaf", 50), expected(&|i| i % 3 == 0, 50));
    // Two words: the rows both match; then the first word alone again, from what was kept.
    assert_eq!(ids("urss octobre", 20), expected(&|i| i % 15 == 0, 20));
    assert_eq!(ids("urssaf", 5), expected(&|i| i % 3 == 0, 5));
    // A newer URSSAF payment written through the other connection is seen on the next key.
    let mut newer = tx(
        "new",
        "URSSAF",
        "completed",
        "2026-11-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
    );
    newer.note = None;
    books.put_transactions("o", "a", &[newer]).unwrap();
    assert_eq!(
        ids("urssaf", 2),
        vec!["new".to_string(), "t00000".to_string()]
    );
}

#[test]
fn a_word_typed_first_is_found_by_the_rows_text_as_the_index_would_find_it() {
    let mut books = Books::in_memory().unwrap();
    let mut all = many(3_000);
    for (i, t) in all.iter_mut().enumerate() {
        t.attachment_required = Some(i % 4 == 0);
        t.amount_cents = Some(if i % 7 == 0 { 150_000 } else { 2_000 });
        if i % 11 == 0 {
            t.label = Some(format!("Prélèvement URSSAF Île-de-France n°{i}"));
        }
    }
    books.put_transactions("o", "a", &all).unwrap();
    let ids = |found: &[Found]| -> Vec<String> { found.iter().map(|f| f.tx.id.clone()).collect() };
    for text in [
        "ur",
        "urssaf",
        "urssaf octobre",
        "boul >1000",
        "ile-de",
        "de-france 2026-10-31",
        "missing:receipt urss",
        "prelevement -octobre",
        "zzz",
    ] {
        let query = crate::query::parse(text).unwrap();
        books.words.forget();
        let (walked, total) = books
            .search_by_text(&query, 20, 21, 100_000)
            .unwrap()
            .unwrap_or_else(|| panic!("{text}: not walked"));
        // Now from the index: the words' matches read and kept.
        books.prepare_next_key(&query).unwrap();
        assert!(
            books
                .search_by_text(&query, 20, 21, 100_000)
                .unwrap()
                .is_none()
        );
        let (indexed, indexed_total) = books.search(&query, 20, 21).unwrap();
        assert_eq!(ids(&walked), ids(&indexed), "{text}");
        assert_eq!(total, indexed_total, "{text}");
        assert!(text == "zzz" || !walked.is_empty(), "{text}");
    }
    // A word of one letter is read from the index (an exact term, read lazily), and so is a
    // query with a word kept from an earlier key.
    books.words.forget();
    let query = crate::query::parse("urssaf u").unwrap();
    assert!(
        books
            .search_by_text(&query, 5, 6, 100_000)
            .unwrap()
            .is_none()
    );
    books
        .prepare_next_key(&crate::query::parse("urss").unwrap())
        .unwrap();
    let query = crate::query::parse("urss octo").unwrap();
    assert!(
        books
            .search_by_text(&query, 5, 6, 100_000)
            .unwrap()
            .is_none()
    );
    books.words.forget();
    // "urssaf octobre" is about one row in 12: its 51 rows are not within 100 rows' walk, so the
    // walk gives up and the index answers.
    let query = crate::query::parse("octobre urssaf").unwrap();
    assert!(books.search_by_text(&query, 50, 51, 100).unwrap().is_none());
    let (found, _) = books.search(&query, 50, 51).unwrap();
    let want: Vec<String> = (0..all.len())
        .filter(|i| i % 5 == 0 && (i % 3 == 0 || i % 11 == 0))
        .take(50)
        .map(|i| format!("t{i:05}"))
        .collect();
    assert_eq!(ids(&found), want);
    // A newer row whose text the walk cannot read as the index does: it gives up.
    let mut odd = tx(
        "odd",
        "Straße GmbH",
        "completed",
        "2026-11-02T00:00:00Z",
        "2026-11-02T00:00:00Z",
    );
    odd.note = None;
    books.put_transactions("o", "a", &[odd]).unwrap();
    let query = crate::query::parse("boulan").unwrap();
    books.words.forget();
    assert!(
        books
            .search_by_text(&query, 5, 6, 100_000)
            .unwrap()
            .is_none()
    );
    let (found, _) = books.search(&query, 2, 3).unwrap();
    assert_eq!(ids(&found), ["t00001", "t00002"]);
}

#[test]
fn missing_receipt_with_a_rare_filter_walks_the_missing_rows_and_answers_as_a_scan_would() {
    let mut books = Books::in_memory().unwrap();
    let mut all = many(6_000);
    for (i, t) in all.iter_mut().enumerate() {
        // One in four needs a receipt and has none; one in 97 is over 1,000.
        t.attachment_required = Some(i % 4 == 0);
        t.amount_cents = Some(if i % 97 == 0 { 150_000 } else { 2_000 });
    }
    books.put_transactions("o", "a", &all).unwrap();
    for text in [
        "missing:receipt",
        "missing:receipt >1000",
        "missing:receipt urssaf",
    ] {
        let query = crate::query::parse(text).unwrap();
        let (found, _) = books.search(&query, 10_000, 10_001).unwrap();
        let mut want: Vec<&Transaction> = all
            .iter()
            .filter(|t| t.attachment_required == Some(true))
            .filter(|t| !text.contains('>') || t.amount_cents.unwrap() >= 100_000)
            .filter(|t| {
                !text.contains("urssaf") || t.clean_counterparty_name.as_deref() == Some("URSSAF")
            })
            .collect();
        want.sort_by(|a, b| b.settled_at.cmp(&a.settled_at));
        let ids: Vec<&str> = found.iter().map(|f| f.tx.id.as_str()).collect();
        let want: Vec<&str> = want.iter().map(|t| t.id.as_deref().unwrap()).collect();
        assert_eq!(ids, want, "{text}");
        // The page: the newest ones first, as the whole answer starts.
        let (page, _) = books.search(&query, 10, 11).unwrap();
        assert_eq!(
            page.iter().map(|f| f.tx.id.as_str()).collect::<Vec<_>>(),
            want[..want.len().min(10)],
            "{text}"
        );
    }
    let plan: String = books
        .db
        .query_row(
            "EXPLAIN QUERY PLAN SELECT 1 FROM transactions t INDEXED BY transactions_missing_by_date
             WHERE t.missing_receipt = 1 ORDER BY t.sort_at DESC, t.id DESC",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("transactions_missing_by_date"), "{plan}");
}

#[test]
fn organizations_come_back_in_the_order_listed_whichever_sync_wrote_first() {
    let mut books = Books::in_memory().unwrap();
    let org = |id: &str| -> qonto_client::api::models::UserOrganization {
        serde_json::from_value(serde_json::json!({"id": id, "name": format!("Org {id}")})).unwrap()
    };
    let listed = [org("a"), org("b"), org("c")];
    books.note_listed(&listed).unwrap();
    // The syncs finish in another order, and each writes its organization whole.
    for o in listed.iter().rev() {
        books.put_organization(o, 42).unwrap();
    }
    let back: Vec<(String, Option<i64>)> = books
        .organizations()
        .unwrap()
        .into_iter()
        .map(|(o, at)| (o.id, at))
        .collect();
    assert_eq!(
        back,
        [
            ("a".into(), Some(42)),
            ("b".into(), Some(42)),
            ("c".into(), Some(42))
        ]
    );
    // Noting them again changes nothing (not the time of their last sync).
    books.note_listed(&listed[..1]).unwrap();
    assert_eq!(books.organizations().unwrap()[0].1, Some(42));
}
