//! The local database's schema, one migration per version (`PRAGMA user_version`), applied in
//! order inside a transaction, so a database is always at one known version.

use rusqlite::Connection;

/// Each entry takes the database from version `index` to `index + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: organizations, accounts, transactions with a full-text index, and sync progress.
    r#"
    CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        legal_name TEXT,
        membership_role TEXT,
        via TEXT NOT NULL,
        synced_at INTEGER
    );
    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        name TEXT,
        iban TEXT,
        currency TEXT,
        balance_cents INTEGER,
        authorized_balance_cents INTEGER,
        status TEXT,
        main INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX accounts_by_org ON accounts(org_id);
    CREATE TABLE transactions (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        amount_cents INTEGER,
        currency TEXT,
        side TEXT,
        status TEXT,
        operation_type TEXT,
        counterparty TEXT,
        label TEXT,
        reference TEXT,
        note TEXT,
        category TEXT,
        emitted_at TEXT,
        settled_at TEXT,
        updated_at TEXT,
        -- settled_at, else emitted_at (pending): the list's order.
        sort_at TEXT
    );
    CREATE INDEX transactions_by_account ON transactions(account_id, sort_at DESC, id);
    CREATE INDEX transactions_by_org ON transactions(org_id);
    CREATE VIRTUAL TABLE transactions_text USING fts5(
        counterparty, label, reference, note,
        content = 'transactions', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER transactions_text_insert AFTER INSERT ON transactions BEGIN
        INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
        VALUES (new.rowid, new.counterparty, new.label, new.reference, new.note);
    END;
    CREATE TRIGGER transactions_text_delete AFTER DELETE ON transactions BEGIN
        INSERT INTO transactions_text(transactions_text, rowid, counterparty, label, reference, note)
        VALUES ('delete', old.rowid, old.counterparty, old.label, old.reference, old.note);
    END;
    CREATE TRIGGER transactions_text_update AFTER UPDATE ON transactions BEGIN
        INSERT INTO transactions_text(transactions_text, rowid, counterparty, label, reference, note)
        VALUES ('delete', old.rowid, old.counterparty, old.label, old.reference, old.note);
        INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
        VALUES (new.rowid, new.counterparty, new.label, new.reference, new.note);
    END;
    CREATE TABLE sync_state (
        account_id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        -- The next page of the newest-first backfill; NULL once it reached the end.
        backfill_next_page INTEGER,
        -- The newest updated_at seen: incremental sync asks from a little before it.
        newest_updated_at TEXT,
        synced_at INTEGER
    );
    "#,
    // 2: memberships and labels, so the Members and Labels tabs have something offline too.
    r#"
    CREATE TABLE memberships (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        first_name TEXT,
        last_name TEXT,
        role TEXT,
        status TEXT
    );
    CREATE INDEX memberships_by_org ON memberships(org_id);
    CREATE TABLE labels (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        name TEXT,
        parent_id TEXT
    );
    CREATE INDEX labels_by_org ON labels(org_id);
    "#,
    // 3: what a bookkeeper checks and searches by: labels, receipts, VAT, card, initiator,
    // foreign amounts, the counterparty's account.
    r#"
    ALTER TABLE transactions ADD COLUMN label_ids TEXT;
    ALTER TABLE transactions ADD COLUMN attachment_ids TEXT;
    ALTER TABLE transactions ADD COLUMN attachment_required INTEGER;
    ALTER TABLE transactions ADD COLUMN attachment_lost INTEGER;
    -- A receipt is required and none is attached nor declared lost (worked out on write).
    ALTER TABLE transactions ADD COLUMN missing_receipt INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE transactions ADD COLUMN vat_amount_cents INTEGER;
    ALTER TABLE transactions ADD COLUMN vat_rate REAL;
    ALTER TABLE transactions ADD COLUMN local_amount_cents INTEGER;
    ALTER TABLE transactions ADD COLUMN local_currency TEXT;
    ALTER TABLE transactions ADD COLUMN card_last_digits TEXT;
    ALTER TABLE transactions ADD COLUMN initiator_id TEXT;
    ALTER TABLE transactions ADD COLUMN subject_type TEXT;
    ALTER TABLE transactions ADD COLUMN settled_balance_cents INTEGER;
    ALTER TABLE transactions ADD COLUMN counterparty_iban TEXT;
    ALTER TABLE transactions ADD COLUMN counterparty_bic TEXT;
    CREATE INDEX transactions_missing_receipt ON transactions(org_id, sort_at)
        WHERE missing_receipt = 1;
    CREATE INDEX transactions_by_date ON transactions(sort_at);
    -- Lists page on (sort_at, id) from the last row shown, both descending.
    DROP INDEX transactions_by_account;
    CREATE INDEX transactions_by_account ON transactions(account_id, sort_at DESC, id DESC);
    -- Rows stored before lack these fields: every account is backfilled again.
    UPDATE sync_state SET backfill_next_page = 1;
    "#,
    // 4: the full-text index keeps the first 2, 3 and 4 letters of each word too, so that a
    // word being typed (a prefix of a frequent one) is looked up, not merged from every word
    // it begins.
    r#"
    DROP TRIGGER transactions_text_insert;
    DROP TRIGGER transactions_text_delete;
    DROP TRIGGER transactions_text_update;
    DROP TABLE transactions_text;
    CREATE VIRTUAL TABLE transactions_text USING fts5(
        counterparty, label, reference, note,
        content = 'transactions', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3 4'
    );
    CREATE TRIGGER transactions_text_insert AFTER INSERT ON transactions BEGIN
        INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
        VALUES (new.rowid, new.counterparty, new.label, new.reference, new.note);
    END;
    CREATE TRIGGER transactions_text_delete AFTER DELETE ON transactions BEGIN
        INSERT INTO transactions_text(transactions_text, rowid, counterparty, label, reference, note)
        VALUES ('delete', old.rowid, old.counterparty, old.label, old.reference, old.note);
    END;
    CREATE TRIGGER transactions_text_update AFTER UPDATE ON transactions BEGIN
        INSERT INTO transactions_text(transactions_text, rowid, counterparty, label, reference, note)
        VALUES ('delete', old.rowid, old.counterparty, old.label, old.reference, old.note);
        INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
        VALUES (new.rowid, new.counterparty, new.label, new.reference, new.note);
    END;
    INSERT INTO transactions_text(transactions_text) VALUES ('rebuild');
    -- Searches list newest first across every account: walked in that order, a search stops
    -- at its last result instead of fetching and sorting every match.
    DROP INDEX transactions_by_date;
    CREATE INDEX transactions_by_date ON transactions(sort_at DESC, id DESC);
    "#,
    // 5: a version the transactions' every change moves, so that what a reader keeps of them
    // (a search's word matches) is dropped when they change, and only then (a sync pass
    // noting organizations or balances leaves it alone).
    r#"
    CREATE TABLE changes (what TEXT PRIMARY KEY, version INTEGER NOT NULL);
    INSERT INTO changes VALUES ('transactions', 0);
    CREATE TRIGGER transactions_changed_insert AFTER INSERT ON transactions BEGIN
        UPDATE changes SET version = version + 1 WHERE what = 'transactions';
    END;
    CREATE TRIGGER transactions_changed_update AFTER UPDATE ON transactions BEGIN
        UPDATE changes SET version = version + 1 WHERE what = 'transactions';
    END;
    CREATE TRIGGER transactions_changed_delete AFTER DELETE ON transactions BEGIN
        UPDATE changes SET version = version + 1 WHERE what = 'transactions';
    END;
    "#,
    // 6: the VAT lines of a split bill (`includes[]=vat_details`), as JSON; `[]` for none, so
    // NULL marks a row stored before, which the next pass writes again. Every account is
    // backfilled again to fetch them, and the cash-flow category and subcategory (names).
    r#"
    ALTER TABLE transactions ADD COLUMN vat_lines TEXT;
    ALTER TABLE transactions ADD COLUMN cashflow_category TEXT;
    ALTER TABLE transactions ADD COLUMN cashflow_subcategory TEXT;
    UPDATE sync_state SET backfill_next_page = 1;
    "#,
    // 7: the journal of writes to Qonto, each recorded before it is sent: what, to which
    // transaction of which organization, the file's digest, the idempotency key every attempt
    // reuses, and how far it came. Times are Unix seconds.
    r#"
    CREATE TABLE writes (
        id INTEGER PRIMARY KEY,
        org_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        subject TEXT,
        source TEXT,
        file_sha256 TEXT,
        file_size INTEGER,
        idempotency_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        before_ids TEXT NOT NULL DEFAULT '[]',
        result TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX writes_unfinished ON writes(state) WHERE state IN ('planned', 'sent', 'accepted');
    "#,
    // 8: the text read from each receipt file, by the file's SHA-256: OCR takes seconds a page,
    // so a file is read once.
    r#"
    CREATE TABLE receipt_texts (
        sha256 TEXT PRIMARY KEY,
        method TEXT NOT NULL,
        text TEXT NOT NULL,
        read_at INTEGER NOT NULL
    );
    "#,
    // 9: each organization's cash-flow categories as Qonto last listed them (a category, or a
    // subcategory under `parent_id`), and, on a write that changes categories, what each
    // transaction carried before (JSON), so it can be put back.
    r#"
    CREATE TABLE cashflow_categories (
        org_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        parent_id TEXT,
        inflow INTEGER NOT NULL,
        vat_rate TEXT,
        position INTEGER NOT NULL,
        PRIMARY KEY (org_id, id)
    );
    ALTER TABLE writes ADD COLUMN previous TEXT;
    "#,
    // 10: what waits for a decision, kept like the rest: each organization's requests and
    // supplier invoices as Qonto last listed them (the client's reading of each, as JSON).
    r#"
    CREATE TABLE review_items (
        org_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, kind, id)
    );
    "#,
    // 11: the searches a person ran, newest first, for ↑ in the search and the palette.
    r#"
    CREATE TABLE search_history (
        query TEXT PRIMARY KEY,
        used_at INTEGER NOT NULL
    );
    "#,
    // 12: the full-text index without its 2-, 3- and 4-letter prefix indexes (schema 4): they
    // took a third of the file and most of each write, and the search's word matches, kept
    // between keystrokes, answer a word being typed as fast without them.
    r#"
    DROP TRIGGER transactions_text_insert;
    DROP TRIGGER transactions_text_delete;
    DROP TRIGGER transactions_text_update;
    DROP TABLE transactions_text;
    CREATE VIRTUAL TABLE transactions_text USING fts5(
        counterparty, label, reference, note,
        content = 'transactions', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER transactions_text_insert AFTER INSERT ON transactions BEGIN
        INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
        VALUES (new.rowid, new.counterparty, new.label, new.reference, new.note);
    END;
    CREATE TRIGGER transactions_text_delete AFTER DELETE ON transactions BEGIN
        INSERT INTO transactions_text(transactions_text, rowid, counterparty, label, reference, note)
        VALUES ('delete', old.rowid, old.counterparty, old.label, old.reference, old.note);
    END;
    CREATE TRIGGER transactions_text_update AFTER UPDATE ON transactions BEGIN
        INSERT INTO transactions_text(transactions_text, rowid, counterparty, label, reference, note)
        VALUES ('delete', old.rowid, old.counterparty, old.label, old.reference, old.note);
        INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
        VALUES (new.rowid, new.counterparty, new.label, new.reference, new.note);
    END;
    INSERT INTO transactions_text(transactions_text) VALUES ('rebuild');
    "#,
    // 13: an organization's transactions by date: the cash view and the month-end board read
    // one organization's months, and with `(org_id)` alone SQLite read every row of it to
    // keep those (the board's month took 147 ms over 200,000 stored).
    r#"
    DROP INDEX transactions_by_org;
    CREATE INDEX transactions_by_org ON transactions(org_id, sort_at DESC);
    "#,
    // 14: the transactions missing a receipt, newest first: `missing:receipt` with another
    // filter that few of them pass (`>1000`) walked the whole date index to find its page
    // (2.2 s over 1,000,000 stored); this walks only the rows missing one. And the largest
    // first: `sort:amount` sorted every match (1.4 to 2.2 s for `side:credit sort:amount`);
    // the amounts of 1,000 or more, by size, fill its page. (An index of every amount cost a
    // third more time to write a million rows: 90 → 122 s.)
    r#"
    CREATE INDEX transactions_missing_by_date ON transactions(sort_at DESC, id DESC)
        WHERE missing_receipt = 1;
    CREATE INDEX transactions_large ON transactions(abs(amount_cents) DESC)
        WHERE abs(amount_cents) >= 100000;
    "#,
    // 15: the cash view's sums, kept as the rows are written (it read a year of rows of every
    // organization: 2.4 s over 5,000,000 stored). Per organization, day (and month) and
    // currency: what settled (every transaction, for the balance worked back), money in and
    // out with transfers between the user's own accounts left out, and those transfers apart.
    // Whether a transfer is the user's own is decided when the row is written, against
    // `own_ibans` (the books' account IBANs, compacted as `cash::compact` does); when that set
    // changes after rows were written, `cash_state.stale` says so until the sums are worked
    // out again from every row (`Books::bring_cash_up_to_date`).
    concat!(
        r#"
    CREATE TABLE own_ibans (
        iban TEXT NOT NULL,
        org_id TEXT NOT NULL,
        PRIMARY KEY (iban, org_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO own_ibans (iban, org_id)
        SELECT "#,
        compact_sql!("iban"),
        r#", org_id FROM accounts WHERE iban IS NOT NULL;
    CREATE TABLE cash_state (id INTEGER PRIMARY KEY CHECK (id = 1), stale INTEGER NOT NULL);
    -- Rows already stored are summed by the first sync pass to end (stale until then).
    INSERT INTO cash_state SELECT 1, EXISTS (SELECT 1 FROM transactions);
    "#,
        cash_sums_table!("cash_days", "day"),
        cash_sums_table!("cash_months", "month"),
        r#"
    CREATE TRIGGER transactions_cash_insert AFTER INSERT ON transactions BEGIN
    "#,
        cash_delta!("cash_days", "day", "10", "new", "1", "new.org_id"),
        cash_delta!("cash_months", "month", "7", "new", "1", "new.org_id"),
        r#"
    END;
    CREATE TRIGGER transactions_cash_delete AFTER DELETE ON transactions BEGIN
    "#,
        cash_delta!("cash_days", "day", "10", "old", "-1", "old.org_id"),
        cash_delta!("cash_months", "month", "7", "old", "-1", "old.org_id"),
        r#"
    END;
    CREATE TRIGGER transactions_cash_update AFTER UPDATE OF org_id, amount_cents, currency,
        side, status, sort_at, counterparty_iban ON transactions
    WHEN old.org_id IS NOT new.org_id OR old.amount_cents IS NOT new.amount_cents
        OR old.currency IS NOT new.currency OR old.side IS NOT new.side
        OR old.status IS NOT new.status OR old.sort_at IS NOT new.sort_at
        OR old.counterparty_iban IS NOT new.counterparty_iban
    BEGIN
    "#,
        cash_delta!("cash_days", "day", "10", "old", "-1", "old.org_id"),
        cash_delta!("cash_months", "month", "7", "old", "-1", "old.org_id"),
        cash_delta!("cash_days", "day", "10", "new", "1", "new.org_id"),
        cash_delta!("cash_months", "month", "7", "new", "1", "new.org_id"),
        r#"
    END;
    "#
    ),
    // 16: new rows' full-text entries are written once their batch is in (`new_rows`):
    // through this trigger FTS5 wrote a segment per row.
    r#"
    DROP TRIGGER transactions_text_insert;
    "#,
    // 17: and what they add to the cash sums, added up per organization, day and currency
    // first: this trigger made two upserts of sums per row.
    r#"
    DROP TRIGGER transactions_cash_insert;
    "#,
    // 18: and the version the transactions' changes move (schema 5) is moved once for them:
    // with this trigger a new row's insert wrote two tables, and SQLite kept a statement
    // journal for it, copying every page it touched again.
    r#"
    DROP TRIGGER transactions_changed_insert;
    "#,
    // 19: the walks down every account's dates without the id after the date, which took 42 of
    // their 79 bytes a transaction: a search walks them for its page, and sorts the rows of one
    // instant by id itself (over 200,000 stored, a page of 51: 5 µs → 21 to 32 µs; a walk
    // through every row for a rare match, 28 to 42 ms either way). An account's list keeps the
    // id in its index: paging 20,000 rows deep by offset took 6.7 ms with it, 30.8 ms without.
    r#"
    DROP INDEX transactions_by_date;
    CREATE INDEX transactions_by_date ON transactions(sort_at DESC);
    DROP INDEX transactions_missing_by_date;
    CREATE INDEX transactions_missing_by_date ON transactions(sort_at DESC)
        WHERE missing_receipt = 1;
    "#,
    // 20: keys for the organizations' and accounts' ids, and the date the lists sort by worked
    // out when read, not stored (`schema_keys`).
    crate::schema_keys::MIGRATION,
    // 21: the index by id holds a 64-bit hash of each id, not the 36-character id (`id_hash`):
    // a backfill's every commit rewrote nearly all of that index's pages.
    crate::id_hash::MIGRATION,
];

/// The version this build writes.
pub const CURRENT: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the local database is from a newer qonto-tui (schema {found}, this one knows {CURRENT})"
    )]
    Newer { found: u32 },
    /// Read as it stands (by a command that only reads), and not at this qonto-tui's version.
    #[error(
        "the local database is at schema {found}, this qonto-tui reads {CURRENT}: run `qonto-tui sync` (or start the TUI) to bring it up to date"
    )]
    Other { found: u32 },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Brings the database to [`CURRENT`], one version at a time.
