//! `/v2/transactions` and `/v2/transactions/{id}`: filters, sorting, paging and the documented
//! transaction shape.

#![allow(clippy::result_large_err)]

use super::transaction_shape::{TransactionJson, transaction_json};
use super::*;

fn parse_time(params: &Params, name: &str) -> Result<Option<DateTime<Utc>>, Response> {
    match params.get(name) {
        None => Ok(None),
        Some(raw) => DateTime::parse_from_rfc3339(raw)
            .map(|t| Some(t.with_timezone(&Utc)))
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map(|d| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
            })
            .map_err(|_| {
                bad_parameter(
                    name,
                    "invalid_date",
                    &format!("{name} must be an ISO 8601 date time"),
                )
            }),
    }
}

pub async fn transactions(scope: Scoped, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    list_transactions(&state, &headers, org, &params).unwrap_or_else(|r| r)
}

fn list_transactions(
    state: &SandboxState,
    headers: &HeaderMap,
    org: &Org,
    params: &Params,
) -> Result<Response, Response> {
    let (page, per_page) = paging(params)?;
    // Single-valued parameters sent as arrays are refused, not ignored: ignoring `side[]=credit`
    // would answer with every transaction, which the client would take as the credits.
    for single in [
        "side",
        "iban",
        "bank_account_id",
        "with_attachments",
        "sort_by",
    ] {
        if params.has(&format!("{single}[]")) {
            return Err(bad_parameter(
                single,
                "invalid_parameter",
                &format!("{single} takes one value: send {single}=…, not {single}[]=…"),
            ));
        }
    }
    // bank_account_id takes precedence over iban (documented).
    let account = match (params.get("bank_account_id"), params.get("iban")) {
        (Some(id), _) => org
            .account(id)
            .ok_or_else(|| not_found("Bank account not found"))?,
        (None, Some(iban)) => {
            let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
            org.accounts
                .iter()
                .find(|a| a.iban == compact)
                .ok_or_else(|| not_found("Bank account not found"))?
        }
        (None, None) => {
            return Err(bad_parameter(
                "bank_account_id",
                "required",
                "bank_account_id or iban is required",
            ));
        }
    };
    let statuses = params.all("status");
    for s in &statuses {
        if !matches!(*s, "pending" | "declined" | "completed") {
            return Err(bad_parameter(
                "status",
                "not_in_list",
                "status must be one of: pending, declined, completed",
            ));
        }
    }
    use crate::data::TxStatus;
    let wanted_statuses: Vec<TxStatus> =
        [TxStatus::Pending, TxStatus::Declined, TxStatus::Completed]
            .into_iter()
            .filter(|status| {
                if statuses.is_empty() {
                    *status == TxStatus::Completed
                } else {
                    statuses.contains(&status.as_str())
                }
            })
            .collect();
    let side = params.get("side");
    let with_attachments = match params.get("with_attachments") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(bad_parameter(
                "with_attachments",
                "invalid_parameter",
                "with_attachments must be true or false",
            ));
        }
    };
    if side.is_some_and(|s| s != "credit" && s != "debit") {
        return Err(bad_parameter(
            "side",
            "not_in_list",
            "side must be one of: credit, debit",
        ));
    }
    let operation_types = params.all("operation_type");
    let windows = [
        (
            "settled_at",
            parse_time(params, "settled_at_from")?,
            parse_time(params, "settled_at_to")?,
        ),
        (
            "updated_at",
            parse_time(params, "updated_at_from")?,
            parse_time(params, "updated_at_to")?,
        ),
        (
            "emitted_at",
            parse_time(params, "emitted_at_from")?,
            parse_time(params, "emitted_at_to")?,
        ),
    ];
    let (sort_field, descending) = match params
        .get("sort_by")
        .unwrap_or("settled_at:desc")
        .split_once(':')
    {
        Some((
            field @ ("settled_at" | "updated_at" | "emitted_at" | "created_at"),
            dir @ ("asc" | "desc"),
        )) => (field.to_string(), dir == "desc"),
        _ => {
            return Err(bad_parameter(
                "sort_by",
                "not_in_list",
                "sort_by must be settled_at, updated_at, emitted_at or created_at, then :asc or :desc",
            ));
        }
    };
    let includes = params.all("includes");
    let ledger = state.ledger(account);
    // Read once: sorting 15,000 transactions must not take the receipts' lock each comparison.
    let touched = state.receipts.touched(state.clock.now());
    let categorized = state.categories.touched();
    // Each page looks at every transaction of the account: with nothing touched, no lookups.
    let untouched = touched.is_empty() && categorized.is_empty();
    let field_time = |tx: &Tx, field: &str| -> Option<DateTime<Utc>> {
        match field {
            "settled_at" => tx.settled_at,
            "updated_at" if untouched => Some(tx.updated_at),
            "updated_at" => Some(
                [touched.get(&tx.id), categorized.get(&tx.id)]
                    .into_iter()
                    .flatten()
                    .fold(tx.updated_at, |latest, at| latest.max(*at)),
            ),
            _ => Some(tx.emitted_at),
        }
    };
    // Whether a transaction is listed. As Qonto: "By default, only completed transactions are
    // returned."
    let keep = |tx: &&Tx| -> bool {
        let has_receipt = || {
            if touched.contains_key(&tx.id) {
                !attachments::receipt_ids(state, tx).is_empty()
            } else {
                attachments::receipt_id(state.data.options.seed, tx).is_some()
            }
        };
        let operation_type = || {
            state
                .data
                .counterparties
                .get(tx.counterparty)
                .is_some_and(|c| operation_types.contains(&c.operation_type.as_str()))
        };
        wanted_statuses.contains(&tx.status)
            && side.is_none_or(|s| s == tx.side.as_str())
            && with_attachments.is_none_or(|w| has_receipt() == w)
            && (operation_types.is_empty() || operation_type())
            && windows.iter().all(|(field, from, to)| {
                (from.is_none() && to.is_none())
                    || field_time(tx, field)
                        .is_some_and(|t| from.is_none_or(|f| t >= f) && to.is_none_or(|e| t <= e))
            })
    };
    // Unsettled transactions sort by when they were emitted, so pending ones come first when newest-first.
    let key = |tx: &Tx| field_time(tx, &sort_field).unwrap_or(tx.emitted_at);
    let (listed, rows) = if untouched {
        // Nothing the filters or the order read has changed since this listing's last page.
        let order =
            state
                .listing_orders
                .get_or_make(&ledger, listing_order::listing_key(params), || {
                    let txs = &ledger.transactions;
                    let mut order: Vec<u32> = (0..txs.len())
                        .filter(|at| txs.get(*at).is_some_and(|tx| keep(&tx)))
                        .filter_map(|at| u32::try_from(at).ok())
                        .collect();
                    let key_at = |at: &u32| txs.get(*at as usize).map(key);
                    // A stable sort, as a page alone is ordered (see `ordered_page`).
                    if descending {
                        order.reverse();
                        order.sort_by_key(|at| std::cmp::Reverse(key_at(at)));
                    } else {
                        order.sort_by_key(key_at);
                    }
                    order
                });
        let from = page.saturating_sub(1).saturating_mul(per_page);
        let rows: Vec<&Tx> = order
            .iter()
            .skip(from)
            .take(per_page)
            .filter_map(|at| ledger.transactions.get(*at as usize))
            .collect();
        (order.len(), rows)
    } else {
        let mut selected: Vec<&Tx> = ledger.transactions.iter().filter(keep).collect();
        if descending {
            // The ledger is oldest-first already: reversed, ties stay newest first.
            selected.reverse();
        }
        let rows = if descending {
            ordered_page(&selected, page, per_page, |tx| std::cmp::Reverse(key(tx)))
        } else {
            ordered_page(&selected, page, per_page, key)
        };
        (selected.len(), rows)
    };
    let items: Vec<TransactionJson> = rows
        .into_iter()
        .map(|tx| transaction_json(state, headers, org, account, tx, &includes))
        .collect();
    Ok(axum::Json(Page {
        transactions: items,
        meta: meta(page, per_page, listed),
    })
    .into_response())
}

