//! Members' requests: the sandbox lists and declines them as Qonto does (a note required, only a
//! pending one, an idempotency key required and its first answer replayed, the scope enforced
//! on tokens), and the real binary lists every organization's pending ones and declines one
//! only after a confirmation and with writes on, the sandbox agreeing afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::*;
use qonto_sandbox::Sandbox;
use serde_json::{Value, json};

async fn decline_http(
    sb: &Sandbox,
    token: &str,
    org: &str,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut req = http()
        .post(format!("{}{path}", sb.base_url()))
        .bearer_auth(token)
        .header("X-Qonto-Organization-Id", org)
        .json(body);
    if let Some(key) = key {
        req = req.header("X-Qonto-Idempotency-Key", key);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_sandbox_declines_only_a_pending_request_with_a_note_once_per_key() {
    let sb = sandbox().await;
    let org = &sb.data().orgs[0];
    let tokens = sign_in_with_scopes(
        &sb,
        std::slice::from_ref(&org.id),
        "offline_access user_organization.read organization.read request_review.write",
    )
    .await;
    let token = access(&tokens);
    let (status, body) = api(&sb, "/v2/requests?status[]=pending", &token, Some(&org.id)).await;
    assert_eq!(status, 200, "{body}");
    let pending = body["requests"].as_array().unwrap().clone();
    assert!(!pending.is_empty());
    assert!(pending.iter().all(|r| r["status"] == "pending"));
    let first = &pending[0];
    let kind = format!("{}s", first["request_type"].as_str().unwrap());
    let path = format!(
        "/v2/requests/{kind}/{}/decline",
        first["id"].as_str().unwrap()
    );

    let (status, body) = decline_http(
        &sb,
        &token,
        &org.id,
        &path,
        None,
        &json!({"declined_note": "no"}),
    )
    .await;
    assert_eq!(status, 400, "a key is required: {body}");
    assert_json_api_error(&body);
    let (status, body) = decline_http(&sb, &token, &org.id, &path, Some("k1"), &json!({})).await;
    assert_eq!(status, 422, "a note is required: {body}");
    assert_json_api_error(&body);

    let (status, body) = decline_http(
        &sb,
        &token,
        &org.id,
        &path,
        Some("k2"),
        &json!({"declined_note": "Over budget"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let wrapped = format!("request_{}", first["request_type"].as_str().unwrap());
    assert_eq!(body[&wrapped]["status"], "declined", "{body}");
    assert_eq!(body[&wrapped]["declined_note"], "Over budget");
    // The same key again, whatever the body: the first answer.
    let (status, again) = decline_http(
        &sb,
        &token,
        &org.id,
        &path,
        Some("k2"),
        &json!({"declined_note": "other"}),
    )
    .await;
    assert_eq!((status, &again), (200, &body));
    // A new key on a declined request: the transition Qonto refuses.
    let (status, body) = decline_http(
        &sb,
        &token,
        &org.id,
        &path,
        Some("k3"),
        &json!({"declined_note": "again"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_json_api_error(&body);
    // After 30 minutes the key is forgotten: a new decline, refused the same way.
    sb.advance_clock(Duration::from_secs(31 * 60));
    let (status, _) = decline_http(
        &sb,
        &token,
        &org.id,
        &path,
        Some("k2"),
        &json!({"declined_note": "x"}),
    )
    .await;
    assert_eq!(status, 422);

    let second = &pending[1];
    let path = format!(
        "/v2/requests/{}s/{}/decline",
        second["request_type"].as_str().unwrap(),
        second["id"].as_str().unwrap()
    );
    let without: String = access(
        &sign_in_with_scopes(
            &sb,
            std::slice::from_ref(&org.id),
            "offline_access user_organization.read organization.read",
        )
        .await,
    );
    let (status, body) = decline_http(
        &sb,
        &without,
        &org.id,
        &path,
        Some("k4"),
        &json!({"declined_note": "no"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("missing required oauth scope")
    );
}

use common::run_app as run;

#[tokio::test(flavor = "multi_thread")]
async fn requests_are_listed_across_organizations_and_declined_only_when_confirmed() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("requests");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let mut writes = env.clone();
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));

    let (code, out, err) = run(&sb, &home, &env, &["requests", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let listed: Vec<Value> = serde_json::from_str(&out).unwrap();
    let truth: usize = sb
        .data()
        .orgs
        .iter()
        .map(|o| {
            sb.requests_of(o)
                .iter()
                .filter(|r| r.status == "pending")
                .count()
        })
        .sum();
    assert_eq!(listed.len(), truth, "every organization's pending requests");
    let orgs: std::collections::BTreeSet<&str> = listed
        .iter()
        .map(|r| r["org_id"].as_str().unwrap())
        .collect();
    assert!(orgs.len() > 1);
    let chosen = &listed[0];
    let id = chosen["request"]["id"].as_str().unwrap();
    let org = sb
        .data()
        .orgs
        .iter()
        .find(|o| o.id == chosen["org_id"])
        .unwrap();
    let status_now = || {
        sb.requests_of(org)
            .into_iter()
            .find(|r| r.id == id)
            .map(|r| (r.status, r.declined_note))
            .unwrap()
    };

    // Without a terminal, a decline needs --yes; with writes off, it is refused; nothing done.
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["decline", id, "--note", "Over budget"],
    )
    .await;
    assert_ne!(code, 0);
    assert!(err.contains("needs a confirmation"), "{err}");
    let (code, _, err) = run(
        &sb,
        &home,
        &env,
        &["decline", id, "--note", "Over budget", "--yes"],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("writes to Qonto are off"), "{err}");
    assert_eq!(status_now().0, "pending");

    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &["decline", id, "--note", "Over budget", "--yes"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("Declined ") && out.contains(&org.name),
        "{out}"
    );
    assert_eq!(status_now(), ("declined", Some("Over budget".to_string())));
    // Once declined, it is not pending: refused before anything is sent.
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["decline", id, "--note", "Again", "--yes"],
    )
    .await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not pending"), "{err}");
    assert_eq!(status_now().1.as_deref(), Some("Over budget"));
    let (_, out, _) = run(&sb, &home, &env, &["journal"]).await;
    assert!(
        out.contains("decline request") && out.contains("confirmed"),
        "{out}"
    );
    let (code, _, _) = run(
        &sb,
        &home,
        &writes,
        &["decline", "no-such-request", "--note", "x", "--yes"],
    )
    .await;
    assert_eq!(code, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decline_whose_answer_was_lost_is_sent_again_with_its_key_and_made_once() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("requests-lost");
    let mut writes = app_env(&sb, &home);
    common::run_ok(&sb, &home, &writes, &[&["login"]]).await;
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let (org, request) = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| sb.requests_of(o).into_iter().map(move |r| (o, r)))
        .find(|(_, r)| r.status == "pending")
        .unwrap();

    sb.drop_next_write_answers(1);
    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &["decline", &request.id, "--note", "Duplicate", "--yes"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let now = sb
        .requests_of(org)
        .into_iter()
        .find(|r| r.id == request.id)
        .unwrap();
    assert_eq!(now.status, "declined");
    let made: Vec<_> = sb
        .acted()
        .into_iter()
        .filter(|a| a.target == request.id)
        .collect();
    assert_eq!(made.len(), 1, "declined once: {made:?}");
}
