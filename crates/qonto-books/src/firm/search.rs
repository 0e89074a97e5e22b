//! The search language over the PostgreSQL books, with the SQLite copy's answers: each word a
//! prefix of a word of the counterparty, label, reference or note (case and accents ignored,
//! through the `words` tsvector), amounts, periods, side, status, type, missing receipts,
//! organizations and accounts by the beginning of their names, `OR`, `-`, and the three orders.
//! Every value is a bound parameter. A staff member's connection sees only what row-level
//! security grants: the search needs no filter of its own for that. Answers are the SQLite
//! search's `Found` rows, field for field.

use tokio_postgres::types::ToSql;

use super::FirmError;
use crate::Found;
use crate::query::{Negated, Query, Sort, fold};
use crate::read::TxRow;

/// A word as a tsquery: its folded pieces one after the other, the last a prefix from two
/// characters on (as `term` makes an FTS5 phrase of it). Pieces are letters and digits only,
/// so nothing of tsquery's syntax gets through.
fn tsquery_term(word: &str) -> Option<String> {
    let pieces: Vec<&str> = word
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let last = pieces.len().checked_sub(1)?;
    let prefix = word.chars().count() >= 2;
    Some(
        pieces
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i == last && prefix {
                    format!("{p}:*")
                } else {
                    (*p).to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" <-> "),
    )
}

