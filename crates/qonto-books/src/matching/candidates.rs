//! The transactions of every organization that miss a receipt, read for the matcher.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Candidate;
use crate::{Books, BooksError};

impl Books {
    /// The text read before from the file with digest `sha256`, and how it was read.
    pub fn receipt_text(&self, sha256: &str) -> Result<Option<(String, String)>, BooksError> {
        Ok(self
            .db
            .query_row(
                "SELECT method, text FROM receipt_texts WHERE sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Keeps the text read from the file with digest `sha256`.
    pub fn keep_receipt_text(
        &self,
        sha256: &str,
        method: &str,
        text: &str,
        now: i64,
    ) -> Result<(), BooksError> {
        self.db.execute(
            "INSERT INTO receipt_texts (sha256, method, text, read_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(sha256) DO UPDATE SET method = excluded.method, text = excluded.text,
                 read_at = excluded.read_at",
            params![sha256, method, text, now],
        )?;
        Ok(())
    }

    /// Every stored transaction that needs a receipt and has none, in every organization.
    pub fn receipt_candidates(&self) -> Result<Vec<Candidate>, BooksError> {
        let mut stmt = self.db.prepare(
            "SELECT t.id, ok.id, coalesce(o.name, ok.id), t.amount_cents,
                    coalesce(t.currency, 'EUR'), t.local_amount_cents, t.local_currency,
                    t.emitted_at, coalesce(t.counterparty, ''), t.card_last_digits,
                    t.counterparty_iban, t.reference
             FROM transactions t JOIN id_keys ok ON ok.key = t.org_key
             LEFT JOIN organizations o ON o.id = ok.id
             WHERE t.missing_receipt = 1
             ORDER BY t.sort_at DESC, t.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let emitted: Option<String> = r.get(7)?;
            let amount: Option<i64> = r.get(3)?;
            let local: Option<i64> = r.get(5)?;
            Ok(Candidate {
                id: r.get(0)?,
                org_id: r.get(1)?,
                org_name: r.get(2)?,
                amount_cents: amount.unwrap_or_default().abs(),
                currency: r.get(4)?,
                local_amount_cents: local.map(i64::abs),
                local_currency: r.get(6)?,
                emitted_on: emitted
                    .as_deref()
                    .and_then(|d| d.get(..10))
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                counterparty: r.get(8)?,
                card_last_digits: r.get(9)?,
                counterparty_iban: r.get(10)?,
                reference: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
