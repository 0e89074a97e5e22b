//! The sandbox's Business API (`/v2/…`): who is calling (user-flow token, membership token or
//! API key), the `X-Qonto-Organization-Id` rule, and the documented JSON shapes.

// Handlers answer early with a ready HTTP response; its size on the error path does not matter.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::data::{
    Account, Ledger, Org, Tx, format_timestamp, role_sees_balances, statement_periods,
};
use crate::errors::{api_error, api_error_with_source, new_trace_id};
use crate::params::Params;
use crate::random::constant_time_eq;
use crate::state::SandboxState;

type Shared = State<Arc<SandboxState>>;

/// Who is calling, once authenticated.
enum Caller {
    /// A User OAuth flow token: several organizations, chosen per request by header.
    User { grant: crate::state::Grant },
    /// A membership-flow token or an API key: one organization.
    SingleOrg {
        org_id: String,
        scoped: Option<crate::state::Grant>,
    },
}

fn unauthorized(detail: &str) -> Response {
    api_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        detail,
        &new_trace_id(),
    )
}

fn forbidden(detail: &str) -> Response {
    api_error(StatusCode::FORBIDDEN, "forbidden", detail, &new_trace_id())
}

fn not_found(detail: &str) -> Response {
    api_error(StatusCode::NOT_FOUND, "not_found", detail, &new_trace_id())
}

fn bad_parameter(parameter: &str, code: &str, detail: &str) -> Response {
    api_error_with_source(
        StatusCode::BAD_REQUEST,
        code,
        detail,
        Some(parameter),
        &new_trace_id(),
    )
}

fn authenticate(state: &SandboxState, headers: &HeaderMap) -> Result<Caller, Response> {
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized("The Authorization header is missing"));
    };
    if let Some(token) = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
    {
        let now = state.clock.now();
        let records = state.records();
        let Some(t) = records.access_tokens.get(token.trim()) else {
            return Err(unauthorized(
                "The access token is invalid or has been revoked",
            ));
        };
        if records.revoked_families.contains(&t.grant.family) {
            return Err(unauthorized(
                "The access token is invalid or has been revoked",
            ));
        }
        if now >= t.expires_at {
            return Err(unauthorized("The access token has expired"));
        }
        let grant = t.grant.clone();
        drop(records);
        return Ok(match &grant.membership_org {
            Some(org) if !grant.user_flow => Caller::SingleOrg {
                org_id: org.clone(),
                scoped: Some(grant.clone()),
            },
            _ => Caller::User { grant },
        });
    }
    // Qonto's API-key scheme: `Authorization: {login}:{secret-key}` (not Basic, no base64).
    if let Some((login, secret)) = auth.split_once(':')
        && let Some(org) = state.data.org_by_slug(login)
        && constant_time_eq(secret.as_bytes(), state.api_key_secret.as_bytes())
    {
        return Ok(Caller::SingleOrg {
            org_id: org.id.clone(),
            scoped: None,
        });
    }
    Err(unauthorized("The Authorization header is invalid"))
}

/// Authenticates and resolves the organization the request is about.
fn org_for_request<'a>(state: &'a SandboxState, headers: &HeaderMap) -> Result<&'a Org, Response> {
    let caller = authenticate(state, headers)?;
    let header = headers
        .get("x-qonto-organization-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let org_id = match caller {
        Caller::User { grant } => {
            if !grant.has_scope("organization.read") {
                return Err(forbidden("missing required oauth scope: organization.read"));
            }
            let Some(requested) = header.filter(|h| !h.is_empty()) else {
                return Err(forbidden(
                    "The X-Qonto-Organization-Id header is required with a token from the user OAuth flow",
                ));
            };
            if !state.granted_orgs(&grant).iter().any(|id| id == requested) {
                return Err(forbidden(
                    "The user has not consented to share this organization",
                ));
            }
            requested.to_string()
        }
        Caller::SingleOrg { org_id, scoped } => {
            if scoped
                .as_ref()
                .is_some_and(|g| !g.has_scope("organization.read"))
            {
                return Err(forbidden("missing required oauth scope: organization.read"));
            }
            if header.is_some_and(|h| !h.is_empty() && h != org_id) {
                return Err(forbidden(
                    "This token is not valid for the requested organization",
                ));
            }
            org_id
        }
    };
    state
        .data
        .org(&org_id)
        .ok_or_else(|| forbidden("The organization does not exist"))
}

fn count(state: &SandboxState) {
    state.counters.api_requests.fetch_add(1, Ordering::SeqCst);
}

