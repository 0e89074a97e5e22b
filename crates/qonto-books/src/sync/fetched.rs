//! An account's backfill between Qonto and the books: the pages fetched and not yet sent to
//! be stored, the commit under way, and what each commit stored counted in.

use std::sync::Arc;

use futures_util::StreamExt;
use qonto_client::api::models::Transaction;

use super::{AccountSync, OrgReport, SyncError};
use crate::write::Upserted;
use crate::{BooksError, Pending, SyncState};

/// A backfill commit sent to the books' thread.
type Commit = Pending<Result<Upserted, BooksError>>;

/// An account's backfill pages fetched and not yet committed, the commit under way, and how
/// many of its transactions are stored.
pub(super) struct Fetched<'a> {
    pub(super) sync: &'a AccountSync<'a>,
    pub(super) was_complete: bool,
    pub(super) batch: Vec<Transaction>,
    /// The last commit, sent to the books' thread (pages go on arriving while it runs), those
    /// of its transactions that would be news if it adds or changes them, and the batch itself,
    /// let go here once stored, not on the books' thread: in a profile of the backfill
    /// benchmark that thread spent about an eighth of its samples in glibc's `free`, and the
    /// writer is what the second half of a backfill waits on.
    pub(super) committing: Option<(Commit, Vec<Transaction>, Arc<Vec<Transaction>>)>,
    /// The transactions in that commit.
    pub(super) in_commit: usize,
    pub(super) stored: i64,
}

impl Fetched<'_> {
    /// Sends what was fetched to be stored, with where the backfill stands after it, once the
    /// commit before it is done (one at a time: a failed commit stops the sync there).
    pub(super) async fn commit(
        &mut self,
        state: &SyncState,
        report: &mut OrgReport,
    ) -> Result<(), SyncError> {
        self.settle(report).await?;
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = Arc::new(std::mem::take(&mut self.batch));
        self.in_commit = batch.len();
        // Kept to be told once stored (few: a backfill is history, not news, but for what
        // changes while it runs and an account opened while watched).
        let maybe_news: Vec<Transaction> = batch
            .iter()
            .filter(|t| self.sync.listeners.is_news(t, self.was_complete))
            .cloned()
            .collect();
        crate::readers_first::wait_turn().await;
        let pending = self.sync.books.submit_backfill(
            self.sync.org,
            self.sync.account,
            batch.clone(),
            state.clone(),
        )?;
        self.committing = Some((pending, maybe_news, batch));
        Ok(())
    }

    /// The next page answered (in order). While none is ready, what was fetched is sent to be
    /// stored if no commit is under way, and a commit that ends meanwhile is counted in: the
    /// writer would otherwise sit idle while the rate budget holds the requests back (the
    /// backfill benchmark's 30,000 transactions fetched in the first 2.5 s waited until 10 s
    /// for their batches to fill), and the pages that arrive during a commit make the next one.
    pub(super) async fn next_answer<S>(
        &mut self,
        answers: &mut S,
        state: &SyncState,
        report: &mut OrgReport,
    ) -> Result<Option<S::Item>, SyncError>
    where
        S: futures_util::Stream + Unpin,
    {
        use futures_util::FutureExt;
        loop {
            if let Some((committing, ..)) = self.committing.as_mut()
                && let Some(stored) = committing.now_or_never()
            {
                self.count_in(stored?, report)?;
            }
            if let Some(ready) = answers.next().now_or_never() {
                return Ok(ready);
            }
            if self.committing.is_none() && !self.batch.is_empty() {
                self.commit(state, report).await?;
            }
            let Some((committing, ..)) = self.committing.as_mut() else {
                return Ok(answers.next().await);
            };
            let stored = tokio::select! {
                biased;
                answer = answers.next() => return Ok(answer),
                stored = committing => stored,
            };
            self.count_in(stored?, report)?;
        }
    }

    /// Waits for the commit under way, and counts it in.
    pub(super) async fn settle(&mut self, report: &mut OrgReport) -> Result<(), SyncError> {
        let Some((committing, ..)) = self.committing.as_mut() else {
            return Ok(());
        };
        let stored = committing.await?;
        self.count_in(stored, report)
    }

    /// Counts in the commit under way, which ended with `stored`.
    fn count_in(
        &mut self,
        stored: Result<Upserted, BooksError>,
        report: &mut OrgReport,
    ) -> Result<(), SyncError> {
        let Some((_, maybe_news, _batch)) = self.committing.take() else {
            return Ok(());
        };
        let done = stored?;
        self.in_commit = 0;
        self.sync
            .tell(&maybe_news, &done.touched, self.was_complete, report);
        report.added += done.added;
        report.changed += done.changed;
        self.stored += done.added as i64;
        Ok(())
    }
}
