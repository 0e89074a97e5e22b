//! The MCP tools' arguments, with the schema and words an assistant reads to call them well,
//! and their bounds: a limit from 1 to 200, a query of at most 1,000 characters.

use schemars::JsonSchema;
use serde::Deserialize;

/// The most transactions (or items) one answer lists.
pub const MAX_LIMIT: u64 = 200;
/// What an answer lists when the call does not say.
pub const DEFAULT_LIMIT: u64 = 50;
/// The longest query read.
pub const MAX_QUERY_CHARS: usize = 1_000;

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// What to look for, in qonto-tui's search language. Words: each must begin a word of the
    /// counterparty, label, reference or note (case and accents ignored). Amounts in the
    /// account's currency: `>1000`, `<50`, `100..250`. Periods: `2026-10` or
    /// `2026-10-01..2026-10-15`. Filters: `side:debit` or `side:credit`,
    /// `status:pending|completed|declined`, `type:card|transfer|direct_debit|…`,
    /// `missing:receipt`, `category:NAME`, `uncategorized`, `label:NAME`, `account:NAME`,
    /// `org:NAME`. `-word` or `-side:credit` leaves out, `a OR b` takes either, `sort:date`
    /// (default, newest first), `sort:amount` or `sort:org` orders. Empty: every transaction.
    /// Example: `urssaf >1000 2026-10 missing:receipt`.
    #[serde(default)]
    pub query: String,
    /// Only this organization: its id, its name, or the beginning of a name only it has (see
    /// list_organizations). Default: every organization this server shows.
    pub organization: Option<String>,
    /// At most this many transactions, from 1 to 200 (default 50).
    pub limit: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TransactionArgs {
    /// The transaction's id, as search_transactions or missing_receipts give it.
    pub id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct OrganizationArgs {
    /// Only this organization: its id, its name, or the beginning of a name only it has.
    /// Default: every organization this server shows.
    pub organization: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListArgs {
    /// Only this organization: its id, its name, or the beginning of a name only it has.
    /// Default: every organization this server shows.
    pub organization: Option<String>,
    /// At most this many items, from 1 to 200 (default 50).
    pub limit: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CashArgs {
    /// The period: a month `2026-10`, a day `2026-10-15`, or days `2026-07-01..2026-09-30`
    /// (inclusive, by the date a transaction shows: settled, else emitted).
    pub period: String,
    /// Only this organization: its id, its name, or the beginning of a name only it has.
    /// Default: every organization this server shows.
    pub organization: Option<String>,
}

/// `limit` checked: 1 to `MAX_LIMIT`, `DEFAULT_LIMIT` when not given.
pub fn limit(asked: Option<u64>) -> Result<usize, String> {
    match asked {
        None => Ok(DEFAULT_LIMIT as usize),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n as usize),
        Some(n) => Err(format!(
            "limit must be from 1 to {MAX_LIMIT} (it was {n}); narrow the query to see fewer, more precise results"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_from_one_to_two_hundred() {
        assert_eq!(limit(None), Ok(50));
        assert_eq!(limit(Some(200)), Ok(200));
        assert!(limit(Some(0)).unwrap_err().contains("from 1 to 200"));
        assert!(limit(Some(u64::MAX)).is_err());
    }
}
