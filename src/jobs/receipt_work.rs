//! The screen's receipts work: reading the inbox (its files' text, off the async threads, and
//! the matcher's proposals, with progress), and the writes a person confirmed, carried out one
//! at a time in the order asked through the journal (`crate::writes`). The first write of a run
//! finishes what an earlier run left; an upload Qonto accepted is looked for again every few
//! seconds until Qonto shows it, and each write's end recounts the missing receipts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::cache::{Cache, CacheSlot};
use crate::app::Msg;
use crate::app::inbox_view::{InboxError, InboxFound};
use crate::app::local_error::LocalCopyError;
use crate::app::msg::{WriteAsk, Written};
use crate::config::Config;
use crate::receipt_inbox::{keep_attached, list, match_files};
use crate::receipt_text::Limits;
use crate::writes::WriteError;
use crate::writes::receipts::{Outcome, Receipts, read_receipt, target};
use qonto_books::journal::WriteState;
use qonto_books::matching::Matcher;
use qonto_client::api::ApiClient;
use qonto_client::printable::printable;

/// How often an accepted upload is looked for, and for how long at most.
const LOOK_EVERY: Duration = Duration::from_secs(3);
const LOOKS: u32 = 40;
/// Progress of a read is sent at most this often (each redraws the screen).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Reads the inbox `folder` and matches its files; says how far it is as it goes.
pub fn read_inbox(
    cache: CacheSlot,
    folder: PathBuf,
    generation: u64,
    to_app: UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let result = read(&cache, &folder, generation, &to_app).await;
        let _ = to_app.send(Msg::InboxRead { generation, result });
    });
}

async fn read(
    cache: &CacheSlot,
    folder: &Path,
    generation: u64,
    to_app: &UnboundedSender<Msg>,
) -> Result<InboxFound, InboxError> {
    let cache = cache
        .wait_open()
        .await
        .ok_or(InboxError::LocalCopy(LocalCopyError::NotOpen))?;
    let owned = folder.to_path_buf();
    let listed = tokio::task::spawn_blocking(move || list(&owned))
        .await
        .map_err(|e| InboxError::Folder {
            path: folder.to_path_buf(),
            cause: e.to_string(),
        })?;
    let (files, skipped) = listed.map_err(|e| InboxError::Folder {
        path: PathBuf::from(printable(&folder.display().to_string(), 200)),
        cause: e.to_string(),
    })?;
    let of = files.len();
    let _ = to_app.send(Msg::InboxProgress {
        generation,
        read: 0,
        of,
    });
    let candidates = cache
        .read(|b| b.receipt_candidates())
        .await
        .map_err(InboxError::LocalCopy)?
        .map_err(|e| InboxError::LocalCopy(e.into()))?;
    let count = candidates.len();
    let matcher = tokio::task::spawn_blocking(move || Matcher::new(candidates))
        .await
        .map_err(|e| InboxError::Folder {
            path: folder.to_path_buf(),
            cause: e.to_string(),
        })?;
    let mut said = Instant::now();
    let (items, unread) = match_files(
        cache.books(),
        &files,
        &matcher,
        Limits::from_env(),
        |read| {
            if said.elapsed() >= PROGRESS_EVERY {
                said = Instant::now();
                let _ = to_app.send(Msg::InboxProgress {
                    generation,
                    read,
                    of,
                });
            }
        },
    )
    .await;
    let mut skipped = skipped;
    skipped.extend(unread);
    Ok(InboxFound {
        items,
        skipped,
        candidates: count,
    })
}

/// The lane the screen's writes go through, one at a time.
pub struct WriteLane {
    asks: UnboundedSender<WriteAsk>,
}

impl WriteLane {
    pub fn start(
        api: Arc<ApiClient>,
        cache: CacheSlot,
        config: Config,
        to_app: UnboundedSender<Msg>,
    ) -> Self {
        let (asks, incoming) = mpsc::unbounded_channel();
        tokio::spawn(run(api, cache, config, to_app, incoming));
        Self { asks }
    }

    pub fn ask(&self, ask: WriteAsk) {
        let _ = self.asks.send(ask);
    }
}

