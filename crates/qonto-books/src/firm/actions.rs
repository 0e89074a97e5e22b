//! Intents: what a staff member asks the firm's service to do in Qonto, and the service's
//! side of it. Staff insert an intent for an organization granted to them (row-level
//! security and column privileges allow nothing else); the service, as the admin, claims the
//! next one, finds the transaction it names in the same organization, and records what came
//! of it. Receipts (attach), cash-flow categories (categorize) and declines of members'
//! requests (decline) are asked this way.

use super::FirmError;

/// An intent's kind, as stored.
pub const ATTACH: &str = "attach";
pub const CATEGORIZE: &str = "categorize";
pub const DECLINE: &str = "decline";
/// Transactions one categorize intent names at most (Qonto's most per assignment call; the
/// schema refuses more).
pub const MAX_CATEGORIZED: usize = 100;

/// An intent as the service reads it.
#[derive(Debug, Clone)]
pub struct Intent {
    pub id: i64,
    pub org_id: String,
    pub staff: String,
    pub kind: String,
    /// The transaction it is about (an attach's).
    pub transaction: Option<String>,
    pub file: Option<Vec<u8>>,
    pub file_name: Option<String>,
    /// The transactions a categorize names, and the category's name (`None`: none).
    pub transactions: Vec<String>,
    pub category: Option<String>,
    /// The request a decline names, and its note.
    pub request: Option<String>,
    pub note: Option<String>,
}

/// An intent as its asker sees it afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentState {
    pub id: i64,
    pub org_id: String,
    pub staff: String,
    pub kind: String,
    pub transaction: Option<String>,
    pub file_name: Option<String>,
    /// `asked`, `working`, `done` or `failed`.
    pub state: String,
    pub outcome: Option<String>,
    pub write_id: Option<i64>,
}

/// What the service needs to know of the transaction an intent names, read as the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub org_id: String,
    pub org_name: Option<String>,
    pub account_id: String,
    pub tx_id: String,
    pub counterparty: Option<String>,
    pub amount_cents: Option<i64>,
    pub side: Option<String>,
    pub currency: Option<String>,
    /// `YYYY-MM-DD` of its settlement (or emission).
    pub date: Option<String>,
}

/// Asks the service to attach `file` (named `file_name`) to transaction `tx_id` of `org_id`,
/// as the connected staff member; returns the intent's number. PostgreSQL refuses it for an
/// organization not granted to them.
pub async fn ask_attach(
    c: &tokio_postgres::Client,
    org_id: &str,
    tx_id: &str,
    file_name: &str,
    file: &[u8],
) -> Result<i64, FirmError> {
    let payload = serde_json::json!({ "transaction": tx_id });
    let row = c
        .query_one(
            "INSERT INTO qonto.actions (org_id, kind, payload, file, file_name)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&org_id, &ATTACH, &payload, &file, &file_name],
        )
        .await?;
    Ok(row.get(0))
}

/// Asks the service to file `tx_ids` (at most [`MAX_CATEGORIZED`], of `org_id`) under the
/// cash-flow category named `category` (`None`: no category), as the connected staff member;
/// returns the intent's number.
pub async fn ask_categorize(
    c: &tokio_postgres::Client,
    org_id: &str,
    tx_ids: &[String],
    category: Option<&str>,
) -> Result<i64, FirmError> {
    let payload = serde_json::json!({ "transactions": tx_ids, "category": category });
    ask_without_file(c, org_id, CATEGORIZE, &payload).await
}

/// Asks the service to decline request `request_id` of `org_id` with `note`, as the
/// connected staff member (who confirmed it first); returns the intent's number.
pub async fn ask_decline(
    c: &tokio_postgres::Client,
    org_id: &str,
    request_id: &str,
    note: &str,
) -> Result<i64, FirmError> {
    let payload = serde_json::json!({ "request": request_id, "note": note });
    ask_without_file(c, org_id, DECLINE, &payload).await
}

