//! Cash-flow categories set through the journal: the transactions asked for, grouped by
//! organization, the category named looked up in each organization's tree (read fresh from
//! Qonto), those already there left alone, the rest cut into calls of at most 100. Each call is
//! recorded before it is sent with where every one of its transactions was filed before, sent
//! again when no answer came (filing a transaction where it already is changes nothing), and
//! written to the local copy once Qonto took it. Undoing puts each transaction back where it was.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use qonto_books::BooksHandle;
use qonto_books::categories::{CategoryNode, Leaf, leaf_named, leaf_of_names};
use qonto_books::journal::{NewWrite, Write, WriteKind, WriteState};
use qonto_client::api::categories::MAX_PER_CALL;
use qonto_client::api::writes::idempotency_key;
use qonto_client::api::{ApiClient, ApiError};
use qonto_client::printable::printable;

use super::{BACKOFF_MS, WriteError, allowed, now, transient};
use crate::config::WritePolicy;

/// The scopes a token needs, and what they allow in words.
const READ_SCOPE: &str = "cash_flow_category.read";
const WRITE_SCOPE: &str = "cash_flow_category.write";
const WHAT: &str = "change cash-flow categories";

/// One call to make: up to 100 transactions of one organization, to file under `leaf`
/// (`None`: none), and where each was before.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub org_id: String,
    pub org_name: String,
    pub to: Option<Leaf>,
    pub from: Vec<(String, Option<Leaf>)>,
}

impl Batch {
    pub fn ids(&self) -> Vec<String> {
        self.from.iter().map(|(id, _)| id.clone()).collect()
    }
}

/// What filing some transactions under a category would do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub batches: Vec<Batch>,
    /// Already where they were asked to go.
    pub unchanged: usize,
    /// Organizations left out, and why (writes off, no such category there, not granted).
    pub skipped: Vec<(String, String)>,
}

/// Sets categories for one run.
pub struct Categories<'a> {
    pub api: &'a ApiClient,
    pub books: &'a BooksHandle,
    pub policy: &'a WritePolicy,
    pub config_path: &'a Path,
}

