//! Cash-flow categories as Qonto serves and changes them: `GET /v2/cash_flow_categories` (the
//! organization's two-level tree), creating a category (`POST`, a name and a type) or a
//! subcategory (no type: it inherits its parent's), assigning one to at most 100 transactions
//! (a leaf only: a category that has subcategories is refused; assigning replaces) and
//! unassigning (nothing happens to an uncategorized one). Reading needs
//! `cash_flow_category.read` on an OAuth token, changing `cash_flow_category.write`; API keys
//! may do both.

#![allow(clippy::result_large_err)]

use serde::Deserialize;

use std::collections::HashMap;

use super::*;
use crate::categories::Filed;
use crate::data::{CashflowCategory, CashflowSubcategory};

/// Transactions one assignment may name.
const MAX_IDS: usize = 100;
/// Longest category name taken.
const MAX_NAME: usize = 100;

fn needs(scope: &Scoped, wanted: &str) -> Result<(), Response> {
    if scope.grant.as_ref().is_some_and(|g| !g.has_scope(wanted)) {
        return Err(forbidden(&format!(
            "missing required oauth scope: {wanted}"
        )));
    }
    Ok(())
}

/// Qonto's 422, naming the field at fault (`/name`) in its `source.pointer`.
fn unprocessable(code: &str, detail: &str, pointer: &str) -> Response {
    let trace_id = new_trace_id();
    let body = json!({
        "errors": [{ "code": code, "detail": detail, "source": { "pointer": pointer } }],
        "trace_id": trace_id,
    });
    let mut response = (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&trace_id) {
        response.headers_mut().insert("x-tyk-trace-id", v);
    }
    response
}

/// The body as JSON of shape `T`, or Qonto's 422.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Response> {
    if bytes.is_empty() {
        return Err(unprocessable("invalid_body", "EOF", "/"));
    }
    serde_json::from_slice(bytes).map_err(|e| unprocessable("invalid_body", &e.to_string(), "/"))
}

fn vat_rate_ok(rate: Option<&str>) -> Result<(), Response> {
    match rate {
        None => Ok(()),
        Some(r) if r.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v)) => Ok(()),
        Some(_) => Err(unprocessable(
            "invalid_vat_rate",
            "vat_rate must be a percentage such as \"20\" or \"5.5\"",
            "/vat_rate",
        )),
    }
}

fn name_ok(name: &str) -> Result<String, Response> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(unprocessable(
            "invalid_name",
            "name must be between 1 and 100 characters",
            "/name",
        ));
    }
    Ok(name.to_string())
}

fn category_json(c: &CashflowCategory) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "type": if c.inflow { "CATEGORY_TYPE_INFLOW" } else { "CATEGORY_TYPE_OUTFLOW" },
        "vat_rate": c.vat_rate,
        "subcategories": c.subcategories.iter().map(subcategory_json).collect::<Vec<_>>(),
    })
}

fn subcategory_json(s: &CashflowSubcategory) -> Value {
    json!({ "id": s.id, "name": s.name, "vat_rate": s.vat_rate })
}

/// An id and a name.
type Named = (String, String);

/// Where `tx` of `org` is filed now, with names: (category, subcategory), as ids and names.
pub(crate) fn filed_names(
    state: &SandboxState,
    org: &Org,
    tx: &Tx,
) -> Option<(Named, Option<Named>)> {
    let filed = filed_ids(state, org, tx)?;
    let tree = if state.categories.assigned(&tx.id).is_some() {
        state.categories.tree(org)
    } else {
        org.cashflow.clone()
    };
    let category = tree.iter().find(|c| c.id == filed.0)?;
    let sub = filed.1.as_ref().and_then(|id| {
        category
            .subcategories
            .iter()
            .find(|s| s.id == *id)
            .map(|s| (s.id.clone(), s.name.clone()))
    });
    Some(((category.id.clone(), category.name.clone()), sub))
}

/// Where `tx` of `org` is filed now, as ids: set through the API, else as the books filed it.
pub(crate) fn filed_ids(state: &SandboxState, org: &Org, tx: &Tx) -> Option<Filed> {
    if let Some(assigned) = state.categories.assigned(&tx.id) {
        return assigned;
    }
    let kind = &state.data.counterparties.get(tx.counterparty)?.category;
    crate::data::filed_cashflow(state.data.options.seed, &org.cashflow, &tx.id, kind)
        .map(|(c, s)| (c.id.clone(), s.map(|s| s.id.clone())))
}

