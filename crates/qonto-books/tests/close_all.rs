//! `close_all` in a process of its own (it ends every database of the process for good): every
//! open database is closed and its threads joined, and none opens after it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use qonto_books::{BooksError, BooksHandle, close_all};

#[tokio::test]
async fn close_all_ends_every_open_database_and_no_other_opens_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = qonto_client::secret::Secret::new("0f".repeat(32));
    let on_disk = BooksHandle::open_async(dir.path().join("c.db"), key.clone(), true)
        .await
        .unwrap()
        .books;
    let in_memory = BooksHandle::in_memory().unwrap();
    let names = on_disk
        .read(|_| std::thread::current().name().map(str::to_string))
        .await
        .unwrap();
    assert_eq!(names.as_deref(), Some("books-reader"));

    close_all();
    for books in [&on_disk, &in_memory] {
        let after = books.read(|b| b.organization_ids().map(|o| o.len())).await;
        assert!(matches!(after, Err(BooksError::Closed)), "{after:?}");
        let after = books.write(|b| b.organization_ids().map(|o| o.len())).await;
        assert!(matches!(after, Err(BooksError::Closed)), "{after:?}");
    }
    // The process is ending: a database asked for now is refused, not left running.
    assert!(matches!(BooksHandle::in_memory(), Err(BooksError::Closed)));
    let late = BooksHandle::open_async(dir.path().join("d.db"), key, false).await;
    assert!(matches!(late, Err(BooksError::Closed)));
}
