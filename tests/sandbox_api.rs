//! The sandbox's API answers: roles, pagination, filters, rate limits, injected faults, and bad
//! input that always gets a JSON error and never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qonto_sandbox::{DataOptions, Sandbox, SandboxOptions};
use serde_json::Value;

#[tokio::test]
async fn roles_qonto_hides_balances_from_get_no_balance_fields() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    let t = access(&tokens);
    for org in &sb.data().orgs {
        let (_, body) = api(&sb, "/v2/organization", &t, Some(&org.id)).await;
        let account = &body["organization"]["bank_accounts"][0];
        let hidden = matches!(org.membership_role.as_str(), "manager" | "employee");
        assert_eq!(
            account.get("balance_cents").is_none(),
            hidden,
            "{} ({})",
            org.name,
            org.membership_role
        );
        assert_eq!(account.get("authorized_balance").is_none(), hidden);
    }
}

#[tokio::test]
async fn pagination_250_transactions_at_100_per_page() {
    let sb = Sandbox::start(SandboxOptions {
        data: DataOptions {
            transactions_per_account: Some(250),
            ..options().data
        },
        ..options()
    })
    .await
    .unwrap();
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let account = sb.data().orgs[0].accounts[0].id.clone();
    let mut seen = std::collections::HashSet::new();
    let mut page = Some(1u64);
    let mut pages = 0;
    while let Some(p) = page {
        let (status, body) = api(
            &sb,
            &format!("/v2/transactions?bank_account_id={account}&status[]=pending&status[]=declined&status[]=completed&per_page=100&page={p}"),
            &t,
            Some(&orgs[0]),
        )
        .await;
        assert_eq!(status, 200);
        let meta = &body["meta"];
        assert_eq!(meta["current_page"], p);
        assert_eq!(meta["total_pages"], 3);
        assert_eq!(meta["total_count"], 250);
        assert_eq!(meta["per_page"], 100);
        assert_eq!(
            meta["prev_page"],
            if p == 1 {
                Value::Null
            } else {
                Value::from(p - 1)
            }
        );
        let items = body["transactions"].as_array().unwrap();
        assert_eq!(items.len(), if p < 3 { 100 } else { 50 });
        for tx in items {
            assert!(
                seen.insert(tx["id"].as_str().unwrap().to_string()),
                "no transaction twice"
            );
        }
        page = meta["next_page"].as_u64();
        pages += 1;
        assert!(pages <= 3);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
}

#[tokio::test]
async fn transactions_are_newest_first_and_filters_work() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let account = sb.data().orgs[0].accounts[0].id.clone();
    let (_, body) = api(
        &sb,
        &format!("/v2/transactions?bank_account_id={account}"),
        &t,
        Some(&orgs[0]),
    )
    .await;
    let items = body["transactions"].as_array().unwrap();
    let key = |tx: &Value| {
        tx["settled_at"]
            .as_str()
            .or(tx["emitted_at"].as_str())
            .unwrap()
            .to_string()
    };
    for w in items.windows(2) {
        assert!(key(&w[0]) >= key(&w[1]), "newest first");
    }
    let (_, body) = api(
        &sb,
        &format!("/v2/transactions?bank_account_id={account}&side=credit&status[]=completed"),
        &t,
        Some(&orgs[0]),
    )
    .await;
    let items = body["transactions"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|tx| tx["side"] == "credit" && tx["status"] == "completed")
    );
    let (_, body) = api(
        &sb,
        &format!("/v2/transactions?bank_account_id={account}&settled_at_from=2026-10-01T00:00:00Z&settled_at_to=2026-10-31T23:59:59Z&sort_by=settled_at:asc"),
        &t,
        Some(&orgs[0]),
    )
    .await;
    let items = body["transactions"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|tx| tx["settled_at"].as_str().unwrap().starts_with("2026-10"))
    );
    // One transaction by id, with its labels embedded on request.
    let id = items[0]["id"].as_str().unwrap();
    let (status, body) = api(
        &sb,
        &format!("/v2/transactions/{id}?includes[]=labels"),
        &t,
        Some(&orgs[0]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["transaction"]["id"], id);
    assert!(body["transaction"]["labels"].is_array());
}

