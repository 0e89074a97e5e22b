//! The sandbox's endpoints beyond transactions that real clients call: IBAN certificates (and
//! Qonto's 400 before KYB), e-invoicing settings and their scope, cash-flow categories, and
//! single-valued filters sent as arrays, refused rather than ignored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::Value;

/// An organization's account's IBAN certificate is a PDF naming its IBAN; a company whose
/// KYB is not accepted gets Qonto's 400; an unknown account is 404.
#[tokio::test]
async fn iban_certificates_are_pdfs_until_kyb_is_not_accepted() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    let token = access(&tokens);
    let get = |path: String, org: String| {
        let token = token.clone();
        let url = format!("{}{}", sb.base_url(), path);
        async move {
            let r = http()
                .get(url)
                .bearer_auth(token)
                .header("X-Qonto-Organization-Id", org)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let kind = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            (status, kind, r.bytes().await.unwrap().to_vec())
        }
    };
    let mut refused = 0;
    for org in &sb.data().orgs {
        let account = &org.accounts[0];
        let (status, kind, body) = get(
            format!("/v2/bank_accounts/{}/iban_certificate", account.id),
            org.id.clone(),
        )
        .await;
        if org.kyb_status == "accepted" {
            assert_eq!(status, 200, "{}", org.name);
            assert_eq!(kind.as_deref(), Some("application/pdf"));
            assert!(body.starts_with(b"%PDF-"), "{}", org.name);
            let text = String::from_utf8_lossy(&body);
            assert!(
                text.contains(&account.iban),
                "the certificate names the IBAN"
            );
        } else {
            refused += 1;
            assert_eq!(status, 400, "{}", org.name);
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_json_api_error(&body);
            assert_eq!(body["errors"][0]["code"], "kyb_not_accepted");
        }
    }
    assert_eq!(refused, 1, "the demo has one company awaiting KYB");
    let org = &sb.data().orgs[0];
    let (status, _, _) = get(
        "/v2/bank_accounts/no-such-account/iban_certificate".into(),
        org.id.clone(),
    )
    .await;
    assert_eq!(status, 404);
}

/// E-invoicing settings answer unwrapped, enabled for French companies, and need
/// `einvoicing.read` from an OAuth token (an API key reads them).
#[tokio::test]
async fn einvoicing_settings_answer_with_their_scope() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    let token = access(&tokens);
    let org = &sb.data().orgs[0];
    let (status, body) = api(&sb, "/v2/einvoicing/settings", &token, Some(&org.id)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("einvoicing.read"), "{body}");
    for org in &sb.data().orgs {
        let key = format!("{}:{}", org.slug, qonto_sandbox::DEFAULT_API_KEY_SECRET);
        let r = http()
            .get(format!("{}/v2/einvoicing/settings", sb.base_url()))
            .header("Authorization", key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let body: Value = r.json().await.unwrap();
        let want = if org.legal_country == "FR" {
            "enabled"
        } else {
            "disabled"
        };
        assert_eq!(body["sending_status"], want, "{}: {body}", org.name);
        assert_eq!(body["receiving_status"], want, "{}: {body}", org.name);
        assert_eq!(body.as_object().unwrap().len(), 2, "unwrapped: {body}");
    }
}

/// A single-valued filter sent in array form is refused with its name, never ignored into an
/// unfiltered answer.
#[tokio::test]
async fn single_valued_filters_in_array_form_are_refused() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    let token = access(&tokens);
    let org = &sb.data().orgs[0];
    let account = &org.accounts[0];
    for (query, parameter) in [
        (
            format!("bank_account_id={}&side[]=credit", account.id),
            "side",
        ),
        (format!("iban[]={}", account.iban), "iban"),
        (
            format!("bank_account_id[]={}", account.id),
            "bank_account_id",
        ),
    ] {
        let (status, body) = api(
            &sb,
            &format!("/v2/transactions?{query}"),
            &token,
            Some(&org.id),
        )
        .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_json_api_error(&body);
        assert_eq!(
            body["errors"][0]["source"]["parameter"], parameter,
            "{body}"
        );
    }
    let (status, body) = api(
        &sb,
        &format!(
            "/v2/transactions?bank_account_id={}&side=credit&status[]=completed",
            account.id
        ),
        &token,
        Some(&org.id),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let sides: Vec<&str> = body["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["side"].as_str().unwrap())
        .collect();
    assert!(!sides.is_empty() && sides.iter().all(|s| *s == "credit"));
}

/// Each organization's cash-flow tree is two levels with its own ids; a transaction filed in
/// it names a leaf of it (a subcategory, or a category that has none), and some are not filed.
#[tokio::test]
async fn cash_flow_categories_are_a_tree_transactions_are_filed_in() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    let token = access(&tokens);
    let mut first_ids = None;
    for org in &sb.data().orgs {
        let (status, body) = api(&sb, "/v2/cash_flow_categories", &token, Some(&org.id)).await;
        assert_eq!(status, 200, "{body}");
        let tree = body["cash_flow_categories"].as_array().unwrap();
        assert!(tree.len() > 3);
        let mut leaves = std::collections::BTreeMap::new();
        for c in tree {
            assert!(
                ["CATEGORY_TYPE_INFLOW", "CATEGORY_TYPE_OUTFLOW"]
                    .contains(&c["type"].as_str().unwrap()),
                "{c}"
            );
            let subs = c["subcategories"].as_array().unwrap();
            if subs.is_empty() {
                leaves.insert(
                    c["id"].as_str().unwrap().to_string(),
                    (c["id"].clone(), Value::Null),
                );
            }
            for s in subs {
                leaves.insert(
                    s["id"].as_str().unwrap().to_string(),
                    (c["id"].clone(), s["id"].clone()),
                );
            }
        }
        let ids: Vec<String> = leaves.keys().cloned().collect();
        match &first_ids {
            None => first_ids = Some(ids),
            Some(first) => assert_ne!(first, &ids, "ids of its own"),
        }
        let account = &org.accounts[0];
        let (status, body) = api(
            &sb,
            &format!(
                "/v2/transactions?bank_account_id={}&per_page=100",
                account.id
            ),
            &token,
            Some(&org.id),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (mut filed, mut not) = (0, 0);
        for t in body["transactions"].as_array().unwrap() {
            let category = &t["cashflow_category"];
            let sub = &t["cashflow_subcategory"];
            if category.is_null() {
                assert!(sub.is_null(), "{t}");
                not += 1;
                continue;
            }
            filed += 1;
            let leaf = if sub.is_null() {
                &category["id"]
            } else {
                &sub["id"]
            };
            let (parent, child) = &leaves[leaf.as_str().unwrap()];
            assert_eq!(parent, &category["id"], "{t}");
            assert_eq!(
                child,
                if sub.is_null() {
                    &Value::Null
                } else {
                    &sub["id"]
                }
            );
            assert!(category["name"].is_string(), "{t}");
        }
        assert!(
            filed > 0 && not > 0,
            "{}: {filed} filed, {not} not",
            org.name
        );
    }
}
