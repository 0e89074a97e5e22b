//! The 30-minute rule, against the sandbox: once Qonto may have forgotten a write's key, the
//! app reads Qonto's state before sending anything; a write Qonto did is confirmed, not sent
//! again, and one it never got is sent under a new key, once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use qonto_books::BooksHandle;
use qonto_books::journal::{NewWrite, WriteKind, WriteState};
use qonto_books::sync::{Budget, Listeners, Pace, sync_all};
use qonto_client::api::writes::idempotency_key;
use qonto_testkit::fixtures::{sandbox, signed_in_api};

use super::now;
use super::receipts::{Receipts, SAFE_WINDOW_SECS, target};
use crate::config::WritePolicy;

fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.4\n% receipt {n}\n%%EOF\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_window_qonto_is_read_before_anything_is_sent_again() {
    let sb = sandbox().await;
    let api = signed_in_api(&sb).await;
    let orgs = api.user_organizations().await.unwrap();
    let books = BooksHandle::in_memory().unwrap();
    for r in sync_all(
        &api,
        &books,
        &orgs,
        &Budget::unlimited(),
        Pace::FULL,
        Listeners::none(),
    )
    .await
    {
        r.unwrap();
    }
    let missing: Vec<_> = sb.data().orgs[0]
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .filter(|t| t.status == qonto_sandbox::data::TxStatus::Completed && sb.misses_receipt(t))
        .take(2)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let policy = WritePolicy::All;
    let receipts = Receipts {
        api: &api,
        books: &books,
        policy: &policy,
        config_path: dir.path(),
    };
    let long_ago = now() - SAFE_WINDOW_SECS - 6 * 60;

    // A: an earlier run's upload reached Qonto, then the answer was lost and the run stopped.
    let done = &missing[0];
    let target_a = target(&books, &done.id).await.unwrap();
    let key = idempotency_key().unwrap();
    let file = dir.path().join("a.pdf");
    std::fs::write(&file, pdf(1)).unwrap();
    api.upload_receipt(&target_a.org_id, &done.id, "a.pdf", &pdf(1), &key)
        .await
        .unwrap();
    // Qonto's memory of the key is gone (31 minutes on its clock).
    sb.advance_clock(Duration::from_secs(31 * 60));
    let planned = NewWrite {
        org_id: target_a.org_id.clone(),
        source: Some(file.display().to_string()),
        kind: WriteKind::Attach,
        target: done.id.clone(),
        subject: "a.pdf".into(),
        file_sha256: Some(sha(&pdf(1))),
        file_size: Some(pdf(1).len() as u64),
        before_ids: vec![],
        idempotency_key: key.clone(),
        previous: None,
    };
    let id_a = books
        .write(move |b| b.plan_write(&planned, long_ago))
        .await
        .unwrap()
        .unwrap();
    books
        .write(move |b| b.write_sending(id_a, long_ago))
        .await
        .unwrap()
        .unwrap();

    // B: an earlier run sent nothing Qonto kept.
    let lost = &missing[1];
    let target_b = target(&books, &lost.id).await.unwrap();
    let file_b = dir.path().join("b.pdf");
    std::fs::write(&file_b, pdf(2)).unwrap();
    let old_key = idempotency_key().unwrap();
    let planned = NewWrite {
        org_id: target_b.org_id.clone(),
        source: Some(file_b.display().to_string()),
        kind: WriteKind::Attach,
        target: lost.id.clone(),
        subject: "b.pdf".into(),
        file_sha256: Some(sha(&pdf(2))),
        file_size: Some(pdf(2).len() as u64),
        before_ids: vec![],
        idempotency_key: old_key.clone(),
        previous: None,
    };
    let id_b = books
        .write(move |b| b.plan_write(&planned, long_ago))
        .await
        .unwrap()
        .unwrap();
    books
        .write(move |b| b.write_sending(id_b, long_ago))
        .await
        .unwrap()
        .unwrap();

    let finished = receipts.finish_unfinished().await.unwrap();
    assert_eq!(finished.len(), 2);
    for (write, result) in &finished {
        assert_eq!(
            result.as_ref().unwrap().state,
            WriteState::Confirmed,
            "write #{}",
            write.id
        );
    }
    assert_eq!(
        sb.uploads_of(&done.id).len(),
        1,
        "what Qonto did was not sent again"
    );
    assert_eq!(
        sb.upload_keys(&done.id),
        vec![key],
        "no second request at all"
    );
    assert_eq!(
        sb.uploads_of(&lost.id).len(),
        1,
        "what Qonto never got was sent once"
    );
    let keys = sb.upload_keys(&lost.id);
    assert_eq!(keys.len(), 1);
    assert_ne!(
        keys[0], old_key,
        "under a new key, the old one no longer protecting it"
    );
    books.close().await;
}

fn sha(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
