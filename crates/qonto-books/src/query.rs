//! The search syntax a person types: free words plus `key:value` filters, amounts (`>1000`,
//! `<50`, `100..250`) and periods (`2026-10`, `2026-10-01..2026-10-15`). Scripts rely on
//! these tokens; the grammar is small enough to read here whole.

use chrono::{Datelike, NaiveDate};

/// One search, parsed. Every part present must hold (they are ANDed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Folded (lower case, no accents); each must begin a word of the counterparty, label,
    /// reference or note.
    pub words: Vec<String>,
    /// Bounds on the absolute amount, in cents of the account's currency.
    pub amount: AmountRange,
    /// Days, inclusive, of the date shown (settled, else emitted).
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub side: Option<String>,
    pub status: Option<String>,
    /// Folded prefixes of an organization's, an account's, a label's name.
    pub org: Option<String>,
    pub account: Option<String>,
    pub label: Option<String>,
    /// Qonto's operation type (`card`, `transfer`, `direct_debit`, …).
    pub operation_type: Option<String>,
    /// A receipt is required and none is attached.
    pub missing_receipt: bool,
    /// Folded prefix of the cash-flow category's or subcategory's name (`category:NAME`).
    pub category: Option<String>,
    /// Filed under no cash-flow category (`uncategorized`).
    pub uncategorized: bool,
    /// Groups of folded words of which at least one must begin a word (`urssaf OR dgfip`).
    pub any_words: Vec<Vec<String>>,
    /// Folded words none of which may begin a word (`-refund`).
    pub not_words: Vec<String>,
    /// Filters that must not hold (`-label:travel`, `-org:holding`, `-side:credit`).
    pub not: Vec<Negated>,
    /// The order of the results (`sort:date`, `sort:amount`, `sort:org`).
    pub sort: Sort,
    /// Only these organizations (ids), whatever else the query says: set by a caller that may
    /// show some organizations only (the MCP server's allow-list), never read from text.
    pub only_orgs: Option<Vec<String>>,
}

/// The order of a search's results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    #[default]
    Date,
    /// Largest amount first (credits and debits alike), newest first among equals.
    Amount,
    /// Grouped by organization (by name), newest first within each.
    Org,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Date, Sort::Amount, Sort::Org];

    /// How the query writes it.
    pub fn token(self) -> &'static str {
        match self {
            Sort::Date => "sort:date",
            Sort::Amount => "sort:amount",
            Sort::Org => "sort:org",
        }
    }
}

/// A filter that must not hold, its value as the positive filter reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Negated {
    Side(String),
    Status(String),
    Org(String),
    Account(String),
    Label(String),
    Category(String),
    Type(String),
}

/// `min < amount`, `amount <= max`, … in cents; `None` is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AmountRange {
    /// The smallest amount allowed (inclusive).
    pub min: Option<i64>,
    /// The largest amount allowed (inclusive).
    pub max: Option<i64>,
}

impl AmountRange {
    pub fn contains(&self, cents: i64) -> bool {
        let cents = cents.abs();
        self.min.is_none_or(|m| cents >= m) && self.max.is_none_or(|m| cents <= m)
    }

    fn at_least(&mut self, cents: i64) {
        self.min = Some(self.min.map_or(cents, |m| m.max(cents)));
    }

    fn at_most(&mut self, cents: i64) {
        self.max = Some(self.max.map_or(cents, |m| m.min(cents)));
    }
}

impl Query {
    /// Nothing to look for: every transaction matches.
    pub fn is_empty(&self) -> bool {
        *self == Query::default()
    }

    /// Grouped by organization (`sort:org`).
    pub fn by_org(&self) -> bool {
        self.sort == Sort::Org
    }

    /// The one filter this query sets, as a filter that must not hold (what `-key:value`
    /// means); `None` when it sets another part, or more than one.
    fn as_negated(&self) -> Option<Negated> {
        let mut rest = self.clone();
        let negated = if let Some(v) = rest.side.take() {
            Negated::Side(v)
        } else if let Some(v) = rest.status.take() {
            Negated::Status(v)
        } else if let Some(v) = rest.org.take() {
            Negated::Org(v)
        } else if let Some(v) = rest.account.take() {
            Negated::Account(v)
        } else if let Some(v) = rest.label.take() {
            Negated::Label(v)
        } else if let Some(v) = rest.category.take() {
            Negated::Category(v)
        } else if let Some(v) = rest.operation_type.take() {
            Negated::Type(v)
        } else {
            return None;
        };
        rest.is_empty().then_some(negated)
    }
}

/// Why a query could not be read, naming the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{token:?}: {why}")]
pub struct QueryError {
    pub token: String,
    pub why: String,
}

/// The filters a query may use, for errors and help.
pub const FILTERS: &str = "side:debit|credit, status:pending|completed|declined, org:NAME, account:NAME, label:NAME, category:NAME, type:TYPE, missing:receipt, uncategorized, sort:date|amount|org; -word and -key:value leave out, a OR b";

/// Why a negated token was refused.
const NEGATABLE: &str =
    "only words and side, status, org, account, label, category and type filters can be left out";

