//! PDFs uploaded as an organization's supplier invoices, through the journal: one write per
//! file, each with its own idempotency key (Qonto takes one per invoice in the body), sent
//! twenty to a request. Qonto answers every request with 200 and an error per invoice it did
//! not take, so each file ends confirmed (with the invoice's id) or failed (with the reason).
//! A request without an answer is sent again whole under the same keys; after Qonto may have
//! forgotten them, its list is read first, so nothing is made twice.

use std::path::{Path, PathBuf};
use std::time::Duration;

use qonto_books::journal::{NewWrite, Write, WriteKind, WriteState};
use qonto_client::api::invoices::{InvoiceUpload, MAX_INVOICE_BYTES, MAX_PER_UPLOAD};
use qonto_client::api::writes::idempotency_key;
use qonto_client::printable::printable;

use super::invoices::Invoices;
use super::receipts::{ReceiptFile, SAFE_WINDOW_SECS, read_upload};
use super::{BACKOFF_MS, WriteError, allowed, now, transient};

const WRITE_SCOPE: &str = "supplier_invoice.write";
const WHAT: &str = "upload supplier invoices";

/// What became of one file.
#[derive(Debug)]
pub struct UploadOutcome {
    pub file: String,
    /// The journal's write, once it was planned.
    pub write: Option<i64>,
    /// The invoice Qonto made, or why not.
    pub result: Result<String, WriteError>,
}

/// Reads an invoice to upload: a regular file of at most 10 MB that is a PDF by its bytes.
pub async fn read_invoice(path: &Path) -> Result<ReceiptFile, WriteError> {
    let file = read_upload(path, MAX_INVOICE_BYTES, "supplier invoices").await?;
    if !file.bytes.starts_with(b"%PDF-") {
        return Err(WriteError::File(format!(
            "{} is not a PDF (told by its contents, not its name); Qonto takes supplier invoices as PDFs",
            printable(&path.display().to_string(), 200)
        )));
    }
    Ok(file)
}

/// The PDFs a folder holds (not its subfolders), by name; a file is taken as it is named.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, WriteError> {
    let mut files = Vec::new();
    for path in paths {
        let is_folder = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        if !is_folder {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| {
            WriteError::File(format!(
                "{}: {e}",
                printable(&path.display().to_string(), 200)
            ))
        })?;
        let mut pdfs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")))
            .collect();
        pdfs.sort();
        files.extend(pdfs);
    }
    Ok(files)
}

