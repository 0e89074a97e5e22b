//! The search's jobs on the books' reader thread: a query's first page on each key, what the
//! next key will want read between keys, and the totals once typing pauses.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use qonto_books::query::parse;
use qonto_books::readers_first::ReadersFirst;
use tokio::sync::{mpsc, watch};

use super::cache::CacheSlot;
use crate::app::Msg;
use crate::app::local_error::LocalCopyError;

/// How long the reading ahead waits for the answer to be drawn: a screen that does not draw it
/// (another view, a closed search) does not keep it waiting longer.
const DRAWN_WITHIN: std::time::Duration = std::time::Duration::from_millis(50);

/// A search the screen asked for.
pub(super) struct Asked {
    pub text: String,
    pub generation: u64,
    pub limit: usize,
}

/// Runs a search on the books' reader thread; one that a newer query replaced before it
/// began is skipped (typing fast asks many).
pub(super) fn search(
    readers_first: Arc<ReadersFirst>,
    cache: CacheSlot,
    tx: mpsc::UnboundedSender<Msg>,
    latest: Arc<AtomicU64>,
    mut drawn: watch::Receiver<u64>,
    asked: Asked,
) {
    let Asked {
        text,
        generation,
        limit,
    } = asked;
    latest.store(generation, Ordering::SeqCst);
    // The background sync's writes wait while keys come (each would drop the pages the
    // reader keeps, and the next key would read them all again).
    readers_first.person_read();
    tokio::spawn(async move {
        if latest.load(Ordering::SeqCst) != generation {
            return;
        }
        let query = match parse(&text) {
            Ok(query) => query,
            Err(e) => {
                let result = Err(LocalCopyError::Query(e));
                let _ = tx.send(Msg::SearchAnswered { generation, result });
                return;
            }
        };
        // A search typed while the copy is still opening waits for it (the screen shows its
        // spinner) rather than saying there is none.
        let Some(books) = cache.wait_open().await else {
            let result = Err(LocalCopyError::NotOpen);
            let _ = tx.send(Msg::SearchAnswered { generation, result });
            return;
        };
        let result = books.search(query.clone(), limit).await;
        let _ = tx.send(Msg::SearchAnswered { generation, result });
        // What the next key will want is read now, between keys, unless it waits already:
        // the words' matches (a walk down the dates did not read them: the same words with an
        // amount or a date after them, or typed again, find them), or, before the first word,
        // the newest rows' text.
        //
        // Once the answer is on screen: over 5,000,000 stored that reading takes 14 to 30 ms of
        // a core, and begun at once, it took the core the screen needed on a machine of two (in
        // 4 of 10 runs of the benchmark, one key of 54 was drawn 18 to 53 ms after it was typed).
        let on_screen = drawn.wait_for(|shown| *shown >= generation);
        let _ = tokio::time::timeout(DRAWN_WITHIN, on_screen).await;
        if latest.load(Ordering::SeqCst) == generation {
            let _ = books.read(move |b| b.prepare_next_key(&query)).await;
        }
    });
}

/// The totals of a search's every match, once typing has paused: reading every match takes
/// the reader a while on large books, and the next key's results must not wait behind it.
pub(super) fn totals(
    cache: CacheSlot,
    tx: mpsc::UnboundedSender<Msg>,
    latest: Arc<AtomicU64>,
    text: String,
    generation: u64,
) {
    tokio::spawn(async move {
        let (Some(books), Ok(query)) = (cache.opened(), parse(&text)) else {
            return;
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        if latest.load(Ordering::SeqCst) != generation {
            return;
        }
        let totals = books.read(move |b| b.search_totals(&query)).await;
        if let Ok(Ok(totals)) = totals {
            let _ = tx.send(Msg::SearchTotalled { generation, totals });
        }
    });
}
