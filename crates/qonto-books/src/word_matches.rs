//! The rows a search's words match, kept between keys typed: each word's matches are read
//! once and kept while the books do not change, so a key that adds an amount or a date after
//! the words (or a word after them) costs a walk, not the words again. The walk down the date
//! index checks each row against them in memory (`word_match`), instead of SQLite building its
//! own copy of every match on every key.

use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

/// The SQL function `word_match(rowid)`: whether the row is among the words' matches.
pub(super) const WORD_MATCH: &str = "word_match";

/// The SQL aggregate `rowid_list(rowid)`: the rowids it was given, as one blob of 8-byte
/// little-endian integers. A term's matches come back in one value: stepping the statement
/// and reading each row through rusqlite took 60% of the time (4.8 ms of 36,494 matches,
/// against 1.9 ms to count them).
const ROWID_LIST: &str = "rowid_list";

/// Collects rowids for [`ROWID_LIST`].
struct RowidList;

impl rusqlite::functions::Aggregate<Vec<u8>, Vec<u8>> for RowidList {
    fn init(&self, _: &mut rusqlite::functions::Context<'_>) -> rusqlite::Result<Vec<u8>> {
        Ok(Vec::new())
    }

    fn step(
        &self,
        ctx: &mut rusqlite::functions::Context<'_>,
        list: &mut Vec<u8>,
    ) -> rusqlite::Result<()> {
        list.extend_from_slice(&ctx.get::<i64>(0)?.to_le_bytes());
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut rusqlite::functions::Context<'_>,
        list: Option<Vec<u8>>,
    ) -> rusqlite::Result<Vec<u8>> {
        Ok(list.unwrap_or_default())
    }
}

/// At most this many words' matches are kept…
const KEPT_WORDS: usize = 16;
/// …and no more rows than this across them (8 bytes each).
const KEPT_ROWS: usize = 2_000_000;

/// Rowids, ascending.
type Rows = Arc<Vec<i64>>;

/// The transactions' version (schema 5) when the matches were read: any insert, update or
/// delete of a transaction, through any connection, moves it.
#[derive(PartialEq, Eq, Clone, Copy)]
struct Seen(i64);

impl Seen {
    fn now(db: &Connection) -> rusqlite::Result<Self> {
        transactions_version(db).map(Seen)
    }
}

/// The transactions' version (schema 5): any insert, update or delete of a transaction,
/// through any connection, moves it.
pub(super) fn transactions_version(db: &Connection) -> rusqlite::Result<i64> {
    db.prepare_cached("SELECT version FROM changes WHERE what = 'transactions'")?
        .query_row([], |r| r.get(0))
}

#[derive(Default)]
struct Kept {
    seen: Option<Seen>,
    /// Each full-text term's matches, the most recently used first.
    words: Vec<(String, Rows)>,
    /// The rows every word of the last search matches: what `word_match` answers from.
    all: Rows,
}

/// The words' matches, shared with the `word_match` function of one connection.
#[derive(Clone, Default)]
pub(super) struct WordMatches {
    kept: Arc<Mutex<Kept>>,
}

impl WordMatches {
    /// Registers `word_match` on `db`, answering from what `self` holds.
    pub(super) fn install(db: &Connection) -> rusqlite::Result<Self> {
        let this = Self::default();
        let kept = this.kept.clone();
        db.create_scalar_function(WORD_MATCH, 1, FunctionFlags::SQLITE_UTF8, move |ctx| {
            let rowid: i64 = ctx.get(0)?;
            let kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
            Ok(kept.all.binary_search(&rowid).is_ok())
        })?;
        db.create_aggregate_function(ROWID_LIST, 1, FunctionFlags::SQLITE_UTF8, RowidList)?;
        Ok(this)
    }

