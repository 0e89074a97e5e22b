//! Searching the books across every organization: a parsed query becomes one SQL statement
//! (full-text words through FTS5, every filter a bound parameter, never spliced text).

use rusqlite::types::Value;

use super::text_walk::WORDS_IN_TEXT;
use super::word_matches::WORD_MATCH;
use super::{Books, BooksError};
use crate::query::{Negated, Query, Sort, fold};
use crate::read::{TX_COLUMN_COUNT, TX_COLUMNS, TxRow, id_list, tx_row_at};

/// The amounts the `transactions_large` index holds (cents, either side): the condition is
/// written out whole, as SQLite matches a partial index's condition by its text.
const LARGE: &str = "abs(t.amount_cents) >= 100000";

/// Word matches from which walking the date index beats sorting the matches.
const MANY_MATCHES: usize = 2_000;

/// Rows a walk down the dates reads the text of before it gives up and the full-text index
/// is asked (`text_walk`): enough for the first page of a word in one row of 80 (URSSAF's,
/// one row in 27 over 5,000,000 stored, took 1,598 rows: 2 ms once their pages were read).
const TEXT_WALK_ROWS: usize = 4_000;

/// Where a query's words are looked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Words {
    /// In the full-text index, their matches kept between keys (`word_matches`).
    Index,
    /// In each row's text, walking down the dates (`text_walk`).
    Text,
}

/// A transaction a search found, with the names a result row shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Found {
    #[serde(flatten)]
    pub tx: TxRow,
    pub org_name: Option<String>,
    pub account_name: Option<String>,
    pub label_ids: Vec<String>,
    pub attachments: usize,
    pub missing_receipt: bool,
}

/// What a search's matches come to: how many, their signed sum per currency, and the same per
/// organization (by name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: usize,
    pub sums: Vec<(String, i64)>,
    pub by_org: Vec<OrgTotal>,
}

/// A group of a search's matches as both engines count them: organization id and name,
/// currency, how many, their signed sum.
pub(crate) type TotalGroup = (String, Option<String>, String, i64, i64);