impl Invoices<'_> {
    /// Uploads `paths` as supplier invoices of organization `org_id` (`org_name`): what each
    /// became, in order. A file that cannot be read is said and left out; the rest are sent.
    pub async fn upload(
        &self,
        org_id: &str,
        org_name: &str,
        paths: &[PathBuf],
    ) -> Result<Vec<UploadOutcome>, WriteError> {
        allowed(self.policy, org_id, org_name, self.config_path)?;
        if self.api.granted(org_id, WRITE_SCOPE).await == Some(false) {
            return Err(WriteError::NotGranted {
                org: org_name.to_string(),
                scope: WRITE_SCOPE,
                what: WHAT,
            });
        }
        let mut outcomes = Vec::new();
        let mut planned = Vec::new();
        for path in paths {
            let shown = printable(&path.display().to_string(), 200);
            let file = match read_invoice(path).await {
                Ok(file) => file,
                Err(e) => {
                    outcomes.push(UploadOutcome {
                        file: shown,
                        write: None,
                        result: Err(e),
                    });
                    continue;
                }
            };
            let new = NewWrite {
                org_id: org_id.to_string(),
                source: Some(path.display().to_string()),
                kind: WriteKind::InvoiceUpload,
                target: org_id.to_string(),
                subject: file.name.clone(),
                file_sha256: Some(file.sha256.clone()),
                file_size: u64::try_from(file.bytes.len()).ok(),
                before_ids: Vec::new(),
                idempotency_key: idempotency_key()
                    .map_err(|e| WriteError::Journal(e.to_string()))?,
                previous: None,
            };
            let id = self
                .books
                .write(move |b| b.plan_write(&new, now()))
                .await??;
            planned.push((id, file));
        }
        for chunk in planned.chunks(MAX_PER_UPLOAD) {
            outcomes.extend(self.send_uploads(org_id, org_name, chunk).await?);
        }
        Ok(outcomes)
    }

    /// Sends one request of at most twenty planned uploads until Qonto answers it.
    async fn send_uploads(
        &self,
        org_id: &str,
        org_name: &str,
        chunk: &[(i64, ReceiptFile)],
    ) -> Result<Vec<UploadOutcome>, WriteError> {
        let mut done = Vec::new();
        let mut left: Vec<(Write, &ReceiptFile)> = Vec::new();
        for (id, file) in chunk {
            let id = *id;
            let write = self
                .books
                .read_fresh(move |b| b.write_by_id(id))
                .await??
                .ok_or_else(|| WriteError::Journal(format!("write #{id} is not in the journal")))?;
            left.push((write, file));
        }
        // Keys Qonto may have forgotten: an invoice already listed under the file's name was
        // made by the attempt whose answer was lost; the others go under fresh keys.
        if left
            .iter()
            .any(|(w, _)| w.sent_at.is_some_and(|s| now() - s >= SAFE_WINDOW_SECS))
        {
            let listed = self.api.supplier_invoices(org_id).await.unwrap_or_default();
            let mut still = Vec::new();
            for (write, file) in left {
                let old = write.sent_at.is_some_and(|s| now() - s >= SAFE_WINDOW_SECS);
                let found = listed
                    .iter()
                    .find(|i| old && i.file_name.as_deref() == Some(write.subject.as_str()));
                if let Some(invoice) = found {
                    done.push(self.ended(&write, Ok(invoice.id.clone())).await?);
                    continue;
                }
                let write = if old {
                    self.rekeyed(write.id).await?
                } else {
                    write
                };
                still.push((write, file));
            }
            left = still;
        }
        if left.is_empty() {
            return Ok(done);
        }
        for attempt in 0..=BACKOFF_MS.len() {
            for (write, _) in &left {
                let id = write.id;
                self.books
                    .write(move |b| b.write_sending(id, now()))
                    .await??;
            }
            let files: Vec<InvoiceUpload> = left
                .iter()
                .map(|(write, file)| InvoiceUpload {
                    name: &write.subject,
                    bytes: &file.bytes,
                    idempotency_key: &write.idempotency_key,
                })
                .collect();
            match self.api.upload_supplier_invoices(org_id, &files).await {
                Ok(each) => {
                    for ((write, _), result) in left.iter().zip(each) {
                        let result = result
                            .map(|invoice| invoice.id)
                            .map_err(WriteError::NotTaken);
                        done.push(self.ended(write, result).await?);
                    }
                    return Ok(done);
                }
                Err(e) if transient(&e) && attempt < BACKOFF_MS.len() => {
                    let wait = BACKOFF_MS.get(attempt).copied().unwrap_or_default();
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
                Err(e) if transient(&e) => {
                    for (write, _) in &left {
                        done.push(UploadOutcome {
                            file: write.subject.clone(),
                            write: Some(write.id),
                            result: Err(WriteError::Unfinished {
                                id: write.id,
                                cause: e.clone(),
                            }),
                        });
                    }
                    return Ok(done);
                }
                Err(e) => {
                    for (write, _) in &left {
                        let error =
                            WriteError::from_refusal(org_name, e.clone(), WRITE_SCOPE, WHAT);
                        done.push(self.ended(write, Err(error)).await?);
                    }
                    return Ok(done);
                }
            }
        }
        Ok(done)
    }

    /// Records how `write` ended: confirmed with the invoice it made, or failed with why.
    async fn ended(
        &self,
        write: &Write,
        result: Result<String, WriteError>,
    ) -> Result<UploadOutcome, WriteError> {
        let (state, made, error) = match &result {
            Ok(invoice) => (WriteState::Confirmed, Some(invoice.clone()), None),
            Err(e) => (WriteState::Failed, None, Some(e.to_string())),
        };
        super::reached(self.books, write.id, state, made, error).await?;
        Ok(UploadOutcome {
            file: write.subject.clone(),
            write: Some(write.id),
            result,
        })
    }

    async fn rekeyed(&self, id: i64) -> Result<Write, WriteError> {
        let key = idempotency_key().map_err(|e| WriteError::Journal(e.to_string()))?;
        self.books
            .write(move |b| b.rekey_write(id, &key, now()))
            .await??;
        self.books
            .read_fresh(move |b| b.write_by_id(id))
            .await??
            .ok_or_else(|| WriteError::Journal(format!("write #{id} is not in the journal")))
    }

    /// Sends again the uploads an earlier run left unanswered, each organization's together;
    /// a file changed or gone since is not sent.
    pub async fn finish_unfinished_uploads(&self) -> Result<Vec<UploadOutcome>, WriteError> {
        let open = self.books.read_fresh(|b| b.unfinished_writes()).await??;
        let mut by_org: std::collections::BTreeMap<String, Vec<(i64, ReceiptFile)>> =
            Default::default();
        let mut done = Vec::new();
        for write in open
            .into_iter()
            .filter(|w| w.kind == WriteKind::InvoiceUpload)
        {
            let source = PathBuf::from(write.source.clone().unwrap_or_default());
            match read_invoice(&source).await {
                Ok(file) if Some(&file.sha256) == write.file_sha256.as_ref() => {
                    by_org
                        .entry(write.org_id.clone())
                        .or_default()
                        .push((write.id, file));
                }
                _ => {
                    let why = WriteError::File(format!(
                        "{} changed or is gone since it was chosen; it was not sent again",
                        printable(&source.display().to_string(), 200)
                    ));
                    done.push(self.ended(&write, Err(why)).await?);
                }
            }
        }
        for (org_id, files) in by_org {
            let name = self.org_name(&org_id).await;
            if let Err(e) = allowed(self.policy, &org_id, &name, self.config_path) {
                for (id, file) in files {
                    done.push(UploadOutcome {
                        file: file.name,
                        write: Some(id),
                        result: Err(WriteError::NotTaken(e.to_string())),
                    });
                }
                continue;
            }
            for chunk in files.chunks(MAX_PER_UPLOAD) {
                done.extend(self.send_uploads(&org_id, &name, chunk).await?);
            }
        }
        Ok(done)
    }

    async fn org_name(&self, org_id: &str) -> String {
        let names = self.books.read_fresh(|b| b.organization_names()).await;
        names
            .ok()
            .and_then(Result::ok)
            .and_then(|all| all.into_iter().find(|(id, _)| id == org_id))
            .map_or_else(|| org_id.to_string(), |(_, name)| name)
    }
}
