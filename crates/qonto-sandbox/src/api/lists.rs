//! `/v2/memberships`, `/v2/membership`, `/v2/labels[/{id}]` and `/v2/statements[/{id}]`: the
//! per-organization lists and their items.

#![allow(clippy::result_large_err)]

use super::*;

pub async fn memberships(scope: Scoped, RawQuery(q): RawQuery) -> Response {
    let org = scope.org();
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Value> = page_of(&org.members, page, per_page)
        .iter()
        .map(member_json)
        .collect();
    axum::Json(json!({ "memberships": items, "meta": meta(page, per_page, org.members.len()) }))
        .into_response()
}

fn member_json(m: &crate::data::Member) -> Value {
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
}

/// `GET /v2/membership`: the caller's own membership (the demo user is each organization's
/// first member), with the documented keys of that endpoint, which differ from the list's: the
/// caller's email, phone, position, locale and KYC status instead of birth and residence.
pub async fn membership(scope: Scoped) -> Response {
    let org = scope.org();
    let user = &scope.state.data.user;
    match org.members.first() {
        Some(m) => axum::Json(json!({ "membership": {
            "id": m.id,
            "first_name": m.first_name,
            "last_name": m.last_name,
            "email": user.email,
            "phone_number": "+33612345678",
            "position": position(m.role.as_deref()),
            "status": m.status,
            "role": m.role,
            "locale": "fr",
            "team_id": m.team_id,
            "kyc_status": "accepted",
        }}))
        .into_response(),
        None => not_found("Membership not found"),
    }
}

/// A job title that goes with the demo user's role in an organization.
fn position(role: Option<&str>) -> &'static str {
    match role {
        Some("owner") => "CEO",
        Some("admin") => "CFO",
        Some("manager") => "Head of operations",
        Some("accountant") => "Chartered accountant",
        _ => "Financial controller",
    }
}

/// `GET /v2/labels/{id}`
pub async fn label(scope: Scoped, Path(id): Path<String>) -> Response {
    let org = scope.org();
    match org.labels.iter().find(|l| l.id == id) {
        Some(l) => {
            axum::Json(json!({ "label": { "id": l.id, "name": l.name, "parent_id": l.parent_id } }))
                .into_response()
        }
        None => not_found("Label not found"),
    }
}

pub async fn labels(scope: Scoped, RawQuery(q): RawQuery) -> Response {
    let org = scope.org();
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

pub async fn statements(scope: Scoped, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
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
        let ledger = state.ledger(account);
        for p in statement_periods(&ledger, state.data.options.anchor) {
            let Some(key) = parse_period(&p) else {
                continue;
            };
            if from.is_some_and(|f| key < f) || to.is_some_and(|t| key > t) {
                continue;
            }
            items.push((key, statement_json(&state, &headers, account, &p)));
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

pub(crate) fn statement_id(state: &SandboxState, account: &Account, period: &str) -> String {
    crate::rng::SeededRng::derive(state.data.options.seed, &format!("{}-{period}", account.id))
        .uuid()
}

/// One monthly statement, its file served on loopback behind a 30-minute URL.
fn statement_json(
    state: &SandboxState,
    headers: &HeaderMap,
    account: &Account,
    period: &str,
) -> Value {
    let id = statement_id(state, account, period);
    let size = files::file_bytes("statements", &id)
        .map(|b| b.len())
        .unwrap_or(0);
    json!({
        "id": id,
        "bank_account_id": account.id,
        "period": period,
        "file": {
            "file_name": format!("statement-{}-{period}.pdf", account.slug),
            "file_content_type": "application/pdf",
            "file_size": size.to_string(),
            "file_url": files::signed_url(state, headers, "statements", &id),
        },
    })
}

/// `GET /v2/statements/{id}`
pub async fn statement(scope: Scoped, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
    for account in &org.accounts {
        let ledger = state.ledger(account);
        for period in statement_periods(&ledger, state.data.options.anchor) {
            if statement_id(&state, account, &period) == id {
                let body =
                    json!({ "statement": statement_json(&state, &headers, account, &period) });
                return axum::Json(body).into_response();
            }
        }
    }
    not_found("Statement not found")
}

fn parse_period(raw: &str) -> Option<(i32, u32)> {
    let (m, y) = raw.split_once('-')?;
    let month: u32 = m.parse().ok()?;
    let year: i32 = y.parse().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}
