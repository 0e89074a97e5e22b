//! The background sync's writes wait while a person reads the books (each commit would make
//! the reading connection drop every page it keeps), and go once they pause.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use qonto_books::BooksHandle;
use qonto_books::readers_first::{READING_FOR, ReadersFirst};
use qonto_books::sync::{Budget, Listeners, Pace, sync_org};
use qonto_sandbox::Sandbox;

async fn stored(books: &BooksHandle) -> i64 {
    books
        .read(|b| b.total_transactions())
        .await
        .unwrap()
        .unwrap()
}

/// The organization's accounts in the books (written before its transactions).
async fn accounts(books: &BooksHandle, org: &str) -> usize {
    let org = org.to_string();
    books
        .read(move |b| b.accounts(&org))
        .await
        .unwrap()
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_background_syncs_writes_wait_while_a_person_reads_and_go_once_they_pause() {
    let sb = Sandbox::start(common::options()).await.unwrap();
    let api = common::signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let books = BooksHandle::in_memory().unwrap();
    let gate = ReadersFirst::new();

    // A person typing in the search: a key every 100 ms for 1.5 s.
    let typing = Duration::from_millis(1_500);
    gate.person_read();
    let started = Instant::now();
    let person = {
        let gate = gate.clone();
        tokio::spawn(async move {
            while started.elapsed() < typing {
                gate.person_read();
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let budget = Budget::unlimited();
    let syncing = gate.in_background(sync_org(
        &api,
        &books,
        &orgs[0],
        &budget,
        Pace::BACKGROUND,
        Listeners::none(),
    ));
    tokio::pin!(syncing);

    // Its requests go on (the sandbox answers in milliseconds), its writes wait.
    let ended_early = tokio::select! {
        report = &mut syncing => Some(report),
        () = tokio::time::sleep(Duration::from_millis(1_200)) => None,
    };
    assert!(
        ended_early.is_none(),
        "the sync ended in {:?}, while the person read",
        started.elapsed()
    );
    assert_eq!(
        accounts(&books, &orgs[0].id).await,
        0,
        "accounts written while the person read"
    );
    assert_eq!(
        stored(&books).await,
        0,
        "transactions written while the person read"
    );

    let report = syncing.await.unwrap();
    let took = started.elapsed();
    assert!(
        took >= typing + READING_FOR - Duration::from_millis(150),
        "the writes went {took:?} after the first key, before the reading paused"
    );
    assert!(report.added > 0);
    assert!(accounts(&books, &orgs[0].id).await > 0);
    assert_eq!(stored(&books).await, report.added as i64);
    person.await.unwrap();
}
