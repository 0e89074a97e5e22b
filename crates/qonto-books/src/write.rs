//! Writing the books: organizations, accounts and transactions upserted by id (so a pending
//! transaction that settles, or gains a receipt, replaces itself), and each account's sync
//! progress.

use rusqlite::{OptionalExtension, params};

use super::{Books, BooksError};
use crate::cash_add::CashRow;
use crate::news::Change;
use crate::values::{OperationType, Side, Status};
use qonto_client::api::models::{BankAccount, Transaction, UserOrganization};

/// How far an account's sync has come.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    pub account_id: String,
    pub org_id: String,
    /// The next page of the newest-first backfill; `None` once it reached the end.
    pub backfill_next_page: Option<i64>,
    /// The newest `updated_at` stored: incremental sync asks from a little before it.
    pub newest_updated_at: Option<String>,
    /// Unix seconds of the last successful sync.
    pub synced_at: Option<i64>,
}

/// What an upsert did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upserted {
    pub added: usize,
    pub changed: usize,
    /// The ids added or changed, and which.
    pub touched: Vec<(String, Change)>,
}

impl Books {
    pub fn put_organization(
        &self,
        org: &UserOrganization,
        synced_at: i64,
    ) -> Result<(), BooksError> {
        self.db.execute(
            "INSERT INTO organizations (id, name, legal_name, membership_role, via, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, legal_name = excluded.legal_name,
                 membership_role = excluded.membership_role, via = excluded.via,
                 synced_at = excluded.synced_at",
            params![
                org.id,
                org.display_name(),
                org.legal_name,
                org.membership_role,
                org.via.as_str(),
                synced_at
            ],
        )?;
        Ok(())
    }