impl Totals {
    /// The totals of `groups`, which come ordered by organization (name, then id) and currency.
    pub(crate) fn of_groups(groups: Vec<TotalGroup>) -> Totals {
        let mut totals = Totals::default();
        let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
        for (org_id, name, currency, n, sum) in groups {
            let n = usize::try_from(n).unwrap_or(0);
            totals.count += n;
            *sums.entry(currency.clone()).or_default() += sum;
            match totals.by_org.last_mut() {
                Some(last) if last.org_id == org_id => {
                    last.count += n;
                    last.sums.push((currency, sum));
                }
                _ => totals.by_org.push(OrgTotal {
                    name: name.unwrap_or_else(|| org_id.clone()),
                    org_id,
                    count: n,
                    sums: vec![(currency, sum)],
                }),
            }
        }
        totals.sums = sums.into_iter().collect();
        totals
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgTotal {
    pub org_id: String,
    pub name: String,
    pub count: usize,
    pub sums: Vec<(String, i64)>,
}

/// Ids whose folded name begins with `prefix`.
fn ids_named(books: &Books, sql: &str, prefix: &str) -> Result<Vec<Value>, BooksError> {
    let mut q = books.db.prepare_cached(sql)?;
    let rows = q.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut ids = Vec::new();
    for row in rows {
        let (id, name, other) = row?;
        let named = [name, other]
            .iter()
            .flatten()
            .any(|n| fold(n).starts_with(prefix));
        if named {
            ids.push(Value::Text(id));
        }
    }
    Ok(ids)
}

/// The cash-flow category and subcategory names the books hold whose folded form begins with
/// `prefix`.
fn names_in_use(books: &Books, prefix: &str) -> Result<Vec<Value>, BooksError> {
    let mut q = books.db.prepare_cached(
        "SELECT DISTINCT cashflow_category FROM transactions WHERE cashflow_category IS NOT NULL
         UNION SELECT DISTINCT cashflow_subcategory FROM transactions
         WHERE cashflow_subcategory IS NOT NULL",
    )?;
    let rows = q.query_map([], |r| r.get::<_, String>(0))?;
    let mut names = Vec::new();
    for name in rows {
        let name = name?;
        if fold(&name).starts_with(prefix) {
            names.push(Value::Text(name));
        }
    }
    Ok(names)
}

/// `column IN (?, ?, …)` over `ids`, their values pushed to `params`.
fn any_of(column: &str, ids: Vec<Value>, params: &mut Vec<Value>) -> String {
    let marks = vec!["?"; ids.len()].join(", ");
    params.extend(ids);
    format!("{column} IN ({marks})")
}

/// `key_column` (a row's `t.org_key`) is the key of one of `ids`, their values pushed to
/// `params`.
fn any_key_of(key_column: &str, ids: Vec<Value>, params: &mut Vec<Value>) -> String {
    let ids = any_of("id", ids, params);
    format!("{key_column} IN (SELECT key FROM id_keys WHERE {ids})")
}

impl Books {
    /// How many transactions miss their receipt, per organization (those with none left out),
    /// by organization id.
    pub fn missing_receipts(&self) -> Result<Vec<(String, i64)>, BooksError> {
        let mut q = self.db.prepare_cached(concat!(
            "SELECT ",
            id_of!("org_key"),
            ", count(*) FROM transactions WHERE missing_receipt = 1 GROUP BY org_key
                 ORDER BY 1"
        ))?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The transactions matching `query`, newest first, at most `limit`; with the number that
    /// match in all, counted up to `count_up_to` (at most `limit + 1` when that is all that is
    /// asked: "more than `limit`" then costs nothing).
    pub fn search(
        &self,
        query: &Query,
        limit: usize,
        count_up_to: usize,
    ) -> Result<(Vec<Found>, usize), BooksError> {
        if let Some(found) = self.search_by_text(query, limit, count_up_to, TEXT_WALK_ROWS)? {
            return Ok(found);
        }
        let Matching {
            filter,
            params,
            walk_dates,
        } = self.matching(query, Words::Index)?;
        // Counting reads every match counted: only when asked for more than one past the
        // results (which the results themselves tell).
        let counted: Option<i64> = if count_up_to > limit.saturating_add(1) {
            Some(
                self.db.query_row(
                    &format!(
                        "SELECT count(*) FROM (SELECT 1 FROM transactions t {filter} LIMIT ?)"
                    ),
                    rusqlite::params_from_iter(
                        params
                            .iter()
                            .cloned()
                            .chain([Value::Integer(count_up_to as i64)]),
                    ),
                    |r| r.get(0),
                )?,
            )
        } else {
            None
        };
        let walk = match (
            walk_dates && query.sort == Sort::Date,
            query.missing_receipt,
        ) {
            // Down the dates of the rows missing a receipt only (schema 14).
            (true, true) => "INDEXED BY transactions_missing_by_date",
            (true, false) => "INDEXED BY transactions_by_date",
            (false, _) => "",
        };
        let order = match query.sort {
            Sort::Date => "",
            Sort::Org => "o.name COLLATE NOCASE, ok.id,",
            Sort::Amount => "abs(t.amount_cents) DESC,",
        };
        let rows = limit.saturating_add(1);
        // Largest first: those of 1,000 or more, down their partial index (schema 14), stop at
        // the page's end; when they fill it, no smaller one can be in it. Sorting every match
        // took 1.4 to 2.2 s for `side:credit sort:amount` over 1,000,000 stored.
        let large = if walk_dates && query.sort == Sort::Amount {
            let only_large = if filter.is_empty() {
                format!("WHERE {LARGE}")
            } else {
                format!("{filter} AND {LARGE}")
            };
            let large = self.page(
                "INDEXED BY transactions_large",
                &only_large,
                &params,
                order,
                rows,
            )?;
            (large.len() == rows).then_some(large)
        } else {
            None
        };
        let mut found = match large {
            Some(large) => large,
            None => self.page(walk, &filter, &params, order, rows)?,
        };
        let total = match counted {
            Some(n) => usize::try_from(n).unwrap_or(0),
            None => found.len(),
        };
        found.truncate(limit);
        Ok((found, total))
    }

    /// The first page of a search by words, newest first, found by walking down the dates
    /// and reading each row's text, when the words' matches are not kept already (the first
    /// key of a word): `None` when that does not apply, or when the walk gave up (its budget of
    /// `rows` spent, or a text it cannot read as the index does) and the index is to be asked.
    pub(crate) fn search_by_text(
        &self,
        query: &Query,
        limit: usize,
        count_up_to: usize,
        rows: usize,
    ) -> Result<Option<(Vec<Found>, usize)>, BooksError> {
        // Counting, or another order, reads every match anyway.
        if query.words.is_empty()
            || query.sort != Sort::Date
            || count_up_to > limit.saturating_add(1)
        {
            return Ok(None);
        }
        // A word of one letter is an exact term, which the index reads lazily and the walk
        // would look for in vain in most rows. And a word whose matches are kept goes with
        // them: only the first key of a search walks.
        let terms: Vec<String> = query.words.iter().map(|w| term(w)).collect();
        if query.words.iter().any(|w| w.chars().count() < 2)
            || self.words.holds_any(&self.db, &terms)?
            || !self.text.arm(&query.words, rows)
        {
            return Ok(None);
        }
        let Matching { filter, params, .. } = self.matching(query, Words::Text)?;
        let walk = if query.missing_receipt {
            "INDEXED BY transactions_missing_by_date"
        } else {
            "INDEXED BY transactions_by_date"
        };
        match self.page(walk, &filter, &params, "", limit.saturating_add(1)) {
            Ok(mut found) => {
                let total = found.len();
                found.truncate(limit);
                Ok(Some((found, total)))
            }
            Err(_) if self.text.stopped() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads now what the key typed after `query` will want, for a moment after its answer is
    /// drawn when no newer key waits: the matches of its words, kept (a search answered by
    /// walking the dates has not read them); without a word yet, the text of the newest rows,
    /// which the first word's walk reads (over 5,000,000 stored, a walk through pages not yet
    /// decrypted took 9 to 19 ms, against 1 to 2 ms once they were).
    pub fn prepare_next_key(&self, query: &Query) -> Result<(), BooksError> {
        let terms: Vec<String> = query.words.iter().map(|w| term(w)).collect();
        if terms.is_empty() {
            self.db
                .prepare_cached(
                    "SELECT count(coalesce(t.counterparty, t.label, t.reference, t.note))
                     FROM (SELECT counterparty, label, reference, note
                           FROM transactions INDEXED BY transactions_by_date
                           ORDER BY sort_at DESC, id DESC LIMIT ?1) t",
                )?
                .query_row([TEXT_WALK_ROWS as i64], |_| Ok(()))?;
        } else {
            self.words.load(&self.db, &terms)?;
        }
        Ok(())
    }

    /// One page of matches: `rows` of them in `order`, then newest first.
    fn page(
        &self,
        walk: &str,
        filter: &str,
        params: &[Value],
        order: &str,
        rows: usize,
    ) -> Result<Vec<Found>, BooksError> {
        let mut q = self.db.prepare_cached(&format!(
            "SELECT {TX_COLUMNS}, o.name, a.name, t.label_ids, t.attachment_ids,
                 t.missing_receipt
             FROM transactions t {walk}
             LEFT JOIN id_keys ok ON ok.key = t.org_key
             LEFT JOIN organizations o ON o.id = ok.id
             LEFT JOIN id_keys ak ON ak.key = t.account_key
             LEFT JOIN accounts a ON a.id = ak.id
             {filter}
             ORDER BY {order} t.sort_at DESC, t.id DESC LIMIT ?"
        ))?;
        let found = q.query_map(
            rusqlite::params_from_iter(params.iter().cloned().chain([Value::Integer(rows as i64)])),
            |r| {
                let n = TX_COLUMN_COUNT;
                Ok(Found {
                    tx: tx_row_at(r, 0)?,
                    org_name: r.get(n)?,
                    account_name: r.get(n + 1)?,
                    label_ids: id_list(r, n + 2)?,
                    attachments: id_list(r, n + 3)?.len(),
                    missing_receipt: r.get::<_, i64>(n + 4)? == 1,
                })
            },
        )?;
        Ok(found.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many transactions match `query` in all and what they add up to per currency
    /// (credits positive, debits negative), also per organization, reading every match: asked
    /// once a query's results are on screen, not on each key.
    pub fn search_totals(&self, query: &Query) -> Result<Totals, BooksError> {
        let Matching { filter, params, .. } = self.matching(query, Words::Index)?;
        let mut q = self.db.prepare(&format!(
            "SELECT ok.id, o.name, coalesce(t.currency, 'EUR'), count(*),
                 sum(CASE WHEN t.side = 'credit' THEN abs(t.amount_cents)
                          ELSE -abs(t.amount_cents) END)
             FROM transactions t JOIN id_keys ok ON ok.key = t.org_key
             LEFT JOIN organizations o ON o.id = ok.id {filter}
             GROUP BY 1, 3 ORDER BY o.name COLLATE NOCASE, 1, 3"
        ))?;
        let rows = q.query_map(rusqlite::params_from_iter(params), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?.unwrap_or(0),
            ))
        })?;
        Ok(Totals::of_groups(rows.collect::<Result<Vec<_>, _>>()?))
    }

    /// The `WHERE` of `query` over `transactions t`, its parameters, and whether to walk the
    /// date index.
    fn matching(&self, query: &Query, words: Words) -> Result<Matching, BooksError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        // Which way to walk: from the words' matches (few: fetch them and sort), or down the
        // date index checking each against them (many, as a word being typed: stop at the
        // last result rather than fetch and sort every match).
        let mut walk_dates = query.words.is_empty();
        if !query.words.is_empty() && words == Words::Text {
            // First, so that every row the walk reads counts against its budget.
            conditions.push(format!(
                "{WORDS_IN_TEXT}(t.counterparty, t.label, t.reference, t.note)"
            ));
            walk_dates = true;
        } else if !query.words.is_empty() {
            // Each word a quoted term, never FTS5 syntax; a prefix from two characters on (one
            // letter would expand to most of the books on the first key typed).
            let terms: Vec<String> = query.words.iter().map(|w| term(w)).collect();
            let matches = self.words.load(&self.db, &terms)?;
            let terms = terms.join(" ");
            walk_dates = matches >= MANY_MATCHES && query.sort == Sort::Date;
            if walk_dates {
                // Checked against the matches held in memory, row by row down the date index.
                conditions.push(format!("{WORD_MATCH}(t.rowid)"));
            } else if matches < MANY_MATCHES {
                // Few: those rows themselves, read from the matches held in memory. Asking
                // FTS5 again would merge each word's matches anew on every key (4 to 13 ms
                // for `urssaf 20` over 5,000,000 stored, against 1 ms).
                let rows = self.words.matched();
                let list: Vec<String> = rows.iter().map(i64::to_string).collect();
                conditions.push("t.rowid IN (SELECT value FROM json_each(?))".into());
                params.push(Value::Text(format!("[{}]", list.join(","))));
            } else {
                conditions.push(
                    "t.rowid IN (SELECT rowid FROM transactions_text WHERE transactions_text MATCH ?)"
                        .into(),
                );
                params.push(Value::Text(terms));
            }
        }
        // `a OR b`: one of them; `-a`: none of them (each term a quoted prefix, as above).
        for group in &query.any_words {
            let terms: Vec<String> = group.iter().map(|w| term(w)).collect();
            conditions.push(format!("t.rowid IN ({TEXT_MATCHES})"));
            params.push(Value::Text(terms.join(" OR ")));
        }
        if !query.not_words.is_empty() {
            let terms: Vec<String> = query.not_words.iter().map(|w| term(w)).collect();
            conditions.push(format!("t.rowid NOT IN ({TEXT_MATCHES})"));
            params.push(Value::Text(terms.join(" OR ")));
        }
        for negated in &query.not {
            // NULL-safe: a row without the value is kept (it is not what is left out).
            let holds = self.negated_condition(negated, &mut params)?;
            conditions.push(format!("coalesce(({holds}), 0) = 0"));
        }
        if let Some(min) = query.amount.min {
            conditions.push("abs(t.amount_cents) >= ?".into());
            params.push(Value::Integer(min));
        }
        if let Some(max) = query.amount.max {
            conditions.push("abs(t.amount_cents) <= ?".into());
            params.push(Value::Integer(max));
        }
        if let Some((first, last)) = query.period {
            // Dates as Qonto writes them (UTC, ISO 8601) compare as text.
            conditions.push("t.sort_at >= ? AND t.sort_at < ?".into());
            params.push(Value::Text(first.format("%Y-%m-%d").to_string()));
            let after = last.succ_opt().unwrap_or(last);
            params.push(Value::Text(after.format("%Y-%m-%d").to_string()));
        }
        for (column, value) in [
            ("t.side", &query.side),
            ("t.status", &query.status),
            ("t.operation_type", &query.operation_type),
        ] {
            if let Some(value) = value {
                conditions.push(format!("{column} = ?"));
                params.push(Value::Text(value.clone()));
            }
        }
        if query.missing_receipt {
            conditions.push("t.missing_receipt = 1".into());
        }
        if query.uncategorized {
            conditions.push("t.cashflow_category IS NULL".into());
        }
        if let Some(prefix) = &query.category {
            // The names in use, folded here (SQLite cannot fold accents); few, however many
            // transactions carry them.
            let names = names_in_use(self, prefix)?;
            let (main, sub) = (names.clone(), names);
            let main = any_of("t.cashflow_category", main, &mut params);
            let sub = any_of("t.cashflow_subcategory", sub, &mut params);
            conditions.push(format!("({main} OR {sub})"));
        }
        if let Some(prefix) = &query.org {
            let ids = ids_named(
                self,
                "SELECT id, name, legal_name FROM organizations",
                prefix,
            )?;
            conditions.push(any_key_of("t.org_key", ids, &mut params));
        }
        if let Some(ids) = &query.only_orgs {
            let ids = ids.iter().cloned().map(Value::Text).collect();
            conditions.push(any_key_of("t.org_key", ids, &mut params));
        }
        if let Some(prefix) = &query.account {
            let ids = ids_named(self, "SELECT id, name, NULL FROM accounts", prefix)?;
            conditions.push(any_key_of("t.account_key", ids, &mut params));
        }
        if let Some(prefix) = &query.label {
            let ids = ids_named(self, "SELECT id, name, NULL FROM labels", prefix)?;
            let among = any_of("j.value", ids, &mut params);
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM json_each(t.label_ids) j WHERE {among})"
            ));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        Ok(Matching {
            filter,
            params,
            walk_dates,
        })
    }
}

/// The rowids of the transactions whose text matches the bound FTS5 expression.
const TEXT_MATCHES: &str = "SELECT rowid FROM transactions_text WHERE transactions_text MATCH ?";

/// A word as an FTS5 term: quoted (never FTS5 syntax), a prefix from two characters on (one
/// letter would expand to most of the books on the first key typed).
pub(crate) fn term(word: &str) -> String {
    let quoted = format!("\"{}\"", word.replace('"', "\"\""));
    if word.chars().count() >= 2 {
        quoted + "*"
    } else {
        quoted
    }
}

impl Books {
    /// The condition a left-out filter would be if it were asked for (`-label:x` is "not"
    /// this), its parameters pushed to `params`.
    fn negated_condition(
        &self,
        negated: &Negated,
        params: &mut Vec<Value>,
    ) -> Result<String, BooksError> {
        let equal = |column: &str, value: &String, params: &mut Vec<Value>| {
            params.push(Value::Text(value.clone()));
            format!("{column} = ?")
        };
        Ok(match negated {
            Negated::Side(v) => equal("t.side", v, params),
            Negated::Status(v) => equal("t.status", v, params),
            Negated::Type(v) => equal("t.operation_type", v, params),
            Negated::Org(prefix) => {
                let ids = ids_named(
                    self,
                    "SELECT id, name, legal_name FROM organizations",
                    prefix,
                )?;
                any_key_of("t.org_key", ids, params)
            }
            Negated::Account(prefix) => {
                let ids = ids_named(self, "SELECT id, name, NULL FROM accounts", prefix)?;
                any_key_of("t.account_key", ids, params)
            }
            Negated::Label(prefix) => {
                let ids = ids_named(self, "SELECT id, name, NULL FROM labels", prefix)?;
                let among = any_of("j.value", ids, params);
                format!("EXISTS (SELECT 1 FROM json_each(t.label_ids) j WHERE {among})")
            }
            Negated::Category(prefix) => {
                let names = names_in_use(self, prefix)?;
                let main = any_of("t.cashflow_category", names.clone(), params);
                let sub = any_of("t.cashflow_subcategory", names, params);
                format!("{main} OR {sub}")
            }
        })
    }
}

/// A query as SQL: the condition, its parameters, the walk.
struct Matching {
    filter: String,
    params: Vec<Value>,
    walk_dates: bool,
}