pub fn parse(text: &str) -> Result<Query, QueryError> {
    let mut query = Query::default();
    // The positive words in groups: one word each, or several joined by `OR`.
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut or_pending: Option<String> = None;
    for token in tokens(text) {
        let bad = |why: &str| QueryError {
            token: token.clone(),
            why: why.to_string(),
        };
        if token == "OR" {
            if groups.is_empty() || or_pending.is_some() {
                return Err(bad("OR goes between two words"));
            }
            or_pending = Some(token);
            continue;
        }
        if let Some(rest) = token
            .strip_prefix('-')
            .filter(|r| !r.is_empty() && !r.starts_with('-'))
        {
            if or_pending.is_some() {
                return Err(bad("OR goes between two words"));
            }
            if rest.contains(':') {
                let one = parse_one(rest)?;
                let negated = one.as_negated().ok_or_else(|| bad(NEGATABLE))?;
                query.not.push(negated);
            } else {
                query.not_words.extend(
                    fold(rest)
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(String::from),
                );
            }
            continue;
        }
        let mut one = parse_one(&token)?;
        let words = std::mem::take(&mut one.words);
        if let Some(or) = or_pending.take() {
            let mut words = words.into_iter();
            match (groups.last_mut(), words.next()) {
                (Some(group), Some(first)) => group.push(first),
                _ => {
                    return Err(QueryError {
                        token: or,
                        why: "OR goes between two words".into(),
                    });
                }
            }
            groups.extend(words.map(|w| vec![w]));
        } else {
            groups.extend(words.into_iter().map(|w| vec![w]));
        }
        merge(&mut query, one).map_err(bad)?;
    }
    if let Some(or) = or_pending {
        return Err(QueryError {
            token: or,
            why: "OR goes between two words".into(),
        });
    }
    for group in groups {
        match <[String; 1]>::try_from(group) {
            Ok([word]) => query.words.push(word),
            Err(group) => query.any_words.push(group),
        }
    }
    Ok(query)
}

/// Adds what one token set to `query`: the later sort wins, periods narrow, amounts bound,
/// filters replace.
fn merge(query: &mut Query, one: One) -> Result<(), &'static str> {
    let One { query: one, sorted } = one;
    if let Some(min) = one.amount.min {
        query.amount.at_least(min);
    }
    if let Some(max) = one.amount.max {
        query.amount.at_most(max);
    }
    if let Some(range) = one.period {
        narrow(&mut query.period, range).map_err(|()| NO_OVERLAP)?;
    }
    for (into, from) in [
        (&mut query.side, one.side),
        (&mut query.status, one.status),
        (&mut query.org, one.org),
        (&mut query.account, one.account),
        (&mut query.label, one.label),
        (&mut query.operation_type, one.operation_type),
        (&mut query.category, one.category),
    ] {
        if from.is_some() {
            *into = from;
        }
    }
    query.missing_receipt |= one.missing_receipt;
    query.uncategorized |= one.uncategorized;
    if let Some(sort) = sorted {
        query.sort = sort;
    }
    Ok(())
}

/// What one token says, as a query of its own (`sorted`: the sort it names, if any).
struct One {
    query: Query,
    sorted: Option<Sort>,
}

impl std::ops::Deref for One {
    type Target = Query;
    fn deref(&self) -> &Query {
        &self.query
    }
}

impl std::ops::DerefMut for One {
    fn deref_mut(&mut self) -> &mut Query {
        &mut self.query
    }
}

