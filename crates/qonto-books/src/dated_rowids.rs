//! Rowids in date order (schema 16): a transaction's rowid is the second of its date times
//! [`DATED_SLOTS`], plus its place among that second's, so that FTS5, which gives matches in
//! rowid order, gives them newest first read backwards. Rows are placed as they are written
//! and were renumbered once, by copying, when the schema came to 16.

use rusqlite::params;

use crate::BooksError;

/// Rowids per second of date: 2^22, so that the second of year 9999 times it still fits an
/// `i64`, with room for four million transactions dated the same second.
pub const DATED_SLOTS: i64 = 1 << 22;

/// The second of date of a `sort_at`, in SQL over the column or parameter `date`: as SQLite
/// reads the date and time (the zone left out), 0 before 1970 or when it cannot.
macro_rules! second_of {
    ($date:literal) => {
        concat!("coalesce(max(unixepoch(substr(", $date, ", 1, 19)), 0), 0)")
    };
}

/// The rowid of a transaction dated `sort_at` (schema 16): `current` when it is already in
/// that second's range, else the next free one of the range. SQLite reads the date, as the
/// migration that numbered the rows before did, so both place a date alike.
pub(crate) fn dated_rowid(
    tx: &rusqlite::Transaction<'_>,
    sort_at: Option<&str>,
    current: Option<i64>,
) -> Result<i64, BooksError> {
    let (first, last): (i64, Option<i64>) = tx
        .prepare_cached(concat!(
            "SELECT first, (SELECT max(rowid) FROM transactions
                            WHERE rowid >= first AND rowid < first + ?2)
             FROM (SELECT ",
            second_of!("?1"),
            " * ?2 AS first)"
        ))?
        .query_row(params![sort_at, DATED_SLOTS], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let range = first..first.saturating_add(DATED_SLOTS);
    match (current, last) {
        (Some(now), _) if range.contains(&now) => Ok(now),
        (_, None) => Ok(first),
        (_, Some(last)) if range.contains(&(last + 1)) => Ok(last + 1),
        // Four million transactions dated the same second: refused rather than put out of
        // date order, which the searches rely on.
        (_, Some(_)) => Err(BooksError::SameSecond),
    }
}

/// Copies every transaction into a table of the same shape in date order, numbering them
/// there, and puts that table in the place of the old one with its indexes and triggers made
/// again. The new rowids are worked out first down the date index (16 bytes a row held), the
/// rows copied in that order, then indexed, then the triggers made. Over 1,000,000 stored it
/// took 38.5 s and 208 MB at most (SQLCipher sorts in memory to build each index); the old
/// table's pages are left free in the file for later writes (940 MB → 1.45 GB).
pub(crate) fn renumber(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let table: String = tx.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'transactions'",
        [],
        |r| r.get(0),
    )?;
    let Some(dated) = table
        .strip_prefix("CREATE TABLE transactions")
        .map(|rest| format!("CREATE TABLE transactions_dated{rest}"))
    else {
        return Err(rusqlite::Error::InvalidQuery);
    };
    let kept = |kind: &str| -> rusqlite::Result<Vec<(String, String)>> {
        tx.prepare(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'transactions'
             AND type = ?1 AND sql IS NOT NULL ORDER BY name",
        )?
        .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
    };
    // The `id` key's own index comes with the table.
    let (indexes, triggers) = (kept("index")?, kept("trigger")?);
    let columns: Vec<String> = tx
        .prepare("SELECT name FROM pragma_table_info('transactions') ORDER BY cid")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let columns = columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ");
    // (new, old), in date order, then id: each second's rows numbered from its first rowid.
    let mut places: Vec<(i64, i64)> = Vec::new();
    {
        let mut dates = tx.prepare(concat!(
            "SELECT rowid, ",
            second_of!("sort_at"),
            " FROM transactions ORDER BY sort_at, id"
        ))?;
        let mut rows = dates.query([])?;
        let mut next: std::collections::HashMap<i64, i64> = Default::default();
        while let Some(row) = rows.next()? {
            let (old, second): (i64, i64) = (row.get(0)?, row.get(1)?);
            let slot = next.entry(second).or_insert(0);
            places.push((
                second.saturating_mul(DATED_SLOTS).saturating_add(*slot),
                old,
            ));
            *slot += 1;
        }
    }
    places.sort_unstable();
    // Pages freed are left as they are, encrypted, for later writes: SQLCipher's secure
    // delete overwrites each, and in a transaction of several statements SQLite keeps each
    // page's former content in memory meanwhile (dropping the old table took 450 MB over
    // 1,000,000 stored). A larger cache keeps the page of each account's rows being copied.
    let cache: i64 = tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    let secure: i64 = tx.query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
    tx.execute_batch("PRAGMA cache_size = -32768; PRAGMA secure_delete = 0;")?;
    let copied = copy_in_date_order(tx, &dated, &indexes, &columns, places);
    tx.execute_batch(&format!(
        "PRAGMA cache_size = {cache}; PRAGMA secure_delete = {secure};"
    ))?;
    copied?;
    for (_, sql) in &triggers {
        tx.execute_batch(sql)?;
    }
    // What readers kept of the rows (a search's word matches, by rowid) is stale.
    tx.execute(
        "UPDATE changes SET version = version + 1 WHERE what = 'transactions'",
        [],
    )?;
    Ok(())
}

/// Makes `transactions_dated` (`dated`), copies each row to its place (`places`: new rowid,
/// old), indexes it as `indexes` say and puts it in the old table's place.
fn copy_in_date_order(
    tx: &rusqlite::Transaction<'_>,
    dated: &str,
    indexes: &[(String, String)],
    columns: &str,
    places: Vec<(i64, i64)>,
) -> rusqlite::Result<()> {
    // The indexes' names are freed for the new table's (the triggers go with the old table).
    for (name, _) in indexes {
        tx.execute_batch(&format!("DROP INDEX \"{}\";", name.replace('"', "\"\"")))?;
    }
    tx.execute_batch(dated)?;

    {
        let mut copy = tx.prepare(&format!(
            "INSERT INTO transactions_dated (rowid, {columns})
             SELECT ?1, {columns} FROM transactions WHERE rowid = ?2"
        ))?;
        for (new, old) in places {
            copy.execute([new, old])?;
        }
    }
    // Indexed once the rows are in: built from a sort, not kept up as rows arrive in an
    // order unlike theirs (198 s of copying over 1,000,000 stored).
    for (_, sql) in indexes {
        tx.execute_batch(&on_dated(sql).ok_or(rusqlite::Error::InvalidQuery)?)?;
    }
    tx.execute_batch(
        "DROP TABLE transactions; ALTER TABLE transactions_dated RENAME TO transactions;",
    )
}

/// An index's `CREATE` made on the new table (renamed to `transactions` afterwards); `None`
/// for one not written as this schema writes them.
fn on_dated(sql: &str) -> Option<String> {
    let (before, after) = sql.split_once(" ON transactions(")?;
    Some(format!("{before} ON transactions_dated({after}"))
}