pub async fn user_organizations(State(state): Shared, headers: HeaderMap) -> Response {
    count(&state);
    let grant = match authenticate(&state, &headers) {
        Ok(Caller::User { grant }) => grant,
        Ok(Caller::SingleOrg { .. }) => {
            return forbidden("This endpoint is only available for the user OAuth flow");
        }
        Err(r) => return r,
    };
    if !grant.has_scope("user_organization.read") {
        return forbidden("missing required oauth scope: user_organization.read");
    }
    let granted = state.granted_orgs(&grant);
    let orgs: Vec<Value> = state
        .data
        .orgs
        .iter()
        .filter(|o| granted.contains(&o.id))
        .map(|o| {
            json!({
                "id": o.id,
                "name": o.name,
                "legal_name": o.legal_name,
                "legal_number": o.legal_number,
                "legal_country": o.legal_country,
                "membership_role": o.membership_role,
            })
        })
        .collect();
    axum::Json(json!({ "organizations": orgs })).into_response()
}

fn money(cents: i64) -> Value {
    json!(cents as f64 / 100.0)
}

fn bank_account_json(org: &Org, account: &Account, ledger: &Ledger) -> Value {
    let mut v = json!({
        "id": account.id,
        "slug": account.slug,
        "name": account.name,
        "organization_id": org.id,
        "status": "active",
        "main": account.main,
        "iban": account.iban,
        "bic": account.bic,
        "updated_at": format_timestamp(ledger.updated_at),
        "is_external_account": false,
        "account_number": account.iban.get(account.iban.len().saturating_sub(11)..).and_then(|d| d.parse::<i64>().ok()),
    });
    if role_sees_balances(&org.membership_role) {
        v["currency"] = json!("EUR");
        v["balance"] = money(ledger.balance_cents);
        v["balance_cents"] = json!(ledger.balance_cents);
        v["authorized_balance"] = money(ledger.authorized_balance_cents);
        v["authorized_balance_cents"] = json!(ledger.authorized_balance_cents);
    }
    v
}

pub async fn organization(State(state): Shared, headers: HeaderMap) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let accounts: Vec<Value> = org
        .accounts
        .iter()
        .map(|a| bank_account_json(org, a, &state.data.ledger(a)))
        .collect();
    axum::Json(json!({ "organization": {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "legal_name": org.legal_name,
        "legal_number": org.legal_number,
        "legal_sector": org.legal_sector,
        "legal_registration_date": org.legal_registration_date,
        "legal_address": org.legal_address,
        "legal_form": org.legal_form,
        "legal_country": org.legal_country,
        "legal_share_capital": org.legal_share_capital,
        "locale": org.locale,
        "contract_signed_at": org.contract_signed_at,
        "bank_accounts": accounts,
    }}))
    .into_response()
}

/// `page` and `per_page` as Qonto validates them (1..; 1..=100, default 100).
fn paging(params: &Params) -> Result<(usize, usize), Response> {
    let parse = |name: &str, default: usize, max: usize| -> Result<usize, Response> {
        match params.get(name) {
            None => Ok(default),
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if n >= 1 && n <= max => Ok(n),
                _ => Err(bad_parameter(
                    name,
                    "invalid_parameter",
                    &format!("{name} must be an integer between 1 and {max}"),
                )),
            },
        }
    };
    Ok((parse("page", 1, 1_000_000)?, parse("per_page", 100, 100)?))
}

fn meta(page: usize, per_page: usize, total: usize) -> Value {
    let total_pages = total.div_ceil(per_page);
    json!({
        "current_page": page,
        "next_page": if page < total_pages { json!(page + 1) } else { Value::Null },
        "prev_page": if page > 1 { json!(page - 1) } else { Value::Null },
        "total_pages": total_pages,
        "total_count": total,
        "per_page": per_page,
    })
}

fn page_of<T>(items: &[T], page: usize, per_page: usize) -> &[T] {
    let start = (page - 1).saturating_mul(per_page).min(items.len());
    let end = start.saturating_add(per_page).min(items.len());
    &items[start..end]
}

pub async fn bank_accounts(
    State(state): Shared,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Value> = page_of(&org.accounts, page, per_page)
        .iter()
        .map(|a| bank_account_json(org, a, &state.data.ledger(a)))
        .collect();
    axum::Json(json!({ "bank_accounts": items, "meta": meta(page, per_page, org.accounts.len()) }))
        .into_response()
}

pub async fn bank_account(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    match org.account(&id) {
        Some(a) => {
            axum::Json(json!({ "bank_account": bank_account_json(org, a, &state.data.ledger(a)) }))
                .into_response()
        }
        None => not_found("Bank account not found"),
    }
}

