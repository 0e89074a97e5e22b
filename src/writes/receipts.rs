//! Receipts attached to and detached from transactions, through the journal: a file is read
//! safely and recorded (with its digest and the transaction's receipts before it) before it
//! is sent; an attempt that gets no answer is sent again under the same key; an accepted
//! upload is confirmed only once Qonto lists a new attachment of its size; the same file is
//! never attached twice to one transaction; an attach is undone by removing exactly the
//! attachment it made.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use qonto_books::BooksHandle;
use qonto_books::journal::{NewWrite, Write, WriteKind, WriteState};
use qonto_client::api::writes::{MAX_RECEIPT_BYTES, ReceiptKind, idempotency_key};
use qonto_client::api::{ApiClient, ApiError};
use qonto_client::printable::printable;

use super::{BACKOFF_MS, WriteError, allowed, now, transient};
use crate::config::WritePolicy;

/// Qonto keeps a key's answer 30 minutes; past 25 minutes from the first attempt (a margin
/// for clocks), Qonto's state is read before sending again.
pub const SAFE_WINDOW_SECS: i64 = 25 * 60;
/// The scope a token needs to change receipts, and what it allows in words.
const WRITE_SCOPE: &str = "attachment.write";
const WHAT: &str = "change receipts";

/// The transaction a write is about, from the local copy.
#[derive(Debug, Clone)]
pub struct Target {
    pub org_id: String,
    pub org_name: String,
    pub account_id: String,
    pub tx_id: String,
    /// `2026-11-19 URSSAF -1234.56 EUR`: what a person recognises it by.
    pub words: String,
}

pub use crate::outcome::WriteOutcome as Outcome;

/// A receipt read for upload.
#[derive(Debug, Clone)]
pub struct ReceiptFile {
    pub path: PathBuf,
    pub name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// Reads the receipt at `path` off the async threads: a regular file (no link, pipe or
/// folder), at most what Qonto takes, a PDF, JPEG or PNG by its bytes.
pub async fn read_receipt(path: &Path) -> Result<ReceiptFile, WriteError> {
    let file = read_upload(path, MAX_RECEIPT_BYTES, "receipts").await?;
    if ReceiptKind::of(&file.bytes).is_none() {
        return Err(WriteError::File(format!(
            "{} is not a PDF, JPEG or PNG (told by its contents, not its name)",
            printable(&path.display().to_string(), 200)
        )));
    }
    Ok(file)
}

/// Reads the file at `path` to upload it, off the async threads: a regular file (no link, pipe
/// or folder) of at most `max` bytes (Qonto's limit for `what`), with its SHA-256.
pub async fn read_upload(path: &Path, max: usize, what: &str) -> Result<ReceiptFile, WriteError> {
    let owned = path.to_path_buf();
    let shown = printable(&path.display().to_string(), 200);
    let bytes = tokio::task::spawn_blocking(move || qonto_files::read_regular(&owned, max as u64))
        .await
        .map_err(|e| WriteError::File(e.to_string()))?
        .map_err(|e| match e {
            qonto_files::ReadError::TooLarge { size, .. } => WriteError::File(format!(
                "{shown} is {:.1} MB; Qonto takes {what} up to {} MB",
                size as f64 / 1_048_576.0,
                max / 1_048_576
            )),
            qonto_files::ReadError::File(qonto_files::FileError::Link { .. }) => {
                WriteError::File(format!("{shown} is a symbolic link; name the file itself"))
            }
            other => WriteError::File(printable(&other.to_string(), 300)),
        })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(ReceiptFile::new(path.to_path_buf(), &name, bytes))
}

impl ReceiptFile {
    /// A file read from `source` (a path, or where else it came from), named `name` (made
    /// printable; "file" when nothing is left), with its SHA-256.
    pub fn new(source: PathBuf, name: &str, bytes: Vec<u8>) -> Self {
        let name = Some(printable(name, 200))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "file".into());
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        ReceiptFile {
            path: source,
            name,
            bytes,
            sha256,
        }
    }

