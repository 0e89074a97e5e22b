//! Schema 20: the transactions written again with keys for their organization and account
//! (`id_keys`), and `sort_at` worked out from the dates when read instead of stored.

/// The transactions' columns after the ids (schema 20's order), as the migration copies them.
macro_rules! transaction_fields {
    () => {
        "amount_cents, currency, side, status, operation_type, counterparty, label,
        reference, note, category, emitted_at, settled_at, updated_at, label_ids,
        attachment_ids, attachment_required, attachment_lost, missing_receipt,
        vat_amount_cents, vat_rate, local_amount_cents, local_currency, card_last_digits,
        initiator_id, subject_type, settled_balance_cents, counterparty_iban, counterparty_bic,
        vat_lines, cashflow_category, cashflow_subcategory"
    };
}

/// `cash_delta!` for both the days' and the months' sums.
macro_rules! cash_delta_both {
    ($row:literal, $sign:literal, $org:expr) => {
        concat!(
            cash_delta!("cash_days", "day", "10", $row, $sign, $org),
            cash_delta!("cash_months", "month", "7", $row, $sign, $org)
        )
    };
}

/// Schema 20: the transactions written again with keys for their organization and account,
/// and `sort_at` worked out from the dates when read (a virtual column) instead of stored a
/// third time. Each row keeps its rowid, so the full-text index (external content, by rowid)
/// stays as it is. The id's unique index is built once the rows are in, in order, so its
/// pages are full.
pub(crate) const MIGRATION: &str = concat!(
    r#"
    CREATE TABLE id_keys (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
    INSERT OR IGNORE INTO id_keys (id) SELECT DISTINCT org_id FROM transactions;
    INSERT OR IGNORE INTO id_keys (id) SELECT DISTINCT account_id FROM transactions;
    CREATE TABLE transactions_keyed (
        id TEXT NOT NULL,
        org_key INTEGER NOT NULL,
        account_key INTEGER NOT NULL,
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
        label_ids TEXT,
        attachment_ids TEXT,
        attachment_required INTEGER,
        attachment_lost INTEGER,
        -- A receipt is required and none is attached nor declared lost (worked out on write).
        missing_receipt INTEGER NOT NULL DEFAULT 0,
        vat_amount_cents INTEGER,
        vat_rate REAL,
        local_amount_cents INTEGER,
        local_currency TEXT,
        card_last_digits TEXT,
        initiator_id TEXT,
        subject_type TEXT,
        settled_balance_cents INTEGER,
        counterparty_iban TEXT,
        counterparty_bic TEXT,
        vat_lines TEXT,
        cashflow_category TEXT,
        cashflow_subcategory TEXT,
        -- settled_at, else emitted_at (pending): the list's order.
        sort_at TEXT GENERATED ALWAYS AS (coalesce(settled_at, emitted_at)) VIRTUAL
    );
    INSERT INTO transactions_keyed (rowid, id, org_key, account_key, "#,
    transaction_fields!(),
    r#")
    SELECT t.rowid, t.id, o.key, a.key, "#,
    transaction_fields!(),
    r#"
    FROM transactions t JOIN id_keys o ON o.id = t.org_id JOIN id_keys a ON a.id = t.account_id
    ORDER BY t.rowid;
    DROP TABLE transactions;
    ALTER TABLE transactions_keyed RENAME TO transactions;
    CREATE UNIQUE INDEX transactions_by_id ON transactions(id);
    CREATE INDEX transactions_by_account ON transactions(account_key, sort_at DESC, id DESC);
    CREATE INDEX transactions_by_org ON transactions(org_key, sort_at DESC);
    CREATE INDEX transactions_missing_receipt ON transactions(org_key, sort_at)
        WHERE missing_receipt = 1;
    CREATE INDEX transactions_by_date ON transactions(sort_at DESC);
    CREATE INDEX transactions_missing_by_date ON transactions(sort_at DESC)
        WHERE missing_receipt = 1;
    CREATE INDEX transactions_large ON transactions(abs(amount_cents) DESC)
        WHERE abs(amount_cents) >= 100000;
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
    CREATE TRIGGER transactions_changed_update AFTER UPDATE ON transactions BEGIN
        UPDATE changes SET version = version + 1 WHERE what = 'transactions';
    END;
    CREATE TRIGGER transactions_changed_delete AFTER DELETE ON transactions BEGIN
        UPDATE changes SET version = version + 1 WHERE what = 'transactions';
    END;
    CREATE TRIGGER transactions_cash_delete AFTER DELETE ON transactions BEGIN
    "#,
    cash_delta_both!("old", "-1", id_of!("old.org_key")),
    r#"
    END;
    -- The dates, not `sort_at`: an UPDATE names the columns it sets, never a generated one.
    CREATE TRIGGER transactions_cash_update AFTER UPDATE OF org_key, amount_cents, currency,
        side, status, emitted_at, settled_at, counterparty_iban ON transactions
    WHEN old.org_key IS NOT new.org_key OR old.amount_cents IS NOT new.amount_cents
        OR old.currency IS NOT new.currency OR old.side IS NOT new.side
        OR old.status IS NOT new.status OR old.sort_at IS NOT new.sort_at
        OR old.counterparty_iban IS NOT new.counterparty_iban
    BEGIN
    "#,
    cash_delta_both!("old", "-1", id_of!("old.org_key")),
    cash_delta_both!("new", "1", id_of!("new.org_key")),
    r#"
    END;
    "#
);

#[cfg(test)]
mod tests {
    use crate::Books;
    use rusqlite::Connection;

    /// The cash view's sums, one line each (those a row's removal brought to nothing left out,
    /// as the view leaves them).
    fn sums(db: &Connection) -> String {
        db.query_row(
            "SELECT group_concat(line, '; ') FROM (
                 SELECT org_id || ' ' || day || ' ' || currency || ' ' || settled_net || ' '
                     || in_cents || ' ' || out_cents || ' ' || internal_count AS line
                 FROM cash_days WHERE settled_net OR in_cents OR out_cents OR internal_count
                 UNION ALL
                 SELECT org_id || ' ' || month || ' ' || currency || ' ' || settled_net || ' '
                     || in_cents || ' ' || out_cents || ' ' || internal_count
                 FROM cash_months WHERE settled_net OR in_cents OR out_cents OR internal_count
                 ORDER BY 1)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn rows_stored_at_schema_19_keep_their_ids_dates_text_and_sums() {
        let mut db = Connection::open_in_memory().unwrap();
        for step in &crate::schema::MIGRATIONS[..19] {
            db.execute_batch(step).unwrap();
        }
        db.pragma_update(None, "user_version", 19).unwrap();
        // As schema 19 stored them: the ids as text, `sort_at` written.
        db.execute_batch(
            "INSERT INTO transactions (id, org_id, account_id, counterparty, amount_cents,
                 currency, side, status, emitted_at, settled_at, sort_at, counterparty_iban) VALUES
             ('t1', 'org-a', 'acc-1', 'URSSAF', 10000, 'EUR', 'debit', 'completed',
              '2026-10-01T09:00:00.000Z', '2026-10-02T10:00:00.000Z', '2026-10-02T10:00:00.000Z', NULL),
             ('t2', 'org-a', 'acc-2', 'Stripe', 5000, 'EUR', 'credit', 'pending',
              '2026-10-03T08:00:00.000Z', NULL, '2026-10-03T08:00:00.000Z', NULL),
             ('t3', 'org-b', 'acc-3', 'OVH', 2000, 'EUR', 'debit', 'completed',
              '2026-09-30T07:00:00.000Z', '2026-09-30T07:00:00.000Z', '2026-09-30T07:00:00.000Z',
              'FR76 0000');
             INSERT INTO transactions_text(rowid, counterparty, label, reference, note)
                 SELECT rowid, counterparty, label, reference, note FROM transactions;",
        )
        .unwrap();
        assert_eq!(crate::schema::migrate(&mut db).unwrap(), 19);
        db.execute_batch(crate::cash_sql::CASH_REBUILD).unwrap();
        let books = Books::over(db, None).unwrap();

        let page = books.transactions_page("acc-1", 0, 10).unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(
            (
                page[0].id.as_str(),
                page[0].org_id.as_str(),
                page[0].account_id.as_str()
            ),
            ("t1", "org-a", "acc-1")
        );
        let plan: String = books
            .db
            .query_row(
                concat!(
                    "EXPLAIN QUERY PLAN SELECT id FROM transactions WHERE account_key = ",
                    key_of!("'acc-1'"),
                    " ORDER BY sort_at DESC, id DESC"
                ),
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("transactions_by_account"), "{plan}");
        let order: Vec<(String, String)> = books
            .db
            .prepare("SELECT id, sort_at FROM transactions ORDER BY sort_at DESC")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let ids: Vec<&str> = order.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["t2", "t1", "t3"]);
        assert_eq!(order[1].1, "2026-10-02T10:00:00.000Z");
        let found = books.search_text(&["urss"], 10).unwrap();
        assert_eq!(
            found.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["t1"]
        );
        let missing = books.missing_receipts().unwrap();
        assert!(missing.is_empty(), "{missing:?}");

        // The triggers keep the sums by the organization's id as before: a row settled on
        // another day, and one deleted, leave them as working everything out again gives.
        let before = sums(&books.db);
        assert!(
            before.contains("org-b 2026-09-30 EUR -2000 0 2000 0"),
            "{before}"
        );
        books
            .db
            .execute_batch(
                "UPDATE transactions SET settled_at = '2026-10-05T07:00:00.000Z' WHERE id = 't3';
                 DELETE FROM transactions WHERE id = 't1';",
            )
            .unwrap();
        let kept = sums(&books.db);
        books
            .db
            .execute_batch(crate::cash_sql::CASH_REBUILD)
            .unwrap();
        assert_eq!(kept, sums(&books.db));
        assert!(
            kept.contains("org-b 2026-10-05 EUR -2000 0 2000 0"),
            "{kept}"
        );
        assert!(!kept.contains("org-a 2026-10-02"), "{kept}");
        assert!(!kept.contains("org-b 2026-09-30"), "{kept}");
    }
}
