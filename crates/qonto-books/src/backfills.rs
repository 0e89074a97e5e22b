//! The writer's settings while backfills run (a page cache of 16 MiB, the log copied by the
//! checkpoint thread), raised at the first backfill batch and put back when the last account
//! still backfilling ends, not the first.
//!
//! Put back at each account's end, as they were, the cache shrank to 2 MiB and dropped the id
//! index's decrypted pages while other accounts were still storing theirs, and the next commit
//! checkpointed on the writer itself (what the thread had not copied yet, and the waits for
//! the disk), on the path every stored row waits on: in the backfill benchmark, ten accounts
//! end one after another while the others store their last pages.

use std::collections::HashSet;

use crate::checkpointer;
use crate::{BACKFILL_CACHE_KIB, Books, BooksError, DEFAULT_CACHE_KIB};

/// Which accounts are backfilling, and whether the writer's settings are the backfill's.
#[derive(Default)]
pub(crate) struct Backfills {
    /// Accounts with a backfill batch stored and no end yet.
    running: HashSet<String>,
    raised: bool,
}

impl Books {
    /// Before a commit of backfill batches of `accounts`: their settings, raised once.
    /// Whether the checkpoint thread copies the log (ask it after the commit).
    pub(crate) fn begin_backfills<'a>(
        &mut self,
        accounts: impl IntoIterator<Item = &'a str>,
    ) -> Result<bool, BooksError> {
        for account in accounts {
            if !self.backfills.running.contains(account) {
                self.backfills.running.insert(account.to_string());
            }
        }
        let aside = self.checkpointer.as_mut().is_some_and(|c| c.available());
        if !self.backfills.raised {
            self.db
                .pragma_update(None, "cache_size", BACKFILL_CACHE_KIB)?;
            if aside {
                self.db.pragma_update(
                    None,
                    "wal_autocheckpoint",
                    checkpointer::BACKFILL_LOG_PAGES,
                )?;
            }
            self.backfills.raised = true;
        }
        Ok(aside)
    }

    /// After that commit: the checkpoint thread asked to copy the log, or, if it cannot, the
    /// writer's own threshold back to SQLite's.
    pub(crate) fn backfill_committed(&mut self, aside: bool) -> Result<(), BooksError> {
        if aside && !self.checkpointer.as_mut().is_some_and(|c| c.ask()) {
            self.db
                .pragma_update(None, "wal_autocheckpoint", checkpointer::DEFAULT_LOG_PAGES)?;
        }
        Ok(())
    }

    /// `account_id`'s backfill is over (done, failed or stopped): when no other account's
    /// runs, the writer's settings are put back.
    pub fn end_backfill(&mut self, account_id: &str) -> Result<(), BooksError> {
        self.backfills.running.remove(account_id);
        if !self.backfills.running.is_empty() || !self.backfills.raised {
            return Ok(());
        }
        // The log left is copied by the thread, not by the writer's next commit.
        if let Some(c) = self.checkpointer.as_mut() {
            c.ask();
        }
        self.db
            .pragma_update(None, "cache_size", DEFAULT_CACHE_KIB)?;
        self.db
            .pragma_update(None, "wal_autocheckpoint", checkpointer::DEFAULT_LOG_PAGES)?;
        self.backfills.raised = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Books, SyncState};
    use qonto_client::api::models::Transaction;
    use qonto_client::secret::Secret;

    /// The writer's page cache (KiB, negative) and its checkpoint threshold (pages).
    fn settings(books: &Books) -> (i64, i64) {
        let pragma = |name: &str| {
            books
                .db
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .unwrap()
        };
        (pragma("cache_size"), pragma("wal_autocheckpoint"))
    }

    fn batch(books: &mut Books, account: &str) {
        let row: Transaction = serde_json::from_value(serde_json::json!({
            "id": format!("{account}-t1"), "amount_cents": 1200, "currency": "EUR",
            "side": "debit", "status": "completed", "settled_at": "2026-10-31T12:00:00Z",
            "updated_at": "2026-10-31T12:00:00Z"
        }))
        .unwrap();
        let state = SyncState {
            account_id: account.into(),
            org_id: "org".into(),
            backfill_next_page: Some(2),
            ..SyncState::default()
        };
        books.put_backfill("org", account, &[row], &state).unwrap();
    }

    #[test]
    fn the_backfill_settings_stay_until_the_last_account_backfilling_ends() {
        let dir = tempfile::tempdir().unwrap();
        let key = Secret::new(qonto_client::random::random_hex(32).unwrap());
        let mut books = Books::open(&dir.path().join("books.db"), &key)
            .unwrap()
            .books;
        let usual = settings(&books);
        assert_eq!(usual, (crate::DEFAULT_CACHE_KIB, 1_000));
        let backfilling = (
            crate::BACKFILL_CACHE_KIB,
            crate::checkpointer::BACKFILL_LOG_PAGES,
        );
        batch(&mut books, "a1");
        batch(&mut books, "a2");
        assert_eq!(settings(&books), backfilling);
        books.end_backfill("a1").unwrap();
        assert_eq!(settings(&books), backfilling, "a2 still backfills");
        books.end_backfill("a1").unwrap();
        assert_eq!(settings(&books), backfilling, "ended twice, still one left");
        books.end_backfill("a2").unwrap();
        assert_eq!(settings(&books), usual);
        // An account whose backfill never stored a batch ends nothing.
        books.end_backfill("a3").unwrap();
        assert_eq!(settings(&books), usual);
        batch(&mut books, "a3");
        assert_eq!(settings(&books), backfilling, "raised again");
    }
}
