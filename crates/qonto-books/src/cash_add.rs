//! What a batch's new rows add to the cash view's sums, added up in Rust from the values being
//! written, by the rules `cash_delta!` states in SQL, then one upsert per organization, day
//! (and month) and currency.
//!
//! Done in SQL (`cash_sums_of!` over the batch's rowids), each row was read back twice, its
//! IBAN compacted by five `replace`s and looked up, and the groups sorted: 23 % of the
//! writer's time in the backfill benchmark, as much as inserting the rows. `CASH_REBUILD`
//! still works the sums out in SQL from every row, and the tests hold the two to one answer.

use std::collections::{BTreeMap, BTreeSet};

use crate::BooksError;

/// The columns of a row the sums read, as written.
pub(crate) struct CashRow<'a> {
    pub(crate) org_id: &'a str,
    pub(crate) amount_cents: Option<i64>,
    pub(crate) currency: Option<&'a str>,
    pub(crate) side: Option<&'a str>,
    pub(crate) status: Option<&'a str>,
    pub(crate) emitted_at: Option<&'a str>,
    pub(crate) settled_at: Option<&'a str>,
    pub(crate) counterparty_iban: Option<&'a str>,
}

/// One group's sums (wide: a row's `abs` cannot overflow here; the total must fit SQLite's).
#[derive(Default, Clone, Copy)]
struct Sums {
    settled_net: i128,
    in_cents: i128,
    out_cents: i128,
    internal_count: i128,
    internal_cents: i128,
}

impl Sums {
    fn add(&mut self, other: Sums) {
        self.settled_net += other.settled_net;
        self.in_cents += other.in_cents;
        self.out_cents += other.out_cents;
        self.internal_count += other.internal_count;
        self.internal_cents += other.internal_cents;
    }
}

/// Rows added up per (organization, day, currency), not written yet.
#[derive(Default)]
pub(crate) struct CashAdd {
    days: BTreeMap<(String, String, String), Sums>,
    /// The user's own IBANs (`own_ibans`), read once a batch.
    own: Option<BTreeSet<String>>,
}

/// Adds a group's sums to `$table`'s, per organization, `$period` and currency.
macro_rules! upsert_sums {
    ($table:literal, $period:literal) => {
        concat!(
            "INSERT INTO ",
            $table,
            " (org_id, ",
            $period,
            ", currency, settled_net, in_cents, out_cents, internal_count, internal_cents)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ",
            cash_sums_added!()
        )
    };
}

impl CashAdd {
    /// Adds `row`, as `cash_delta!` adds a new row: a declined one, or one without an amount
    /// or a date, adds nothing.
    pub(crate) fn add(
        &mut self,
        db: &rusqlite::Connection,
        row: &CashRow<'_>,
    ) -> Result<(), BooksError> {
        let (Some(amount), Some(sort_at)) = (row.amount_cents, row.settled_at.or(row.emitted_at))
        else {
            return Ok(());
        };
        if row.status == Some("declined") {
            return Ok(());
        }
        let own = match &self.own {
            Some(own) => own,
            None => self.own.insert(crate::cash_sums::own_ibans(db)?),
        };
        let own = row
            .counterparty_iban
            .is_some_and(|iban| own.contains(&crate::cash::compact(iban)));
        let size = i128::from(amount).abs();
        let credit = row.side == Some("credit");
        let sums = Sums {
            settled_net: match (row.status == Some("completed"), credit) {
                (false, _) => 0,
                (true, true) => size,
                (true, false) => -size,
            },
            in_cents: if !own && credit { size } else { 0 },
            out_cents: if !own && !credit { size } else { 0 },
            internal_count: i128::from(own),
            internal_cents: if own { size } else { 0 },
        };
        // SQLite's `substr` counts characters, not bytes.
        let day: String = sort_at.chars().take(10).collect();
        let key = (
            row.org_id.to_string(),
            day,
            row.currency.unwrap_or("EUR").to_string(),
        );
        self.days.entry(key).or_default().add(sums);
        Ok(())
    }

    /// Writes what was added into the days' and the months' sums.
    pub(crate) fn write(&mut self, db: &rusqlite::Connection) -> Result<(), BooksError> {
        let mut months: BTreeMap<(String, String, String), Sums> = BTreeMap::new();
        let mut days = db.prepare_cached(upsert_sums!("cash_days", "day"))?;
        for ((org, day, currency), sums) in std::mem::take(&mut self.days) {
            let month: String = day.chars().take(7).collect();
            months
                .entry((org.clone(), month, currency.clone()))
                .or_default()
                .add(sums);
            upsert(&mut days, (&org, &day, &currency), sums)?;
        }
        let mut by_month = db.prepare_cached(upsert_sums!("cash_months", "month"))?;
        for ((org, month, currency), sums) in months {
            upsert(&mut by_month, (&org, &month, &currency), sums)?;
        }
        Ok(())
    }
}