/// The SQL of a query being built: conditions ANDed, and their parameters.
#[derive(Default)]
pub(super) struct Sql {
    conditions: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Sql {
    /// The conditions as a `WHERE` clause (nothing when there are none).
    pub(super) fn filter(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// The parameters as `query` takes them.
    pub(super) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }

    /// `$N` for `value`, bound.
    pub(super) fn bind(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }
}

/// Ids of `table` whose folded name (or legal name) begins with `prefix`.
async fn ids_named(
    c: &tokio_postgres::Client,
    sql: &str,
    prefix: &str,
) -> Result<Vec<String>, FirmError> {
    Ok(c.query(sql, &[])
        .await?
        .iter()
        .filter(|r| {
            [r.get::<_, Option<String>>(1), r.get::<_, Option<String>>(2)]
                .iter()
                .flatten()
                .any(|n| fold(n).starts_with(prefix))
        })
        .map(|r| r.get(0))
        .collect())
}

/// Filed under a category or subcategory whose folded name begins with `prefix` (NULL when
/// the transaction is filed under none): as the SQLite copy's names in use.
fn filed_under(sql: &mut Sql, prefix: &str) -> String {
    let p = sql.bind(prefix.to_string());
    format!("(starts_with(t.category_key, {p}) OR starts_with(t.subcategory_key, {p}))")
}

const ORGS: &str = "SELECT id, name, legal_name FROM qonto.organizations";
const ACCOUNTS: &str = "SELECT id, name, NULL::text FROM qonto.accounts";

/// The conditions of `query` over `qonto.transactions t`, and their parameters.
pub(super) async fn matching(c: &tokio_postgres::Client, query: &Query) -> Result<Sql, FirmError> {
    if query.label.is_some() {
        return Err(FirmError::Refused(
            "label: is not searched on the firm's books yet".into(),
        ));
    }
    let mut sql = Sql::default();
    let words: Vec<String> = query.words.iter().filter_map(|w| tsquery_term(w)).collect();
    if !words.is_empty() {
        let q = sql.bind(words.join(" & "));
        sql.conditions
            .push(format!("t.search @@ to_tsquery('simple', {q})"));
    }
    for group in &query.any_words {
        let terms: Vec<String> = group.iter().filter_map(|w| tsquery_term(w)).collect();
        if !terms.is_empty() {
            let q = sql.bind(
                terms
                    .iter()
                    .map(|t| format!("({t})"))
                    .collect::<Vec<_>>()
                    .join(" | "),
            );
            sql.conditions
                .push(format!("t.search @@ to_tsquery('simple', {q})"));
        }
    }
    let not: Vec<String> = query
        .not_words
        .iter()
        .filter_map(|w| tsquery_term(w))
        .collect();
    if !not.is_empty() {
        let q = sql.bind(
            not.iter()
                .map(|t| format!("({t})"))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        sql.conditions
            .push(format!("NOT (t.search @@ to_tsquery('simple', {q}))"));
    }
    if let Some(min) = query.amount.min {
        let p = sql.bind(min);
        sql.conditions.push(format!("abs(t.amount_cents) >= {p}"));
    }
    if let Some(max) = query.amount.max {
        let p = sql.bind(max);
        sql.conditions.push(format!("abs(t.amount_cents) <= {p}"));
    }
    if let Some((first, last)) = query.period {
        let after = last.succ_opt().unwrap_or(last);
        let (a, b) = (
            sql.bind(first.format("%Y-%m-%d").to_string()),
            sql.bind(after.format("%Y-%m-%d").to_string()),
        );
        sql.conditions.push(format!(
            "t.sort_at COLLATE \"C\" >= {a} AND t.sort_at COLLATE \"C\" < {b}"
        ));
    }
    for (column, value) in [
        ("t.side", &query.side),
        ("t.status", &query.status),
        ("t.operation_type", &query.operation_type),
    ] {
        if let Some(value) = value {
            let p = sql.bind(value.clone());
            sql.conditions.push(format!("{column} = {p}"));
        }
    }
    if query.missing_receipt {
        sql.conditions.push("t.missing_receipt".into());
    }
    if query.uncategorized {
        sql.conditions.push("t.cashflow_category IS NULL".into());
    }
    if let Some(prefix) = &query.category {
        let holds = filed_under(&mut sql, prefix);
        sql.conditions.push(format!("coalesce({holds}, false)"));
    }
    if let Some(prefix) = &query.org {
        let p = sql.bind(ids_named(c, ORGS, prefix).await?);
        sql.conditions.push(format!("t.org_id = ANY({p})"));
    }
    if let Some(prefix) = &query.account {
        let p = sql.bind(ids_named(c, ACCOUNTS, prefix).await?);
        sql.conditions.push(format!("t.account_id = ANY({p})"));
    }
    if let Some(ids) = &query.only_orgs {
        let p = sql.bind(ids.clone());
        sql.conditions.push(format!("t.org_id = ANY({p})"));
    }
    for negated in &query.not {
        let holds = match negated {
            Negated::Side(v) => format!("t.side = {}", sql.bind(v.clone())),
            Negated::Status(v) => format!("t.status = {}", sql.bind(v.clone())),
            Negated::Type(v) => format!("t.operation_type = {}", sql.bind(v.clone())),
            Negated::Org(prefix) => {
                let ids = ids_named(c, ORGS, prefix).await?;
                format!("t.org_id = ANY({})", sql.bind(ids))
            }
            Negated::Account(prefix) => {
                let ids = ids_named(c, ACCOUNTS, prefix).await?;
                format!("t.account_id = ANY({})", sql.bind(ids))
            }
            Negated::Category(prefix) => filed_under(&mut sql, prefix),
            Negated::Label(_) => {
                return Err(FirmError::Refused(
                    "-label: is not searched on the firm's books yet".into(),
                ));
            }
        };
        // NULL-safe, as on SQLite: a row without the value is kept.
        sql.conditions
            .push(format!("coalesce(({holds}), false) = false"));
    }
    Ok(sql)
}

/// The transactions matching `query`, in its order, at most `limit`.
pub async fn search(
    c: &tokio_postgres::Client,
    query: &Query,
    limit: usize,
) -> Result<Vec<Found>, FirmError> {
    let mut sql = matching(c, query).await?;
    // SQLite compares text byte by byte and folds ASCII case only for NOCASE: "C" does too
    // (the transactions' id and date columns are "C" themselves, as their indexes).
    let order = match query.sort {
        Sort::Date => "",
        Sort::Org => "lower(o.name COLLATE \"C\"), t.org_id COLLATE \"C\",",
        Sort::Amount => "abs(t.amount_cents) DESC NULLS LAST,",
    };
    let filter = sql.filter();
    let limit = sql.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    let statement = format!(
        "SELECT {FOUND_COLUMNS}
         FROM qonto.transactions t
         LEFT JOIN qonto.organizations o ON o.id = t.org_id
         LEFT JOIN qonto.accounts a ON a.id = t.account_id
         {filter}
         ORDER BY {order} t.sort_at DESC NULLS LAST, t.id DESC
         LIMIT {limit}"
    );
    Ok(c.query(&statement, &sql.params())
        .await?
        .iter()
        .map(found)
        .collect())
}

/// The columns [`found`] reads, over `transactions t`, `organizations o` and `accounts a`.
pub(super) const FOUND_COLUMNS: &str = "t.id, t.org_id, t.account_id, t.amount_cents,
    t.currency, t.side, t.status, t.operation_type, t.counterparty, t.reference, t.note,
    t.emitted_at, t.settled_at, t.updated_at, t.cashflow_category, t.cashflow_subcategory,
    o.name, a.name, t.label_ids::text, t.attachment_ids::text, t.missing_receipt";
/// How many columns [`FOUND_COLUMNS`] holds: what a longer select reads from.
pub(super) const FOUND_COLUMN_COUNT: usize = 21;

/// A row of the search as the SQLite copy's search gives it.
pub(super) fn found(r: &tokio_postgres::Row) -> Found {
    let value = |i: usize| r.get::<_, Option<String>>(i);
    let ids = |i: usize| -> Vec<String> {
        value(i)
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    };
    Found {
        tx: TxRow {
            id: r.get(0),
            org_id: r.get(1),
            account_id: r.get(2),
            amount_cents: r.get(3),
            currency: value(4),
            side: value(5).as_deref().map(Into::into),
            status: value(6).as_deref().map(Into::into),
            operation_type: value(7).as_deref().map(Into::into),
            counterparty: value(8),
            reference: value(9),
            note: value(10),
            emitted_at: value(11),
            settled_at: value(12),
            updated_at: value(13),
            category: match (value(14), value(15)) {
                (Some(main), Some(sub)) => Some(format!("{main} / {sub}")),
                (main, _) => main,
            },
        },
        org_name: value(16),
        account_name: value(17),
        label_ids: ids(18),
        attachments: ids(19).len(),
        missing_receipt: r.get(20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_a_phrase_of_its_pieces_the_last_a_prefix() {
        assert_eq!(tsquery_term("urss").as_deref(), Some("urss:*"));
        assert_eq!(tsquery_term("l'oreal").as_deref(), Some("l <-> oreal:*"));
        assert_eq!(tsquery_term("x").as_deref(), Some("x"));
        // Nothing of tsquery's syntax survives.
        assert_eq!(tsquery_term("a&!b|(c)").as_deref(), Some("a <-> b <-> c:*"));
        assert_eq!(tsquery_term("&|!"), None);
    }
}
