//! Connections to the books opened under their key, and which page check the file uses.
//!
//! SQLCipher encrypts each page with AES-256 and checks it with an HMAC, SHA-512 by default in
//! version 4. Books made from now on use HMAC-SHA256: as sound for a page's integrity, and with
//! the SHA extensions of current x86 and ARM processors twice as fast (`openssl speed -bytes
//! 4096` here: 1.70 GB/s against 0.83 GB/s). The writer hashes every page it writes and every
//! page it reads back in; in the backfill benchmark the crypto library was 22 % of the writer's
//! samples, and the writer is what the end of a backfill waits on.
//!
//! A file does not say which HMAC it was made with: a connection is opened as books of the new
//! kind first, and, if the first read finds the page unreadable that way, as books made before
//! (SQLCipher's default). A wrong key fails both, as it did before.

use std::ffi::OsStr;
use std::time::Duration;

use qonto_client::secret::Secret;
use rusqlite::{Connection, OpenFlags};

/// The HMAC a books file checks its pages with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageCheck {
    /// Books made from now on.
    Sha256,
    /// Books made before: SQLCipher 4's default.
    Sha512,
}

/// `name` opened with `flags` under `key` and proven by a first read (SQLCipher only checks a
/// key then), with `busy` as its busy timeout: as books checked with HMAC-SHA256, else as books
/// made before.
pub(crate) fn open(
    name: &OsStr,
    flags: OpenFlags,
    key: &Secret,
    busy: Duration,
) -> rusqlite::Result<Connection> {
    match open_as(name, flags, key, busy, PageCheck::Sha256) {
        Err(e) if crate::unreadable(&e) => open_as(name, flags, key, busy, PageCheck::Sha512),
        other => other,
    }
}

/// `name` opened under `key`, its pages checked with `check`, and proven by a first read.
pub(crate) fn open_as(
    name: &OsStr,
    flags: OpenFlags,
    key: &Secret,
    busy: Duration,
    check: PageCheck,
) -> rusqlite::Result<Connection> {
    let db = Connection::open_with_flags(name, flags)?;
    apply_key(&db, key, check)?;
    db.busy_timeout(busy)?;
    db.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
    crate::id_hash::install(&db)?;
    Ok(db)
}

fn apply_key(db: &Connection, key: &Secret, check: PageCheck) -> rusqlite::Result<()> {
    // A raw 256-bit key (no passphrase derivation); the hex never reaches a log.
    let hex = key.expose();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(rusqlite::Error::InvalidParameterName(
            "the database key is not 64 hex digits".into(),
        ));
    }
    // SQLCipher writes its errors (a wrong key) to stderr by default: under the TUI they would
    // land on the screen. The failure itself comes back as an error.
    db.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    db.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))?;
    // Set after the key and before the first read, as SQLCipher asks.
    if check == PageCheck::Sha256 {
        db.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Books;

    const FLAGS: OpenFlags = OpenFlags::SQLITE_OPEN_READ_WRITE
        .union(OpenFlags::SQLITE_OPEN_CREATE)
        .union(OpenFlags::SQLITE_OPEN_NO_MUTEX);
    const BUSY: Duration = Duration::from_secs(1);

    fn key() -> Secret {
        Secret::new("ab".repeat(32))
    }

    fn org(id: &str) -> qonto_client::api::models::UserOrganization {
        serde_json::from_value(serde_json::json!({"id": id, "name": id})).unwrap()
    }

    fn names(books: &Books) -> Vec<String> {
        books
            .organizations()
            .unwrap()
            .into_iter()
            .map(|(o, _)| o.id)
            .collect()
    }

    #[test]
    fn new_books_check_their_pages_with_hmac_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.db");
        let opened = Books::open(&path, &key()).unwrap();
        assert!(opened.set_aside.is_none());
        opened.books.put_organization(&org("org-a"), 1).unwrap();
        drop(opened);

        let path = path.as_os_str();
        let sha256 = open_as(path, FLAGS, &key(), BUSY, PageCheck::Sha256);
        assert!(sha256.is_ok(), "{sha256:?}");
        let sha512 = open_as(path, FLAGS, &key(), BUSY, PageCheck::Sha512);
        assert!(
            sha512.as_ref().is_err_and(crate::unreadable),
            "read with the old check: {sha512:?}"
        );
    }

    #[test]
    fn books_made_with_hmac_sha512_are_still_read_and_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.db");
        {
            // As the books were made before: SQLCipher's default check, the schema, a row.
            let mut db = open_as(path.as_os_str(), FLAGS, &key(), BUSY, PageCheck::Sha512).unwrap();
            db.pragma_update(None, "journal_mode", "WAL").unwrap();
            crate::schema::migrate(&mut db).unwrap();
            db.execute(
                "INSERT INTO organizations (id, name, via) VALUES ('org-old', 'Old', 'user')",
                [],
            )
            .unwrap();
        }
        let opened = Books::open(&path, &key()).unwrap();
        assert!(opened.set_aside.is_none(), "not set aside as unreadable");
        let books = opened.books;
        assert_eq!(names(&books), ["org-old"]);
        books.put_organization(&org("org-new"), 1).unwrap();
        assert_eq!(
            names(&Books::reader_at(&path, &key()).unwrap()),
            ["org-old", "org-new"]
        );
        assert_eq!(
            names(&Books::open_to_read(&path, &key()).unwrap()),
            ["org-old", "org-new"]
        );
        drop(books);
        // Still the old kind: what was written since is checked as the file always was.
        let old = open_as(path.as_os_str(), FLAGS, &key(), BUSY, PageCheck::Sha512);
        assert!(old.is_ok(), "{old:?}");
    }

    #[test]
    fn a_wrong_key_reads_neither_kind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.db");
        drop(Books::open(&path, &key()).unwrap());
        let wrong = Secret::new("cd".repeat(32));
        let got = open(path.as_os_str(), FLAGS, &wrong, BUSY);
        assert!(got.as_ref().is_err_and(crate::unreadable), "{got:?}");
    }
}