    /// Makes the rows every one of the full-text `terms` matches what `word_match` answers
    /// from, and says how many they are.
    pub(super) fn load(&self, db: &Connection, terms: &[String]) -> rusqlite::Result<usize> {
        let seen = Seen::now(db)?;
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.seen != Some(seen) {
            *kept = Kept {
                seen: Some(seen),
                ..Kept::default()
            };
        }
        let mut each = Vec::with_capacity(terms.len());
        for term in terms {
            let rows = match kept.words.iter().position(|(t, _)| t == term) {
                Some(at) => kept.words.remove(at).1,
                None => Arc::new(matches_of(db, term)?),
            };
            kept.words.insert(0, (term.clone(), rows.clone()));
            each.push(rows);
        }
        let mut total = 0;
        let keep = kept
            .words
            .iter()
            .take(KEPT_WORDS)
            .take_while(|(_, rows)| {
                total += rows.len();
                total <= KEPT_ROWS
            })
            .count()
            .max(terms.len().min(kept.words.len()));
        kept.words.truncate(keep);
        // The smallest first: the intersection is never larger than it.
        each.sort_by_key(|rows| rows.len());
        let mut all = each.first().cloned().unwrap_or_default();
        for rows in each.iter().skip(1) {
            all = Arc::new(intersection(&all, rows));
        }
        let len = all.len();
        kept.all = all;
        Ok(len)
    }
}

impl WordMatches {
    /// Whether one of `terms` has its matches kept, read since the books last changed.
    pub(super) fn holds_any(&self, db: &Connection, terms: &[String]) -> rusqlite::Result<bool> {
        let seen = Seen::now(db)?;
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(kept.seen == Some(seen)
            && terms
                .iter()
                .any(|term| kept.words.iter().any(|(t, _)| t == term)))
    }

    /// Forgets every word's matches (as a change to the books would).
    #[cfg(test)]
    pub(super) fn forget(&self) {
        *self.kept.lock().unwrap_or_else(PoisonError::into_inner) = Kept::default();
    }

    /// The rows every word of the last [`WordMatches::load`] matches, ascending.
    pub(super) fn matched(&self) -> Rows {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .all
            .clone()
    }
}

/// The rows one full-text term matches, ascending.
fn matches_of(db: &Connection, term: &str) -> rusqlite::Result<Vec<i64>> {
    let mut q = db.prepare_cached(&format!(
        "SELECT {ROWID_LIST}(rowid) FROM transactions_text WHERE transactions_text MATCH ?1"
    ))?;
    let list: Vec<u8> = q.query_row([term], |r| r.get(0))?;
    let mut rows: Vec<i64> = list
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().unwrap_or_default()))
        .collect();
    // FTS5 gives them ascending; the binary searches must not depend on it.
    if !rows.is_sorted() {
        rows.sort_unstable();
    }
    Ok(rows)
}

/// The rows in both `small` and `large`, each ascending.
fn intersection(small: &[i64], large: &[i64]) -> Vec<i64> {
    small
        .iter()
        .copied()
        .filter(|r| large.binary_search(r).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rowid_list_gives_every_rowid_in_order_and_nothing_for_no_rows() {
        let db = Connection::open_in_memory().unwrap();
        WordMatches::install(&db).unwrap();
        db.execute_batch(
            "CREATE TABLE t (x); INSERT INTO t (rowid) VALUES (3), (7), (5000000000);",
        )
        .unwrap();
        let list = |sql: &str| -> Vec<i64> {
            let blob: Vec<u8> = db.query_row(sql, [], |r| r.get(0)).unwrap();
            blob.chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
                .collect()
        };
        assert_eq!(
            list("SELECT rowid_list(rowid) FROM (SELECT rowid FROM t ORDER BY rowid)"),
            vec![3, 7, 5_000_000_000]
        );
        assert_eq!(
            list("SELECT rowid_list(rowid) FROM t WHERE rowid > 10000000000"),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn intersection_keeps_what_both_hold() {
        assert_eq!(intersection(&[1, 3, 5, 9], &[2, 3, 4, 9, 10]), vec![3, 9]);
        assert_eq!(intersection(&[], &[1, 2]), Vec::<i64>::new());
    }
}
