//! Backfill batches that wait one behind another on the writer's thread are stored in one
//! commit (a group commit). A commit's cost is the pages it touches, and a batch of new rows
//! touches a page of the id index for nearly every row (ids are random): 1,000 rows a commit
//! cost 50 µs a row, 5,000 a commit 33 µs (scratch probe, 150,000 rows in 10 accounts). Each
//! account of a sync has one batch at the writer at a time, so while one commits the others
//! queue, and the next commit takes them all.

use std::sync::Arc;
use std::sync::mpsc;

use qonto_client::api::models::Transaction;

use crate::write::{SyncState, Upserted};
use crate::{Books, BooksError};

/// Past this many rows a group takes no more batches: a commit holds the write lock (and the
/// other copy of the app, waiting on it) for about 30 µs a row.
const GROUP_ROWS: usize = 20_000;

/// How long a group waits for the next batch before it is stored. A commit's answer wakes
/// every account it held at once, and each sends its next batch a moment later: taken as they
/// came (none waited), the first made a commit of its own and the rest the next one, each
/// commit paying again for the id index's pages. In the backfill benchmark this took the
/// commits of 150,000 rows from 45–52 to 34–44. A command that is not a batch ends the wait
/// at once.
const LINGER: std::time::Duration = std::time::Duration::from_millis(5);

/// One account's fetched rows, to be stored with where its backfill stands after them.
pub(crate) struct Batch {
    pub(crate) org_id: String,
    pub(crate) account_id: String,
    pub(crate) transactions: Arc<Vec<Transaction>>,
    pub(crate) state: SyncState,
    pub(crate) answer: tokio::sync::oneshot::Sender<Result<Upserted, BooksError>>,
}

/// Takes `first` and the batches queued right behind it (until the group holds [`GROUP_ROWS`])
/// and stores them in one commit, answering each. Gives back the first command taken that is
/// not a batch, which the caller runs next: commands keep the order they were sent in.
pub(crate) fn store_queued<C>(
    books: &mut Books,
    first: Batch,
    inbox: &mpsc::Receiver<C>,
    as_batch: impl Fn(C) -> Result<Box<Batch>, C>,
) -> Option<C> {
    let mut rows = first.transactions.len();
    let mut group = vec![first];
    let mut held = None;
    while rows < GROUP_ROWS {
        let Ok(next) = inbox.recv_timeout(LINGER) else {
            break;
        };
        match as_batch(next) {
            Ok(batch) => {
                rows += batch.transactions.len();
                group.push(*batch);
            }
            Err(other) => {
                held = Some(other);
                break;
            }
        }
    }
    store(books, group);
    held
}

/// Stores `group` in one commit; if that fails, each batch alone, so that each is answered
/// with what happened to it.
fn store(books: &mut Books, group: Vec<Batch>) {
    let stored = books.put_backfills(group.iter().map(|b| {
        (
            b.org_id.as_str(),
            b.account_id.as_str(),
            b.transactions.as_slice(),
            &b.state,
        )
    }));
    match stored {
        Ok(done) => {
            for (batch, done) in group.into_iter().zip(done) {
                let _ = batch.answer.send(Ok(done));
            }
        }
        Err(e) if group.len() == 1 => {
            if let Some(batch) = group.into_iter().next() {
                let _ = batch.answer.send(Err(e));
            }
        }
        Err(_) => {
            for batch in group {
                let alone = books.put_backfill(
                    &batch.org_id,
                    &batch.account_id,
                    &batch.transactions,
                    &batch.state,
                );
                let _ = batch.answer.send(alone);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A command as the owner thread gets them: a batch, or other work.
    enum Command {
        Batch(Box<Batch>),
        Other(&'static str),
    }

    fn as_batch(c: Command) -> Result<Box<Batch>, Command> {
        match c {
            Command::Batch(b) => Ok(b),
            other => Err(other),
        }
    }

    type Answer = tokio::sync::oneshot::Receiver<Result<Upserted, BooksError>>;

    /// `rows` new transactions of `account` (ids unique across accounts), and its answer.
    fn batch(account: &str, rows: usize) -> (Box<Batch>, Answer) {
        let transactions = (0..rows)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("{account}-{i}"), "amount_cents": 100, "currency": "EUR",
                    "side": "debit", "status": "completed", "label": "URSSAF",
                    "settled_at": "2026-10-01T10:00:00.000Z", "updated_at": "2026-10-01T10:00:00.000Z"
                }))
                .unwrap()
            })
            .collect();
        let (answer, answered) = tokio::sync::oneshot::channel();
        let state = SyncState {
            account_id: account.into(),
            org_id: "o".into(),
            backfill_next_page: Some(2),
            ..SyncState::default()
        };
        let b = Box::new(Batch {
            org_id: "o".into(),
            account_id: account.into(),
            transactions: Arc::new(transactions),
            state,
            answer,
        });
        (b, answered)
    }

    #[test]
    fn batches_queued_behind_one_are_stored_with_it_and_other_work_keeps_its_place() {
        let mut books = Books::in_memory().unwrap();
        let (to_thread, inbox) = mpsc::channel();
        let (first, first_answer) = batch("a", 3);
        let (second, second_answer) = batch("b", 2);
        let (after, after_answer) = batch("c", 1);
        to_thread.send(Command::Batch(second)).unwrap();
        to_thread.send(Command::Other("work sent between")).unwrap();
        to_thread.send(Command::Batch(after)).unwrap();

        let held = store_queued(&mut books, *first, &inbox, as_batch);

        for (mut answer, added) in [(first_answer, 3), (second_answer, 2)] {
            assert_eq!(answer.try_recv().unwrap().unwrap().added, added);
        }
        assert!(matches!(held, Some(Command::Other("work sent between"))));
        // The batch sent after the other work waits for it, unanswered.
        let mut after_answer = after_answer;
        assert!(after_answer.try_recv().is_err());
        assert!(matches!(inbox.try_recv(), Ok(Command::Batch(_))));
        assert_eq!(books.transaction_count("a").unwrap(), 3);
        assert_eq!(books.transaction_count("b").unwrap(), 2);
        let b = books.sync_state("b").unwrap().unwrap();
        assert_eq!(b.backfill_next_page, Some(2));
        assert_eq!(books.transaction_count("c").unwrap(), 0);
    }

    #[test]
    fn a_group_takes_no_batch_once_it_holds_enough_rows() {
        let mut books = Books::in_memory().unwrap();
        let (to_thread, inbox) = mpsc::channel();
        let (first, mut first_answer) = batch("a", GROUP_ROWS);
        let (second, mut second_answer) = batch("b", 1);
        to_thread.send(Command::Batch(second)).unwrap();

        assert!(store_queued(&mut books, *first, &inbox, as_batch).is_none());

        assert_eq!(first_answer.try_recv().unwrap().unwrap().added, GROUP_ROWS);
        assert!(second_answer.try_recv().is_err());
        assert!(matches!(inbox.try_recv(), Ok(Command::Batch(_))));
    }
}