    /// Refuses what is not a receipt Qonto takes: too large, or not a PDF, JPEG or PNG by its
    /// bytes.
    pub fn check_receipt(&self) -> Result<(), WriteError> {
        if self.bytes.len() > MAX_RECEIPT_BYTES {
            return Err(WriteError::File(format!(
                "{} is {:.1} MB; Qonto takes receipts up to {} MB",
                self.name,
                self.bytes.len() as f64 / 1_048_576.0,
                MAX_RECEIPT_BYTES / 1_048_576
            )));
        }
        if ReceiptKind::of(&self.bytes).is_none() {
            return Err(WriteError::File(format!(
                "{} is not a PDF, JPEG or PNG (told by its contents, not its name)",
                self.name
            )));
        }
        Ok(())
    }
}

/// The transaction `tx_id` as the local copy knows it.
pub async fn target(books: &BooksHandle, tx_id: &str) -> Result<Target, WriteError> {
    let id = tx_id.to_string();
    let detail = books
        .read_fresh(move |b| b.transaction_detail(&id))
        .await??
        .ok_or_else(|| WriteError::UnknownTransaction(printable(tx_id, 80)))?;
    let date = detail
        .tx
        .settled_at
        .as_deref()
        .or(detail.tx.emitted_at.as_deref())
        .and_then(|d| d.get(..10));
    let words = Target::words(
        date,
        detail.tx.counterparty.as_deref(),
        detail.tx.amount_cents,
        detail.tx.side == Some(qonto_books::values::Side::Debit),
        detail.tx.currency.as_deref(),
    );
    Ok(Target {
        org_name: printable(detail.org_name.as_deref().unwrap_or(&detail.tx.org_id), 80),
        org_id: detail.tx.org_id,
        account_id: detail.tx.account_id,
        tx_id: detail.tx.id,
        words,
    })
}

impl Target {
    /// A transaction as a person recognises it: `2026-11-19 URSSAF -1234.56 EUR` (money out
    /// signed), made printable.
    pub fn words(
        date: Option<&str>,
        counterparty: Option<&str>,
        cents: Option<i64>,
        debit: bool,
        currency: Option<&str>,
    ) -> String {
        let amount = cents
            .map(|c| {
                let sign = if debit { "-" } else { "" };
                format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
            })
            .unwrap_or_default();
        let words = format!(
            "{} {} {amount} {}",
            date.unwrap_or(""),
            counterparty.unwrap_or("?"),
            currency.unwrap_or("")
        );
        printable(words.trim(), 160)
    }
}

/// Attaches and detaches receipts for one run.
pub struct Receipts<'a> {
    pub api: &'a ApiClient,
    pub books: &'a BooksHandle,
    pub policy: &'a WritePolicy,
    pub config_path: &'a Path,
}