pub fn migrate(db: &mut Connection) -> Result<u32, SchemaError> {
    // Schema 21's index is made of it, and every write to the transactions keeps it.
    crate::id_hash::install(db)?;
    let found: u32 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > CURRENT {
        return Err(SchemaError::Newer { found });
    }
    let mut version = found;
    while (version as usize) < MIGRATIONS.len() {
        // Each step under the exclusive lock, with the version read again inside it: two
        // copies of the app creating the database at once take turns, and the second finds
        // the step done ("table organizations already exists" otherwise).
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        let now: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if let Some(step) = MIGRATIONS.get(now as usize) {
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", now + 1)?;
        }
        tx.commit()?;
        version = now + 1;
    }
    if found > 0 && found < REWRITES_EVERY_ROW {
        // Schema 20 wrote every transaction again: the old rows' pages are free but still in
        // the file (over 5,000,000 stored, 414 bytes a transaction of the 868). Given back
        // once; if another copy of the app holds the file, they are reused by later writes.
        if let Err(e) = db.execute_batch("VACUUM") {
            tracing::warn!("the local copy was not compacted after its update: {e}");
        }
    }
    Ok(found)
}

/// A database from before this version had its every transaction written again on the way.
const REWRITES_EVERY_ROW: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_from_nothing_once_and_refuses_a_newer_schema() {
        let mut db = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut db).unwrap(), 0);
        assert_eq!(migrate(&mut db).unwrap(), CURRENT);
        let version: u32 = db
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, CURRENT);
        db.pragma_update(None, "user_version", CURRENT + 1).unwrap();
        assert!(matches!(migrate(&mut db), Err(SchemaError::Newer { .. })));
    }

    #[test]
    fn a_version_1_database_keeps_its_rows_on_the_way_to_the_current_one() {
        let mut db = Connection::open_in_memory().unwrap();
        db.execute_batch(MIGRATIONS[0]).unwrap();
        db.pragma_update(None, "user_version", 1).unwrap();
        db.execute(
            "INSERT INTO transactions (id, org_id, account_id, counterparty) VALUES ('t', 'o', 'a', 'URSSAF')",
            [],
        )
        .unwrap();
        db.execute(
            "INSERT INTO sync_state (account_id, org_id, backfill_next_page) VALUES ('a', 'o', NULL)",
            [],
        )
        .unwrap();
        assert_eq!(migrate(&mut db).unwrap(), 1);
        // Rows from before version 3 lack its fields: the account is backfilled again.
        let next: Option<i64> = db
            .query_row("SELECT backfill_next_page FROM sync_state", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(next, Some(1));
        let kept: String = db
            .query_row(
                "SELECT counterparty FROM transactions WHERE id = 't'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, "URSSAF");
        let found: i64 = db
            .query_row(
                "SELECT count(*) FROM transactions_text WHERE transactions_text MATCH 'urssaf'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1);
        db.execute(
            "INSERT INTO labels (id, org_id, name) VALUES ('l', 'o', 'Travel')",
            [],
        )
        .unwrap();
    }
}
