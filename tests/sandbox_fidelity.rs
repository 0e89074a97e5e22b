//! Where the sandbox must answer as production Qonto does, not only as its documented examples
//! show: the default status filter, `current_page`, string account numbers, receipts and their
//! expiring files, the single-item endpoints, the living books, VAT details and subject types.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::Value;

/// As Qonto: completed transactions only unless `status[]` asks for more; `current_page` pages
/// like `page` (older official clients send it) and ends with `next_page: null`.
#[tokio::test]
async fn completed_only_by_default_and_current_page_pages() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let account = sb.data().orgs[0].accounts[0].id.clone();
    let list = |query: String| {
        let (sb, t, org, account) = (&sb, &t, &orgs[0], &account);
        async move {
            let path = format!("/v2/transactions?bank_account_id={account}&{query}");
            let (status, body) = api(sb, &path, t, Some(org)).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let statuses = |body: &Value| -> std::collections::HashSet<String> {
        body["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tx| tx["status"].as_str().unwrap().to_string())
            .collect()
    };
    let default = list("per_page=100".into()).await;
    assert_eq!(statuses(&default), ["completed".to_string()].into());
    let pending = list("status[]=pending".into()).await;
    assert_eq!(statuses(&pending), ["pending".to_string()].into());
    let both = list("status[]=pending&status[]=completed&per_page=100".into()).await;
    assert!(both["meta"]["total_count"].as_u64() > default["meta"]["total_count"].as_u64());

    let mut seen = std::collections::HashSet::new();
    let mut page = Some(1u64);
    let mut pages = 0;
    while let Some(p) = page {
        let body = list(format!("per_page=25&current_page={p}")).await;
        assert_eq!(body["meta"]["current_page"], p);
        for tx in body["transactions"].as_array().unwrap() {
            assert!(
                seen.insert(tx["id"].as_str().unwrap().to_string()),
                "no row twice"
            );
        }
        page = body["meta"]["next_page"].as_u64();
        pages += 1;
        assert!(pages <= 100, "paging ends");
    }
    assert_eq!(
        seen.len() as u64,
        default["meta"]["total_count"].as_u64().unwrap()
    );
    assert!(pages > 1);
}

/// `account_number` is a string in production (leading zeros matter), whatever the documented
/// example shows.
#[tokio::test]
async fn account_numbers_are_strings() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let (_, accounts) = api(&sb, "/v2/bank_accounts", &t, Some(&orgs[0])).await;
    let (_, org) = api(&sb, "/v2/organization", &t, Some(&orgs[0])).await;
    for account in accounts["bank_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(org["organization"]["bank_accounts"].as_array().unwrap())
    {
        let number = account["account_number"].as_str().expect("a string");
        assert!(account["iban"].as_str().unwrap().ends_with(number));
    }
}

/// Fetches a file URL the sandbox handed out; returns the status and the bytes.
async fn fetch_file(url: &str) -> (u16, Vec<u8>) {
    let r = http().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

/// Receipts as Qonto shows them: a realistic share of transactions has one, some that require
/// one do not, `with_attachments` filters on it, both attachment endpoints agree, and the file
/// behind the short-lived URL has the declared size until the URL expires.
#[tokio::test]
async fn attachments_their_endpoints_and_expiring_files() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let org = &orgs[0];
    let account = sb.data().orgs[0].accounts[0].id.clone();
    let list =
        |query: &str| format!("/v2/transactions?bank_account_id={account}&per_page=100&{query}");
    let (_, all) = api(&sb, &list(""), &t, Some(org)).await;
    let items = all["transactions"].as_array().unwrap();
    let with = items
        .iter()
        .filter(|tx| !tx["attachment_ids"].as_array().unwrap().is_empty())
        .count();
    assert!(
        with > items.len() / 3 && with < items.len(),
        "{with} of {} have a receipt",
        items.len()
    );
    assert!(
        items.iter().any(|tx| tx["attachment_required"] == true
            && tx["attachment_ids"].as_array().unwrap().is_empty()),
        "some required receipts are missing"
    );
    for (flag, has) in [("true", true), ("false", false)] {
        let (status, body) = api(
            &sb,
            &list(&format!("with_attachments={flag}")),
            &t,
            Some(org),
        )
        .await;
        assert_eq!(status, 200);
        for tx in body["transactions"].as_array().unwrap() {
            assert_eq!(!tx["attachment_ids"].as_array().unwrap().is_empty(), has);
        }
    }
    let tx = items
        .iter()
        .find(|tx| !tx["attachment_ids"].as_array().unwrap().is_empty())
        .unwrap();
    let tx_id = tx["id"].as_str().unwrap();
    let attachment_id = tx["attachment_ids"][0].as_str().unwrap();

    let (status, body) = api(
        &sb,
        &format!("/v2/transactions/{tx_id}/attachments"),
        &t,
        Some(org),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let listed = &body["attachments"][0];
    assert_eq!(listed["id"], attachment_id);
    let (status, body) = api(
        &sb,
        &format!("/v2/attachments/{attachment_id}"),
        &t,
        Some(org),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let attachment = &body["attachment"];
    assert_eq!(attachment["id"], attachment_id);
    assert_eq!(attachment["file_content_type"], "application/pdf");
    let size: usize = attachment["file_size"]
        .as_str()
        .expect("file_size is a string")
        .parse()
        .unwrap();
    assert!(attachment["probative_attachment"]["url"].is_string());
    let (_, included) = api(
        &sb,
        &format!("/v2/transactions/{tx_id}?includes[]=attachments"),
        &t,
        Some(org),
    )
    .await;
    assert_eq!(
        included["transaction"]["attachments"][0]["id"],
        attachment_id
    );
    assert_eq!(
        api(&sb, "/v2/attachments/not-an-attachment", &t, Some(org))
            .await
            .0,
        404
    );

    let url = attachment["url"].as_str().unwrap();
    assert!(url.starts_with(&sb.base_url()), "served on loopback: {url}");
    let (status, bytes) = fetch_file(url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes.len(), size, "the declared size");
    assert!(bytes.starts_with(b"%PDF-") && bytes.ends_with(b"%%EOF\n"));
    let tampered = url.replace("signature=", "signature=0");
    assert_eq!(fetch_file(&tampered).await.0, 403);
    sb.advance_clock(std::time::Duration::from_secs(31 * 60));
    let (status, body) = fetch_file(url).await;
    assert_eq!(status, 403, "refused after 30 minutes");
    assert!(String::from_utf8_lossy(&body).contains("expired"));
}

/// The documented single-item reads: a label, a statement (with its file on loopback) and the
/// caller's own membership.
#[tokio::test]
async fn label_statement_and_own_membership_items() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let org = &orgs[0];
    let (_, labels) = api(&sb, "/v2/labels", &t, Some(org)).await;
    let first = &labels["labels"][0];
    let (status, body) = api(
        &sb,
        &format!("/v2/labels/{}", first["id"].as_str().unwrap()),
        &t,
        Some(org),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(&body["label"], first);
    assert_eq!(api(&sb, "/v2/labels/nope", &t, Some(org)).await.0, 404);

    let (status, body) = api(&sb, "/v2/membership", &t, Some(org)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["membership"]["role"],
        sb.data().orgs[0].membership_role.as_str()
    );

    let (_, statements) = api(&sb, "/v2/statements", &t, Some(org)).await;
    let first = &statements["statements"][0];
    let id = first["id"].as_str().unwrap();
    let (status, body) = api(&sb, &format!("/v2/statements/{id}"), &t, Some(org)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["statement"]["id"], id);
    assert_eq!(body["statement"]["period"], first["period"]);
    let file = &body["statement"]["file"];
    let (status, bytes) = fetch_file(file["file_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(bytes.len().to_string(), file["file_size"].as_str().unwrap());
    assert!(bytes.starts_with(b"%PDF-"));
}

/// The living books: a step adds a pending transaction on some account and settles the oldest
/// pending one there, both with `updated_at` at the sandbox's now, so `updated_at_from` finds them.
#[tokio::test]
async fn living_books_add_and_settle_transactions() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let since = (chrono::Utc::now() - chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let moved = sb.step_books().expect("an account moved");
    let org = sb
        .data()
        .orgs
        .iter()
        .find(|o| o.accounts.iter().any(|a| a.id == moved))
        .unwrap();
    let had_pending = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| &o.accounts)
        .find(|a| a.id == moved)
        .map(|a| {
            sb.data()
                .ledger(a)
                .transactions
                .iter()
                .any(|t| t.status == qonto_sandbox::data::TxStatus::Pending)
        });
    let (status, body) = api(
        &sb,
        &format!("/v2/transactions?bank_account_id={moved}&status[]=pending&status[]=completed&updated_at_from={since}"),
        &t,
        Some(&org.id),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let changed = body["transactions"].as_array().unwrap();
    assert!(
        changed.iter().any(|tx| tx["status"] == "pending"),
        "a new pending one: {body}"
    );
    if had_pending == Some(true) {
        assert!(
            changed.iter().any(|tx| tx["status"] == "completed"
                && tx["settled_at"].as_str() >= Some(since.as_str())),
            "the oldest pending one settled: {body}"
        );
    }
    for tx in changed {
        assert!(tx["updated_at"].as_str().unwrap() >= since.as_str());
    }
}

/// Every transaction of the demo books, every status, with `includes[]` as given: the first
/// page of 100 of each account of each organization.
async fn every_first_page(sb: &qonto_sandbox::Sandbox, includes: &str) -> Vec<Value> {
    let orgs = org_ids(sb);
    let t = access(&sign_in(sb, &orgs).await);
    let mut all = Vec::new();
    for org in &sb.data().orgs {
        for account in &org.accounts {
            let path = format!(
                "/v2/transactions?bank_account_id={}&status[]=pending&status[]=completed&status[]=declined&per_page=100{includes}",
                account.id
            );
            let (status, body) = api(sb, &path, &t, Some(&org.id)).await;
            assert_eq!(status, 200, "{body}");
            all.extend(body["transactions"].as_array().unwrap().iter().cloned());
        }
    }
    all
}

/// `includes[]=vat_details` lists one item per VAT rate, whose VAT adds up to `vat_amount_cents`
/// and whose amounts add up to the transaction's; a bill split over two rates has no single
/// `vat_rate`. Without the include there is no `vat_details` at all.
#[tokio::test]
async fn vat_details_add_up_and_a_split_bill_has_no_single_rate() {
    let sb = sandbox().await;
    let plain = every_first_page(&sb, "").await;
    assert!(plain.iter().all(|tx| tx.get("vat_details").is_none()));
    let all = every_first_page(&sb, "&includes[]=vat_details").await;
    let (mut single, mut split, mut none) = (0, 0, 0);
    for tx in &all {
        let items = tx["vat_details"]["items"]
            .as_array()
            .expect("an items array");
        let vat: i64 = items
            .iter()
            .map(|i| i["vat_amount_cents"].as_i64().unwrap())
            .sum();
        match items.len() {
            0 => {
                none += 1;
                assert!(tx["vat_amount_cents"].is_null(), "{tx}");
                continue;
            }
            1 => {
                single += 1;
                assert_eq!(tx["vat_rate"], items[0]["vat_rate"], "{tx}");
            }
            _ => {
                split += 1;
                assert!(tx["vat_rate"].is_null(), "{tx}");
            }
        }
        assert_eq!(tx["vat_amount_cents"].as_i64(), Some(vat), "{tx}");
        let gross: i64 = items
            .iter()
            .map(|i| i["amount_cents"].as_i64().unwrap())
            .sum();
        assert_eq!(tx["amount_cents"].as_i64(), Some(gross), "{tx}");
        for item in items {
            let (cents, amount) = (&item["vat_amount_cents"], &item["vat_amount"]);
            assert_eq!(cents.as_f64().map(|c| c / 100.0), amount.as_f64(), "{tx}");
        }
    }
    assert!(
        single > 0 && split > 0 && none > 0,
        "{single} {split} {none}"
    );
}

/// `subject_type` names the operation behind each transaction: a card payment, a transfer, an
/// income and a direct debit each have their own, and only transfers say "Transfer".
#[tokio::test]
async fn subject_type_follows_the_kind_of_operation() {
    let sb = sandbox().await;
    let all = every_first_page(&sb, "").await;
    let mut seen = std::collections::BTreeMap::new();
    for tx in &all {
        let operation = tx["operation_type"].as_str().unwrap().to_string();
        let subject = tx["subject_type"].as_str().unwrap().to_string();
        let previous = seen.insert(operation.clone(), subject.clone());
        assert!(
            previous.is_none_or(|p| p == subject),
            "one subject type per kind: {operation}"
        );
    }
    for (operation, subject) in [
        ("card", "Card"),
        ("transfer", "Transfer"),
        ("income", "Income"),
        ("direct_debit", "DirectDebit"),
    ] {
        assert_eq!(
            seen.get(operation).map(String::as_str),
            Some(subject),
            "{seen:?}"
        );
    }
    let transfers = seen.values().filter(|s| *s == "Transfer").count();
    assert_eq!(transfers, 1, "{seen:?}");
}