#[tokio::test]
async fn bad_input_always_gets_a_json_error() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let account = sb.data().orgs[0].accounts[0].id.clone();
    let cases = [
        (
            format!("/v2/transactions?bank_account_id={account}&per_page=100000"),
            400,
        ),
        (
            format!("/v2/transactions?bank_account_id={account}&per_page=0"),
            400,
        ),
        (
            format!("/v2/transactions?bank_account_id={account}&page=-1"),
            400,
        ),
        (
            format!("/v2/transactions?bank_account_id={account}&page=abc"),
            400,
        ),
        (
            format!("/v2/transactions?bank_account_id={account}&sort_by=amount:up"),
            400,
        ),
        (
            format!("/v2/transactions?bank_account_id={account}&settled_at_from=yesterday"),
            400,
        ),
        (
            format!("/v2/transactions?bank_account_id={account}&side=sideways"),
            400,
        ),
        ("/v2/transactions".to_string(), 400),
        ("/v2/transactions?bank_account_id=nope".to_string(), 404),
        ("/v2/transactions/does-not-exist".to_string(), 404),
        ("/v2/bank_accounts/does-not-exist".to_string(), 404),
        ("/v2/statements?period_from=13-2024".to_string(), 400),
        (
            format!("/v2/transactions?bank_account_id={account}&%%%=%%&&&==&status[]="),
            200,
        ),
        ("/v2/organizations".to_string(), 404),
        ("/v3/anything/at/all".to_string(), 404),
    ];
    for (path, expected) in cases {
        let (status, body) = api(&sb, &path, &t, Some(&orgs[0])).await;
        assert_eq!(status, expected, "{path}: {body}");
        if expected != 200 {
            assert_json_api_error(&body);
        }
    }
    // Unknown org ids, in and out of UUID shape.
    for org in [
        "00000000-0000-4000-8000-000000000000",
        "not-an-id",
        "'; DROP TABLE orgs; --",
    ] {
        let (status, body) = api(&sb, "/v2/organization", &t, Some(org)).await;
        assert_eq!(status, 403);
        assert_json_api_error(&body);
    }
    let r = http()
        .post(format!("{}/v2/organization", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let body: Value = r.json().await.unwrap();
    assert_json_api_error(&body);
}

#[tokio::test]
async fn bad_authorize_and_token_requests_get_json_errors() {
    let sb = sandbox().await;
    let good = authorization(&sb);
    let without = |key: &str| {
        let mut u = good.url.clone();
        let pairs: Vec<(String, String)> = good
            .url
            .query_pairs()
            .into_owned()
            .filter(|(k, _)| k != key)
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u
    };
    let with = |key: &str, value: &str| {
        let mut u = good.url.clone();
        let pairs: Vec<(String, String)> = good
            .url
            .query_pairs()
            .into_owned()
            .map(|(k, v)| {
                if k == key {
                    (k, value.to_string())
                } else {
                    (k, v)
                }
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u
    };
    let cases = vec![
        (with("client_id", "someone-else"), 404, "invalid_client"),
        (without("client_id"), 404, "invalid_client"),
        (
            with("redirect_uri", "http://127.0.0.1:9999/callback"),
            404,
            "invalid_request",
        ),
        (
            with("redirect_uri", "http://evil.example/callback"),
            404,
            "invalid_request",
        ),
        (without("state"), 400, "invalid_request"),
        (with("state", "short"), 400, "invalid_state"),
        (
            with("response_type", "token"),
            400,
            "unsupported_response_type",
        ),
        (
            with("scope", "organization.read payment.write"),
            400,
            "invalid_scope",
        ),
        (with("scope", "organization.read"), 400, "invalid_scope"),
        (
            with("code_challenge_method", "plain"),
            400,
            "invalid_request",
        ),
    ];
    for (url, status, error) in cases {
        let r = http().get(url.as_str()).send().await.unwrap();
        if status == 404 {
            // An unknown client or redirect URI: an error page, never a redirect.
            assert_eq!(r.status().as_u16(), 404, "{url}");
            let body: Value = r
                .json()
                .await
                .unwrap_or_else(|e| panic!("{url}: not JSON: {e}"));
            assert_eq!(body["error"], error, "{url}: {body}");
            continue;
        }
        // Past those checks, errors go back to the client's redirect URI with the state.
        assert_eq!(r.status().as_u16(), 302, "{url}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(&sb.redirect_uris()[0]), "{location}");
        let back: std::collections::HashMap<String, String> = url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        assert_eq!(
            back.get("error").map(String::as_str),
            Some(error),
            "{location}"
        );
        assert!(back.contains_key("error_description"), "{location}");
        let sent = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.to_string());
        assert_eq!(back.get("state"), sent.as_ref(), "{location}");
    }
    let garbage = format!("{}/oauth2/auth?%zz=%&&client_id", sb.base_url());
    assert_eq!(
        http().get(&garbage).send().await.unwrap().status().as_u16(),
        404
    );

    let token_cases: Vec<(Option<&str>, &[u8], u16)> = vec![
        (Some("application/x-www-form-urlencoded"), b"%%%&&==", 401),
        (
            Some("application/json"),
            b"{\"grant_type\":\"refresh_token\"}",
            400,
        ),
        (None, b"", 400),
        (
            Some("application/x-www-form-urlencoded"),
            b"grant_type=password",
            401,
        ),
    ];
    for (content_type, body, status) in token_cases {
        let mut req = http().post(sb.token_url()).body(body.to_vec());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status);
        let v: Value = r.json().await.unwrap();
        assert!(v["error"].is_string(), "{v}");
    }
    let form = [
        ("grant_type", "password"),
        ("client_id", sb.client_id()),
        ("client_secret", sb.client_secret()),
    ];
    let r = http()
        .post(sb.token_url())
        .form(&form)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "unsupported_grant_type");

    // A consent form with no challenge, an unknown one, or a forged organization.
    for body in ["decision=allow", "challenge=nope&decision=allow", "%%%"] {
        let r = http()
            .post(sb.auth_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "invalid_request");
    }
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    use qonto_sandbox::ratelimit::Limit;
    let sb = Sandbox::start(SandboxOptions {
        rate_limits: vec![Limit {
            max: 5,
            window: std::time::Duration::from_secs(10),
        }],
        ..options()
    })
    .await
    .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = http()
            .get(format!("{}/v2/user_organizations", sb.base_url()))
            .bearer_auth("x")
            .send()
            .await
            .unwrap();
        let retry_after = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        statuses.push((r.status().as_u16(), retry_after));
    }
    assert!(statuses[..5].iter().all(|(s, _)| *s == 401));
    assert_eq!(statuses[5].0, 429);
    assert!(
        statuses[5]
            .1
            .as_ref()
            .is_some_and(|s| s.parse::<u64>().unwrap() >= 1)
    );
    assert_eq!(sb.stats().rate_limited, 2);
}

