//! The transactions' index by id holds a 64-bit hash of each id, not the id (schema 21).
//!
//! Qonto's ids are 36-character UUIDs in no order: a unique index of them took about 46 bytes
//! a transaction, and a backfill's commit rewrote nearly every page of it (each new row lands
//! on a page of its own), encrypted, every commit: in the backfill benchmark, the commits' cost
//! that does not shrink with their size. The hash's index takes about 18 bytes a row. Hashes
//! may collide, so every lookup also compares the id itself ([`by_id!`]), and the index is not
//! unique: the writer looks a row up before it inserts one, inside the write lock.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};

/// The SQL function the index is made of: `id_hash(id)`, registered on every connection.
const NAME: &str = "id_hash";

/// Registers `id_hash()` on `db`: every connection to the books needs it, the writer to keep
/// the index and every reader to look a row up by it.
pub(crate) fn install(db: &Connection) -> rusqlite::Result<()> {
    db.create_scalar_function(
        NAME,
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Value::Integer(of(bytes)),
                _ => Value::Null,
            })
        },
    )
}

/// FNV-1a, 64 bits, of `bytes`. It must never change: the index holds what it gave.
fn of(bytes: &[u8]) -> i64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = bytes
        .iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The condition that finds the transaction whose id is the parameter `$param` through the
/// index (`$id` is the column, with the table's alias if the query gives one): the hash first,
/// then the id itself.
macro_rules! by_id {
    ($id:literal, $param:literal) => {
        concat!(
            "id_hash(",
            $id,
            ") = id_hash(",
            $param,
            ") AND ",
            $id,
            " = ",
            $param
        )
    };
}
pub(crate) use by_id;

/// Schema 21: the index by id's hash in place of the unique index of the ids.
pub(crate) const MIGRATION: &str = "
    DROP INDEX transactions_by_id;
    CREATE INDEX transactions_by_id_hash ON transactions(id_hash(id));
";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_hash_is_fnv1a_and_never_changes() {
        // FNV-1a's published test vectors: "" and "a".
        assert_eq!(of(b"") as u64, 0xcbf2_9ce4_8422_2325);
        assert_eq!(of(b"a") as u64, 0xaf63_dc4c_8601_ec8c);
        let db = Connection::open_in_memory().unwrap();
        install(&db).unwrap();
        let got: (i64, Option<i64>) = db
            .query_row("SELECT id_hash('a'), id_hash(NULL)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(got, (of(b"a"), None));
    }

    #[test]
    fn a_lookup_by_id_goes_through_the_index_and_tells_colliding_ids_apart() {
        let mut db = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut db).unwrap();
        let sql = concat!(
            "SELECT rowid FROM transactions t WHERE ",
            by_id!("t.id", "?1")
        );
        let unaliased = concat!(
            "UPDATE transactions SET note = 'n' WHERE ",
            by_id!("id", "?1")
        );
        for statement in [sql, unaliased] {
            let plan: String = db
                .query_row(&format!("EXPLAIN QUERY PLAN {statement}"), ["x"], |r| {
                    r.get(3)
                })
                .unwrap();
            assert!(plan.contains("transactions_by_id_hash"), "{plan}");
        }
        // Every id hashing alike, as colliding ids would: the id still decides.
        db.create_scalar_function(NAME, 1, FunctionFlags::SQLITE_DETERMINISTIC, |_| Ok(7))
            .unwrap();
        for id in ["t1", "t2"] {
            db.execute(
                "INSERT INTO transactions (id, org_key, account_key) VALUES (?1, 1, 1)",
                [id],
            )
            .unwrap();
        }
        let found: i64 = db.query_row(sql, ["t2"], |r| r.get(0)).unwrap();
        assert_eq!(found, 2);
    }

    fn tx(id: &str, updated: &str, counterparty: &str) -> qonto_client::api::models::Transaction {
        serde_json::from_value(serde_json::json!({
            "id": id, "amount_cents": 100, "currency": "EUR", "side": "debit",
            "status": "completed", "settled_at": "2026-10-01T10:00:00.000Z",
            "updated_at": updated, "clean_counterparty_name": counterparty
        }))
        .unwrap()
    }

    #[test]
    fn rows_stored_at_schema_20_are_found_by_id_and_written_again_in_place() {
        let db = Connection::open_in_memory().unwrap();
        install(&db).unwrap();
        for step in &crate::schema::MIGRATIONS[..20] {
            db.execute_batch(step).unwrap();
        }
        db.pragma_update(None, "user_version", 20).unwrap();
        let mut books = crate::Books::over(db, None).unwrap();
        let old = [
            tx("t1", "2026-10-01T10:00:00.000Z", "URSSAF"),
            tx("t2", "2026-10-01T10:00:00.000Z", "EDF"),
        ];
        books.put_transactions("org", "acc", &old).unwrap();

        assert_eq!(crate::schema::migrate(&mut books.db).unwrap(), 20);
        let indexes: String = books
            .db
            .query_row(
                "SELECT group_concat(name) FROM sqlite_master
                 WHERE type = 'index' AND tbl_name = 'transactions' AND name LIKE '%by_id%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, "transactions_by_id_hash");
        let found = books.transaction_detail("t2").unwrap().unwrap();
        assert_eq!(found.tx.counterparty.as_deref(), Some("EDF"));

        // The same id again, changed: written where it is, not added.
        let changed = books
            .put_transactions(
                "org",
                "acc",
                &[tx("t2", "2026-10-02T10:00:00.000Z", "EDF Pro")],
            )
            .unwrap();
        assert_eq!((changed.added, changed.changed), (0, 1));
        let unchanged = books.put_transactions("org", "acc", &old[..1]).unwrap();
        assert_eq!((unchanged.added, unchanged.changed), (0, 0));
        assert_eq!(books.total_transactions().unwrap(), 2);
        let found = books.transaction_detail("t2").unwrap().unwrap();
        assert_eq!(found.tx.counterparty.as_deref(), Some("EDF Pro"));
        let new = books
            .put_transactions("org", "acc", &[tx("t3", "2026-10-02T10:00:00.000Z", "OVH")])
            .unwrap();
        assert_eq!(new.added, 1);
        assert_eq!(books.total_transactions().unwrap(), 3);
    }
}
