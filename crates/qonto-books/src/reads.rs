//! The books' read and write sets as one interface, whichever engine holds them: the encrypted
//! SQLite copy of one person ([`Books`]) and a firm's PostgreSQL books
//! ([`crate::firm::PgBooks`]). Both answer the same questions the same way; the conformance
//! suite (`tests/books_conformance.rs`) asks each of its questions of both.

use chrono::NaiveDate;
use qonto_client::api::models::{BankAccount, Transaction, UserOrganization};

use crate::query::Query;
use crate::{Books, BooksError, Detail, Found, PeriodCash, Totals};

/// What went wrong reading or writing either engine.
#[derive(Debug, thiserror::Error)]
pub enum ReadsError {
    #[error(transparent)]
    Sqlite(#[from] BooksError),
    #[error(transparent)]
    Postgres(#[from] crate::firm::FirmError),
}

/// What the TUI, the commands, the MCP server and the sync read of the books.
// Used through generics only (never `dyn`), and the SQLite side is not `Sync`: the futures need
// no `Send` bound, which is what the lint warns about.
#[allow(async_fn_in_trait)]
pub trait BooksReads {
    /// Every organization (id and name), by name then id.
    async fn organizations_by_name(&self) -> Result<Vec<(String, String)>, ReadsError>;
    /// The transactions matching `query`, in its order, at most `limit`.
    async fn find(&self, query: &Query, limit: usize) -> Result<Vec<Found>, ReadsError>;
    /// How many match `query` and what they come to, per currency and per organization.
    async fn totals(&self, query: &Query) -> Result<Totals, ReadsError>;
    /// How many transactions miss their receipt, per organization id (those with none left
    /// out), by id.
    async fn missing_receipt_counts(&self) -> Result<Vec<(String, i64)>, ReadsError>;
    /// One transaction in full.
    async fn detail(&self, id: &str) -> Result<Option<Detail>, ReadsError>;
    /// Each of `orgs`' money in and out from `first` to `last`, own transfers set apart.
    async fn cash(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        orgs: &[String],
    ) -> Result<Vec<PeriodCash>, ReadsError>;
}

/// What the sync writes into the books: organizations, their accounts, pages of transactions.
#[allow(async_fn_in_trait)]
pub trait BooksWrites {
    async fn store_organization(
        &mut self,
        org: &UserOrganization,
        synced_at: i64,
    ) -> Result<(), ReadsError>;
    async fn store_accounts(
        &mut self,
        org_id: &str,
        accounts: &[BankAccount],
    ) -> Result<(), ReadsError>;
    /// Upserts a page of an account's transactions by id.
    async fn store_transactions(
        &mut self,
        org_id: &str,
        account_id: &str,
        page: &[Transaction],
    ) -> Result<(), ReadsError>;
}

/// Organizations by name, then id: the order both engines answer in.
pub(crate) fn by_name(mut names: Vec<(String, String)>) -> Vec<(String, String)> {
    names.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    names
}

impl BooksReads for Books {
    async fn organizations_by_name(&self) -> Result<Vec<(String, String)>, ReadsError> {
        let names = self
            .organizations()?
            .into_iter()
            .map(|(org, _)| (org.id.clone(), org.display_name().to_owned()))
            .collect();
        Ok(by_name(names))
    }

    async fn find(&self, query: &Query, limit: usize) -> Result<Vec<Found>, ReadsError> {
        Ok(self.search(query, limit, limit.saturating_add(1))?.0)
    }

    async fn totals(&self, query: &Query) -> Result<Totals, ReadsError> {
        Ok(self.search_totals(query)?)
    }

    async fn missing_receipt_counts(&self) -> Result<Vec<(String, i64)>, ReadsError> {
        let mut counts = self.missing_receipts()?;
        counts.sort();
        Ok(counts)
    }

    async fn detail(&self, id: &str) -> Result<Option<Detail>, ReadsError> {
        Ok(self.transaction_detail(id)?)
    }

    async fn cash(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        orgs: &[String],
    ) -> Result<Vec<PeriodCash>, ReadsError> {
        Ok(self.cash_between(first, last, orgs)?)
    }
}

impl BooksWrites for Books {
    async fn store_organization(
        &mut self,
        org: &UserOrganization,
        synced_at: i64,
    ) -> Result<(), ReadsError> {
        self.note_listed(std::slice::from_ref(org))?;
        Ok(self.put_organization(org, synced_at)?)
    }

    async fn store_accounts(
        &mut self,
        org_id: &str,
        accounts: &[BankAccount],
    ) -> Result<(), ReadsError> {
        Ok(self.put_accounts(org_id, accounts)?)
    }

    async fn store_transactions(
        &mut self,
        org_id: &str,
        account_id: &str,
        page: &[Transaction],
    ) -> Result<(), ReadsError> {
        self.put_transactions(org_id, account_id, page)?;
        Ok(())
    }
}
