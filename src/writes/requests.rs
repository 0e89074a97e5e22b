//! Members' requests declined through the journal: recorded (with the note and what the request
//! is for) before they are sent, under one idempotency key reused on every attempt while Qonto
//! remembers it; past that, Qonto's list is read first: a request already declined was done, a
//! pending one is sent again under a new key. A decline cannot be taken back at Qonto, so the
//! command asks first, naming the organization, the counterparty and the amount.

use std::path::Path;
use std::time::Duration;

use qonto_books::BooksHandle;
use qonto_books::journal::{NewWrite, Write, WriteKind, WriteState};
use qonto_client::api::writes::idempotency_key;
use qonto_client::api::{ApiClient, ApiError};

use super::receipts::SAFE_WINDOW_SECS;
use super::{BACKOFF_MS, WriteError, allowed, now, transient};
use crate::config::WritePolicy;

const WRITE_SCOPE: &str = "request_review.write";
const WHAT: &str = "decline requests";

pub use crate::outcome::OrgRequest;

/// What a decline's journal entry keeps to send it again.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    org_name: String,
    path_kind: String,
    note: String,
}

/// Declines requests for one run.
pub struct Declines<'a> {
    pub api: &'a ApiClient,
    pub books: &'a BooksHandle,
    pub policy: &'a WritePolicy,
    pub config_path: &'a Path,
}

impl Declines<'_> {
    /// Every request of `orgs` (id, name), and the organizations that could not be read.
    pub async fn list(
        &self,
        orgs: &[(String, String)],
    ) -> (Vec<OrgRequest>, Vec<(String, ApiError)>) {
        let mut all = Vec::new();
        let mut failed = Vec::new();
        for (id, name) in orgs {
            match self.api.requests(id).await {
                Ok(list) => {
                    let members = self.member_names(id).await;
                    all.extend(list.into_iter().map(|request| {
                        OrgRequest {
                            org_id: id.clone(),
                            org_name: name.clone(),
                            requester: request
                                .initiator_id
                                .as_ref()
                                .and_then(|who| members.get(who).cloned()),
                            request,
                        }
                    }));
                }
                Err(e) => failed.push((name.clone(), e)),
            }
        }
        (all, failed)
    }

    /// The names of `org`'s members by membership id, from the local copy (none if it has
    /// not synced them).
    pub async fn member_names(&self, org: &str) -> std::collections::HashMap<String, String> {
        let org = org.to_string();
        let members = self.books.read_fresh(move |b| b.memberships(&org)).await;
        members
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                let name = m.full_name();
                Some((m.id?, name)).filter(|(_, n)| !n.trim().is_empty())
            })
            .collect()
    }

    /// Declines `r` with `note` through the journal; the write's id.
    pub async fn decline(&self, r: &OrgRequest, note: &str) -> Result<i64, WriteError> {
        allowed(self.policy, &r.org_id, &r.org_name, self.config_path)?;
        if self.api.granted(&r.org_id, WRITE_SCOPE).await == Some(false) {
            return Err(WriteError::NotGranted {
                org: r.org_name.clone(),
                scope: WRITE_SCOPE,
                what: WHAT,
            });
        }
        let Some(path_kind) = r.request.path_kind() else {
            return Err(WriteError::Journal(format!(
                "a {} request cannot be declined through the API",
                r.request.request_type
            )));
        };
        if r.request.status != "pending" {
            return Err(WriteError::Journal(format!(
                "the request is {}, not pending: only a pending request can be declined",
                r.request.status
            )));
        }
        let kept = Kept {
            org_name: r.org_name.clone(),
            path_kind: path_kind.to_string(),
            note: note.to_string(),
        };
        let planned = NewWrite {
            org_id: r.org_id.clone(),
            source: None,
            kind: WriteKind::Decline,
            target: r.request.id.clone(),
            subject: path_kind.to_string(),
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

    /// Sends write `id` until Qonto answers, under its key (or, once Qonto may have forgotten
    /// the key, after reading whether it was done).
    async fn send(&self, id: i64) -> Result<(), WriteError> {
        for attempt in 0..=BACKOFF_MS.len() {
            let (mut write, kept) = self.load(id).await?;
            if write
                .sent_at
                .is_some_and(|sent| now() - sent >= SAFE_WINDOW_SECS)
            {
                match self.status_of(&write).await? {
                    Some(status) if status == "declined" => {
                        return self.reached(id, WriteState::Confirmed, None).await;
                    }
                    Some(status) if status == "pending" => {
                        let key =
                            idempotency_key().map_err(|e| WriteError::Journal(e.to_string()))?;
                        self.books
                            .write(move |b| b.rekey_write(id, &key, now()))
                            .await??;
                        write = self.load(id).await?.0;
                    }
                    other => {
                        let why = format!(
                            "the request is {}: it was not declined",
                            other.as_deref().unwrap_or("gone")
                        );
                        self.reached(id, WriteState::Failed, Some(why.clone()))
                            .await?;
                        return Err(WriteError::Journal(why));
                    }
                }
            }
            self.books
                .write(move |b| b.write_sending(id, now()))
                .await??;
            let sent = self
                .api
                .decline_request(
                    &write.org_id,
                    &kept.path_kind,
                    &write.target,
                    &kept.note,
                    &write.idempotency_key,
                )
                .await;
            match sent {
                Ok(_) => return self.reached(id, WriteState::Confirmed, None).await,
                Err(e) if transient(&e) => match BACKOFF_MS.get(attempt) {
                    Some(wait) => tokio::time::sleep(Duration::from_millis(*wait)).await,
                    None => return Err(WriteError::Unfinished { id, cause: e }),
                },
                Err(e) => {
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

    /// The status Qonto lists for the request of `write` now (`None`: not listed).
    async fn status_of(&self, write: &Write) -> Result<Option<String>, WriteError> {
        let list =
            self.api
                .requests(&write.org_id)
                .await
                .map_err(|cause| WriteError::Unfinished {
                    id: write.id,
                    cause,
                })?;
        Ok(list
            .into_iter()
            .find(|r| r.id == write.target)
            .map(|r| r.status))
    }

    /// Finishes the declines an earlier run left unanswered.
    pub async fn finish_unfinished(
        &self,
    ) -> Result<Vec<(Write, Result<(), WriteError>)>, WriteError> {
        let open = self.books.read_fresh(|b| b.unfinished_writes()).await??;
        let mut done = Vec::new();
        for write in open.into_iter().filter(|w| w.kind == WriteKind::Decline) {
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
