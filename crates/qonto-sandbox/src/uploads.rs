//! Receipts written through the API: files uploaded to a transaction (answered at once, attached
//! after a delay, as production processes them in the background), seeded receipts removed,
//! standalone uploads, the idempotency cache of successful writes (per credential and key, 30
//! minutes on the sandbox's clock), and the upload faults tests ask for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

/// How long Qonto keeps a successful answer for an idempotency key.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::minutes(30);

/// How uploads are taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOptions {
    /// Between the answer and the attachment showing on the transaction.
    pub attach_delay: std::time::Duration,
    /// The largest file taken (Qonto's MCP documents 15 MB).
    pub max_bytes: usize,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            attach_delay: std::time::Duration::ZERO,
            max_bytes: 15 * 1024 * 1024,
        }
    }
}

/// Faults for the next uploads, counted down as they are used, in this order: 429s, 503s,
/// lost answers, slow answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadFaults {
    /// The next N uploads get a 503 and are not kept.
    pub server_errors: u32,
    /// The next N uploads are kept (and their answer cached), then the connection is dropped
    /// before the answer: the client cannot know it worked.
    pub drops_after_processing: u32,
    /// The next N uploads get a 429 with `Retry-After: 1` and are not kept.
    pub rate_limited: u32,
    /// The next N uploads are kept, then answered only after `slow_by` (a client can be
    /// stopped while it waits).
    pub slow_answers: u32,
    pub slow_by: std::time::Duration,
}

/// What happens to one upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFault {
    ServerError,
    DropAfterProcessing,
    RateLimited,
    SlowAnswer(std::time::Duration),
}

/// A file Qonto keeps.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub id: String,
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Arc<Vec<u8>>,
    pub created_at: DateTime<Utc>,
    /// When it shows on its transaction.
    pub visible_at: DateTime<Utc>,
    /// The credential that sent it, as Qonto's audit trail would name it (see
    /// [`crate::api::Scoped::made_by`]).
    pub by: String,
}

#[derive(Debug, Default)]
struct TxReceipts {
    /// The generated receipt was removed.
    seeded_removed: bool,
    added: Vec<Uploaded>,
    /// The last removal: it moves `updated_at`.
    removed_at: Option<DateTime<Utc>>,
}

/// A successful answer, kept for its idempotency key.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Book {
    per_tx: HashMap<String, TxReceipts>,
    standalone: HashMap<String, Uploaded>,
    replies: HashMap<(String, String), Reply>,
    faults: UploadFaults,
    /// The idempotency key of every upload request, per transaction, in order.
    keys: HashMap<String, Vec<String>>,
}

/// The receipts written through the API, over the generated ones.
#[derive(Debug, Default)]
pub struct Receipts {
    pub options: UploadOptions,
    book: Mutex<Book>,
}

