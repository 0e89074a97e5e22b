//! A staff member's local copy, brought up to date from the firm's books instead of from
//! Qonto: connected as the staff member, PostgreSQL gives only the organizations granted to
//! them (row-level security), and the copy takes them as the service last read them from
//! Qonto (organizations, accounts, and each account's transactions changed since the newest the
//! copy holds, and what waits for a decision there), and forgets an organization no longer
//! granted. Everything the app reads from
//! its copy (lists, search, detail, missing receipts, cash) then works on a staff machine that
//! holds no Qonto token.

use qonto_client::api::invoices::SupplierInvoice;
use qonto_client::api::models::{BankAccount, Transaction, UserOrganization};
use qonto_client::api::requests::Request;

use super::FirmError;
use super::write::{REQUEST, SUPPLIER_INVOICE};
use crate::BooksHandle;

/// Transactions read from PostgreSQL and written to the copy at a time.
const PAGE: i64 = 2_000;
/// Pages read of one account in one pull at most (a pull ends; the next goes on).
const MAX_PAGES: usize = 10_000;

/// What a pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pulled {
    pub organizations: usize,
    /// Transactions new to the copy, or changed in it.
    pub added: usize,
    pub changed: usize,
    /// Organizations the copy held that are no longer granted: forgotten.
    pub forgotten: usize,
}

/// A row of Qonto's JSON read through the client's tolerant models; a row stored before the
/// JSON was kept is built from its columns.
fn model<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

/// Brings `books` up to date with what the connected staff member may see.
pub async fn pull(c: &tokio_postgres::Client, books: &BooksHandle) -> Result<Pulled, FirmError> {
    let mut pulled = Pulled::default();
    let rows = c
        .query(
            "SELECT coalesce(qonto, jsonb_build_object('id', id, 'name', name,
                        'legal_name', legal_name, 'membership_role', membership_role)),
                    coalesce(synced_at, 0)
             FROM qonto.organizations ORDER BY name, id",
            &[],
        )
        .await?;
    let orgs: Vec<(UserOrganization, i64)> = rows
        .into_iter()
        .filter_map(|r| Some((model(r.get(0))?, r.get(1))))
        .collect();
    let listed: Vec<UserOrganization> = orgs.iter().map(|(o, _)| o.clone()).collect();
    let kept: Vec<String> = listed.iter().map(|o| o.id.clone()).collect();
    let held = books.read_fresh(|b| b.organizations()).await??;
    for (org, _) in held {
        if !kept.contains(&org.id) {
            books
                .write(move |b| b.forget_organization(&org.id))
                .await??;
            pulled.forgotten += 1;
        }
    }
    books.write(move |b| b.note_listed(&listed)).await??;
    for (org, synced_at) in orgs {
        let accounts = accounts(c, &org.id).await?;
        let org_id = org.id.clone();
        let written = accounts.clone();
        books
            .write(move |b| {
                b.put_organization(&org, synced_at)?;
                b.put_accounts(&org.id, &written)
            })
            .await??;
        for account in accounts.iter().filter_map(BankAccount::key) {
            pull_account(c, books, &org_id, account, &mut pulled).await?;
        }
        pull_review(c, books, &org_id, synced_at).await?;
        pulled.organizations += 1;
    }
    books.write(|b| b.bring_cash_up_to_date()).await??;
    Ok(pulled)
}

