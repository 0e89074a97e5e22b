//! SQL the cash view's sums are kept with (schema 15), as macros so that the migration's
//! triggers and the Rust that works the sums out again share one text.

/// SQL that compacts an IBAN as [`crate::cash::compact`] does: ASCII white space taken out,
/// ASCII letters upper-cased (SQLite's `upper` folds ASCII only).
macro_rules! compact_sql {
    ($($column:tt)+) => {
        concat!(
            "upper(replace(replace(replace(replace(replace(",
            $($column)+,
            ", ' ', ''), char(9), ''), char(10), ''), char(12), ''), char(13), ''))"
        )
    };
}

/// A table of the cash view's sums, per organization, `$period` and currency.
macro_rules! cash_sums_table {
    ($table:literal, $period:literal) => {
        concat!(
            "CREATE TABLE ",
            $table,
            " (
        org_id TEXT NOT NULL,
        ",
            $period,
            " TEXT NOT NULL,
        currency TEXT NOT NULL,
        -- Signed cents of what settled, own transfers included: they move the balance.
        settled_net INTEGER NOT NULL,
        -- Credits and debits (positive), own transfers left out, pending ones in.
        in_cents INTEGER NOT NULL,
        out_cents INTEGER NOT NULL,
        internal_count INTEGER NOT NULL,
        internal_cents INTEGER NOT NULL,
        PRIMARY KEY (org_id, ",
            $period,
            ", currency)
    ) WITHOUT ROWID;
    "
        )
    };
}

/// The end of an upsert into a table of sums: what is inserted is added to a group already
/// there (`cash_delta!`'s triggers and a batch's new rows, `cash_add`).
macro_rules! cash_sums_added {
    () => {
        "ON CONFLICT DO UPDATE SET settled_net = settled_net + excluded.settled_net,
            in_cents = in_cents + excluded.in_cents, out_cents = out_cents + excluded.out_cents,
            internal_count = internal_count + excluded.internal_count,
            internal_cents = internal_cents + excluded.internal_cents"
    };
}

/// Adds `$row` (`new` or `old`) times `$sign` to `$table`'s sums, keyed by its organization's
/// id (`$org`, SQL) and the first `$len` characters of its date; a declined transaction, or one
/// without an amount or a date, adds nothing (the cash view never counted them).
macro_rules! cash_delta {
    ($table:literal, $period:literal, $len:literal, $row:literal, $sign:literal, $org:expr) => {
        concat!(
            "INSERT INTO ",
            $table,
            " (org_id, ",
            $period,
            ", currency, settled_net, in_cents,
            out_cents, internal_count, internal_cents)
        SELECT ",
            $org,
            ", substr(",
            $row,
            ".sort_at, 1, ",
            $len,
            "),
            coalesce(",
            $row,
            ".currency, 'EUR'),
            ",
            $sign,
            " * CASE WHEN ",
            $row,
            ".status IS NOT 'completed' THEN 0
                WHEN ",
            $row,
            ".side IS 'credit' THEN abs(",
            $row,
            ".amount_cents)
                ELSE -abs(",
            $row,
            ".amount_cents) END,
            ",
            $sign,
            " * CASE WHEN own = 0 AND ",
            $row,
            ".side IS 'credit'
                THEN abs(",
            $row,
            ".amount_cents) ELSE 0 END,
            ",
            $sign,
            " * CASE WHEN own = 0 AND ",
            $row,
            ".side IS NOT 'credit'
                THEN abs(",
            $row,
            ".amount_cents) ELSE 0 END,
            ",
            $sign,
            " * own,
            ",
            $sign,
            " * own * abs(",
            $row,
            ".amount_cents)
        FROM (SELECT EXISTS (SELECT 1 FROM own_ibans WHERE iban = ",
            compact_sql!($row, ".counterparty_iban"),
            ") AS own)
        WHERE ",
            $row,
            ".status IS NOT 'declined' AND ",
            $row,
            ".amount_cents IS NOT NULL
            AND ",
            $row,
            ".sort_at IS NOT NULL
        ",
            cash_sums_added!(),
            ";
        "
        )
    };
}

/// The sums of the rows that pass `$rows` (and count: not declined, with an amount and a
/// date), per organization, period (the first `$len` characters of the date) and currency:
/// what `cash_delta!` adds row by row, added up.
macro_rules! cash_sums_of {
    ($len:literal, $rows:literal) => {
        concat!(
            "SELECT ",
            id_of!("org_key"),
            ", period, currency, settled_net, in_cents, out_cents, internal_count,
        internal_cents
    FROM (SELECT org_key, substr(sort_at, 1, ",
            $len,
            ") AS period, coalesce(currency, 'EUR') AS currency,
        sum(CASE WHEN status IS NOT 'completed' THEN 0
            WHEN side IS 'credit' THEN abs(amount_cents) ELSE -abs(amount_cents) END)
            AS settled_net,
        sum(CASE WHEN own = 0 AND side IS 'credit' THEN abs(amount_cents) ELSE 0 END)
            AS in_cents,
        sum(CASE WHEN own = 0 AND side IS NOT 'credit' THEN abs(amount_cents) ELSE 0 END)
            AS out_cents,
        sum(own) AS internal_count,
        sum(own * abs(amount_cents)) AS internal_cents
    FROM (SELECT org_key, sort_at, currency, status, side, amount_cents,
            EXISTS (SELECT 1 FROM own_ibans WHERE iban = ",
            compact_sql!("counterparty_iban"),
            ") AS own
        FROM transactions
        WHERE ",
            $rows,
            " AND status IS NOT 'declined' AND amount_cents IS NOT NULL
            AND sort_at IS NOT NULL)
    GROUP BY 1, 2, 3)
    WHERE true"
        )
    };
}

/// Works every sum out again from the rows: after the user's own IBANs changed (a transfer
/// once paid to a stranger is now between their own accounts), or on rows stored before
/// schema 15.
pub(crate) const CASH_REBUILD: &str = concat!(
    "DELETE FROM cash_days;
    DELETE FROM cash_months;
    INSERT INTO cash_days (org_id, day, currency, settled_net, in_cents, out_cents,
        internal_count, internal_cents)
    ",
    cash_sums_of!("10", "true"),
    ";
    INSERT INTO cash_months (org_id, month, currency, settled_net, in_cents, out_cents,
        internal_count, internal_cents)
    SELECT org_id, substr(day, 1, 7), currency, sum(settled_net), sum(in_cents),
        sum(out_cents), sum(internal_count), sum(internal_cents)
    FROM cash_days GROUP BY 1, 2, 3;
    UPDATE cash_state SET stale = 0;"
);

/// The books' account IBANs of one organization (`?1`), compacted, into `own_ibans`.
pub(crate) const NOTE_OWN_IBANS: &str = concat!(
    "INSERT OR IGNORE INTO own_ibans (iban, org_id) SELECT ",
    compact_sql!("iban"),
    ", org_id FROM accounts WHERE org_id = ?1 AND iban IS NOT NULL"
);