impl Categories<'_> {
    /// `org`'s tree, read from Qonto and kept in the local copy.
    pub async fn tree(
        &self,
        org_id: &str,
        org_name: &str,
    ) -> Result<Vec<CategoryNode>, WriteError> {
        let listed = self
            .api
            .cash_flow_categories(org_id)
            .await
            .map_err(|e| match e {
                ApiError::Forbidden { ref detail, .. }
                    if detail.contains("missing required oauth scope") =>
                {
                    WriteError::NotGranted {
                        org: printable(org_name, 80),
                        scope: READ_SCOPE,
                        what: "read cash-flow categories",
                    }
                }
                other => WriteError::Refused(other),
            })?;
        let nodes = nodes_of(&listed);
        let (org, kept) = (org_id.to_string(), nodes.clone());
        self.books
            .write(move |b| b.put_categories(&org, &kept))
            .await??;
        Ok(nodes)
    }

    /// What filing `ids` under the category `name` (`None`: no category) would do, per
    /// organization, whether writes are on or not (a dry run shows it all). Nothing is sent.
    pub async fn plan(&self, ids: &[String], name: Option<&str>) -> Result<Plan, WriteError> {
        let asked = ids.to_vec();
        let filed = self.books.read_fresh(move |b| b.filed(&asked)).await??;
        let names = self.books.read_fresh(|b| b.organization_names()).await??;
        let mut by_org: BTreeMap<String, Vec<qonto_books::categories::Filed>> = BTreeMap::new();
        for f in filed {
            by_org.entry(f.org_id.clone()).or_default().push(f);
        }
        let mut plan = Plan::default();
        for (org_id, transactions) in by_org {
            let org_name = names
                .iter()
                .find(|(id, _)| *id == org_id)
                .map_or_else(|| org_id.clone(), |(_, n)| printable(n, 80));
            if self.api.granted(&org_id, WRITE_SCOPE).await == Some(false) {
                let not = WriteError::NotGranted {
                    org: org_name.clone(),
                    scope: WRITE_SCOPE,
                    what: WHAT,
                };
                plan.skipped.push((org_name, not.to_string()));
                continue;
            }
            let tree = match self.tree(&org_id, &org_name).await {
                Ok(tree) => tree,
                Err(e) => {
                    plan.skipped.push((org_name, e.to_string()));
                    continue;
                }
            };
            let to = match name {
                None => None,
                Some(name) => match leaf_named(&tree, name) {
                    Ok(leaf) => Some(leaf),
                    Err(e) => {
                        plan.skipped
                            .push((org_name, printable(&e.to_string(), 300)));
                        continue;
                    }
                },
            };
            let mut moving = Vec::new();
            for t in transactions {
                let from = leaf_of_names(&tree, t.category.as_deref(), t.subcategory.as_deref());
                let same = match (&from, &to) {
                    (None, None) => t.category.is_none(),
                    (Some(a), Some(b)) => a.id() == b.id(),
                    _ => false,
                };
                if same {
                    plan.unchanged += 1;
                } else {
                    moving.push((t.id, from));
                }
            }
            for chunk in moving.chunks(MAX_PER_CALL) {
                plan.batches.push(Batch {
                    org_id: org_id.clone(),
                    org_name: org_name.clone(),
                    to: to.clone(),
                    from: chunk.to_vec(),
                });
            }
        }
        Ok(plan)
    }

    /// Makes `batch`'s call through the journal; the write's id. Refused, with nothing
    /// recorded, where writes are off.
    pub async fn apply(&self, batch: &Batch) -> Result<i64, WriteError> {
        allowed(
            self.policy,
            &batch.org_id,
            &batch.org_name,
            self.config_path,
        )?;
        let key = idempotency_key().map_err(|e| WriteError::Journal(e.to_string()))?;
        let planned = NewWrite {
            org_id: batch.org_id.clone(),
            source: None,
            kind: WriteKind::Categorize,
            target: batch
                .to
                .as_ref()
                .map(|l| l.id().to_string())
                .unwrap_or_default(),
            subject: batch
                .to
                .as_ref()
                .map_or_else(|| "no category".to_string(), Leaf::words),
            file_sha256: None,
            file_size: None,
            before_ids: batch.ids(),
            idempotency_key: key,
            previous: Some(
                serde_json::to_string(batch).map_err(|e| WriteError::Journal(e.to_string()))?,
            ),
        };
        let id = self
            .books
            .write(move |b| b.plan_write(&planned, now()))
            .await??;
        self.send(id, batch).await?;
        Ok(id)
    }

    /// Sends write `id` until Qonto answers; on a yes, the copy follows.
    async fn send(&self, id: i64, batch: &Batch) -> Result<(), WriteError> {
        let ids = batch.ids();
        for attempt in 0..=BACKOFF_MS.len() {
            self.books
                .write(move |b| b.write_sending(id, now()))
                .await??;
            let sent = match &batch.to {
                Some(leaf) => {
                    self.api
                        .assign_category(&batch.org_id, &ids, leaf.id())
                        .await
                }
                None => self.api.unassign_category(&batch.org_id, &ids).await,
            };
            match sent {
                Ok(()) => {
                    let (kept, leaf) = (ids.clone(), batch.to.clone());
                    self.books
                        .write(move |b| b.file_locally(&kept, leaf.as_ref()))
                        .await??;
                    self.reached(id, WriteState::Confirmed, None).await?;
                    return Ok(());
                }
                Err(e) if transient(&e) => match BACKOFF_MS.get(attempt) {
                    Some(wait) => tokio::time::sleep(Duration::from_millis(*wait)).await,
                    None => return Err(WriteError::Unfinished { id, cause: e }),
                },
                Err(e) => {
                    let error = WriteError::from_refusal(&batch.org_name, e, WRITE_SCOPE, WHAT);
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

    async fn reached(
        &self,
        id: i64,
        state: WriteState,
        error: Option<String>,
    ) -> Result<(), WriteError> {
        super::reached(self.books, id, state, None, error).await
    }

    fn batch_of(write: &Write) -> Result<Batch, WriteError> {
        write
            .previous
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| {
                WriteError::Journal(format!("write #{} does not say what it changed", write.id))
            })
    }

    /// Takes back categorize `write_id`: each of its transactions filed again where it was
    /// (one call per former category, each through the journal); the ids of those calls.
    pub async fn undo(&self, write_id: i64) -> Result<Vec<i64>, WriteError> {
        let write = self
            .books
            .read_fresh(move |b| b.write_by_id(write_id))
            .await??
            .ok_or_else(|| {
                WriteError::Journal(format!("write #{write_id} is not in the journal"))
            })?;
        if write.kind != WriteKind::Categorize || write.state != WriteState::Confirmed {
            return Err(WriteError::Journal(format!(
                "write #{write_id} is not a confirmed categorize, so there is nothing to take back"
            )));
        }
        let done = Self::batch_of(&write)?;
        allowed(self.policy, &done.org_id, &done.org_name, self.config_path)?;
        // Grouped by where they were: one call for each former leaf (or none).
        let mut back: BTreeMap<Option<String>, Batch> = BTreeMap::new();
        for (tx, was) in &done.from {
            back.entry(was.as_ref().map(|l| l.id().to_string()))
                .or_insert_with(|| Batch {
                    org_id: done.org_id.clone(),
                    org_name: done.org_name.clone(),
                    to: was.clone(),
                    from: Vec::new(),
                })
                .from
                .push((tx.clone(), done.to.clone()));
        }
        let mut made = Vec::new();
        for batch in back.values() {
            made.push(self.apply(batch).await?);
        }
        self.reached(write_id, WriteState::Undone, None).await?;
        Ok(made)
    }

    /// Sends again the categorize writes an earlier run left unanswered.
    pub async fn finish_unfinished(
        &self,
    ) -> Result<Vec<(Write, Result<(), WriteError>)>, WriteError> {
        let open = self.books.read_fresh(|b| b.unfinished_writes()).await??;
        let mut done = Vec::new();
        for write in open.into_iter().filter(|w| w.kind == WriteKind::Categorize) {
            let result = match Self::batch_of(&write) {
                Ok(batch) => match allowed(
                    self.policy,
                    &batch.org_id,
                    &batch.org_name,
                    self.config_path,
                ) {
                    Ok(()) => self.send(write.id, &batch).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            done.push((write, result));
        }
        Ok(done)
    }
}

/// Qonto's two-level tree as the local copy keeps it: each category, then its subcategories.
pub fn nodes_of(listed: &[qonto_client::api::categories::CashflowCategory]) -> Vec<CategoryNode> {
    let mut nodes = Vec::new();
    for c in listed {
        nodes.push(CategoryNode {
            id: c.id.clone(),
            name: c.name.clone(),
            parent_id: None,
            inflow: c.is_inflow(),
            vat_rate: c.vat_rate.clone(),
        });
        for s in &c.subcategories {
            nodes.push(CategoryNode {
                id: s.id.clone(),
                name: s.name.clone(),
                parent_id: Some(c.id.clone()),
                inflow: c.is_inflow(),
                vat_rate: s.vat_rate.clone(),
            });
        }
    }
    nodes
}
