//! The sandbox takes receipts as Qonto does: multipart uploads told by their bytes, an
//! idempotency key per credential kept 30 minutes (successes only), the attachment shown after
//! the processing delay and moving `updated_at`, deletes, the `attachment.write` scope, and the
//! upload faults the client's exactly-once tests rely on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use qonto_sandbox::uploads::{UploadFaults, UploadOptions};
use qonto_sandbox::{Sandbox, SandboxOptions};
use serde_json::Value;

const WRITE_SCOPES: &str =
    "offline_access user_organization.read organization.read attachment.read attachment.write";

/// A small real PDF, different per `n`.
fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.4\n% receipt {n}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

/// How a request is authorized: an organization's API key, or a bearer token for `org`.
#[derive(Clone)]
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

/// Uploads `bytes` as `name` to transaction `tx`; the status and body (`None`: no answer).
async fn upload(
    sb: &Sandbox,
    auth: &Auth,
    tx: &str,
    key: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> Option<(u16, Value)> {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let mut req = auth
        .apply(http().post(format!(
            "{}/v2/transactions/{tx}/attachments",
            sb.base_url()
        )))
        .multipart(form);
    if let Some(key) = key {
        req = req.header("X-Qonto-Idempotency-Key", key);
    }
    let r = req.send().await.ok()?;
    let status = r.status().as_u16();
    let body = r.bytes().await.ok()?;
    Some((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
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

async fn delete(sb: &Sandbox, auth: &Auth, path: &str) -> u16 {
    auth.apply(http().delete(format!("{}{path}", sb.base_url())))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A completed debit of the first organization that misses its receipt.
fn missing_receipt(sb: &Sandbox) -> qonto_sandbox::data::Tx {
    let org = &sb.data().orgs[0];
    org.accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .find(|t| t.status == qonto_sandbox::data::TxStatus::Completed && sb.misses_receipt(t))
        .expect("a transaction missing its receipt")
}

async fn start(uploads: UploadOptions) -> Sandbox {
    Sandbox::start(SandboxOptions {
        uploads,
        ..options()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_upload_is_attached_listed_served_and_seen_by_the_incremental_sync() {
    let sb = sandbox().await;
    let auth = Auth::key(&sb, 0);
    let tx = missing_receipt(&sb);
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let (status, body) = upload(&sb, &auth, &tx.id, Some("k-1"), "facture été.pdf", pdf(1))
        .await
        .unwrap();
    assert_eq!((status, &body), (200, &serde_json::json!({})));
    assert!(
        !sb.misses_receipt(&tx),
        "the transaction has its receipt now"
    );

    let (status, list) = get(
        &sb,
        &auth,
        &format!("/v2/transactions/{}/attachments", tx.id),
    )
    .await;
    assert_eq!(status, 200);
    let items = list["attachments"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["file_name"], "facture été.pdf");
    assert_eq!(items[0]["file_content_type"], "application/pdf");
    assert_eq!(items[0]["file_size"], pdf(1).len().to_string());
    let url = items[0]["url"].as_str().unwrap();
    let served = http().get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(served.to_vec(), pdf(1), "the file comes back byte for byte");

    let (_, one) = get(&sb, &auth, &format!("/v2/transactions/{}", tx.id)).await;
    let id = items[0]["id"].as_str().unwrap();
    assert_eq!(
        one["transaction"]["attachment_ids"],
        serde_json::json!([id])
    );
    let updated: chrono::DateTime<chrono::Utc> = one["transaction"]["updated_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(updated >= before, "attaching moved updated_at ({updated})");
    let (_, attachment) = get(&sb, &auth, &format!("/v2/attachments/{id}")).await;
    assert_eq!(attachment["attachment"]["id"], id);

    // The incremental sync's question finds it.
    let account = sb.data().orgs[0]
        .accounts
        .iter()
        .find(|a| sb.ledger_now(a).transactions.iter().any(|t| t.id == tx.id))
        .unwrap();
    let from = before.format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let (_, page) = get(
        &sb,
        &auth,
        &format!(
            "/v2/transactions?bank_account_id={}&updated_at_from={from}&status[]=completed&status[]=pending&status[]=declined",
            account.id
        ),
    )
    .await;
    let ids: Vec<&str> = page["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        vec![tx.id.as_str()],
        "only the changed transaction is new"
    );
}

#[tokio::test]
async fn a_key_returns_the_first_success_for_thirty_minutes_and_errors_are_not_kept() {
    let sb = sandbox().await;
    let auth = Auth::key(&sb, 0);
    let tx = missing_receipt(&sb);
    let path = format!("/v2/transactions/{}/attachments", tx.id);
    // No key: refused in Qonto's error shape.
    let (status, body) = upload(&sb, &auth, &tx.id, None, "r.pdf", pdf(1))
        .await
        .unwrap();
    assert_eq!(status, 400);
    assert_json_api_error(&body);
    assert_eq!(body["errors"][0]["code"], "missing_idempotency_key");
    // An error under a key is not kept: the same key then makes an attachment.
    let exe = b"MZ\x90\x00\x03 this is a program".to_vec();
    let (status, body) = upload(&sb, &auth, &tx.id, Some("k"), "renamed.pdf", exe)
        .await
        .unwrap();
    assert_eq!(status, 422, "a program renamed .pdf is told by its bytes");
    assert_eq!(body["errors"][0]["code"], "invalid_file");
    assert_eq!(
        upload(&sb, &auth, &tx.id, Some("k"), "a.pdf", pdf(1))
            .await
            .unwrap()
            .0,
        200
    );
    // Repeats with that key, whatever the body, return the first answer and add nothing.
    assert_eq!(
        upload(&sb, &auth, &tx.id, Some("k"), "b.pdf", pdf(2))
            .await
            .unwrap()
            .0,
        200
    );
    let (_, list) = get(&sb, &auth, &path).await;
    assert_eq!(list["attachments"].as_array().unwrap().len(), 1);
    // The key belongs to its credential: another organization's key is another writer.
    // After 30 minutes the same key makes a new attachment.
    sb.advance_clock(Duration::from_secs(31 * 60));
    assert_eq!(
        upload(&sb, &auth, &tx.id, Some("k"), "c.pdf", pdf(3))
            .await
            .unwrap()
            .0,
        200
    );
    let (_, list) = get(&sb, &auth, &path).await;
    assert_eq!(list["attachments"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn uploads_show_after_the_processing_delay() {
    let sb = start(UploadOptions {
        attach_delay: Duration::from_secs(5),
        ..UploadOptions::default()
    })
    .await;
    let auth = Auth::key(&sb, 0);
    let tx = missing_receipt(&sb);
    assert_eq!(
        upload(&sb, &auth, &tx.id, Some("k"), "r.pdf", pdf(1))
            .await
            .unwrap()
            .0,
        200
    );
    assert!(sb.misses_receipt(&tx), "accepted is not attached yet");
    assert_eq!(sb.uploads_of(&tx.id).len(), 1, "but the file is kept");
    sb.advance_clock(Duration::from_secs(6));
    assert!(!sb.misses_receipt(&tx), "processed after the delay");
}

#[tokio::test]
async fn files_over_the_cap_and_bodies_without_a_file_are_refused() {
    let sb = start(UploadOptions {
        max_bytes: 1024 * 1024,
        ..UploadOptions::default()
    })
    .await;
    let auth = Auth::key(&sb, 0);
    let tx = missing_receipt(&sb);
    let mut big = pdf(1);
    big.resize(1024 * 1024 + 1, b' ');
    let (status, body) = upload(&sb, &auth, &tx.id, Some("k1"), "big.pdf", big)
        .await
        .unwrap();
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["errors"][0]["code"], "file_too_large");
    let r = auth
        .apply(http().post(format!(
            "{}/v2/transactions/{}/attachments",
            sb.base_url(),
            tx.id
        )))
        .header("X-Qonto-Idempotency-Key", "k2")
        .multipart(reqwest::multipart::Form::new().text("note", "no file"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(sb.uploads_of(&tx.id).is_empty());
    let (status, _) = upload(
        &sb,
        &auth,
        "no-such-transaction",
        Some("k3"),
        "r.pdf",
        pdf(1),
    )
    .await
    .unwrap();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn writing_needs_attachment_write_on_a_token() {
    let sb = sandbox().await;
    let tx = missing_receipt(&sb);
    let org = sb.data().orgs[0].id.clone();
    let read_only = access(
        &sign_in_with_scopes(
            &sb,
            &org_ids(&sb),
            qonto_client::oauth::authorize::READ_SCOPES,
        )
        .await,
    );
    let auth = Auth::Bearer(read_only, org.clone());
    let (status, body) = upload(&sb, &auth, &tx.id, Some("k"), "r.pdf", pdf(1))
        .await
        .unwrap();
    assert_eq!(status, 403);
    assert_json_api_error(&body);
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("missing required oauth scope"),
        "{body}"
    );
    let path = format!("/v2/transactions/{}/attachments/anything", tx.id);
    assert_eq!(delete(&sb, &auth, &path).await, 403);
    let writer = access(&sign_in_with_scopes(&sb, &org_ids(&sb), WRITE_SCOPES).await);
    let auth = Auth::Bearer(writer, org);
    assert_eq!(
        upload(&sb, &auth, &tx.id, Some("k"), "r.pdf", pdf(1))
            .await
            .unwrap()
            .0,
        200
    );
}

#[tokio::test]
async fn deletes_remove_one_receipt_or_all_and_move_updated_at() {
    let sb = sandbox().await;
    let auth = Auth::key(&sb, 0);
    let org = &sb.data().orgs[0];
    // A transaction that came with a receipt, and one that missed it.
    let with = org
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .find(|t| {
            sb.receipt_ids(t).len() == 1 && qonto_sandbox::data::TxStatus::Completed == t.status
        })
        .unwrap();
    let seeded = sb.receipt_ids(&with)[0].clone();
    let path = format!("/v2/transactions/{}/attachments/{seeded}", with.id);
    assert_eq!(delete(&sb, &auth, &path).await, 204);
    assert!(sb.receipt_ids(&with).is_empty());
    assert_eq!(delete(&sb, &auth, &path).await, 404, "already gone");
    let (_, one) = get(&sb, &auth, &format!("/v2/transactions/{}", with.id)).await;
    assert_eq!(one["transaction"]["attachment_ids"], serde_json::json!([]));
    assert_ne!(
        one["transaction"]["updated_at"],
        qonto_sandbox::data::format_timestamp(with.updated_at)
    );

    let tx = missing_receipt(&sb);
    for (n, key) in ["a", "b"].iter().enumerate() {
        upload(&sb, &auth, &tx.id, Some(key), "r.pdf", pdf(n as u32))
            .await
            .unwrap();
    }
    assert_eq!(sb.receipt_ids(&tx).len(), 2);
    let all = format!("/v2/transactions/{}/attachments", tx.id);
    assert_eq!(delete(&sb, &auth, &all).await, 204);
    assert!(sb.receipt_ids(&tx).is_empty());
    assert!(sb.misses_receipt(&tx), "missing again");
}

#[tokio::test]
async fn upload_faults_fail_before_or_after_the_file_is_kept() {
    let sb = sandbox().await;
    let auth = Auth::key(&sb, 0);
    let tx = missing_receipt(&sb);
    sb.set_upload_faults(UploadFaults {
        server_errors: 1,
        drops_after_processing: 1,
        ..UploadFaults::default()
    });
    let (status, body) = upload(&sb, &auth, &tx.id, Some("k"), "r.pdf", pdf(1))
        .await
        .unwrap();
    assert_eq!(status, 503);
    assert_json_api_error(&body);
    assert!(sb.uploads_of(&tx.id).is_empty(), "a 503 keeps nothing");
    // The next is kept, but its answer never arrives.
    assert!(
        upload(&sb, &auth, &tx.id, Some("k"), "r.pdf", pdf(1))
            .await
            .is_none()
    );
    assert_eq!(sb.uploads_of(&tx.id).len(), 1);
    // A retry with the same key gets the kept answer and adds nothing.
    assert_eq!(
        upload(&sb, &auth, &tx.id, Some("k"), "r.pdf", pdf(1))
            .await
            .unwrap()
            .0,
        200
    );
    assert_eq!(sb.uploads_of(&tx.id).len(), 1, "exactly one attachment");
}

#[tokio::test]
async fn standalone_uploads_answer_with_their_id() {
    let sb = sandbox().await;
    let auth = Auth::key(&sb, 0);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let r = auth
        .apply(http().post(format!("{}/v2/attachments", sb.base_url())))
        .header("X-Qonto-Idempotency-Key", "s")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(png.clone()).file_name("scan.png"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    let id = body["attachment"]["id"].as_str().unwrap().to_string();
    assert_eq!(body["attachment"].as_object().unwrap().len(), 1, "id only");
    let (status, got) = get(&sb, &auth, &format!("/v2/attachments/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["attachment"]["file_content_type"], "image/png");
    assert_eq!(got["attachment"]["file_size"], png.len().to_string());
}
