//! The sandbox changes cash-flow categories as Qonto does: a category (with a type) and a
//! subcategory (without one: it inherits) created in an organization's tree; up to 100
//! transactions assigned a leaf (a category that has subcategories refused), assigning
//! replacing, unassigning leaving an uncategorized one as it was; each change moving the
//! transaction's `updated_at` so the incremental sync sees it; the scopes enforced on tokens,
//! API keys allowed; every refusal a JSON:API error with a trace id.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use qonto_sandbox::Sandbox;
use serde_json::{Value, json};

/// How a request is authorized: an organization's API key, or a bearer token for `org`.
enum Auth {
    Key(String),
    Bearer(String, String),
}

impl Auth {
    fn key(sb: &Sandbox, org: usize) -> Self {
        let k = &sb.api_keys()[org];
        Auth::Key(format!("{}:{}", k.login, k.secret))
    }

    fn apply(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::Key(header) => req.header("authorization", header),
            Auth::Bearer(token, org) => req
                .bearer_auth(token)
                .header("X-Qonto-Organization-Id", org),
        }
    }
}

async fn post(sb: &Sandbox, auth: &Auth, path: &str, body: &Value) -> (u16, Value) {
    let r = auth
        .apply(http().post(format!("{}{path}", sb.base_url())))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(sb: &Sandbox, auth: &Auth, path: &str) -> (u16, Value) {
    let r = auth
        .apply(http().get(format!("{}{path}", sb.base_url())))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The first `n` completed transactions of the organization's first account, as the API lists them.
async fn some_transactions(sb: &Sandbox, auth: &Auth, org: usize, n: usize) -> Vec<Value> {
    let account = &sb.data().orgs[org].accounts[0].id;
    let (status, body) = get(
        sb,
        auth,
        &format!("/v2/transactions?bank_account_id={account}&per_page={n}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["transactions"].as_array().unwrap().clone()
}

async fn transaction(sb: &Sandbox, auth: &Auth, id: &str) -> Value {
    let (status, body) = get(sb, auth, &format!("/v2/transactions/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["transaction"].clone()
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn categories_are_created_assigned_to_leaves_replaced_and_unassigned() {
    let sb = sandbox().await;
    let org = &sb.data().orgs[0];
    let tokens = sign_in(&sb, std::slice::from_ref(&org.id)).await;
    let auth = Auth::Bearer(access(&tokens), org.id.clone());

    // A category, then a subcategory of it.
    let (status, made) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories",
        &json!({"name": "Marketing", "type": "CATEGORY_TYPE_OUTFLOW", "vat_rate": "20"}),
    )
    .await;
    assert_eq!(status, 200, "{made}");
    let category = made["cash_flow_category"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(made["cash_flow_category"]["subcategories"], json!([]));
    let (status, sub) = post(
        &sb,
        &auth,
        &format!("/v2/cash_flow_categories/{category}/subcategories"),
        &json!({"name": "Ads", "vat_rate": "20"}),
    )
    .await;
    assert_eq!(status, 200, "{sub}");
    let ads = sub["cash_flow_subcategory"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, tree) = get(&sb, &auth, "/v2/cash_flow_categories").await;
    let marketing = tree["cash_flow_categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == category.as_str())
        .expect("listed");
    assert_eq!(marketing["type"], "CATEGORY_TYPE_OUTFLOW");
    assert_eq!(marketing["subcategories"][0]["name"], "Ads");

    // What Qonto refuses, in JSON:API errors with a trace id.
    for (path, body, code) in [
        (
            "/v2/cash_flow_categories".to_string(),
            json!({"name": "", "type": "CATEGORY_TYPE_OUTFLOW"}),
            422,
        ),
        (
            "/v2/cash_flow_categories".to_string(),
            json!({"name": "X", "type": "SIDEWAYS"}),
            422,
        ),
        (
            "/v2/cash_flow_categories".to_string(),
            json!({"name": "Marketing", "type": "CATEGORY_TYPE_OUTFLOW"}),
            422,
        ),
        (
            format!("/v2/cash_flow_categories/{category}/subcategories"),
            json!({"name": "Print", "type": "CATEGORY_TYPE_OUTFLOW"}),
            422,
        ),
        (
            "/v2/cash_flow_categories/no-such/subcategories".to_string(),
            json!({"name": "Print"}),
            404,
        ),
    ] {
        let (status, body) = post(&sb, &auth, &path, &body).await;
        assert_eq!(status, code, "{path}: {body}");
        assert_json_api_error(&body);
    }

    // Assigning: a leaf only, at most 100, this organization's transactions only.
    let txs = some_transactions(&sb, &auth, 0, 3).await;
    let chosen = ids(&txs);
    let (status, body) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/assignments",
        &json!({"transaction_ids": chosen, "category_id": category}),
    )
    .await;
    assert_eq!(status, 422, "a category with subcategories: {body}");
    assert_json_api_error(&body);
    let too_many: Vec<String> = (0..101).map(|i| format!("tx-{i}")).collect();
    let (status, _) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/assignments",
        &json!({"transaction_ids": too_many, "category_id": ads}),
    )
    .await;
    assert_eq!(status, 422);
    let other_org = some_transactions(&sb, &Auth::key(&sb, 1), 1, 1).await;
    let (status, _) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/assignments",
        &json!({"transaction_ids": ids(&other_org), "category_id": ads}),
    )
    .await;
    assert_eq!(status, 422, "another organization's transaction");

    sb.advance_clock(Duration::from_secs(60));
    let (status, body) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/assignments",
        &json!({"transaction_ids": chosen, "category_id": ads}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["category_id"], ads.as_str());
    for (before, id) in txs.iter().zip(&chosen) {
        let now = transaction(&sb, &auth, id).await;
        assert_eq!(now["cashflow_category"]["name"], "Marketing");
        assert_eq!(now["cashflow_subcategory"]["name"], "Ads");
        assert!(
            now["updated_at"].as_str() > before["updated_at"].as_str(),
            "updated_at moves: {} then {}",
            before["updated_at"],
            now["updated_at"]
        );
    }
    // The incremental sync's filter finds them.
    let since = transaction(&sb, &auth, &chosen[0]).await["updated_at"]
        .as_str()
        .unwrap()
        .to_string();
    let account = &org.accounts[0].id;
    let (_, recent) = get(
        &sb,
        &auth,
        &format!("/v2/transactions?bank_account_id={account}&updated_at_from={since}"),
    )
    .await;
    let recent = ids(recent["transactions"].as_array().unwrap());
    assert!(chosen.iter().all(|id| recent.contains(id)), "{recent:?}");

    // Assigning replaces; a category without subcategories is a leaf itself.
    let fees = tree["cash_flow_categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subcategories"].as_array().unwrap().is_empty() && c["name"] != "Marketing")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/assignments",
        &json!({"transaction_ids": [chosen[0]], "category_id": fees}),
    )
    .await;
    assert_eq!(status, 200);
    let now = transaction(&sb, &auth, &chosen[0]).await;
    assert_eq!(now["cashflow_category"]["id"], fees.as_str());
    assert!(now["cashflow_subcategory"].is_null());

    // Unassigning clears; again, nothing moves.
    sb.advance_clock(Duration::from_secs(60));
    let (status, body) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/unassignments",
        &json!({"transaction_ids": [chosen[1]]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let cleared = transaction(&sb, &auth, &chosen[1]).await;
    assert!(cleared["cashflow_category"].is_null(), "{cleared}");
    sb.advance_clock(Duration::from_secs(60));
    post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/unassignments",
        &json!({"transaction_ids": [chosen[1]]}),
    )
    .await;
    let again = transaction(&sb, &auth, &chosen[1]).await;
    assert_eq!(again["updated_at"], cleared["updated_at"], "a no-op");
}

#[tokio::test]
async fn the_category_scopes_are_enforced_on_tokens_and_api_keys_may_write() {
    let sb = sandbox().await;
    let org = &sb.data().orgs[0];
    let read_only = sign_in_with_scopes(
        &sb,
        std::slice::from_ref(&org.id),
        "offline_access user_organization.read organization.read cash_flow_category.read",
    )
    .await;
    let auth = Auth::Bearer(access(&read_only), org.id.clone());
    let (status, _) = get(&sb, &auth, "/v2/cash_flow_categories").await;
    assert_eq!(status, 200);
    let txs = some_transactions(&sb, &auth, 0, 1).await;
    let (status, body) = post(
        &sb,
        &auth,
        "/v2/cash_flow_categories/unassignments",
        &json!({"transaction_ids": ids(&txs)}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("missing required oauth scope"),
        "{body}"
    );
    assert_json_api_error(&body);

    let none = sign_in_with_scopes(
        &sb,
        std::slice::from_ref(&org.id),
        "offline_access user_organization.read organization.read",
    )
    .await;
    let auth = Auth::Bearer(access(&none), org.id.clone());
    let (status, body) = get(&sb, &auth, "/v2/cash_flow_categories").await;
    assert_eq!(status, 403, "{body}");

    let key = Auth::key(&sb, 0);
    let (status, body) = post(
        &sb,
        &key,
        "/v2/cash_flow_categories/unassignments",
        &json!({"transaction_ids": ids(&txs)}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// Every page of a listing, per_page 7: (ids in order, total_count).
async fn every_page(sb: &Sandbox, auth: &Auth, query: &str) -> (Vec<String>, u64) {
    let (mut all, mut total, mut page) = (Vec::new(), 0, Some(1));
    while let Some(p) = page {
        let (status, body) = get(sb, auth, &format!("{query}&per_page=7&page={p}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        all.extend(ids(body["transactions"].as_array().unwrap()));
        total = body["meta"]["total_count"].as_u64().unwrap();
        page = body["meta"]["next_page"].as_u64();
        assert!(all.len() <= 10_000, "{query}: the pages end");
    }
    (all, total)
}

/// A listing's order is kept between its pages while nothing the filters or the order read is
/// touched (`ListingOrders`), and worked out for each page once something is: both serve the
/// same pages.
#[tokio::test]
async fn a_listing_serves_the_same_pages_from_a_kept_order_as_worked_out_for_each() {
    let sb = sandbox().await;
    let (first, second) = (Auth::key(&sb, 0), Auth::key(&sb, 1));
    let account = &sb.data().orgs[0].accounts[0].id;
    let queries: Vec<String> = [
        "sort_by=updated_at:desc&status[]=pending&status[]=declined&status[]=completed",
        "sort_by=settled_at:asc",
        "sort_by=emitted_at:desc&side=debit",
        "sort_by=created_at:asc&with_attachments=false&status[]=pending&status[]=completed",
        "settled_at_from=2026-01-01T00:00:00Z&operation_type[]=transfer",
    ]
    .iter()
    .map(|q| format!("/v2/transactions?bank_account_id={account}&{q}"))
    .collect();
    let mut kept = Vec::new();
    for query in &queries {
        kept.push(every_page(&sb, &first, query).await);
    }
    assert!(kept.iter().all(|(ids, _)| !ids.is_empty()), "{kept:?}");

    // A transaction of another organization filed: the first account's listings are the same,
    // but no order is kept while a filed one changes what `updated_at` reads.
    let (status, made) = post(
        &sb,
        &second,
        "/v2/cash_flow_categories",
        &json!({"name": "Marketing", "type": "CATEGORY_TYPE_OUTFLOW"}),
    )
    .await;
    assert_eq!(status, 200, "{made}");
    let other = ids(&some_transactions(&sb, &second, 1, 1).await);
    let (status, body) = post(
        &sb,
        &second,
        "/v2/cash_flow_categories/assignments",
        &json!({"transaction_ids": other, "category_id": made["cash_flow_category"]["id"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for (query, kept) in queries.iter().zip(&kept) {
        let (ids, total) = every_page(&sb, &first, query).await;
        assert_eq!(ids.len() as u64, total, "{query}: every one listed once");
        assert_eq!(&(ids, total), kept, "{query}");
    }
}