/// A page of `/v2/transactions`.
#[derive(serde::Serialize)]
struct Page<'a> {
    transactions: Vec<TransactionJson<'a>>,
    meta: Value,
}

/// `/v2/transactions/{id}`.
#[derive(serde::Serialize)]
struct One<'a> {
    transaction: TransactionJson<'a>,
}

/// Page `page` of `items` as a stable sort by `key` would give it, without sorting the rest:
/// each key is worked out once, the page's rows are picked out in linear time and only they
/// are sorted. A backfill asks every page of an account, and sorting all 15,000 of its
/// transactions for each took most of the backfill benchmark's sandbox time, on the cores the
/// client under test runs on.
fn ordered_page<'a, T, K: Ord>(
    items: &[&'a T],
    page: usize,
    per_page: usize,
    key: impl Fn(&T) -> K,
) -> Vec<&'a T> {
    // The position breaks ties as a stable sort keeps them, so every key differs.
    let mut keyed: Vec<(K, usize)> = items
        .iter()
        .enumerate()
        .map(|(at, item)| (key(item), at))
        .collect();
    let start = page.saturating_sub(1).saturating_mul(per_page);
    smallest_from(&mut keyed, start, per_page)
        .iter()
        .filter_map(|(_, at)| items.get(*at).copied())
        .collect()
}