async fn run(
    api: Arc<ApiClient>,
    cache: CacheSlot,
    config: Config,
    to_app: UnboundedSender<Msg>,
    mut incoming: UnboundedReceiver<WriteAsk>,
) {
    let mut earlier_done = false;
    let mut looks_left = 0;
    loop {
        let next = if looks_left > 0 {
            match tokio::time::timeout(LOOK_EVERY, incoming.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    looks_left -= 1;
                    if let Some(cache) = cache.opened()
                        && !look_for_accepted(&api, cache, &config, &to_app).await
                    {
                        looks_left = 0;
                    }
                    continue;
                }
            }
        } else {
            incoming.recv().await
        };
        let Some(ask) = next else { break };
        let Some(cache) = cache.wait_open().await else {
            let why = WriteError::Journal(
                "the local copy is not open (turned off, or it could not be opened: see the log)"
                    .into(),
            );
            let _ = to_app.send(Msg::Written {
                ask,
                result: Err(why),
            });
            continue;
        };
        let receipts = Receipts {
            api: &api,
            books: cache.books(),
            policy: &config.writes,
            config_path: &config.config_path,
        };
        let categories = crate::writes::categories::Categories {
            api: &api,
            books: cache.books(),
            policy: &config.writes,
            config_path: &config.config_path,
        };
        if !earlier_done {
            earlier_done = true;
            finish_earlier(&receipts, &to_app).await;
            super::category_work::finish_earlier(&categories, &to_app).await;
        }
        if matches!(
            ask,
            WriteAsk::Categorize { .. } | WriteAsk::UndoCategorize { .. }
        ) {
            let result = super::category_work::carry_out(&categories, &ask).await;
            let _ = to_app.send(Msg::Categorized { ask, result });
            continue;
        }
        if matches!(ask, WriteAsk::Decline { .. } | WriteAsk::Invoice { .. }) {
            let result = super::review_work::carry_out(&api, cache.books(), &config, &ask).await;
            let _ = to_app.send(Msg::Reviewed { ask, result });
            continue;
        }
        let result = carry_out(&receipts, &ask).await;
        if matches!(&result, Ok(w) if w.outcome.state == WriteState::Accepted) {
            looks_left = LOOKS;
        }
        let _ = to_app.send(Msg::Written {
            ask,
            result: result.map(Box::new),
        });
        let _ = to_app.send(Msg::ReceiptsCounted(cache.missing_receipts().await));
    }
}

/// Finishes what an earlier run left, and says so when there was something.
async fn finish_earlier(receipts: &Receipts<'_>, to_app: &UnboundedSender<Msg>) {
    let done: Vec<Result<Outcome, WriteError>> = match receipts.finish_unfinished().await {
        Ok(done) => done.into_iter().map(|(_, result)| result).collect(),
        Err(e) => vec![Err(e)],
    };
    if done.is_empty() {
        return;
    }
    let failed: Vec<WriteError> = done.iter().filter_map(|r| r.clone().err()).collect();
    let _ = to_app.send(Msg::EarlierWrites {
        finished: done.len() - failed.len(),
        failed: failed.first().cloned().map(|first| (failed.len(), first)),
    });
}

/// Looks again for uploads Qonto accepted; whether some are still not shown.
async fn look_for_accepted(
    api: &ApiClient,
    cache: &Cache,
    config: &Config,
    to_app: &UnboundedSender<Msg>,
) -> bool {
    let receipts = Receipts {
        api,
        books: cache.books(),
        policy: &config.writes,
        config_path: &config.config_path,
    };
    let Ok(done) = receipts.finish_unfinished().await else {
        return true;
    };
    let mut waiting = false;
    for (write, result) in done {
        match result {
            Ok(o) if o.state == WriteState::Confirmed => {
                let _ = to_app.send(Msg::WriteConfirmed { write: write.id });
            }
            Ok(o) if o.state == WriteState::Accepted => waiting = true,
            _ => {}
        }
    }
    if !waiting {
        let _ = to_app.send(Msg::ReceiptsCounted(cache.missing_receipts().await));
    }
    waiting
}

async fn carry_out(receipts: &Receipts<'_>, ask: &WriteAsk) -> Result<Written, WriteError> {
    match ask {
        WriteAsk::Attach {
            file,
            sha256,
            transaction,
            inbox,
            ..
        } => {
            let target = target(receipts.books, transaction).await?;
            // The digest the file is moved by: the one read when it was proposed, else now.
            let sha = match sha256 {
                Some(sha) => sha.clone(),
                None => read_receipt(file).await?.sha256,
            };
            let outcome = receipts.attach(&target, file).await?;
            let moved = match inbox {
                // Attached now or before: either way it leaves the inbox.
                Some(folder) => Some(keep_attached(folder, &target.org_name, file, &sha).await),
                None => None,
            };
            Ok(written(outcome, &target, moved))
        }
        WriteAsk::Detach {
            transaction,
            attachment,
            ..
        } => {
            let target = target(receipts.books, transaction).await?;
            let outcome = receipts.detach(&target, attachment).await?;
            Ok(written(outcome, &target, None))
        }
        WriteAsk::Undo { write, .. } => {
            let outcome = receipts.undo(*write).await?;
            let undone = receipts
                .books
                .read_fresh({
                    let id = *write;
                    move |b| b.write_by_id(id)
                })
                .await??
                .map(|w| w.target)
                .unwrap_or_default();
            let target = target(receipts.books, &undone).await?;
            Ok(written(outcome, &target, None))
        }
        WriteAsk::Categorize { .. }
        | WriteAsk::UndoCategorize { .. }
        | WriteAsk::Decline { .. }
        | WriteAsk::Invoice { .. } => Err(WriteError::Journal("not a receipt's write".into())),
    }
}

fn written(
    outcome: Outcome,
    target: &crate::writes::receipts::Target,
    moved: Option<Result<PathBuf, crate::receipt_inbox::KeepError>>,
) -> Written {
    Written {
        outcome,
        words: format!("{} · {}", target.org_name, target.words),
        transaction: target.tx_id.clone(),
        moved,
    }
}
