//! The journal of writes to Qonto, kept in the encrypted local copy. Each write is recorded
//! before it is sent, with the idempotency key every attempt reuses, and moves through
//! planned → sent → accepted → confirmed (or failed, or undone); a process stopped at any point
//! leaves a row the next run finishes or reports, never a write sent twice under two keys.

use rusqlite::{OptionalExtension, Row, params};

use super::{Books, BooksError};

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    /// A file uploaded to a transaction.
    Attach,
    /// One attachment removed from a transaction.
    Detach,
    /// Up to 100 transactions of one organization filed under a category (or none).
    Categorize,
    /// A member's request declined, with a note (it cannot be taken back).
    Decline,
    /// A supplier invoice marked paid, unmarked, or rejected (`subject` says which).
    Invoice,
    /// A PDF uploaded as a supplier invoice of an organization (`source` is its path).
    InvoiceUpload,
}

impl WriteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attach => "attach",
            Self::Detach => "detach",
            Self::Categorize => "categorize",
            Self::Decline => "decline",
            Self::Invoice => "invoice",
            Self::InvoiceUpload => "invoice_upload",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "attach" => Some(Self::Attach),
            "detach" => Some(Self::Detach),
            "categorize" => Some(Self::Categorize),
            "decline" => Some(Self::Decline),
            "invoice" => Some(Self::Invoice),
            "invoice_upload" => Some(Self::InvoiceUpload),
            _ => None,
        }
    }
}

/// How far a write came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteState {
    /// Recorded, not sent yet.
    Planned,
    /// Sent at least once; no answer kept yet (it may have been done).
    Sent,
    /// Qonto answered yes; not seen done yet (an upload is processed in the background).
    Accepted,
    /// Seen done on Qonto.
    Confirmed,
    /// Refused, or given up; nothing was done.
    Failed,
    /// Done, then taken back.
    Undone,
}

impl WriteState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Confirmed => "confirmed",
            Self::Failed => "failed",
            Self::Undone => "undone",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::Planned,
            Self::Sent,
            Self::Accepted,
            Self::Confirmed,
            Self::Failed,
            Self::Undone,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Not finished: the next run takes it up.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::Sent | Self::Accepted)
    }
}

/// A write about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWrite {
    pub org_id: String,
    /// Where the file was read from (an upload), to read it again if it must be resent.
    pub source: Option<String>,
    pub kind: WriteKind,
    /// The transaction written to; for a categorize, the category or subcategory id (empty:
    /// none).
    pub target: String,
    /// The file's name (attach), the attachment's id (detach), the category's name
    /// (categorize).
    pub subject: String,
    pub file_sha256: Option<String>,
    pub file_size: Option<u64>,
    /// The transaction's attachments before the write: an upload's own is the one that is new;
    /// for a categorize, the transactions.
    pub before_ids: Vec<String>,
    pub idempotency_key: String,
    /// What the transactions carried before (JSON), for a write that can be put back.
    pub previous: Option<String>,
}

/// A recorded write.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Write {
    pub id: i64,
    pub org_id: String,
    pub kind: WriteKind,
    pub target: String,
    pub subject: String,
    pub source: Option<String>,
    pub file_sha256: Option<String>,
    pub file_size: Option<u64>,
    #[serde(skip)]
    pub idempotency_key: String,
    pub state: WriteState,
    pub attempts: u32,
    #[serde(skip)]
    pub before_ids: Vec<String>,
    /// The attachment an upload made, once seen.
    pub result: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    /// The first time it was sent: Qonto keeps a key's answer 30 minutes from its first success,
    /// so until 30 minutes after this, sending again with the key cannot do it twice.
    pub sent_at: Option<i64>,
    pub updated_at: i64,
    #[serde(skip)]
    pub previous: Option<String>,
}

const COLUMNS: &str = "id, org_id, kind, target, subject, file_sha256, file_size, idempotency_key, \
     state, attempts, before_ids, result, error, created_at, sent_at, updated_at, source, previous";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Write> {
    let kind: String = row.get(2)?;
    let state: String = row.get(8)?;
    let before: String = row.get(10)?;
    let unknown = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown {what}").into(),
        )
    };
    Ok(Write {
        id: row.get(0)?,
        org_id: row.get(1)?,
        kind: WriteKind::parse(&kind).ok_or_else(|| unknown(2, "kind"))?,
        target: row.get(3)?,
        subject: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
        file_sha256: row.get(5)?,
        file_size: row
            .get::<_, Option<i64>>(6)?
            .and_then(|n| u64::try_from(n).ok()),
        idempotency_key: row.get(7)?,
        state: WriteState::parse(&state).ok_or_else(|| unknown(8, "state"))?,
        attempts: row.get(9)?,
        before_ids: serde_json::from_str(&before).unwrap_or_default(),
        result: row.get(11)?,
        error: row.get(12)?,
        created_at: row.get(13)?,
        sent_at: row.get(14)?,
        updated_at: row.get(15)?,
        source: row.get(16)?,
        previous: row.get(17)?,
    })
}

