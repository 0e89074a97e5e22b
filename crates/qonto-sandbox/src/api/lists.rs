//! `/v2/memberships`, `/v2/labels` and `/v2/statements`: the per-organization lists.

#![allow(clippy::result_large_err)]

use super::*;

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