/// `GET /v2/cash_flow_categories`: the organization's two-level tree, unpaged.
pub async fn cash_flow_categories(scope: Scoped) -> Response {
    if let Err(refused) = needs(&scope, "cash_flow_category.read") {
        return refused;
    }
    let tree = scope.state.categories.tree(scope.org());
    let categories: Vec<Value> = tree.iter().map(category_json).collect();
    axum::Json(json!({ "cash_flow_categories": categories })).into_response()
}

#[derive(Deserialize)]
struct NewCategory {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    vat_rate: Option<String>,
}

/// `POST /v2/cash_flow_categories`.
pub async fn create_category(scope: Scoped, raw: axum::body::Bytes) -> Response {
    let made = (|| {
        needs(&scope, "cash_flow_category.write")?;
        let asked: NewCategory = body(&raw)?;
        let name = name_ok(&asked.name)?;
        let inflow = match asked.kind.as_deref() {
            Some("CATEGORY_TYPE_INFLOW") => true,
            Some("CATEGORY_TYPE_OUTFLOW") => false,
            _ => {
                return Err(unprocessable(
                    "invalid_type",
                    "type must be CATEGORY_TYPE_INFLOW or CATEGORY_TYPE_OUTFLOW",
                    "/type",
                ));
            }
        };
        vat_rate_ok(asked.vat_rate.as_deref())?;
        let org = scope.org();
        if scope
            .state
            .categories
            .tree(org)
            .iter()
            .any(|c| c.name == name)
        {
            return Err(unprocessable(
                "taken",
                "A category with this name already exists",
                "/name",
            ));
        }
        let category = CashflowCategory {
            id: crate::random::uuid_v4(),
            name,
            inflow,
            vat_rate: asked.vat_rate,
            subcategories: Vec::new(),
        };
        scope.state.categories.create(&org.id, category.clone());
        Ok(category)
    })();
    match made {
        Ok(c) => axum::Json(json!({ "cash_flow_category": category_json(&c) })).into_response(),
        Err(refused) => refused,
    }
}

/// `POST /v2/cash_flow_categories/{id}/subcategories`: no `type` (it is the parent's).
pub async fn create_subcategory(
    scope: Scoped,
    Path(parent): Path<String>,
    raw: axum::body::Bytes,
) -> Response {
    let made = (|| {
        needs(&scope, "cash_flow_category.write")?;
        let asked: serde_json::Map<String, Value> = body(&raw)?;
        if asked.contains_key("type") {
            return Err(unprocessable(
                "invalid_body",
                "type is not accepted for a subcategory: it is its category's",
                "/type",
            ));
        }
        let name = name_ok(asked.get("name").and_then(Value::as_str).unwrap_or(""))?;
        let vat_rate = asked
            .get("vat_rate")
            .and_then(Value::as_str)
            .map(String::from);
        vat_rate_ok(vat_rate.as_deref())?;
        let tree = scope.state.categories.tree(scope.org());
        let Some(category) = tree.iter().find(|c| c.id == parent) else {
            return Err(not_found("Cash flow category not found"));
        };
        if category.subcategories.iter().any(|s| s.name == name) {
            return Err(unprocessable(
                "taken",
                "A subcategory with this name already exists in this category",
                "/name",
            ));
        }
        let sub = CashflowSubcategory {
            id: crate::random::uuid_v4(),
            name,
            vat_rate,
        };
        scope.state.categories.add_subcategory(&parent, sub.clone());
        Ok(sub)
    })();
    match made {
        Ok(s) => {
            axum::Json(json!({ "cash_flow_subcategory": subcategory_json(&s) })).into_response()
        }
        Err(refused) => refused,
    }
}

#[derive(Deserialize)]
struct Assignment {
    transaction_ids: Vec<String>,
    category_id: Option<String>,
}