    /// Notes each of `orgs` not yet in the books, in the order given (Qonto's): organizations
    /// synced side by side are otherwise first written in the order their syncs get there, and
    /// the list the books give back (by rowid) would follow that. Nothing else is touched.
    pub fn note_listed(&mut self, orgs: &[UserOrganization]) -> Result<(), BooksError> {
        let tx = self.db.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO organizations (id, name, legal_name, membership_role, via)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for org in orgs {
                insert.execute(params![
                    org.id,
                    org.display_name(),
                    org.legal_name,
                    org.membership_role,
                    org.via.as_str()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Notes an organization known only from its overview (its list entry, with the role,
    /// replaces this when it comes).
    pub fn note_organization(
        &self,
        org: &qonto_client::api::models::Organization,
        id: &str,
        via: qonto_client::api::Via,
    ) -> Result<(), BooksError> {
        self.db.execute(
            "INSERT OR IGNORE INTO organizations (id, name, legal_name, via, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                org.name
                    .as_deref()
                    .or(org.legal_name.as_deref())
                    .unwrap_or(id),
                org.legal_name,
                via.as_str(),
                chrono::Utc::now().timestamp()
            ],
        )?;
        Ok(())
    }

    /// The organization's accounts as Qonto lists them now (gone ones removed).
    pub fn put_accounts(
        &mut self,
        org_id: &str,
        accounts: &[BankAccount],
    ) -> Result<(), BooksError> {
        let tx = self.db.transaction()?;
        tx.execute("DELETE FROM accounts WHERE org_id = ?1", [org_id])?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO accounts (id, org_id, name, iban, currency, balance_cents,
                     authorized_balance_cents, status, main)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for a in accounts {
                let Some(id) = a.key() else { continue };
                insert.execute(params![
                    id,
                    org_id,
                    a.name,
                    a.iban,
                    a.currency,
                    a.balance_in_cents(),
                    a.authorized_in_cents(),
                    a.status,
                    a.main
                ])?;
            }
        }
        crate::cash_sums::note_own_ibans(&tx, org_id)?;
        tx.commit()?;
        Ok(())
    }

    /// The organization's memberships as Qonto lists them now.
    pub fn put_memberships(
        &mut self,
        org_id: &str,
        members: &[qonto_client::api::models::Membership],
    ) -> Result<(), BooksError> {
        let tx = self.db.transaction()?;
        tx.execute("DELETE FROM memberships WHERE org_id = ?1", [org_id])?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO memberships (id, org_id, first_name, last_name, role, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for m in members {
                let Some(id) = &m.id else { continue };
                insert.execute(params![
                    id,
                    org_id,
                    m.first_name,
                    m.last_name,
                    m.role,
                    m.status
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The organization's labels as Qonto lists them now.
    pub fn put_labels(
        &mut self,
        org_id: &str,
        labels: &[qonto_client::api::models::Label],
    ) -> Result<(), BooksError> {
        let tx = self.db.transaction()?;
        tx.execute("DELETE FROM labels WHERE org_id = ?1", [org_id])?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO labels (id, org_id, name, parent_id) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for l in labels {
                let Some(id) = &l.id else { continue };
                insert.execute(params![id, org_id, l.name, l.parent_id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Upserts a page of an account's transactions by id, in one transaction.
    pub fn put_transactions(
        &mut self,
        org_id: &str,
        account_id: &str,
        transactions: &[Transaction],
    ) -> Result<Upserted, BooksError> {
        let tx = self.db.transaction()?;
        let done = upsert_transactions(&tx, org_id, account_id, transactions)?;
        tx.commit()?;
        Ok(done)
    }

    /// Pages of an account's backfill and where the backfill now stands, in one transaction:
    /// what is stored and the progress recorded never disagree, and a batch of pages costs one
    /// commit (and one full-text segment) instead of one per page.
    pub fn put_backfill(
        &mut self,
        org_id: &str,
        account_id: &str,
        transactions: &[Transaction],
        state: &SyncState,
    ) -> Result<Upserted, BooksError> {
        let mut done = self.put_backfills([(org_id, account_id, transactions, state)])?;
        Ok(done.pop().unwrap_or_default())
    }

    /// Several accounts' backfill batches (organization, account, rows, where its backfill
    /// stands after them) in one commit: what each did, in order.
    pub(crate) fn put_backfills<'a>(
        &mut self,
        batches: impl IntoIterator<Item = (&'a str, &'a str, &'a [Transaction], &'a SyncState)>,
    ) -> Result<Vec<Upserted>, BooksError> {
        let batches: Vec<_> = batches.into_iter().collect();
        let aside = self.begin_backfills(batches.iter().map(|(_, account, ..)| *account))?;
        let tx = self.db.transaction()?;
        let mut done = Vec::new();
        for (org_id, account_id, transactions, state) in batches {
            done.push(upsert_transactions(&tx, org_id, account_id, transactions)?);
            write_sync_state(&tx, state)?;
        }
        tx.commit()?;
        self.backfill_committed(aside)?;
        Ok(done)
    }

    pub fn sync_state(&self, account_id: &str) -> Result<Option<SyncState>, BooksError> {
        Ok(self
            .db
            .query_row(
                "SELECT account_id, org_id, backfill_next_page, newest_updated_at, synced_at
                 FROM sync_state WHERE account_id = ?1",
                [account_id],
                |r| {
                    Ok(SyncState {
                        account_id: r.get(0)?,
                        org_id: r.get(1)?,
                        backfill_next_page: r.get(2)?,
                        newest_updated_at: r.get(3)?,
                        synced_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn set_sync_state(&self, state: &SyncState) -> Result<(), BooksError> {
        write_sync_state(&self.db, state)
    }

    /// The newest `updated_at` stored for an account.
    pub fn newest_updated_at(&self, account_id: &str) -> Result<Option<String>, BooksError> {
        Ok(self.db.query_row(
            concat!(
                "SELECT max(updated_at) FROM transactions WHERE account_key = ",
                key_of!("?1")
            ),
            [account_id],
            |r| r.get(0),
        )?)
    }

    /// Forgets an organization and everything of it.
    /// Forgets every organization reached through the User flow that `listed` (the User
    /// flow's answer, and the other sources') no longer holds: one no longer shared, or
    /// another person's after a different Qonto user signed in here. Their books are not
    /// kept where the person now signed in could read them.
    pub fn forget_unshared(
        &mut self,
        listed: &[qonto_client::api::models::UserOrganization],
    ) -> Result<(), BooksError> {
        let gone: Vec<String> = self
            .organizations()?
            .into_iter()
            .filter(|(org, _)| org.via == qonto_client::api::Via::User)
            .filter(|(org, _)| !listed.iter().any(|l| l.id == org.id))
            .map(|(org, _)| org.id)
            .collect();
        for id in gone {
            tracing::info!("forgetting the local copy of an organization no longer shared");
            self.forget_organization(&id)?;
        }
        Ok(())
    }

    pub fn forget_organization(&mut self, org_id: &str) -> Result<(), BooksError> {
        let tx = self.db.transaction()?;
        crate::id_keys::delete_transactions_of(&tx, org_id)?;
        for table in ["accounts", "sync_state", "memberships", "labels"] {
            tx.execute(&format!("DELETE FROM {table} WHERE org_id = ?1"), [org_id])?;
        }
        tx.execute("DELETE FROM organizations WHERE id = ?1", [org_id])?;
        // Its sums went with its rows (the triggers took each away); its IBANs go too.
        for table in ["cash_days", "cash_months"] {
            tx.execute(&format!("DELETE FROM {table} WHERE org_id = ?1"), [org_id])?;
        }
        crate::cash_sums::note_own_ibans(&tx, org_id)?;
        tx.commit()?;
        Ok(())
    }
}

/// A row as the sync writes it (its 34 fields, in `upsert_transactions`'s order; `sort_at` is
/// worked out from its dates).
macro_rules! insert_row {
    () => {
        "INSERT INTO transactions (id, org_key, account_key, amount_cents, currency, side,
                 status, operation_type, counterparty, label, reference, note, category,
                 emitted_at, settled_at, updated_at, label_ids, attachment_ids,
                 attachment_required, attachment_lost, missing_receipt, vat_amount_cents,
                 vat_rate, local_amount_cents, local_currency, card_last_digits,
                 initiator_id, subject_type, settled_balance_cents, counterparty_iban,
                 counterparty_bic, vat_lines, cashflow_category, cashflow_subcategory)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,
                 ?32, ?33, ?34)"
    };
}

/// Upserts transactions by id within `tx`. A row stored since schema 6 (it has `vat_lines`,
/// `[]` when it has none) and not updated since is left alone: an unchanged page then writes
/// nothing, and what readers keep stays good. An older row is written again, not counted as
/// a change.
fn upsert_transactions(
    tx: &rusqlite::Transaction<'_>,
    org_id: &str,
    account_id: &str,
    transactions: &[Transaction],
) -> Result<Upserted, BooksError> {
    let mut done = Upserted::default();
    let mut known = tx.prepare_cached(concat!(
        "SELECT updated_at, vat_lines IS NOT NULL, rowid FROM transactions WHERE ",
        crate::id_hash::by_id!("id", "?1")
    ))?;
    let mut new_rows = crate::new_rows::NewRows::default();
    // A row not stored yet is a plain insert: an upsert may fire the update triggers, so
    // SQLite keeps a statement journal for it, copying every page it touches again (9 % of
    // a backfill's writing in a profile of 150,000 rows).
    let mut insert = tx.prepare_cached(insert_row!())?;
    // A row stored already is written again where it is (the index by id is not unique: see
    // `id_hash`).
    let mut update = tx.prepare_cached(
        "UPDATE transactions SET org_key = ?2, account_key = ?3, amount_cents = ?4,
             currency = ?5, side = ?6, status = ?7, operation_type = ?8, counterparty = ?9,
             label = ?10, reference = ?11, note = ?12, category = ?13, emitted_at = ?14,
             settled_at = ?15, updated_at = ?16, label_ids = ?17, attachment_ids = ?18,
             attachment_required = ?19, attachment_lost = ?20, missing_receipt = ?21,
             vat_amount_cents = ?22, vat_rate = ?23, local_amount_cents = ?24,
             local_currency = ?25, card_last_digits = ?26, initiator_id = ?27,
             subject_type = ?28, settled_balance_cents = ?29, counterparty_iban = ?30,
             counterparty_bic = ?31, vat_lines = ?32, cashflow_category = ?33,
             cashflow_subcategory = ?34
         WHERE rowid = ?35 AND id = ?1",
    )?;
    let org_key = crate::id_keys::key(tx, org_id)?;
    let account_key = crate::id_keys::key(tx, account_id)?;
    for t in transactions {
        let Some(id) = t.id.as_deref().or(t.transaction_id.as_deref()) else {
            continue;
        };
        let before: Option<(Option<String>, bool, i64)> = known
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        match &before {
            None => {
                done.added += 1;
                done.touched.push((id.to_string(), Change::New));
            }
            Some((updated, ..)) if updated != &t.updated_at => {
                done.changed += 1;
                done.touched.push((id.to_string(), Change::Changed));
            }
            Some((_, true, _)) => continue,
            Some((_, false, _)) => {}
        }
        // Listed twice in one batch (it moved between pages): counted in before it changes.
        if let Some((.., rowid)) = before
            && new_rows.waits(rowid)
        {
            new_rows.write(tx)?;
        }
        let json = |ids: &[String]| serde_json::to_string(ids).unwrap_or_default();
        let transfer = t.transfer.as_ref();
        let counterparty_iban = transfer.and_then(|d| d.counterparty_account_number.as_deref());
        // What the cash view's sums read of the row, as written.
        let cash = CashRow {
            org_id,
            amount_cents: t.cents(),
            currency: t.currency.as_deref(),
            side: t.side.as_ref().map(Side::as_str),
            status: t.status.as_ref().map(Status::as_str),
            emitted_at: t.emitted_at.as_deref(),
            settled_at: t.settled_at.as_deref(),
            counterparty_iban,
        };
        let (label_ids, attachment_ids) = (json(&t.label_ids), json(&t.attachment_ids));
        let vat_lines = serde_json::to_string(&t.vat_details).unwrap_or_else(|_| "[]".into());
        let values = params![
            id,
            org_key,
            account_key,
            cash.amount_cents,
            cash.currency,
            cash.side,
            cash.status,
            t.operation_type.as_ref().map(OperationType::as_str),
            t.clean_counterparty_name.as_deref().or(t.label.as_deref()),
            t.label,
            t.reference,
            t.note,
            t.category,
            cash.emitted_at,
            cash.settled_at,
            t.updated_at,
            label_ids,
            attachment_ids,
            t.attachment_required,
            t.attachment_lost,
            t.misses_receipt(),
            t.vat_amount_cents,
            t.vat_rate,
            t.local_amount_cents,
            t.local_currency,
            t.card_last_digits,
            t.initiator_id,
            t.subject_type,
            t.settled_balance_cents,
            cash.counterparty_iban,
            transfer.and_then(|d| d.counterparty_bank_identifier.as_deref()),
            vat_lines,
            t.cashflow_category.as_ref().map(|c| c.name.as_str()),
            t.cashflow_subcategory.as_ref().map(|c| c.name.as_str()),
        ];
        match before {
            None => {
                insert.execute(values)?;
                new_rows.added(tx, tx.last_insert_rowid(), &cash)?;
            }
            Some((.., rowid)) => {
                let with_rowid = values
                    .iter()
                    .copied()
                    .chain([&rowid as &dyn rusqlite::ToSql]);
                update.execute(rusqlite::params_from_iter(with_rowid))?;
            }
        }
    }
    new_rows.write(tx)?;
    Ok(done)
}

fn write_sync_state(db: &rusqlite::Connection, state: &SyncState) -> Result<(), BooksError> {
    db.prepare_cached(
        "INSERT OR REPLACE INTO sync_state
             (account_id, org_id, backfill_next_page, newest_updated_at, synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        state.account_id,
        state.org_id,
        state.backfill_next_page,
        state.newest_updated_at,
        state.synced_at
    ])?;
    Ok(())
}