/// Asks an intent of `kind` that carries no file; its number. The schema checks the
/// payload's shape for the kind, row-level security the organization.
async fn ask_without_file(
    c: &tokio_postgres::Client,
    org_id: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<i64, FirmError> {
    let row = c
        .query_one(
            "INSERT INTO qonto.actions (org_id, kind, payload) VALUES ($1, $2, $3) RETURNING id",
            &[&org_id, &kind, payload],
        )
        .await?;
    Ok(row.get(0))
}

/// Where each of `tx_ids` that organization `org_id` holds is filed: its id, category and
/// subcategory names (read as the admin; an id of another organization is left out).
pub async fn filed_in(
    c: &tokio_postgres::Client,
    org_id: &str,
    tx_ids: &[String],
) -> Result<Vec<(String, Option<String>, Option<String>)>, FirmError> {
    let rows = c
        .query(
            "SELECT id, cashflow_category, cashflow_subcategory FROM qonto.transactions
             WHERE org_id = $1 AND id = ANY($2)",
            &[&org_id, &tx_ids],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The intents the connected role may see, newest first, at most `limit`.
pub async fn recent(c: &tokio_postgres::Client, limit: i64) -> Result<Vec<IntentState>, FirmError> {
    let rows = c
        .query(
            "SELECT id, org_id, staff::text, kind, payload ->> 'transaction', file_name, state,
                    outcome, write_id
             FROM qonto.actions ORDER BY id DESC LIMIT $1",
            &[&limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| IntentState {
            id: r.get(0),
            org_id: r.get(1),
            staff: r.get(2),
            kind: r.get(3),
            transaction: r.get(4),
            file_name: r.get(5),
            state: r.get(6),
            outcome: r.get(7),
            write_id: r.get(8),
        })
        .collect())
}

/// Claims the oldest intent waiting (asked, or left working by a service that stopped: the
/// write journal makes doing it again safe), marking it working. The service's, as the admin.
pub async fn claim_next(c: &tokio_postgres::Client) -> Result<Option<Intent>, FirmError> {
    let row = c
        .query_opt(
            "UPDATE qonto.actions SET state = 'working'
             WHERE id = (SELECT id FROM qonto.actions WHERE state IN ('asked', 'working')
                         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING id, org_id, staff::text, kind, payload ->> 'transaction', file, file_name,
                 coalesce(payload -> 'transactions', '[]'::jsonb)::text, payload ->> 'category',
                 payload ->> 'request', payload ->> 'note'",
            &[],
        )
        .await?;
    Ok(row.map(|r| Intent {
        id: r.get(0),
        org_id: r.get(1),
        staff: r.get(2),
        kind: r.get(3),
        transaction: r.get(4),
        file: r.get(5),
        file_name: r.get(6),
        transactions: serde_json::from_str(&r.get::<_, String>(7)).unwrap_or_default(),
        category: r.get(8),
        request: r.get(9),
        note: r.get(10),
    }))
}

/// Records what came of intent `id`: done (with the journal's write number) or failed, and
/// the outcome in words.
pub async fn finish(
    c: &tokio_postgres::Client,
    id: i64,
    done: bool,
    write_id: Option<i64>,
    outcome: &str,
) -> Result<(), FirmError> {
    c.execute(
        "UPDATE qonto.actions SET state = $2, write_id = $3, outcome = $4, done_at = now()
         WHERE id = $1",
        &[
            &id,
            &if done { "done" } else { "failed" },
            &write_id,
            &outcome,
        ],
    )
    .await?;
    Ok(())
}

/// Whether `staff` is granted `org_id` now (a grant revoked after the intent was asked stops
/// it).
pub async fn still_granted(
    c: &tokio_postgres::Client,
    staff: &str,
    org_id: &str,
) -> Result<bool, FirmError> {
    let row = c
        .query_opt(
            "SELECT 1 FROM qonto.grants WHERE staff = $1 AND org_id = $2",
            &[&staff, &org_id],
        )
        .await?;
    Ok(row.is_some())
}

/// Transaction `tx_id` of organization `org_id`, as the books hold it: `None` when the
/// organization holds no such transaction (an intent naming another organization's
/// transaction finds nothing).
pub async fn target(
    c: &tokio_postgres::Client,
    org_id: &str,
    tx_id: &str,
) -> Result<Option<TargetRow>, FirmError> {
    let row = c
        .query_opt(
            "SELECT t.org_id, o.name, t.account_id, t.id, t.counterparty, t.amount_cents, t.side,
                    t.currency, left(coalesce(t.settled_at, t.emitted_at), 10)
             FROM qonto.transactions t JOIN qonto.organizations o ON o.id = t.org_id
             WHERE t.id = $1 AND t.org_id = $2",
            &[&tx_id, &org_id],
        )
        .await?;
    Ok(row.map(|r| TargetRow {
        org_id: r.get(0),
        org_name: r.get(1),
        account_id: r.get(2),
        tx_id: r.get(3),
        counterparty: r.get(4),
        amount_cents: r.get(5),
        side: r.get(6),
        currency: r.get(7),
        date: r.get(8),
    }))
}

/// Which organization holds transaction `tx_id`, among those the connected role may see.
pub async fn organization_of(
    c: &tokio_postgres::Client,
    tx_id: &str,
) -> Result<Option<String>, FirmError> {
    let row = c
        .query_opt(
            "SELECT org_id FROM qonto.transactions WHERE id = $1",
            &[&tx_id],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}
