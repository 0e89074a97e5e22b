//! Supplier invoices changed through the journal: marked paid (with a date), unmarked, or
//! rejected with a note. Qonto takes these without an idempotency key and refuses a change that
//! is already made, so an attempt sent again after a lost answer is checked against Qonto's
//! list: an invoice already in the asked state was done. Marking paid and unmarking undo each
//! other; a rejection cannot be taken back, so the command asks first.

use std::path::Path;
use std::time::Duration;

use qonto_books::BooksHandle;
use qonto_books::journal::{NewWrite, Write, WriteKind, WriteState};
use qonto_client::api::invoices::SupplierInvoice;
use qonto_client::api::writes::idempotency_key;
use qonto_client::api::{ApiClient, ApiError};

use super::{BACKOFF_MS, WriteError, allowed, now, transient};
use crate::config::WritePolicy;

const WRITE_SCOPE: &str = "supplier_invoice.write";
const WHAT: &str = "change supplier invoices";

pub use crate::outcome::{InvoiceAction as Action, OrgInvoice};

/// What the journal keeps to send a change again, and to take it back.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    org_name: String,
    action: Action,
    payment_date_before: Option<String>,
}

/// Changes supplier invoices for one run.
pub struct Invoices<'a> {
    pub api: &'a ApiClient,
    pub books: &'a BooksHandle,
    pub policy: &'a WritePolicy,
    pub config_path: &'a Path,
}