#[tokio::test]
async fn injected_faults_look_like_the_real_thing() {
    use qonto_sandbox::Faults;
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let t = access(&sign_in(&sb, &orgs).await);
    let get = || {
        http()
            .get(format!("{}/v2/user_organizations", sb.base_url()))
            .bearer_auth(&t)
            .send()
    };

    sb.set_faults(Faults {
        server_error_percent: 100,
        ..Faults::default()
    });
    let r = get().await.unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.headers().contains_key("x-tyk-trace-id"));
    assert_json_api_error(&r.json().await.unwrap());

    sb.set_faults(Faults {
        too_many_requests_percent: 100,
        retry_after_secs: 3,
        ..Faults::default()
    });
    let r = get().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "3");

    sb.set_faults(Faults {
        malformed_percent: 100,
        ..Faults::default()
    });
    let r = get().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.json::<Value>().await.is_err(),
        "the body is truncated JSON"
    );

    sb.set_faults(Faults {
        drop_percent: 100,
        ..Faults::default()
    });
    let outcome = match get().await {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(outcome, "the connection is dropped");

    sb.set_faults(Faults {
        latency: std::time::Duration::from_millis(150),
        ..Faults::default()
    });
    let started = std::time::Instant::now();
    assert_eq!(get().await.unwrap().status().as_u16(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));

    sb.set_faults(Faults::default());
    assert_eq!(get().await.unwrap().status().as_u16(), 200);
    assert_eq!(sb.stats().faults_injected, 4);
}