fn transaction_json(
    state: &SandboxState,
    org: &Org,
    account: &Account,
    tx: &Tx,
    includes: &[&str],
) -> Value {
    let cp = state.data.counterparties.get(tx.counterparty);
    let name = cp.map(|c| c.name.as_str()).unwrap_or("Unknown");
    let operation_type = cp.map(|c| c.operation_type.as_str()).unwrap_or("other");
    let settled_at = tx.settled_at.map(format_timestamp);
    let vat_cents = tx.vat_amount_cents();
    let mut v = json!({
        "id": tx.id,
        "transaction_id": format!("{}-transaction-{}", org.slug, tx.number),
        "amount": money(tx.amount_cents),
        "amount_cents": tx.amount_cents,
        "settled_balance": tx.settled_balance_cents.map(money),
        "settled_balance_cents": tx.settled_balance_cents,
        "attachment_ids": [],
        "local_amount": money(tx.amount_cents),
        "local_amount_cents": tx.amount_cents,
        "side": tx.side.as_str(),
        "operation_type": operation_type,
        "currency": "EUR",
        "local_currency": "EUR",
        "label": name,
        "clean_counterparty_name": name,
        "settled_at": settled_at,
        "emitted_at": format_timestamp(tx.emitted_at),
        "created_at": format_timestamp(tx.emitted_at),
        "updated_at": format_timestamp(tx.updated_at),
        "status": tx.status.as_str(),
        "note": tx.note,
        "reference": tx.reference,
        "vat_amount": vat_cents.map(money),
        "vat_amount_cents": vat_cents,
        "vat_rate": tx.vat_rate,
        "initiator_id": org.members.first().map(|m| m.id.clone()),
        "label_ids": tx.label_id.iter().collect::<Vec<_>>(),
        "attachment_lost": false,
        "attachment_required": tx.amount_cents >= 15_000 && tx.side == crate::data::Side::Debit,
        "card_last_digits": tx.card_last_digits,
        "category": cp.map(|c| c.category.as_str()).unwrap_or("other"),
        "subject_type": if operation_type == "card" { "Card" } else { "Transfer" },
        "bank_account_id": account.id,
        "is_external_transaction": false,
        "transfer": if operation_type == "transfer" {
            json!({
                "counterparty_account_number": format!("FR76{}", &account.iban[4..]),
                "counterparty_account_number_format": "IBAN",
                "counterparty_bank_identifier": "QNTOFRP1XXX",
                "counterparty_bank_identifier_format": "SWIFT_BIC",
            })
        } else {
            Value::Null
        },
    });
    if includes.contains(&"labels") {
        let labels: Vec<Value> = org
            .labels
            .iter()
            .filter(|l| tx.label_id.as_deref() == Some(l.id.as_str()))
            .map(|l| json!({ "id": l.id, "name": l.name, "parent_id": l.parent_id }))
            .collect();
        v["labels"] = json!(labels);
    }
    if includes.contains(&"attachments") {
        v["attachments"] = json!([]);
    }
    v
}

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

pub async fn transactions(
    State(state): Shared,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    list_transactions(&state, org, &params).unwrap_or_else(|r| r)
}

fn list_transactions(
    state: &SandboxState,
    org: &Org,
    params: &Params,
) -> Result<Response, Response> {
    let (page, per_page) = paging(params)?;
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
    let side = params.get("side");
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
    let ledger = state.data.ledger(account);
    let field_time = |tx: &Tx, field: &str| -> Option<DateTime<Utc>> {
        match field {
            "settled_at" => tx.settled_at,
            "updated_at" => Some(tx.updated_at),
            _ => Some(tx.emitted_at),
        }
    };
    let mut selected: Vec<&Tx> = ledger
        .transactions
        .iter()
        .filter(|tx| statuses.is_empty() || statuses.contains(&tx.status.as_str()))
        .filter(|tx| side.is_none_or(|s| s == tx.side.as_str()))
        .filter(|tx| {
            operation_types.is_empty()
                || state
                    .data
                    .counterparties
                    .get(tx.counterparty)
                    .is_some_and(|c| operation_types.contains(&c.operation_type.as_str()))
        })
        .filter(|tx| {
            windows.iter().all(|(field, from, to)| {
                if from.is_none() && to.is_none() {
                    return true;
                }
                field_time(tx, field)
                    .is_some_and(|t| from.is_none_or(|f| t >= f) && to.is_none_or(|e| t <= e))
            })
        })
        .collect();
    // Unsettled transactions sort by when they were emitted, so pending ones come first when newest-first.
    let key = |tx: &Tx| field_time(tx, &sort_field).unwrap_or(tx.emitted_at);
    if descending {
        // The ledger is oldest-first already; reversing keeps the sort stable and cheap.
        selected.reverse();
        selected.sort_by_key(|tx| std::cmp::Reverse(key(tx)));
    } else {
        selected.sort_by_key(|tx| key(tx));
    }
    let items: Vec<Value> = page_of(&selected, page, per_page)
        .iter()
        .map(|tx| transaction_json(state, org, account, tx, &includes))
        .collect();
    Ok(
        axum::Json(json!({ "transactions": items, "meta": meta(page, per_page, selected.len()) }))
            .into_response(),
    )
}

