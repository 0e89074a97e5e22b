//! Monthly account statements (`GET /v2/statements`): each a PDF behind a short-lived URL,
//! listed per organization for a range of months.

use serde::Deserialize;

use super::models::{Meta, lenient_i64, lenient_string};
use super::{ApiClient, ApiError};

/// One month's statement of one account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Statement {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub bank_account_id: Option<String>,
    /// `MM-YYYY`, as Qonto writes it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub period: Option<String>,
    #[serde(default)]
    pub file: Option<StatementFile>,
}

/// The statement's PDF: its URL is short-lived and is a credential ("treat it like a
/// password"): never logged, never kept.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StatementFile {
    #[serde(default, deserialize_with = "lenient_string")]
    pub file_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub file_content_type: Option<String>,
    /// Bytes, sent as a string.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub file_size: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub file_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StatementsPage {
    #[serde(default)]
    statements: Vec<Statement>,
    #[serde(default)]
    meta: Meta,
}

/// At most this many pages of statements are read (100 each: eight years of ten accounts).
const MAX_PAGES: usize = 10;

impl ApiClient {
    /// The statements of `org` for the months `from` to `to` (each `(year, month)`), included.
    pub async fn statements(
        &self,
        org: &str,
        from: (i32, u32),
        to: (i32, u32),
    ) -> Result<Vec<Statement>, ApiError> {
        let month = |(y, m): (i32, u32)| format!("{m:02}-{y:04}");
        let mut all = Vec::new();
        let mut page = 1;
        for _ in 0..MAX_PAGES {
            let p: StatementsPage = self
                .get(
                    "/v2/statements",
                    Some(org),
                    &[
                        ("period_from", month(from)),
                        ("period_to", month(to)),
                        ("page", page.to_string()),
                        ("per_page", "100".into()),
                    ],
                )
                .await?;
            all.extend(p.statements);
            match p.meta.next(page) {
                Some(next) => page = next,
                None => break,
            }
        }
        Ok(all)
    }
}
