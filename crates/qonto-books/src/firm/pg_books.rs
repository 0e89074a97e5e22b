//! The firm's PostgreSQL books behind the same read and write sets as the SQLite copy
//! ([`BooksReads`], [`BooksWrites`]): search and its totals, missing receipts, one
//! transaction in full, a period's cash, and what the sync stores. Connected as a staff
//! member, every answer is kept by row-level security to the organizations granted; connected
//! as the admin (the service), to none.

use std::collections::HashSet;

use chrono::NaiveDate;
use qonto_client::api::models::{BankAccount, Transaction, UserOrganization};

use super::search::{FOUND_COLUMN_COUNT, FOUND_COLUMNS, found, matching, search};
use super::write;
use crate::cash_period::{CashGroup, compact, period_cash};
use crate::query::Query;
use crate::reads::{BooksReads, BooksWrites, ReadsError, by_name};
use crate::{Detail, Found, PeriodCash, Totals};

/// A connection to the firm's books, read and written as the SQLite copy is.
pub struct PgBooks {
    client: tokio_postgres::Client,
}

impl PgBooks {
    pub fn new(client: tokio_postgres::Client) -> PgBooks {
        PgBooks { client }
    }

    pub fn client(&self) -> &tokio_postgres::Client {
        &self.client
    }
}

impl BooksReads for PgBooks {
    async fn organizations_by_name(&self) -> Result<Vec<(String, String)>, ReadsError> {
        let rows = self
            .client
            .query(
                "SELECT id, coalesce(name, legal_name, id) FROM qonto.organizations",
                &[],
            )
            .await
            .map_err(super::FirmError::from)?;
        Ok(by_name(rows.iter().map(|r| (r.get(0), r.get(1))).collect()))
    }

    async fn find(&self, query: &Query, limit: usize) -> Result<Vec<Found>, ReadsError> {
        Ok(search(&self.client, query, limit).await?)
    }

