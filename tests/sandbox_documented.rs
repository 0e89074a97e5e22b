//! The sandbox's answers beside every example in Qonto's API documentation: the same keys and
//! the same JSON types, for each endpoint and each `includes[]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::Value;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of the documented example is in ours; where both are non-null the JSON types match
/// (nullable fields may be null, as Qonto's live API shows). Recurses into objects and first items.
fn assert_same_shape(doc: &Value, ours: &Value, path: &str) {
    match (doc, ours) {
        (_, Value::Null) | (Value::Null, _) => {}
        (Value::Object(d), Value::Object(o)) => {
            for (key, dv) in d {
                let ov = o
                    .get(key)
                    .unwrap_or_else(|| panic!("{path}.{key} is documented but missing"));
                assert_same_shape(dv, ov, &format!("{path}.{key}"));
            }
        }
        (Value::Array(d), Value::Array(o)) => {
            if let (Some(dv), Some(ov)) = (d.first(), o.first()) {
                assert_same_shape(dv, ov, &format!("{path}[0]"));
            }
        }
        // Where production is known to differ from the documented example, production wins.
        _ if path.ends_with(".account_number") => assert_eq!(type_name(ours), "string", "{path}"),
        _ => assert_eq!(
            type_name(doc),
            type_name(ours),
            "{path}: documented {doc} but sandbox sent {ours}"
        ),
    }
}

fn doc(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/qonto-doc-examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture"))
        .expect("fixture is JSON")
}

#[tokio::test]
async fn answers_hold_against_every_documented_example() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let tokens = sign_in(&sb, &orgs).await;
    assert_same_shape(&doc("token"), &tokens, "token");
    let t = access(&tokens);
    let owner = &orgs[0];

    let (_, body) = api(&sb, "/v2/user_organizations", &t, None).await;
    assert_same_shape(&doc("user_organizations"), &body, "user_organizations");
    let (_, body) = api(&sb, "/v2/organization", &t, Some(owner)).await;
    assert_same_shape(&doc("organization"), &body, "organization");
    let (_, body) = api(&sb, "/v2/bank_accounts", &t, Some(owner)).await;
    assert_same_shape(&doc("bank_accounts"), &body, "bank_accounts");
    let account = body["bank_accounts"][0]["id"].as_str().unwrap().to_string();
    // A completed transfer with a label, like the documented one.
    let (_, body) =
        api(&sb, &format!("/v2/transactions?bank_account_id={account}&status[]=completed&operation_type[]=transfer"), &t, Some(owner)).await;
    assert_same_shape(&doc("transactions"), &body, "transactions");
    let (_, body) = api(&sb, "/v2/memberships", &t, Some(owner)).await;
    assert_same_shape(&doc("memberships"), &body, "memberships");
    let (_, body) = api(&sb, "/v2/labels", &t, Some(owner)).await;
    assert_same_shape(&doc("labels"), &body, "labels");
    let (_, body) = api(&sb, "/v2/statements", &t, Some(owner)).await;
    assert_same_shape(&doc("statements"), &body, "statements");
    let statement = body["statements"][0]["id"].as_str().unwrap().to_string();
    let (_, body) = api(&sb, &format!("/v2/statements/{statement}"), &t, Some(owner)).await;
    let one = serde_json::json!({ "statements": [body["statement"].clone()] });
    assert_same_shape(
        &doc("statements")["statements"],
        &one["statements"],
        "statements/{id}",
    );
    // A transaction with a receipt: both attachment endpoints and the include, as documented.
    let (_, with) = api(
        &sb,
        &format!("/v2/transactions?bank_account_id={account}&with_attachments=true&includes[]=attachments"),
        &t,
        Some(owner),
    )
    .await;
    let tx = &with["transactions"][0];
    let attachment = serde_json::json!({ "attachment": tx["attachments"][0].clone() });
    assert_same_shape(&doc("attachment"), &attachment, "includes[]=attachments");
    let id = tx["attachment_ids"][0].as_str().unwrap();
    let (_, body) = api(&sb, &format!("/v2/attachments/{id}"), &t, Some(owner)).await;
    assert_same_shape(&doc("attachment"), &body, "attachment");
    let tx_id = tx["id"].as_str().unwrap();
    let (_, body) = api(
        &sb,
        &format!("/v2/transactions/{tx_id}/attachments"),
        &t,
        Some(owner),
    )
    .await;
    let listed = serde_json::json!({ "attachment": body["attachments"][0].clone() });
    assert_same_shape(&doc("attachment"), &listed, "transactions/{id}/attachments");
    // One transaction with a label and a receipt, every include asked for: as "Retrieve a
    // transaction" documents it, and `vat_details` is an object.
    let labelled = with["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tx| tx["label_ids"].as_array().is_some_and(|l| !l.is_empty()))
        .expect("a transaction with a receipt and a label on the first page");
    let (status, one) = api(
        &sb,
        &format!(
            "/v2/transactions/{}?includes[]=labels&includes[]=attachments&includes[]=vat_details",
            labelled["id"].as_str().unwrap()
        ),
        &t,
        Some(owner),
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_same_shape(&doc("transaction"), &one, "transactions/{id}?includes[]");
    assert_eq!(
        one["transaction"]["labels"][0]["id"],
        labelled["label_ids"][0]
    );
    assert!(one["transaction"]["vat_details"].is_object(), "{one}");
    // The caller's own membership has the keys its page documents, not the list's.
    let (status, body) = api(&sb, "/v2/membership", &t, Some(owner)).await;
    assert_eq!(status, 200, "{body}");
    for key in [
        "id",
        "first_name",
        "last_name",
        "email",
        "phone_number",
        "position",
        "status",
        "role",
        "locale",
        "team_id",
        "kyc_status",
    ] {
        assert!(
            body["membership"].get(key).is_some(),
            "membership.{key} is documented but missing: {body}"
        );
    }
    let (_, body) = api(
        &sb,
        &format!("/v2/transactions?bank_account_id={account}&status[]=approved"),
        &t,
        Some(owner),
    )
    .await;
    assert_same_shape(&doc("error"), &body, "error");
}
