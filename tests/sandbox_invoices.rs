//! The sandbox's supplier invoices follow Qonto's rules: listed by status, soonest due first;
//! marked paid with a date and unmarked; rejected with a note only from to review, to approve
//! or awaiting payment (else 400), a French e-invoice needing an AFNOR reason code (422
//! without); uploaded in bulk with one idempotency key per invoice (a repeat makes nothing new,
//! a bad file is an error of its own in a 200); the scopes enforced on tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qonto_sandbox::Sandbox;
use serde_json::{Value, json};

async fn post(
    sb: &Sandbox,
    token: &str,
    org: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http()
        .post(format!("{}{path}", sb.base_url()))
        .bearer_auth(token)
        .header("X-Qonto-Organization-Id", org);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

const ALL: &str = "offline_access user_organization.read organization.read supplier_invoice.read supplier_invoice.write";

#[tokio::test]
async fn invoices_move_only_as_qonto_lets_them() {
    let sb = sandbox().await;
    let org = sb
        .data()
        .orgs
        .iter()
        .find(|o| {
            o.legal_country == "FR"
                && sb.invoices_of(o).iter().any(|i| {
                    i.is_einvoice
                        && ["to_review", "to_approve", "awaiting_payment"].contains(&i.status)
                })
        })
        .expect("a French organization with an e-invoice to reject");
    let token = access(&sign_in_with_scopes(&sb, std::slice::from_ref(&org.id), ALL).await);
    let (status, body) = api(
        &sb,
        "/v2/supplier_invoices?filter[status][]=awaiting_payment",
        &token,
        Some(&org.id),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let listed = body["supplier_invoices"].as_array().unwrap();
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|i| i["status"] == "awaiting_payment"));
    let due: Vec<&str> = listed
        .iter()
        .map(|i| i["due_date"].as_str().unwrap())
        .collect();
    assert!(
        due.windows(2).all(|w| w[0] <= w[1]),
        "soonest due first: {due:?}"
    );

    // Paid, then not: and paid twice is not a transition.
    let id = listed[0]["id"].as_str().unwrap();
    let (status, body) = post(
        &sb,
        &token,
        &org.id,
        &format!("/v2/supplier_invoices/{id}/mark_as_paid"),
        Some(json!({"supplier_invoice": {"payment_date": "2026-11-30"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["supplier_invoice"]["status"], "paid");
    assert_eq!(body["supplier_invoice"]["payment_date"], "2026-11-30");
    let (status, body) = post(
        &sb,
        &token,
        &org.id,
        &format!("/v2/supplier_invoices/{id}/mark_as_paid"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_json_api_error(&body);
    let (status, body) = post(
        &sb,
        &token,
        &org.id,
        &format!("/v2/supplier_invoices/{id}/unmark_as_paid"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["supplier_invoice"]["status"], "awaiting_payment");
    assert!(body["supplier_invoice"]["payment_date"].is_null());

    // Rejected: a note needed; a paid one cannot be; a French e-invoice needs its reason code.
    let all = sb.invoices_of(org);
    let paid = all.iter().find(|i| i.status == "paid").unwrap();
    let (status, _) = post(
        &sb,
        &token,
        &org.id,
        &format!("/v2/supplier_invoices/{}/reject", paid.id),
        Some(json!({"supplier_invoice": {"declined_note": "no"}})),
    )
    .await;
    assert_eq!(status, 400);
    let einvoice = all
        .iter()
        .find(|i| {
            i.is_einvoice && ["to_review", "to_approve", "awaiting_payment"].contains(&i.status)
        })
        .unwrap();
    let path = format!("/v2/supplier_invoices/{}/reject", einvoice.id);
    let (status, body) = post(
        &sb,
        &token,
        &org.id,
        &path,
        Some(json!({"supplier_invoice": {}})),
    )
    .await;
    assert_eq!(status, 422, "a note: {body}");
    let (status, body) = post(
        &sb,
        &token,
        &org.id,
        &path,
        Some(json!({"supplier_invoice": {"declined_note": "Wrong amount"}})),
    )
    .await;
    assert_eq!(status, 422, "the AFNOR code: {body}");
    assert_eq!(body["errors"][0]["code"], "declined_reason_code_required");
    let (status, body) = post(&sb, &token, &org.id, &path, Some(json!({"supplier_invoice": {"declined_note": "Wrong amount", "declined_reason_code": "DIF"}}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["supplier_invoice"]["status"], "rejected");
    let (status, _) = post(
        &sb,
        &token,
        &org.id,
        &path,
        Some(
            json!({"supplier_invoice": {"declined_note": "again", "declined_reason_code": "DIF"}}),
        ),
    )
    .await;
    assert_eq!(status, 400, "already rejected");

    // Bulk: one key per invoice; a repeat makes nothing new; a bad file is its own error.
    let pdf = b"%PDF-1.4\n% an invoice\n%%EOF\n".to_vec();
    let form = || {
        reqwest::multipart::Form::new()
            .part(
                "supplier_invoices[][file]",
                reqwest::multipart::Part::bytes(pdf.clone()).file_name("a.pdf"),
            )
            .text("supplier_invoices[][idempotency_key]", "key-a")
            .part(
                "supplier_invoices[][file]",
                reqwest::multipart::Part::bytes(b"MZ program".to_vec()).file_name("b.pdf"),
            )
            .text("supplier_invoices[][idempotency_key]", "key-b")
    };
    let before = sb.invoices_of(org).len();
    let send = || async {
        let r = http()
            .post(format!("{}/v2/supplier_invoices/bulk", sb.base_url()))
            .bearer_auth(&token)
            .header("X-Qonto-Organization-Id", &org.id)
            .multipart(form())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (status, body) = send().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["supplier_invoices"].as_array().unwrap().len(), 1);
    assert_eq!(body["errors"][0]["code"], "invalid_file", "{body}");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/supplier_invoices/1"
    );
    let (_, again) = send().await;
    assert_eq!(
        again["supplier_invoices"][0]["id"],
        body["supplier_invoices"][0]["id"]
    );
    assert_eq!(
        sb.invoices_of(org).len(),
        before + 1,
        "one new invoice, however often sent"
    );

    // Scopes.
    let read_only = access(
        &sign_in_with_scopes(
            &sb,
            std::slice::from_ref(&org.id),
            "offline_access user_organization.read organization.read supplier_invoice.read",
        )
        .await,
    );
    let (status, body) = post(
        &sb,
        &read_only,
        &org.id,
        &format!("/v2/supplier_invoices/{id}/mark_as_paid"),
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let none = access(
        &sign_in_with_scopes(
            &sb,
            std::slice::from_ref(&org.id),
            "offline_access user_organization.read organization.read",
        )
        .await,
    );
    let (status, _) = api(&sb, "/v2/supplier_invoices", &none, Some(&org.id)).await;
    assert_eq!(status, 403);
}
