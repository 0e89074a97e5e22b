//! The searches a person ran, kept in the (encrypted) copy: the same query once, at its
//! latest use, at most [`KEPT`] of them; read newest first for ↑ in the search and the palette.

use super::{Books, BooksError};

/// Searches kept; the oldest go first.
pub const KEPT: usize = 200;
/// Longer queries are not kept (no one types them; a paste of something else).
pub const LONGEST: usize = 500;

impl Books {
    /// Remembers `query` as used at `now` (Unix seconds); an empty or overlong one is not kept.
    pub fn remember_search(&mut self, query: &str, now: i64) -> Result<(), BooksError> {
        let query = query.trim();
        if query.is_empty() || query.chars().count() > LONGEST {
            return Ok(());
        }
        let tx = self.db.transaction()?;
        tx.execute(
            "INSERT INTO search_history (query, used_at) VALUES (?1, ?2)
             ON CONFLICT (query) DO UPDATE SET used_at = max(used_at, excluded.used_at)",
            rusqlite::params![query, now],
        )?;
        tx.execute(
            "DELETE FROM search_history WHERE query NOT IN
                 (SELECT query FROM search_history ORDER BY used_at DESC, query LIMIT ?1)",
            [KEPT as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The searches kept, newest first.
    pub fn search_history(&self) -> Result<Vec<String>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT query FROM search_history ORDER BY used_at DESC, query LIMIT ?1",
        )?;
        let rows = q.query_map([KEPT as i64], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_kept_once_at_its_latest_use_and_the_oldest_go() {
        let mut books = Books::in_memory().unwrap();
        books.remember_search("urssaf", 1).unwrap();
        books.remember_search("  side:debit ", 2).unwrap();
        books.remember_search("urssaf", 3).unwrap();
        books.remember_search("", 4).unwrap();
        books.remember_search(&"x".repeat(LONGEST + 1), 5).unwrap();
        assert_eq!(books.search_history().unwrap(), ["urssaf", "side:debit"]);
        for i in 0..KEPT + 10 {
            books
                .remember_search(&format!("q{i}"), 10 + i as i64)
                .unwrap();
        }
        let kept = books.search_history().unwrap();
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept.first().map(String::as_str), Some("q209"));
        assert!(!kept.contains(&"urssaf".to_string()));
    }
}
