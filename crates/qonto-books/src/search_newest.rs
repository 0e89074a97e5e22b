//! A search by words, newest first, read straight off the full-text index: rowids are in date
//! order (schema 16), so FTS5 gives a word's matches newest first and the search stops once
//! its page is full, instead of reading every match of a word being typed (182,614 of
//! 5,000,000 for "ur": 20 ms on each key).

use rusqlite::types::Value;

use super::{Books, BooksError};
use crate::dated_rowids::DATED_SLOTS;
use crate::query::Query;
use crate::read::TX_COLUMNS;
use crate::search::{FOUND_COLUMNS, Found, Matching, TX_COLUMN_COUNT_FOUND, Words, found_at, term};

/// Matches checked against the other filters at a time: the page's size first, then four
/// times the last, so a selective filter costs few statements.
const CHUNK_GROWTH: usize = 4;

/// The most matches read off the index before the search is left to the other ways (a word
/// matching many rows that another filter passes few of: `urssaf org:one-of-two-hundred`).
const MOST_READ: usize = 20_000;

impl Books {
    /// The newest `rows` transactions matching `query` (sorted by date, with words), or
    /// `None` when more than [`MOST_READ`] of its words' matches had to be read to know them.
    pub(crate) fn newest_by_words(
        &self,
        query: &Query,
        rows: usize,
    ) -> Result<Option<Vec<Found>>, BooksError> {
        // A page larger than the reading allowed needs every match anyway.
        if rows == 0 || rows > MOST_READ {
            return Ok(None);
        }
        let words: Vec<String> = query.words.iter().map(|w| term(w)).collect();
        let Matching { filter, params, .. } = self.matching(query, Words::Left)?;
        let (from, until) = rowids_of(query.period);
        let mut matches = self.db.prepare_cached(
            "SELECT rowid FROM transactions_text
             WHERE transactions_text MATCH ?1 AND rowid >= ?2 AND rowid < ?3
             ORDER BY rowid DESC",
        )?;
        let mut matches = matches.query(rusqlite::params![words.join(" "), from, until])?;
        let and = if filter.is_empty() { "WHERE" } else { "AND" };
        let mut passing = self.db.prepare_cached(&format!(
            "SELECT {TX_COLUMNS}, o.name, a.name, {FOUND_COLUMNS}, t.sort_at, t.rowid
             FROM transactions t
             LEFT JOIN organizations o ON o.id = t.org_id
             LEFT JOIN accounts a ON a.id = t.account_id
             {filter} {and} t.rowid IN (SELECT value FROM json_each(?))
             ORDER BY t.rowid DESC"
        ))?;
        // Newest first by rowid; within one second of date the rowids follow the order the
        // rows were written in, so the page is sorted again at the end.
        let mut found: Vec<(Found, Option<String>, i64)> = Vec::new();
        let mut chunk_size = rows;
        let mut read = 0;
        loop {
            let mut chunk = Vec::with_capacity(chunk_size);
            while chunk.len() < chunk_size {
                match matches.next()? {
                    Some(row) => chunk.push(row.get::<_, i64>(0)?),
                    None => break,
                }
            }
            let ended = chunk.len() < chunk_size;
            read += chunk.len();
            let Some(&oldest_read) = chunk.last() else {
                break;
            };
            let list = Value::Text(serde_json::to_string(&chunk).unwrap_or_default());
            let n = TX_COLUMN_COUNT_FOUND;
            let passed = passing.query_map(
                rusqlite::params_from_iter(params.iter().cloned().chain([list])),
                |r| Ok((found_at(r)?, r.get(n)?, r.get(n + 1)?)),
            )?;
            for row in passed {
                found.push(row?);
            }
            // Full once no row of a later chunk can sort before the page's last: those are of
            // an earlier second than every row read.
            let full = found
                .get(rows - 1)
                .is_some_and(|(_, _, last)| second(oldest_read) < second(*last));
            if ended || full {
                break;
            }
            if read >= MOST_READ {
                return Ok(None);
            }
            chunk_size = chunk_size
                .saturating_mul(CHUNK_GROWTH)
                .min(MOST_READ - read);
        }
        // As the other searches order: date, then id, newest first.
        found.sort_by(|(a, a_date, _), (b, b_date, _)| (b_date, &b.tx.id).cmp(&(a_date, &a.tx.id)));
        found.truncate(rows);
        Ok(Some(found.into_iter().map(|(f, ..)| f).collect()))
    }
}

/// The second of date a rowid is in.
fn second(rowid: i64) -> i64 {
    rowid.div_euclid(DATED_SLOTS)
}