pub async fn transaction(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let includes = params.all("includes");
    for account in &org.accounts {
        let ledger = state.data.ledger(account);
        if let Some(tx) = ledger.transactions.iter().find(|t| t.id == id) {
            return axum::Json(
                json!({ "transaction": transaction_json(&state, org, account, tx, &includes) }),
            )
            .into_response();
        }
    }
    not_found("Transaction not found")
}

pub async fn memberships(
    State(state): Shared,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Value> = page_of(&org.members, page, per_page)
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "first_name": m.first_name,
                "last_name": m.last_name,
                "role": m.role,
                "residence_country": m.residence_country,
                "birthdate": m.birthdate,
                "nationality": m.nationality,
                "ubo": m.ubo,
                "birth_country": m.birth_country,
                "status": m.status,
                "team_id": m.team_id,
            })
        })
        .collect();
    axum::Json(json!({ "memberships": items, "meta": meta(page, per_page, org.members.len()) }))
        .into_response()
}

pub async fn labels(State(state): Shared, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Value> = page_of(&org.labels, page, per_page)
        .iter()
        .map(|l| json!({ "id": l.id, "name": l.name, "parent_id": l.parent_id }))
        .collect();
    axum::Json(json!({ "labels": items, "meta": meta(page, per_page, org.labels.len()) }))
        .into_response()
}

pub async fn statements(
    State(state): Shared,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    count(&state);
    let org = match org_for_request(&state, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ids = params.all("bank_account_ids");
    let ibans = params.all("ibans");
    if !ids.is_empty() && !ibans.is_empty() {
        return bad_parameter(
            "ibans",
            "invalid_parameter",
            "bank_account_ids and ibans are mutually exclusive",
        );
    }
    let period = |name: &str| -> Result<Option<(i32, u32)>, Response> {
        match params.get(name) {
            None => Ok(None),
            Some(raw) => parse_period(raw).map(Some).ok_or_else(|| {
                bad_parameter(
                    name,
                    "invalid_parameter",
                    &format!("{name} must be MM-YYYY"),
                )
            }),
        }
    };
    let (from, to) = match (period("period_from"), period("period_to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let mut items = Vec::new();
    for account in &org.accounts {
        if (!ids.is_empty() && !ids.contains(&account.id.as_str()))
            || (!ibans.is_empty() && !ibans.contains(&account.iban.as_str()))
        {
            continue;
        }
        let ledger = state.data.ledger(account);
        for p in statement_periods(&ledger, state.data.options.anchor) {
            let Some(key) = parse_period(&p) else {
                continue;
            };
            if from.is_some_and(|f| key < f) || to.is_some_and(|t| key > t) {
                continue;
            }
            let id = crate::rng::SeededRng::derive(
                state.data.options.seed,
                &format!("{}-{p}", account.id),
            )
            .uuid();
            items.push((
                key,
                json!({
                    "id": id,
                    "bank_account_id": account.id,
                    "period": p,
                    "file": {
                        "file_name": format!("statement-{}-{p}.pdf", account.slug),
                        "file_content_type": "application/pdf",
                        "file_size": format!("{}", 15_000 + (key.1 as usize * 337) % 5_000),
                        "file_url": format!("https://sandbox.invalid/statements/{id}.pdf"),
                    },
                }),
            ));
        }
    }
    let descending = params.get("sort_by") != Some("period:asc");
    items.sort_by_key(|(k, _)| *k);
    if descending {
        items.reverse();
    }
    let values: Vec<Value> = items.into_iter().map(|(_, v)| v).collect();
    let total = values.len();
    axum::Json(json!({ "statements": page_of(&values, page, per_page), "meta": meta(page, per_page, total) })).into_response()
}

fn parse_period(raw: &str) -> Option<(i32, u32)> {
    let (m, y) = raw.split_once('-')?;
    let month: u32 = m.parse().ok()?;
    let year: i32 = y.parse().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}
