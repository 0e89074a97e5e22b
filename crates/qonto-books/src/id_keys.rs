//! The organizations' and accounts' ids as the transactions keep them (schema 20): each id
//! once in `id_keys`, and its small integer key in every row and index that names it. Two
//! 36-character ids took 72 bytes of each stored transaction and 36 of each of the two indexes
//! that lead with them.
//!
//! A key is added with the first row that names its id and taken away with the last (an
//! organization forgotten), so it stands for one id while any row holds it.

/// SQL: the id whose key is the SQL expression `$key` (a row's `t.org_key`).
macro_rules! id_of {
    ($key:literal) => {
        concat!("(SELECT id FROM id_keys WHERE key = ", $key, ")")
    };
}

/// SQL: the key of the id the SQL expression `$id` gives (a parameter); NULL, which no row's
/// key equals, for an id no transaction named.
macro_rules! key_of {
    ($id:literal) => {
        concat!("(SELECT key FROM id_keys WHERE id = ", $id, ")")
    };
}

/// The key of `id`, added if it has none yet.
pub(crate) fn key(db: &rusqlite::Connection, id: &str) -> rusqlite::Result<i64> {
    db.prepare_cached("INSERT OR IGNORE INTO id_keys (id) VALUES (?1)")?
        .execute([id])?;
    db.prepare_cached("SELECT key FROM id_keys WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
}

/// Deletes the transactions of `org_id`, and the keys of its id and its accounts' ids (those it
/// lists, those its rows name) that no row names any more. Before its accounts are deleted.
pub(crate) fn delete_transactions_of(
    db: &rusqlite::Connection,
    org_id: &str,
) -> rusqlite::Result<()> {
    let keys: Vec<i64> = db
        .prepare(concat!(
            "SELECT key FROM id_keys WHERE id = ?1
             UNION SELECT k.key FROM accounts a JOIN id_keys k ON k.id = a.id
                 WHERE a.org_id = ?1
             UNION SELECT DISTINCT account_key FROM transactions WHERE org_key = ",
            key_of!("?1")
        ))?
        .query_map([org_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    db.execute(
        concat!("DELETE FROM transactions WHERE org_key = ", key_of!("?1")),
        [org_id],
    )?;
    let mut forget = db.prepare(
        "DELETE FROM id_keys WHERE key = ?1
             AND NOT EXISTS (SELECT 1 FROM transactions WHERE org_key = ?1)
             AND NOT EXISTS (SELECT 1 FROM transactions WHERE account_key = ?1)",
    )?;
    for key in keys {
        forget.execute([key])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Books;

    fn row(id: &str) -> qonto_client::api::models::Transaction {
        serde_json::from_value(serde_json::json!({
            "id": id, "amount_cents": 100, "currency": "EUR", "side": "debit",
            "status": "completed", "settled_at": "2026-10-01T00:00:00.000Z",
            "updated_at": "2026-10-01T00:00:00.000Z"
        }))
        .unwrap()
    }

    fn ids(books: &Books) -> Vec<String> {
        books
            .db
            .prepare("SELECT id FROM id_keys ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn an_organization_forgotten_takes_its_ids_and_leaves_the_others() {
        let mut books = Books::in_memory().unwrap();
        books
            .put_transactions("org-a", "acc-1", &[row("t1")])
            .unwrap();
        books
            .put_transactions("org-a", "acc-2", &[row("t2")])
            .unwrap();
        books
            .put_transactions("org-b", "acc-3", &[row("t3")])
            .unwrap();
        // An account listed with nothing stored yet (its first page was empty).
        books.put_transactions("org-a", "acc-4", &[]).unwrap();
        let listed: qonto_client::api::models::BankAccount =
            serde_json::from_value(serde_json::json!({"id": "acc-4", "name": "Empty"})).unwrap();
        books.put_accounts("org-a", &[listed]).unwrap();
        assert_eq!(
            ids(&books),
            ["acc-1", "acc-2", "acc-3", "acc-4", "org-a", "org-b"]
        );

        books.forget_organization("org-a").unwrap();
        assert_eq!(ids(&books), ["acc-3", "org-b"]);
        let kept = books.transactions_page("acc-3", 0, 10).unwrap();
        assert_eq!(
            kept.iter()
                .map(|t| (t.org_id.as_str(), t.account_id.as_str()))
                .collect::<Vec<_>>(),
            [("org-b", "acc-3")]
        );

        // Stored again, it is given keys again.
        books
            .put_transactions("org-a", "acc-1", &[row("t1")])
            .unwrap();
        let page = books.transactions_page("acc-1", 0, 10).unwrap();
        assert_eq!(page[0].org_id, "org-a");
        assert_eq!(books.transactions_page("acc-2", 0, 10).unwrap().len(), 0);
    }
}