/// The organization's transactions named, or Qonto's refusal (too many, none, unknown).
fn transactions_of(scope: &Scoped, ids: &[String]) -> Result<(), Response> {
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(unprocessable(
            "invalid_transaction_ids",
            &format!("transaction_ids must hold between 1 and {MAX_IDS} ids"),
            "/transaction_ids",
        ));
    }
    let org = scope.org();
    let mut wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    for account in &org.accounts {
        for tx in scope.state.ledger(account).transactions.iter() {
            wanted.remove(tx.id.as_str());
        }
        if wanted.is_empty() {
            return Ok(());
        }
    }
    Err(unprocessable(
        "not_found",
        &format!(
            "{} of the transactions are not this organization's",
            wanted.len()
        ),
        "/transaction_ids",
    ))
}

/// The current category of every transaction of `org`, by id, for the ids asked.
fn current_of(scope: &Scoped, ids: &[String]) -> HashMap<String, Option<Filed>> {
    let org = scope.org();
    let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut out = HashMap::new();
    for account in &org.accounts {
        for tx in scope.state.ledger(account).transactions.iter() {
            if wanted.contains(tx.id.as_str()) {
                out.insert(tx.id.clone(), filed_ids(&scope.state, org, tx));
            }
        }
    }
    out
}

/// `POST /v2/cash_flow_categories/assignments`: files up to 100 transactions under a leaf
/// (a subcategory, or a category without subcategories), replacing what they had.
pub async fn assign_category(scope: Scoped, raw: axum::body::Bytes) -> Response {
    let done = (|| {
        needs(&scope, "cash_flow_category.write")?;
        let asked: Assignment = body(&raw)?;
        let Some(target) = asked.category_id.clone() else {
            return Err(unprocessable(
                "invalid_category_id",
                "category_id is required",
                "/category_id",
            ));
        };
        let tree = scope.state.categories.tree(scope.org());
        let filed: Filed = if let Some(c) = tree.iter().find(|c| c.id == target) {
            if !c.subcategories.is_empty() {
                return Err(unprocessable(
                    "category_has_subcategories",
                    "This category has subcategories: assign one of them",
                    "/category_id",
                ));
            }
            (c.id.clone(), None)
        } else if let Some(c) = tree
            .iter()
            .find(|c| c.subcategories.iter().any(|s| s.id == target))
        {
            (c.id.clone(), Some(target.clone()))
        } else {
            return Err(unprocessable(
                "not_found",
                "The category is not this organization's",
                "/category_id",
            ));
        };
        transactions_of(&scope, &asked.transaction_ids)?;
        scope.state.categories.record_call(&scope.org().id);
        let current = current_of(&scope, &asked.transaction_ids);
        scope.state.categories.assign(
            &asked.transaction_ids,
            Some(filed),
            scope.state.clock.now(),
            &scope.made_by(),
            |id| current.get(id).cloned().flatten(),
        );
        let org = &scope.org().id;
        scope
            .state
            .acted
            .record(org, "assign", &asked.transaction_ids);
        Ok(json!({ "transaction_ids": asked.transaction_ids, "category_id": target }))
    })();
    match done {
        Ok(v) => scope.state.acted.answer(axum::Json(v).into_response()),
        Err(refused) => refused,
    }
}

/// `POST /v2/cash_flow_categories/unassignments`: up to 100 transactions lose their category
/// (nothing changes for one that had none).
pub async fn unassign_category(scope: Scoped, raw: axum::body::Bytes) -> Response {
    let done = (|| {
        needs(&scope, "cash_flow_category.write")?;
        let asked: Assignment = body(&raw)?;
        transactions_of(&scope, &asked.transaction_ids)?;
        scope.state.categories.record_call(&scope.org().id);
        let current = current_of(&scope, &asked.transaction_ids);
        scope.state.categories.assign(
            &asked.transaction_ids,
            None,
            scope.state.clock.now(),
            &scope.made_by(),
            |id| current.get(id).cloned().flatten(),
        );
        let org = &scope.org().id;
        scope
            .state
            .acted
            .record(org, "unassign", &asked.transaction_ids);
        Ok(json!({ "transaction_ids": asked.transaction_ids }))
    })();
    match done {
        Ok(v) => scope.state.acted.answer(axum::Json(v).into_response()),
        Err(refused) => refused,
    }
}
