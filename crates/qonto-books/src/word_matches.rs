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

/// At most this many words' matches are kept…
const KEPT_WORDS: usize = 8;
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

/// The rows one full-text term matches, ascending.
fn matches_of(db: &Connection, term: &str) -> rusqlite::Result<Vec<i64>> {
    let mut q =
        db.prepare_cached("SELECT rowid FROM transactions_text WHERE transactions_text MATCH ?1")?;
    let mut rows = q
        .query_map([term], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
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
    fn intersection_keeps_what_both_hold() {
        assert_eq!(intersection(&[1, 3, 5, 9], &[2, 3, 4, 9, 10]), vec![3, 9]);
        assert_eq!(intersection(&[], &[1, 2]), Vec::<i64>::new());
    }
}