fn upsert(
    statement: &mut rusqlite::CachedStatement<'_>,
    (org, period, currency): (&str, &str, &str),
    sums: Sums,
) -> Result<(), BooksError> {
    // A total past SQLite's integers fails the batch, as SQLite's own `sum` would.
    let fit = |v: i128| {
        i64::try_from(v).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
    };
    statement.execute(rusqlite::params![
        org,
        period,
        currency,
        fit(sums.settled_net)?,
        fit(sums.in_cents)?,
        fit(sums.out_cents)?,
        fit(sums.internal_count)?,
        fit(sums.internal_cents)?,
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Books;
    use qonto_client::api::models::{BankAccount, Transaction};

    /// A row of every kind the rules tell apart, from `n`.
    fn row(n: u64, updated: &str) -> Transaction {
        let pick = |k: u64, of: u64| (n / k) % of;
        let status = ["completed", "pending", "declined", "reversed", ""][pick(1, 5) as usize];
        let side = ["credit", "debit", ""][pick(5, 3) as usize];
        let amount = match pick(15, 4) {
            0 => serde_json::Value::Null,
            1 => serde_json::json!(-((n * 7919 % 100_000) as i64)),
            _ => serde_json::json!(n * 104_729 % 1_000_000),
        };
        let currency = ["EUR", "USD", ""][pick(60, 3) as usize];
        let day = format!(
            "2026-{:02}-{:02}T09:00:00Z",
            1 + pick(7, 12),
            1 + pick(11, 28)
        );
        // Dates missing, one only, or text that is not ASCII where the day is cut.
        let (settled, emitted) = match pick(180, 5) {
            0 => (serde_json::Value::Null, serde_json::Value::Null),
            1 => (serde_json::Value::Null, serde_json::json!(day)),
            2 => (serde_json::json!("2026-1é-0ü:00"), serde_json::Value::Null),
            _ => (
                serde_json::json!(day),
                serde_json::json!("2025-12-31T23:00:00Z"),
            ),
        };
        // The user's own IBAN as Qonto may write it (spaces, lower case), or a stranger's.
        let iban = [
            "fr76 3000 6000 0112 3456 7890 189",
            "DE89370400440532013000",
            "",
        ][(n % 11 % 3) as usize];
        let mut t = serde_json::json!({
            "id": format!("t{}", n % 700), "amount_cents": amount, "settled_at": settled,
            "emitted_at": emitted, "updated_at": updated,
            "transfer": {"counterparty_account_number": iban},
        });
        for (key, value) in [("status", status), ("side", side), ("currency", currency)] {
            if !value.is_empty() {
                t[key] = serde_json::json!(value);
            }
        }
        if iban.is_empty() {
            t["transfer"] = serde_json::Value::Null;
        }
        serde_json::from_value(t).unwrap()
    }

    #[test]
    fn the_sums_added_from_a_batch_are_those_sqlite_works_out_from_the_rows() {
        let mut books = Books::in_memory().unwrap();
        let own: BankAccount = serde_json::from_value(serde_json::json!({
            "id": "a", "iban": "FR7630006000011234567890189", "currency": "EUR"
        }))
        .unwrap();
        books.put_accounts("o", &[own]).unwrap();
        // 1,000 rows over 700 ids: some listed twice in a batch with another update time (so
        // counted in before they change), some changed by a later batch.
        for (batch, numbers) in [(0..400), (400..1_000)].into_iter().enumerate() {
            let rows: Vec<Transaction> = numbers
                .map(|n| row(n, &format!("{batch}-{}", n / 700)))
                .collect();
            for (org, half) in [
                ("o", &rows[..rows.len() / 2]),
                ("p", &rows[rows.len() / 2..]),
            ] {
                books.put_transactions(org, "a", half).unwrap();
            }
        }
        // Sums a row's change brought back to nothing are kept; the view reads past them.
        let sums = |books: &Books| {
            let mut sums = crate::tests::kept_sums(books);
            sums.retain(|s| !s.ends_with(" 0 0 0 0 0"));
            sums
        };
        let kept = sums(&books);
        assert!(kept.len() > 100, "{} sums", kept.len());
        let every_kind: bool = books
            .db
            .query_row(
                "SELECT sum(in_cents) > 0 AND sum(out_cents) > 0 AND sum(internal_count) > 0
                     AND min(settled_net) < 0 AND max(settled_net) > 0 FROM cash_days",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(every_kind, "money in, out, own transfers: {kept:?}");
        books
            .db
            .execute_batch(crate::cash_sql::CASH_REBUILD)
            .unwrap();
        assert_eq!(kept, sums(&books));
    }
}