/// Reads one token (a filter, an amount, a period, or words).
fn parse_one(token: &str) -> Result<One, QueryError> {
    let mut query = Query::default();
    let mut sorted = None;
    let token = token.to_string();
    {
        let bad = |why: &str| QueryError {
            token: token.clone(),
            why: why.to_string(),
        };
        if let Some(rest) = token.strip_prefix(">=") {
            query
                .amount
                .at_least(cents(rest).ok_or_else(|| bad("not an amount"))?);
        } else if let Some(rest) = token.strip_prefix("<=") {
            query
                .amount
                .at_most(cents(rest).ok_or_else(|| bad("not an amount"))?);
        } else if let Some(rest) = token.strip_prefix('>') {
            let above = cents(rest).ok_or_else(|| bad("not an amount"))?;
            // Checked: `>92233720368547758.07` would wrap and match every row.
            query.amount.at_least(
                above
                    .checked_add(1)
                    .ok_or_else(|| bad("too large an amount"))?,
            );
        } else if let Some(rest) = token.strip_prefix('<') {
            let below = cents(rest).ok_or_else(|| bad("not an amount"))?;
            // Amounts are compared without their sign: nothing is below zero.
            let most = below
                .checked_sub(1)
                .filter(|m| *m >= 0)
                .ok_or_else(|| bad("amounts have no sign here: nothing is below 0"))?;
            query.amount.at_most(most);
        } else if let Some(range) = days(&token) {
            narrow(&mut query.period, range).map_err(|()| bad(NO_OVERLAP))?;
        } else if let Some((key, value)) = token.split_once(':') {
            let value = value.trim_matches('"').trim();
            // A quote inside, or a control character, cannot be written back the same way (the
            // search form); no name holds one.
            if value.contains('"') || value.chars().any(char::is_control) {
                return Err(bad("a filter's value holds no quote or control character"));
            }
            // A spacing mark (`¨`, `´`) folds to a space: what is left at either end means
            // nothing, and a value read back from the search form has it trimmed.
            let folded = fold(value).trim().to_string();
            if folded.is_empty() {
                return Err(bad("a filter needs a value"));
            }
            match fold(key).as_str() {
                "side" => match folded.as_str() {
                    "debit" | "credit" => query.side = Some(folded),
                    _ => return Err(bad("side is debit or credit")),
                },
                "status" => match folded.as_str() {
                    "pending" | "completed" | "declined" => query.status = Some(folded),
                    _ => return Err(bad("status is pending, completed or declined")),
                },
                "org" => query.org = Some(folded),
                "account" => query.account = Some(folded),
                "label" => query.label = Some(folded),
                "category" => query.category = Some(folded),
                "type" => query.operation_type = Some(value.to_lowercase()),
                "missing" if folded == "receipt" || folded == "receipts" => {
                    query.missing_receipt = true
                }
                "missing" => return Err(bad("only missing:receipt is known")),
                "sort" => {
                    sorted = Some(match folded.as_str() {
                        "org" => Sort::Org,
                        "date" => Sort::Date,
                        "amount" => Sort::Amount,
                        _ => return Err(bad("sort is date, amount or org")),
                    })
                }
                _ => return Err(bad(&format!("unknown filter; known: {FILTERS}"))),
            }
        } else if let Some(range) = range(&token) {
            match range {
                Range::Amounts(low, high) => {
                    query.amount.at_least(low);
                    query.amount.at_most(high);
                }
                Range::Days(first, last) => {
                    narrow(&mut query.period, (first, last)).map_err(|()| bad(NO_OVERLAP))?;
                }
                Range::Neither => return Err(bad("not an amount or date range")),
            }
        } else {
            for word in fold(&token)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                // The word is the filter however it is written (`"uncategorized"`, `uncategorized.`).
                if word == "uncategorized" {
                    query.uncategorized = true;
                } else {
                    query.words.push(word.to_string());
                }
            }
        }
    }
    Ok(One { query, sorted })
}

/// Splits on spaces, keeping `"quoted words"` (also after `key:`) as one token.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|t| match t.split_once(':') {
            Some(_) => t,
            None => t.trim_matches('"').to_string(),
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// What `FROM..TO` reads as.
enum Range {
    Amounts(i64, i64),
    Days(NaiveDate, NaiveDate),
    /// One side reads as an amount or a date and the other does not: a mistake to say.
    Neither,
}

/// `10..20` (amounts, either order) or `2026-10-01..2026-10-05` (days); `None` when neither
/// side looks like one, so `etc...` or `A..Z` stay words.
fn range(token: &str) -> Option<Range> {
    let (from, to) = token.split_once("..")?;
    if let (Some(low), Some(high)) = (cents(from), cents(to)) {
        return Some(Range::Amounts(low.min(high), low.max(high)));
    }
    if let (Some(first), Some(last)) = (days(from), days(to)) {
        return Some(Range::Days(first.0.min(last.0), first.1.max(last.1)));
    }
    let looks = |side: &str| cents(side).is_some() || days(side).is_some();
    (looks(from) || looks(to)).then_some(Range::Neither)
}

/// `1000`, `12.50`, `12,50`, `1 000` (no space here: tokens split on it) → cents.
fn cents(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let (units, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if fraction.len() > 2 || (units.is_empty() && fraction.is_empty()) {
        return None;
    }
    let units: i64 = if units.is_empty() {
        0
    } else {
        units.parse().ok()?
    };
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    units.checked_mul(100)?.checked_add(fraction)
}

/// `2026-10` (the month) or `2026-10-05` (the day), as first and last day.
fn days(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    // A year of four digits first, as dates are written: chrono alone reads `-90-9-9` as a
    // day of the year 90 before Christ, which the search form writes back as `-0090-09-09`,
    // a word left out.
    let year = text.get(..4)?;
    if !year.bytes().all(|b| b.is_ascii_digit()) || text.get(4..5) != Some("-") {
        return None;
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some((day, day));
    }
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// Why two periods that share no day are refused: they could match nothing.
const NO_OVERLAP: &str = "shares no day with the other dates of the search, so nothing could match";

/// The days both `period` and `first..=last` hold; none is a mistake to say.
fn narrow(
    period: &mut Option<(NaiveDate, NaiveDate)>,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<(), ()> {
    let both = match *period {
        Some((a, b)) => (a.max(first), b.min(last)),
        None => (first, last),
    };
    if both.0 > both.1 {
        return Err(());
    }
    *period = Some(both);
    Ok(())
}

/// Lower case without accents: how words, names and prefixes are compared.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ø' => 'o',
            'ł' => 'l',
            'đ' => 'd',
            c => c,
        })
        .collect::<String>()
        .replace('ß', "ss")
        .replace('œ', "oe")
        .replace('æ', "ae")
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