impl Receipts<'_> {
    /// Refuses, before anything is recorded or sent, a write the policy does not allow or the
    /// token was not granted (as its answer listed the scopes).
    async fn may_write(&self, target: &Target) -> Result<(), WriteError> {
        allowed(
            self.policy,
            &target.org_id,
            &target.org_name,
            self.config_path,
        )?;
        if self.api.granted(&target.org_id, WRITE_SCOPE).await == Some(false) {
            return Err(WriteError::NotGranted {
                org: target.org_name.clone(),
                scope: WRITE_SCOPE,
                what: WHAT,
            });
        }
        Ok(())
    }

    /// Attaches the receipt at `path` to `target`.
    pub async fn attach(&self, target: &Target, path: &Path) -> Result<Outcome, WriteError> {
        self.may_write(target).await?;
        let file = read_receipt(path).await?;
        self.attach_read(target, file).await
    }

    /// Attaches `file`, already read (a firm intent's), to `target`.
    pub async fn attach_file(
        &self,
        target: &Target,
        file: ReceiptFile,
    ) -> Result<Outcome, WriteError> {
        self.may_write(target).await?;
        file.check_receipt()?;
        self.attach_read(target, file).await
    }

    /// The attach once the policy allowed it and the file is read.
    async fn attach_read(&self, target: &Target, file: ReceiptFile) -> Result<Outcome, WriteError> {
        let (tx, sha) = (target.tx_id.clone(), file.sha256.clone());
        if let Some(done) = self
            .books
            .read_fresh(move |b| b.attached_before(&tx, &sha))
            .await??
        {
            return Ok(Outcome {
                write: done.id,
                state: done.state,
                attachment: done.result,
                already: true,
            });
        }
        let before = self
            .api
            .transaction_attachments(&target.org_id, &target.tx_id)
            .await
            .map_err(|e| WriteError::from_refusal(&target.org_name, e, WRITE_SCOPE, WHAT))?
            .into_iter()
            .filter_map(|a| a.id)
            .collect();
        let key = idempotency_key().map_err(|e| WriteError::Journal(e.to_string()))?;
        let planned = NewWrite {
            org_id: target.org_id.clone(),
            source: Some(file.path.display().to_string()),
            kind: WriteKind::Attach,
            target: target.tx_id.clone(),
            subject: file.name.clone(),
            file_sha256: Some(file.sha256.clone()),
            file_size: Some(file.bytes.len() as u64),
            before_ids: before,
            idempotency_key: key,
            previous: None,
        };
        let id = self
            .books
            .write(move |b| b.plan_write(&planned, now()))
            .await??;
        self.upload(id, target, &file.bytes).await
    }

    async fn load(&self, id: i64) -> Result<Write, WriteError> {
        self.books
            .read_fresh(move |b| b.write_by_id(id))
            .await??
            .ok_or_else(|| WriteError::Journal(format!("write #{id} is not in the journal")))
    }

    async fn reached(
        &self,
        id: i64,
        state: WriteState,
        result: Option<String>,
        error: Option<String>,
    ) -> Result<(), WriteError> {
        super::reached(self.books, id, state, result, error).await
    }

    /// Sends write `id`'s file until Qonto answers, under its key.
    async fn upload(&self, id: i64, target: &Target, bytes: &[u8]) -> Result<Outcome, WriteError> {
        for attempt in 0..=BACKOFF_MS.len() {
            let mut write = self.load(id).await?;
            if write
                .sent_at
                .is_some_and(|sent| now() - sent >= SAFE_WINDOW_SECS)
            {
                // Qonto may have forgotten the key: look before sending again.
                if let Some(found) = self.seen(&write).await? {
                    return self.confirmed(&write, target, found).await;
                }
                let key = idempotency_key().map_err(|e| WriteError::Journal(e.to_string()))?;
                self.books
                    .write(move |b| b.rekey_write(id, &key, now()))
                    .await??;
                write = self.load(id).await?;
            }
            self.books
                .write(move |b| b.write_sending(id, now()))
                .await??;
            let sent = self
                .api
                .upload_receipt(
                    &write.org_id,
                    &write.target,
                    &write.subject,
                    bytes,
                    &write.idempotency_key,
                )
                .await;
            match sent {
                Ok(accepted) => {
                    let named = accepted.attachment.and_then(|a| a.id);
                    self.reached(id, WriteState::Accepted, named, None).await?;
                    return self.confirm(id, target).await;
                }
                Err(e) => self.after_failure(id, attempt, target, e).await?,
            }
        }
        Err(WriteError::Journal(format!(
            "write #{id} ran out of attempts"
        )))
    }

    /// After attempt `attempt` of write `id` failed: a refusal fails the write (recorded, and
    /// said in words); no answer waits before the next attempt, or, after the last, leaves the
    /// write `sent` for the next run.
    async fn after_failure(
        &self,
        id: i64,
        attempt: usize,
        target: &Target,
        e: ApiError,
    ) -> Result<(), WriteError> {
        if !transient(&e) {
            let error = WriteError::from_refusal(&target.org_name, e, WRITE_SCOPE, WHAT);
            self.reached(id, WriteState::Failed, None, Some(error.to_string()))
                .await?;
            return Err(error);
        }
        let Some(wait) = BACKOFF_MS.get(attempt) else {
            return Err(WriteError::Unfinished { id, cause: e });
        };
        tracing::info!("write #{id}: no answer ({e}); sending again in {wait} ms");
        tokio::time::sleep(Duration::from_millis(*wait)).await;
        Ok(())
    }

    /// The attachment write `write` made, if Qonto lists it: new since the write was planned,
    /// of the file's size.
    async fn seen(&self, write: &Write) -> Result<Option<String>, WriteError> {
        let list = self
            .api
            .transaction_attachments(&write.org_id, &write.target)
            .await
            .map_err(|cause| WriteError::Unfinished {
                id: write.id,
                cause,
            })?;
        Ok(list
            .into_iter()
            .filter(|a| {
                a.id.as_ref()
                    .is_some_and(|id| !write.before_ids.contains(id))
            })
            .find(|a| {
                write.file_size.is_none()
                    || a.file_size.and_then(|s| u64::try_from(s).ok()) == write.file_size
            })
            .and_then(|a| a.id))
    }

    /// Confirms an accepted upload if Qonto lists it already; else it stays accepted
    /// ("processing") for the next look.
    async fn confirm(&self, id: i64, target: &Target) -> Result<Outcome, WriteError> {
        let write = self.load(id).await?;
        match self.seen(&write).await {
            Ok(Some(found)) => self.confirmed(&write, target, found).await,
            // Accepted stands: not seeing it yet is not a failure.
            Ok(None) | Err(WriteError::Unfinished { .. }) => Ok(Outcome {
                write: id,
                state: WriteState::Accepted,
                attachment: write.result,
                already: false,
            }),
            Err(e) => Err(e),
        }
    }

    async fn confirmed(
        &self,
        write: &Write,
        target: &Target,
        attachment: String,
    ) -> Result<Outcome, WriteError> {
        self.reached(
            write.id,
            WriteState::Confirmed,
            Some(attachment.clone()),
            None,
        )
        .await?;
        self.refresh(target).await;
        Ok(Outcome {
            write: write.id,
            state: WriteState::Confirmed,
            attachment: Some(attachment),
            already: false,
        })
    }

    /// Reads the transaction back into the local copy, so its missing-receipt state is right
    /// at once (the next sync would bring it too).
    async fn refresh(&self, target: &Target) {
        match self.api.transaction(&target.org_id, &target.tx_id).await {
            Ok(tx) => {
                let (org, account) = (target.org_id.clone(), target.account_id.clone());
                let stored = self
                    .books
                    .write(move |b| b.put_transactions(&org, &account, &[tx]))
                    .await;
                if let Ok(Err(e)) | Err(e) = stored.map(|r| r.map(drop)) {
                    tracing::warn!("the local copy was not updated after a write: {e}");
                }
            }
            Err(e) => tracing::warn!("the transaction could not be read back after a write: {e}"),
        }
    }

    /// Removes attachment `attachment` from `target`.
    pub async fn detach(&self, target: &Target, attachment: &str) -> Result<Outcome, WriteError> {
        self.may_write(target).await?;
        let key = idempotency_key().map_err(|e| WriteError::Journal(e.to_string()))?;
        let planned = NewWrite {
            org_id: target.org_id.clone(),
            source: None,
            kind: WriteKind::Detach,
            target: target.tx_id.clone(),
            subject: attachment.to_string(),
            file_sha256: None,
            file_size: None,
            before_ids: vec![attachment.to_string()],
            idempotency_key: key,
            previous: None,
        };
        let id = self
            .books
            .write(move |b| b.plan_write(&planned, now()))
            .await??;
        self.remove(id, target).await
    }

    /// Sends write `id`'s removal until Qonto answers. A removal Qonto no longer finds was
    /// done (by an earlier attempt whose answer was lost, or by someone else).
    async fn remove(&self, id: i64, target: &Target) -> Result<Outcome, WriteError> {
        let write = self.load(id).await?;
        for attempt in 0..=BACKOFF_MS.len() {
            self.books
                .write(move |b| b.write_sending(id, now()))
                .await??;
            let sent = self
                .api
                .remove_receipt(
                    &write.org_id,
                    &write.target,
                    &write.subject,
                    &write.idempotency_key,
                )
                .await;
            match sent {
                Ok(()) | Err(ApiError::NotFound { .. }) => {
                    self.reached(id, WriteState::Confirmed, Some(write.subject.clone()), None)
                        .await?;
                    self.refresh(target).await;
                    return Ok(Outcome {
                        write: id,
                        state: WriteState::Confirmed,
                        attachment: Some(write.subject.clone()),
                        already: false,
                    });
                }
                Err(e) => self.after_failure(id, attempt, target, e).await?,
            }
        }
        Err(WriteError::Journal(format!(
            "write #{id} ran out of attempts"
        )))
    }

    /// Takes back attach `write_id`: removes exactly the attachment it made.
    pub async fn undo(&self, write_id: i64) -> Result<Outcome, WriteError> {
        let write = self.load(write_id).await?;
        let (WriteKind::Attach, WriteState::Confirmed, Some(attachment)) =
            (write.kind, write.state, write.result.clone())
        else {
            return Err(WriteError::Journal(format!(
                "write #{write_id} is not a confirmed attach, so there is nothing to take back"
            )));
        };
        let target = target(self.books, &write.target).await?;
        let removed = self.detach(&target, &attachment).await?;
        self.reached(write_id, WriteState::Undone, None, None)
            .await?;
        Ok(removed)
    }

    /// Finishes what an earlier run left: sends again what got no answer (under its key, or
    /// after reading Qonto's state once the key may be forgotten), confirms what was accepted.
    pub async fn finish_unfinished(
        &self,
    ) -> Result<Vec<(Write, Result<Outcome, WriteError>)>, WriteError> {
        let open = self.books.read_fresh(|b| b.unfinished_writes()).await??;
        let mut done = Vec::new();
        let receipts = open
            .into_iter()
            .filter(|w| matches!(w.kind, WriteKind::Attach | WriteKind::Detach));
        for write in receipts {
            let result = self.finish(&write).await;
            done.push((write, result));
        }
        Ok(done)
    }

    async fn finish(&self, write: &Write) -> Result<Outcome, WriteError> {
        let target = target(self.books, &write.target).await?;
        allowed(
            self.policy,
            &target.org_id,
            &target.org_name,
            self.config_path,
        )?;
        match (write.kind, write.state) {
            (WriteKind::Attach, WriteState::Accepted) => self.confirm(write.id, &target).await,
            (WriteKind::Attach, _) => {
                if write.state == WriteState::Sent
                    && let Some(found) = self.seen(write).await?
                {
                    return self.confirmed(write, &target, found).await;
                }
                let source = write.source.clone().unwrap_or_default();
                let file = match read_receipt(Path::new(&source)).await {
                    Ok(file) if Some(&file.sha256) == write.file_sha256.as_ref() => file,
                    Ok(_) | Err(_) => {
                        let why = format!(
                            "{} changed or is gone since it was chosen; it was not sent again",
                            printable(&source, 200)
                        );
                        self.reached(write.id, WriteState::Failed, None, Some(why.clone()))
                            .await?;
                        return Err(WriteError::File(why));
                    }
                };
                self.upload(write.id, &target, &file.bytes).await
            }
            (WriteKind::Detach, _) => self.remove(write.id, &target).await,
            (
                WriteKind::Categorize
                | WriteKind::Decline
                | WriteKind::Invoice
                | WriteKind::InvoiceUpload,
                _,
            ) => Err(WriteError::Journal(format!(
                "write #{} is not a receipt's",
                write.id
            ))),
        }
    }
}