    async fn totals(&self, query: &Query) -> Result<Totals, ReadsError> {
        let sql = matching(&self.client, query).await?;
        // As on SQLite: by name with ASCII case folded (`lower` under "C" folds ASCII only),
        // then by id and currency.
        let statement = format!(
            "SELECT t.org_id, o.name, coalesce(t.currency, 'EUR'), count(*),
                 sum(CASE WHEN t.side = 'credit' THEN abs(t.amount_cents)
                          ELSE -abs(t.amount_cents) END)::bigint
             FROM qonto.transactions t LEFT JOIN qonto.organizations o ON o.id = t.org_id
             {}
             GROUP BY 1, 2, 3
             ORDER BY lower(o.name COLLATE \"C\"), t.org_id COLLATE \"C\",
                 coalesce(t.currency, 'EUR') COLLATE \"C\"",
            sql.filter()
        );
        let rows = self
            .client
            .query(&statement, &sql.params())
            .await
            .map_err(super::FirmError::from)?;
        Ok(Totals::of_groups(
            rows.iter()
                .map(|r| {
                    (
                        r.get(0),
                        r.get(1),
                        r.get(2),
                        r.get(3),
                        r.get::<_, Option<i64>>(4).unwrap_or(0),
                    )
                })
                .collect(),
        ))
    }

    async fn missing_receipt_counts(&self) -> Result<Vec<(String, i64)>, ReadsError> {
        let rows = self
            .client
            .query(
                "SELECT org_id, count(*) FROM qonto.transactions WHERE missing_receipt
                 GROUP BY org_id ORDER BY org_id COLLATE \"C\"",
                &[],
            )
            .await
            .map_err(super::FirmError::from)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn detail(&self, id: &str) -> Result<Option<Detail>, ReadsError> {
        let row = self
            .client
            .query_opt(
                &format!(
                    "SELECT {FOUND_COLUMNS}, a.iban, t.qonto::text
                     FROM qonto.transactions t
                     LEFT JOIN qonto.organizations o ON o.id = t.org_id
                     LEFT JOIN qonto.accounts a ON a.id = t.account_id
                     WHERE t.id = $1"
                ),
                &[&id],
            )
            .await
            .map_err(super::FirmError::from)?;
        let Some(row) = row else { return Ok(None) };
        let listed = found(&row);
        let account_iban: Option<String> = row.get(FOUND_COLUMN_COUNT);
        // Qonto's answer as stored; a row stored before it was kept reads as the columns say.
        let qonto: Option<Transaction> = row
            .get::<_, Option<String>>(FOUND_COLUMN_COUNT + 1)
            .and_then(|json| serde_json::from_str(&json).ok());
        let base = Detail {
            org_name: listed.org_name,
            account_name: listed.account_name,
            account_iban,
            // The firm's books hold no members or labels yet: the initiator is not named and
            // a label stays its id (as on SQLite for a label the books do not know).
            labels: listed.label_ids,
            missing_receipt: listed.missing_receipt,
            tx: listed.tx,
            ..Detail::default()
        };
        let Some(t) = qonto else {
            return Ok(Some(base));
        };
        let transfer = t.transfer.as_ref();
        Ok(Some(Detail {
            local_amount_cents: t.local_amount_cents,
            local_currency: t.local_currency.clone(),
            subject_type: t.subject_type.clone(),
            counterparty_iban: transfer.and_then(|d| d.counterparty_account_number.clone()),
            counterparty_bic: transfer.and_then(|d| d.counterparty_bank_identifier.clone()),
            label: t.label.clone(),
            category: t.category.clone(),
            vat_amount_cents: t.vat_amount_cents,
            vat_rate: t.vat_rate,
            card_last_digits: t.card_last_digits.clone(),
            attachment_ids: t.attachment_ids.clone(),
            attachment_required: t.attachment_required,
            attachment_lost: t.attachment_lost,
            settled_balance_cents: t.settled_balance_cents,
            cashflow_category: t.cashflow_category.as_ref().map(|c| c.name.clone()),
            cashflow_subcategory: t.cashflow_subcategory.as_ref().map(|c| c.name.clone()),
            ..base
        }))
    }

    async fn cash(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        orgs: &[String],
    ) -> Result<Vec<PeriodCash>, ReadsError> {
        let c = &self.client;
        let own: HashSet<String> = c
            .query(
                "SELECT iban FROM qonto.accounts WHERE iban IS NOT NULL",
                &[],
            )
            .await
            .map_err(super::FirmError::from)?
            .iter()
            .map(|r| compact(&r.get::<_, String>(0)))
            .collect();
        let after = last.succ_opt().unwrap_or(last);
        let (first, after) = (
            first.format("%Y-%m-%d").to_string(),
            after.format("%Y-%m-%d").to_string(),
        );
        let rows = c
            .query(
                "SELECT t.org_id, coalesce(o.name, t.org_id), coalesce(t.currency, 'EUR'),
                     t.side = 'credit', t.counterparty_iban, count(*),
                     sum(abs(t.amount_cents))::bigint
                 FROM qonto.transactions t LEFT JOIN qonto.organizations o ON o.id = t.org_id
                 WHERE t.org_id = ANY($1) AND t.sort_at >= $2 AND t.sort_at < $3
                     AND t.status IS DISTINCT FROM 'declined' AND t.amount_cents IS NOT NULL
                 GROUP BY 1, 2, 3, 4, 5",
                &[&orgs, &first, &after],
            )
            .await
            .map_err(super::FirmError::from)?;
        let groups = rows
            .iter()
            .map(|r| CashGroup {
                org_id: r.get(0),
                org_name: r.get(1),
                currency: r.get(2),
                credit: r.get::<_, Option<bool>>(3).unwrap_or(false),
                counterparty_iban: r.get(4),
                count: r.get(5),
                cents: r.get::<_, Option<i64>>(6).unwrap_or(0),
            })
            .collect();
        Ok(period_cash(groups, &own))
    }
}

impl BooksWrites for PgBooks {
    async fn store_organization(
        &mut self,
        org: &UserOrganization,
        synced_at: i64,
    ) -> Result<(), ReadsError> {
        Ok(write::put_organization(&self.client, org, synced_at).await?)
    }

    async fn store_accounts(
        &mut self,
        org_id: &str,
        accounts: &[BankAccount],
    ) -> Result<(), ReadsError> {
        Ok(write::put_accounts(&mut self.client, org_id, accounts).await?)
    }

    async fn store_transactions(
        &mut self,
        org_id: &str,
        account_id: &str,
        page: &[Transaction],
    ) -> Result<(), ReadsError> {
        write::put_transactions(&mut self.client, org_id, account_id, page).await?;
        Ok(())
    }
}