impl Books {
    /// Records a write before it is sent; its id.
    pub fn plan_write(&self, write: &NewWrite, now: i64) -> Result<i64, BooksError> {
        let before = serde_json::to_string(&write.before_ids).unwrap_or_else(|_| "[]".into());
        self.db.execute(
            "INSERT INTO writes (org_id, kind, target, subject, file_sha256, file_size,
                 idempotency_key, state, before_ids, created_at, updated_at, source, previous)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'planned', ?8, ?9, ?9, ?10, ?11)",
            params![
                write.org_id,
                write.kind.as_str(),
                write.target,
                write.subject,
                write.file_sha256,
                write.file_size.and_then(|n| i64::try_from(n).ok()),
                write.idempotency_key,
                before,
                now,
                write.source,
                write.previous
            ],
        )?;
        Ok(self.db.last_insert_rowid())
    }

    /// Notes an attempt about to go out (before it does: a process killed while it is in
    /// flight leaves `sent`, which the next run checks with Qonto before anything else).
    pub fn write_sending(&self, id: i64, now: i64) -> Result<(), BooksError> {
        self.db.execute(
            "UPDATE writes SET state = 'sent', attempts = attempts + 1,
                 sent_at = COALESCE(sent_at, ?2), error = NULL, updated_at = ?2
             WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    /// Moves a write to `state`, with what it made (`result`) or why it failed.
    pub fn write_reached(
        &self,
        id: i64,
        state: WriteState,
        result: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), BooksError> {
        self.db.execute(
            "UPDATE writes SET state = ?2, result = COALESCE(?3, result), error = ?4,
                 updated_at = ?5
             WHERE id = ?1",
            params![id, state.as_str(), result, error, now],
        )?;
        Ok(())
    }

    /// Gives a write a new idempotency key, once Qonto's state was read and showed it was not
    /// done: the old key no longer protects (30 minutes passed), so the next attempt starts a
    /// new window.
    pub fn rekey_write(&self, id: i64, key: &str, now: i64) -> Result<(), BooksError> {
        self.db.execute(
            "UPDATE writes SET idempotency_key = ?2, sent_at = NULL, updated_at = ?3
             WHERE id = ?1",
            params![id, key, now],
        )?;
        Ok(())
    }

    /// One write by id.
    pub fn write_by_id(&self, id: i64) -> Result<Option<Write>, BooksError> {
        Ok(self
            .db
            .query_row(
                &format!("SELECT {COLUMNS} FROM writes WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?)
    }

    /// The newest `limit` writes, newest first.
    pub fn writes(&self, limit: usize) -> Result<Vec<Write>, BooksError> {
        let mut stmt = self.db.prepare(&format!(
            "SELECT {COLUMNS} FROM writes ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The writes not finished (planned, sent or accepted), oldest first.
    pub fn unfinished_writes(&self) -> Result<Vec<Write>, BooksError> {
        let mut stmt = self.db.prepare(&format!(
            "SELECT {COLUMNS} FROM writes WHERE state IN ('planned', 'sent', 'accepted')
             ORDER BY id"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The upload of the file with digest `sha256` to `target` that is not failed or undone:
    /// the same receipt is not attached twice.
    pub fn attached_before(&self, target: &str, sha256: &str) -> Result<Option<Write>, BooksError> {
        Ok(self
            .db
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM writes WHERE kind = 'attach' AND target = ?1
                     AND file_sha256 = ?2 AND state NOT IN ('failed', 'undone')
                     ORDER BY id DESC LIMIT 1"
                ),
                params![target, sha256],
                from_row,
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(key: &str) -> NewWrite {
        NewWrite {
            org_id: "org".into(),
            source: Some("/tmp/r.pdf".into()),
            kind: WriteKind::Attach,
            target: "tx".into(),
            subject: "r.pdf".into(),
            file_sha256: Some("abc".into()),
            file_size: Some(12),
            before_ids: vec!["old".into()],
            idempotency_key: key.into(),
            previous: None,
        }
    }

    #[test]
    fn a_write_moves_from_planned_to_confirmed_keeping_its_key() {
        let books = Books::in_memory().unwrap();
        let id = books.plan_write(&new("k1"), 100).unwrap();
        let w = books.write_by_id(id).unwrap().unwrap();
        assert_eq!(
            (w.state, w.attempts, w.sent_at),
            (WriteState::Planned, 0, None)
        );
        assert_eq!(w.before_ids, vec!["old"]);
        books.write_sending(id, 110).unwrap();
        books.write_sending(id, 130).unwrap();
        let w = books.write_by_id(id).unwrap().unwrap();
        assert_eq!(
            (w.state, w.attempts, w.sent_at),
            (WriteState::Sent, 2, Some(110))
        );
        assert_eq!(books.unfinished_writes().unwrap().len(), 1);
        books
            .write_reached(id, WriteState::Confirmed, Some("att"), None, 140)
            .unwrap();
        let w = books.write_by_id(id).unwrap().unwrap();
        assert_eq!(
            (w.state, w.result.as_deref(), w.idempotency_key.as_str()),
            (WriteState::Confirmed, Some("att"), "k1")
        );
        assert!(books.unfinished_writes().unwrap().is_empty());
        assert_eq!(
            books.attached_before("tx", "abc").unwrap().map(|w| w.id),
            Some(id)
        );
        books
            .write_reached(id, WriteState::Undone, None, None, 150)
            .unwrap();
        assert_eq!(books.attached_before("tx", "abc").unwrap(), None);
    }

    #[test]
    fn a_key_is_recorded_once() {
        let books = Books::in_memory().unwrap();
        books.plan_write(&new("same"), 1).unwrap();
        assert!(books.plan_write(&new("same"), 2).is_err());
    }
}