/// The elements sorted order would put at `start..start + len` (fewer at the end), in order.
fn smallest_from<E: Ord>(all: &mut [E], start: usize, len: usize) -> &mut [E] {
    if len == 0 || start >= all.len() {
        return &mut [];
    }
    let rest = if start > 0 {
        all.select_nth_unstable(start - 1).2
    } else {
        all
    };
    let len = len.min(rest.len());
    if len < rest.len() {
        rest.select_nth_unstable(len - 1);
    }
    let page = &mut rest[..len];
    page.sort_unstable();
    page
}

pub async fn transaction(
    scope: Scoped,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let includes = params.all("includes");
    for account in &org.accounts {
        let ledger = state.ledger(account);
        if let Some(tx) = ledger.transactions.iter().find(|t| t.id == id) {
            return axum::Json(One {
                transaction: transaction_json(&state, &headers, org, account, tx, &includes),
            })
            .into_response();
        }
    }
    not_found("Transaction not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_what_a_stable_sort_of_everything_gives() {
        // Keys with many ties (a stable sort keeps their order), every page and one past the
        // end, both directions, against sorting everything.
        let mut state = 7u64;
        let values: Vec<(u32, usize)> = (0..1_037)
            .map(|at| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (((state >> 33) % 40) as u32, at)
            })
            .collect();
        let items: Vec<&(u32, usize)> = values.iter().collect();
        for per_page in [1, 7, 100, 2_000] {
            for page in 1..=items.len() / per_page + 2 {
                let mut up = items.clone();
                up.sort_by_key(|v| v.0);
                assert_eq!(
                    ordered_page(&items, page, per_page, |v| v.0),
                    page_of(&up, page, per_page).to_vec(),
                    "ascending, page {page} of {per_page}"
                );
                let mut down = items.clone();
                down.sort_by_key(|v| std::cmp::Reverse(v.0));
                assert_eq!(
                    ordered_page(&items, page, per_page, |v| std::cmp::Reverse(v.0)),
                    page_of(&down, page, per_page).to_vec(),
                    "descending, page {page} of {per_page}"
                );
            }
        }
    }
}