impl Receipts {
    pub fn new(options: UploadOptions) -> Self {
        Self {
            options,
            book: Mutex::default(),
        }
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The ids `tx` carries now: its generated receipt unless removed, then the uploads that
    /// were processed.
    pub fn ids(&self, tx_id: &str, seeded: Option<String>, now: DateTime<Utc>) -> Vec<String> {
        let book = self.book();
        let Some(entry) = book.per_tx.get(tx_id) else {
            return seeded.into_iter().collect();
        };
        let mut ids: Vec<String> = seeded
            .filter(|_| !entry.seeded_removed)
            .into_iter()
            .collect();
        ids.extend(
            entry
                .added
                .iter()
                .filter(|u| u.visible_at <= now)
                .map(|u| u.id.clone()),
        );
        ids
    }

    /// The processed uploads of `tx`.
    pub fn added(&self, tx_id: &str, now: DateTime<Utc>) -> Vec<Uploaded> {
        self.book()
            .per_tx
            .get(tx_id)
            .map(|e| {
                e.added
                    .iter()
                    .filter(|u| u.visible_at <= now)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the generated receipt of `tx` was removed.
    pub fn seeded_removed(&self, tx_id: &str) -> bool {
        self.book()
            .per_tx
            .get(tx_id)
            .is_some_and(|e| e.seeded_removed)
    }

    /// `tx`'s `updated_at`: its own, or the last time a receipt was attached or removed.
    pub fn updated_at(&self, tx_id: &str, own: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        let book = self.book();
        let Some(entry) = book.per_tx.get(tx_id) else {
            return own;
        };
        entry
            .added
            .iter()
            .map(|u| u.visible_at)
            .filter(|at| *at <= now)
            .chain(entry.removed_at)
            .fold(own, DateTime::max)
    }

    /// Every transaction whose receipts were written through the API, with the last time that
    /// moved its `updated_at` (as of `now`): read once per list request.
    pub fn touched(&self, now: DateTime<Utc>) -> HashMap<String, DateTime<Utc>> {
        let book = self.book();
        book.per_tx
            .iter()
            .map(|(id, entry)| {
                let at = entry
                    .added
                    .iter()
                    .map(|u| u.visible_at)
                    .filter(|at| *at <= now)
                    .chain(entry.removed_at)
                    .max()
                    .unwrap_or(DateTime::<Utc>::MIN_UTC);
                (id.clone(), at)
            })
            .collect()
    }

    /// Keeps an upload for `tx`, shown after the configured delay.
    pub fn attach(&self, tx_id: &str, upload: Uploaded) {
        self.book()
            .per_tx
            .entry(tx_id.to_string())
            .or_default()
            .added
            .push(upload);
    }

    /// Keeps a standalone upload.
    pub fn keep(&self, upload: Uploaded) {
        self.book().standalone.insert(upload.id.clone(), upload);
    }

    /// A standalone upload, or one attached to a transaction, by id.
    pub fn find(&self, id: &str) -> Option<Uploaded> {
        let book = self.book();
        book.standalone.get(id).cloned().or_else(|| {
            book.per_tx
                .values()
                .flat_map(|e| e.added.iter())
                .find(|u| u.id == id)
                .cloned()
        })
    }

    /// Removes one receipt of `tx` (`seeded` is its generated one); whether it was there.
    pub fn remove(&self, tx_id: &str, seeded: Option<&str>, id: &str, now: DateTime<Utc>) -> bool {
        let mut book = self.book();
        let entry = book.per_tx.entry(tx_id.to_string()).or_default();
        let removed = if seeded == Some(id) && !entry.seeded_removed {
            entry.seeded_removed = true;
            true
        } else if let Some(i) = entry
            .added
            .iter()
            .position(|u| u.id == id && u.visible_at <= now)
        {
            entry.added.remove(i);
            true
        } else {
            false
        };
        if removed {
            entry.removed_at = Some(now);
        }
        removed
    }

    /// Removes every receipt of `tx`, processed or not; how many were shown.
    pub fn remove_all(&self, tx_id: &str, seeded: Option<&str>, now: DateTime<Utc>) -> usize {
        let mut book = self.book();
        let entry = book.per_tx.entry(tx_id.to_string()).or_default();
        let mut count = entry.added.iter().filter(|u| u.visible_at <= now).count();
        entry.added.clear();
        if seeded.is_some() && !entry.seeded_removed {
            entry.seeded_removed = true;
            count += 1;
        }
        entry.removed_at = Some(now);
        count
    }

    /// The answer kept for (`credential`, `key`), if it is younger than 30 minutes.
    pub fn replay(&self, credential: &str, key: &str, now: DateTime<Utc>) -> Option<Reply> {
        let mut book = self.book();
        book.replies.retain(|_, r| now - r.at < IDEMPOTENCY_WINDOW);
        book.replies
            .get(&(credential.to_string(), key.to_string()))
            .cloned()
    }

    /// Keeps a successful answer for (`credential`, `key`).
    pub fn remember(
        &self,
        credential: &str,
        key: &str,
        status: u16,
        body: Value,
        now: DateTime<Utc>,
    ) {
        self.book().replies.insert(
            (credential.to_string(), key.to_string()),
            Reply {
                status,
                body,
                at: now,
            },
        );
    }

    pub fn set_faults(&self, faults: UploadFaults) {
        self.book().faults = faults;
    }

    /// The fault the next upload gets, if any, counted off.
    pub fn take_fault(&self) -> Option<UploadFault> {
        let mut book = self.book();
        if book.faults.rate_limited > 0 {
            book.faults.rate_limited -= 1;
            Some(UploadFault::RateLimited)
        } else if book.faults.server_errors > 0 {
            book.faults.server_errors -= 1;
            Some(UploadFault::ServerError)
        } else if book.faults.drops_after_processing > 0 {
            book.faults.drops_after_processing -= 1;
            Some(UploadFault::DropAfterProcessing)
        } else if book.faults.slow_answers > 0 {
            book.faults.slow_answers -= 1;
            Some(UploadFault::SlowAnswer(book.faults.slow_by))
        } else {
            None
        }
    }

    /// Notes the key an upload to `tx_id` came with (for tests: retries reuse it).
    pub fn note_key(&self, tx_id: &str, key: &str) {
        let mut book = self.book();
        let keys = book.keys.entry(tx_id.to_string()).or_default();
        if keys.len() < 1000 {
            keys.push(key.to_string());
        }
    }

    /// The keys uploads to `tx_id` came with, in order.
    pub fn keys_of(&self, tx_id: &str) -> Vec<String> {
        self.book().keys.get(tx_id).cloned().unwrap_or_default()
    }

    /// Every upload attached to a transaction, processed or not (for tests).
    pub fn uploads_of(&self, tx_id: &str) -> Vec<Uploaded> {
        self.book()
            .per_tx
            .get(tx_id)
            .map(|e| e.added.clone())
            .unwrap_or_default()
    }

    /// The delay as the sandbox's clock counts it.
    pub fn delay(&self) -> Duration {
        Duration::from_std(self.options.attach_delay).unwrap_or(Duration::zero())
    }
}

/// What a file is, told by its first bytes (PDF, JPEG, PNG), as Qonto checks uploads.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(id: &str, visible_at: DateTime<Utc>) -> Uploaded {
        Uploaded {
            id: id.into(),
            file_name: "r.pdf".into(),
            content_type: "application/pdf",
            bytes: Arc::new(b"%PDF-1.4".to_vec()),
            created_at: visible_at,
            visible_at,
            by: "user#1".into(),
        }
    }

    #[test]
    fn an_upload_shows_after_its_delay_and_moves_updated_at() {
        let receipts = Receipts::default();
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let later = t0 + Duration::seconds(5);
        receipts.attach("tx", upload("a", later));
        assert_eq!(receipts.ids("tx", Some("seed".into()), t0), vec!["seed"]);
        assert_eq!(receipts.updated_at("tx", t0, t0), t0);
        assert_eq!(
            receipts.ids("tx", Some("seed".into()), later),
            vec!["seed", "a"]
        );
        assert_eq!(receipts.updated_at("tx", t0, later), later);
        assert!(receipts.remove("tx", Some("seed"), "seed", later));
        assert!(!receipts.remove("tx", Some("seed"), "seed", later));
        assert_eq!(receipts.ids("tx", Some("seed".into()), later), vec!["a"]);
    }

    #[test]
    fn replies_are_kept_thirty_minutes() {
        let receipts = Receipts::default();
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        receipts.remember("cred", "k", 200, serde_json::json!({}), t0);
        assert!(
            receipts
                .replay("cred", "k", t0 + Duration::minutes(29))
                .is_some()
        );
        assert!(receipts.replay("other", "k", t0).is_none());
        assert!(
            receipts
                .replay("cred", "k", t0 + Duration::minutes(30))
                .is_none()
        );
    }

    #[test]
    fn files_are_told_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"MZ\x90\x00 an exe"), None);
        assert_eq!(sniff(b""), None);
    }
}