/// The rowids the dates of `period` are in, first and past the last (every rowid without
/// one). A row whose date SQLite cannot read is at second 0: found without a period (after
/// every dated row), left out with one.
fn rowids_of(period: Option<(chrono::NaiveDate, chrono::NaiveDate)>) -> (i64, i64) {
    let Some((first, last)) = period else {
        return (i64::MIN, i64::MAX);
    };
    let at = |day: chrono::NaiveDate| day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    let after = last.succ_opt().map_or(i64::MAX, at);
    (
        at(first).max(0).saturating_mul(DATED_SLOTS),
        // Second 0 holds the rows before 1970 too: a period ending then still reaches it.
        after.max(1).saturating_mul(DATED_SLOTS),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_covers_the_rowids_of_its_days_and_no_more() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, until) = rowids_of(Some((day("2026-10-01"), day("2026-10-31"))));
        assert_eq!(from, 1_790_812_800 * DATED_SLOTS);
        assert_eq!(until, 1_793_491_200 * DATED_SLOTS);
        assert_eq!(rowids_of(None), (i64::MIN, i64::MAX));
        // Before 1970: second 0, where undated rows are too.
        let (from, until) = rowids_of(Some((day("1960-01-01"), day("1960-12-31"))));
        assert_eq!((from, until), (0, DATED_SLOTS));
        assert_eq!(second(3 * DATED_SLOTS + 7), 3);
    }

    /// `count` transactions, seven to a second of date, paid to URSSAF one in three, of
    /// amounts from 0 to 4,999 €; one in eleven pending (dated by its emission), written in an
    /// order unlike their dates' or ids' so that rowids within a second follow neither.
    fn written(books: &mut Books, count: usize) -> Vec<qonto_client::api::models::Transaction> {
        let start = chrono::DateTime::parse_from_rfc3339("2026-10-31T12:00:00Z").unwrap();
        let all: Vec<qonto_client::api::models::Transaction> = (0..count)
            .map(|i| {
                let at = (start - chrono::Duration::seconds((i / 7) as i64)).to_rfc3339();
                let pending = i % 11 == 0;
                serde_json::from_value(serde_json::json!({
                    "id": format!("t{:05}", (i * 7919) % count),
                    "amount_cents": (i * 37 % 5000) * 100,
                    "currency": "EUR", "side": if i % 4 == 0 { "credit" } else { "debit" },
                    "status": if pending { "pending" } else { "completed" },
                    "clean_counterparty_name": if i % 3 == 0 { "URSSAF" } else { "Boulangerie" },
                    "emitted_at": at, "settled_at": if pending { None } else { Some(&at) },
                    "updated_at": at,
                }))
                .unwrap()
            })
            .collect();
        let mut order: Vec<usize> = (0..count).collect();
        order.sort_by_key(|i| (i * 104_729) % count);
        for batch in order.chunks(500) {
            let page: Vec<_> = batch.iter().map(|&i| all[i].clone()).collect();
            books.put_transactions("o", "a", &page).unwrap();
        }
        all
    }

    fn ids(found: &[Found]) -> Vec<&str> {
        found.iter().map(|f| f.tx.id.as_str()).collect()
    }

    #[test]
    fn the_newest_by_words_are_those_every_match_sorted_gives() {
        let mut books = Books::in_memory().unwrap();
        let mut all = written(&mut books, 3_000);
        // Pending ones settle a day later: their rows move to that second's rowids.
        for t in all.iter_mut().filter(|t| t.settled_at.is_none()).take(60) {
            t.status = serde_json::from_value(serde_json::json!("completed")).unwrap();
            t.settled_at = Some("2026-11-01T09:00:00Z".into());
            t.updated_at = Some("2026-11-01T09:00:00Z".into());
        }
        books.put_transactions("o", "a", &all).unwrap();
        let queries = [
            "urssaf",
            "ur",
            "boul",
            "urssaf >1000",
            "urssaf 2026-10-31",
            "urssaf 2026-11",
            "boul -urssaf",
            "urssaf side:credit",
            "urssaf status:pending",
            "urssaf 2026-10-31 <100",
        ];
        for text in queries {
            let query = crate::query::parse(text).unwrap();
            for limit in [1, 6, 7, 50, 200] {
                let newest = books.newest_by_words(&query, limit + 1).unwrap();
                let newest = newest.unwrap_or_else(|| panic!("{text:?}: left to the other ways"));
                // Counting past the page takes the other ways: every match, sorted.
                let (every, _) = books.search(&query, limit + 1, usize::MAX).unwrap();
                assert_eq!(ids(&newest), ids(&every), "{text:?}, {limit}");
                let (shown, _) = books.search(&query, limit, limit + 1).unwrap();
                assert_eq!(ids(&shown), ids(&every[..every.len().min(limit)]));
            }
        }
    }

    #[test]
    fn a_filter_few_matches_pass_is_left_to_the_other_ways() {
        let mut books = Books::in_memory().unwrap();
        written(&mut books, 4 * MOST_READ);
        // None of 26,667 matches passes: more than MOST_READ read, and still no page.
        let none = crate::query::parse("urssaf >4999").unwrap();
        assert!(books.newest_by_words(&none, 11).unwrap().is_none());
        let (found, _) = books.search(&none, 10, 11).unwrap();
        assert!(found.is_empty(), "answered the other way");
        // One in 500 passes: the page is full long before.
        // A page of everything (`search --limit` large): the other ways, whatever the size.
        assert!(books.newest_by_words(&none, usize::MAX).unwrap().is_none());
        let some = crate::query::parse("urssaf >4990").unwrap();
        let newest = books.newest_by_words(&some, 11).unwrap().unwrap();
        let (every, _) = books.search(&some, 11, usize::MAX).unwrap();
        assert_eq!(ids(&newest), ids(&every));
        assert_eq!(newest.len(), 11);
    }
}