/// What waits for a decision in `org_id`, as the service last listed it: the copy keeps the
/// same, replaced whole. A kind the books hold none of was listed empty at the organization's
/// last pass (`synced_at`), or never: either way the copy keeps none.
async fn pull_review(
    c: &tokio_postgres::Client,
    books: &BooksHandle,
    org_id: &str,
    synced_at: i64,
) -> Result<(), FirmError> {
    let rows = c
        .query(
            "SELECT kind, body, synced_at FROM qonto.review_items WHERE org_id = $1
             ORDER BY kind, id",
            &[&org_id],
        )
        .await?;
    let listed_at = |kind: &str| {
        rows.iter()
            .filter(|r| r.get::<_, String>(0) == kind)
            .map(|r| r.get::<_, i64>(2))
            .max()
    };
    let of = |kind: &str| -> Vec<serde_json::Value> {
        rows.iter()
            .filter(|r| r.get::<_, String>(0) == kind)
            .map(|r| r.get(1))
            .collect()
    };
    let requests: Vec<Request> = of(REQUEST).into_iter().filter_map(model).collect();
    let invoices: Vec<SupplierInvoice> =
        of(SUPPLIER_INVOICE).into_iter().filter_map(model).collect();
    let (at_requests, at_invoices) = (
        listed_at(REQUEST).unwrap_or(synced_at),
        listed_at(SUPPLIER_INVOICE).unwrap_or(synced_at),
    );
    let org = org_id.to_string();
    books
        .write(move |b| {
            // Written only when the service listed them since the copy took them: a pull
            // with nothing new rewrites nothing.
            if b.requests(&org)?.synced_at != Some(at_requests) {
                b.put_requests(&org, &requests, at_requests)?;
            }
            if b.supplier_invoices(&org)?.synced_at != Some(at_invoices) {
                b.put_supplier_invoices(&org, &invoices, at_invoices)?;
            }
            Ok::<_, crate::BooksError>(())
        })
        .await??;
    Ok(())
}

/// An organization's accounts, as the service last read them.
async fn accounts(c: &tokio_postgres::Client, org_id: &str) -> Result<Vec<BankAccount>, FirmError> {
    let rows = c
        .query(
            "SELECT coalesce(qonto, jsonb_build_object('id', id, 'name', name, 'iban', iban,
                        'currency', currency, 'balance_cents', balance_cents,
                        'authorized_balance_cents', authorized_balance_cents, 'status', status,
                        'main', main))
             FROM qonto.accounts WHERE org_id = $1 ORDER BY position, id",
            &[&org_id],
        )
        .await?;
    Ok(rows.into_iter().filter_map(|r| model(r.get(0))).collect())
}

/// One account's transactions changed since the newest change the copy holds (those of that
/// very moment read again: a change is never missed, and an unchanged row costs nothing).
async fn pull_account(
    c: &tokio_postgres::Client,
    books: &BooksHandle,
    org_id: &str,
    account_id: &str,
    pulled: &mut Pulled,
) -> Result<(), FirmError> {
    let id = account_id.to_string();
    let since = books
        .read_fresh(move |b| b.newest_updated_at(&id))
        .await??
        .unwrap_or_default();
    let (mut after_at, mut after_id) = (since, String::new());
    for _ in 0..MAX_PAGES {
        let rows = c
            .query(
                "SELECT coalesce(qonto, jsonb_build_object('id', id, 'amount_cents', amount_cents,
                            'currency', currency, 'side', side, 'status', status,
                            'operation_type', operation_type, 'clean_counterparty_name',
                            counterparty, 'label', label, 'reference', reference, 'note', note,
                            'emitted_at', emitted_at, 'settled_at', settled_at,
                            'updated_at', updated_at, 'label_ids', label_ids,
                            'attachment_ids', attachment_ids)),
                        coalesce(updated_at, ''), id
                 FROM qonto.transactions
                 WHERE account_id = $1 AND (coalesce(updated_at, ''), id) > ($2, $3)
                 ORDER BY coalesce(updated_at, ''), id LIMIT $4",
                &[&account_id, &after_at, &after_id, &PAGE],
            )
            .await?;
        let Some(last) = rows.last() else { break };
        (after_at, after_id) = (last.get(1), last.get(2));
        let full = rows.len() as i64 == PAGE;
        let page: Vec<Transaction> = rows.into_iter().filter_map(|r| model(r.get(0))).collect();
        let (org, account) = (org_id.to_string(), account_id.to_string());
        let done = books
            .write(move |b| b.put_transactions(&org, &account, &page))
            .await??;
        pulled.added += done.added;
        pulled.changed += done.changed;
        if !full {
            break;
        }
    }
    // The copy holds the account whole, as of now: its lists are read from it in full.
    let state = crate::SyncState {
        account_id: account_id.to_string(),
        org_id: org_id.to_string(),
        backfill_next_page: None,
        newest_updated_at: Some(after_at).filter(|at| !at.is_empty()),
        synced_at: Some(chrono::Utc::now().timestamp()),
    };
    books.write(move |b| b.set_sync_state(&state)).await??;
    Ok(())
}