impl Invoices<'_> {
    /// Every invoice of `orgs` (id, name), and the organizations that could not be read.
    pub async fn list(
        &self,
        orgs: &[(String, String)],
    ) -> (Vec<OrgInvoice>, Vec<(String, ApiError)>) {
        let mut all = Vec::new();
        let mut failed = Vec::new();
        for (id, name) in orgs {
            match self.api.supplier_invoices(id).await {
                Ok(list) => all.extend(list.into_iter().map(|invoice| OrgInvoice {
                    org_id: id.clone(),
                    org_name: name.clone(),
                    invoice,
                })),
                Err(e) => failed.push((name.clone(), e)),
            }
        }
        (all, failed)
    }

    /// Makes `action` on `inv` through the journal; the write's id.
    pub async fn act(&self, inv: &OrgInvoice, action: Action) -> Result<i64, WriteError> {
        allowed(self.policy, &inv.org_id, &inv.org_name, self.config_path)?;
        if self.api.granted(&inv.org_id, WRITE_SCOPE).await == Some(false) {
            return Err(WriteError::NotGranted {
                org: inv.org_name.clone(),
                scope: WRITE_SCOPE,
                what: WHAT,
            });
        }
        let kept = Kept {
            org_name: inv.org_name.clone(),
            action: action.clone(),
            payment_date_before: inv.invoice.payment_date.clone(),
        };
        let planned = NewWrite {
            org_id: inv.org_id.clone(),
            source: None,
            kind: WriteKind::Invoice,
            target: inv.invoice.id.clone(),
            subject: action.name().to_string(),
            file_sha256: None,
            file_size: None,
            before_ids: Vec::new(),
            idempotency_key: idempotency_key().map_err(|e| WriteError::Journal(e.to_string()))?,
            previous: serde_json::to_string(&kept).ok(),
        };
        let id = self
            .books
            .write(move |b| b.plan_write(&planned, now()))
            .await??;
        self.send(id).await?;
        Ok(id)
    }

    async fn load(&self, id: i64) -> Result<(Write, Kept), WriteError> {
        let write = self
            .books
            .read_fresh(move |b| b.write_by_id(id))
            .await??
            .ok_or_else(|| WriteError::Journal(format!("write #{id} is not in the journal")))?;
        let kept: Kept = write
            .previous
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| WriteError::Journal(format!("write #{id} does not say what to send")))?;
        Ok((write, kept))
    }

    async fn reached(
        &self,
        id: i64,
        state: WriteState,
        error: Option<String>,
    ) -> Result<(), WriteError> {
        super::reached(self.books, id, state, None, error).await
    }

    /// The status Qonto lists for the invoice of `write` now.
    async fn status_of(&self, write: &Write) -> Option<String> {
        let list = self.api.supplier_invoices(&write.org_id).await.ok()?;
        list.into_iter()
            .find(|i| i.id == write.target)
            .map(|i| i.status)
    }

    /// Sends write `id` until Qonto answers; a refusal after an attempt whose answer was lost
    /// is checked against Qonto's list.
    async fn send(&self, id: i64) -> Result<(), WriteError> {
        for attempt in 0..=BACKOFF_MS.len() {
            let (write, kept) = self.load(id).await?;
            let tried_before = write.attempts > 0;
            self.books
                .write(move |b| b.write_sending(id, now()))
                .await??;
            let sent = match &kept.action {
                Action::MarkPaid { date } => {
                    self.api
                        .mark_invoice_paid(&write.org_id, &write.target, date)
                        .await
                }
                Action::UnmarkPaid => {
                    self.api
                        .unmark_invoice_paid(&write.org_id, &write.target)
                        .await
                }
                Action::Reject { note, code } => {
                    self.api
                        .reject_invoice(&write.org_id, &write.target, note, code.as_deref())
                        .await
                }
            };
            match sent {
                Ok(_) => return self.reached(id, WriteState::Confirmed, None).await,
                Err(e) if transient(&e) => match BACKOFF_MS.get(attempt) {
                    Some(wait) => tokio::time::sleep(Duration::from_millis(*wait)).await,
                    None => return Err(WriteError::Unfinished { id, cause: e }),
                },
                Err(e) => {
                    if tried_before
                        && self.status_of(&write).await.as_deref() == Some(kept.action.leads_to())
                    {
                        // The lost answer was a yes.
                        return self.reached(id, WriteState::Confirmed, None).await;
                    }
                    let error = WriteError::from_refusal(&kept.org_name, e, WRITE_SCOPE, WHAT);
                    self.reached(id, WriteState::Failed, Some(error.to_string()))
                        .await?;
                    return Err(error);
                }
            }
        }
        Err(WriteError::Journal(format!(
            "write #{id} ran out of attempts"
        )))
    }

    /// Takes back a confirmed mark-paid (unmarks) or unmark (marks paid on the day it had).
    pub async fn undo(&self, write_id: i64) -> Result<i64, WriteError> {
        let (write, kept) = self.load(write_id).await?;
        let back = match (&kept.action, write.state) {
            (Action::MarkPaid { .. }, WriteState::Confirmed) => Action::UnmarkPaid,
            (Action::UnmarkPaid, WriteState::Confirmed) => Action::MarkPaid {
                date: kept
                    .payment_date_before
                    .clone()
                    .unwrap_or_else(|| chrono::Utc::now().date_naive().to_string()),
            },
            _ => {
                return Err(WriteError::Journal(format!(
                    "write #{write_id} cannot be taken back (a rejection cannot, and only a confirmed change can)"
                )));
            }
        };
        let inv = OrgInvoice {
            org_id: write.org_id.clone(),
            org_name: kept.org_name.clone(),
            invoice: SupplierInvoice {
                id: write.target.clone(),
                ..SupplierInvoice::default()
            },
        };
        let made = self.act(&inv, back).await?;
        self.reached(write_id, WriteState::Undone, None).await?;
        Ok(made)
    }

    /// Sends again the invoice changes an earlier run left unanswered.
    pub async fn finish_unfinished(
        &self,
    ) -> Result<Vec<(Write, Result<(), WriteError>)>, WriteError> {
        let open = self.books.read_fresh(|b| b.unfinished_writes()).await??;
        let mut done = Vec::new();
        for write in open.into_iter().filter(|w| w.kind == WriteKind::Invoice) {
            let result = match allowed(self.policy, &write.org_id, &write.org_id, self.config_path)
            {
                Ok(()) => self.send(write.id).await,
                Err(e) => Err(e),
            };
            done.push((write, result));
        }
        Ok(done)
    }
}
