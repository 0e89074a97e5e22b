//! The whole User OAuth flow dance against the sandbox over real HTTP, as a browser and a
//! client would do it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use qonto_sandbox::browser::{Tick, answer_consent};
use std::time::Duration;

#[tokio::test]
async fn user_flow_dance_two_of_five_orgs() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    assert_eq!(orgs.len(), 5);
    let chosen = vec![orgs[1].clone(), orgs[3].clone()];

    let req = authorization(&sb);
    let code = consent_code(&sb, &req, Tick::Only(chosen.clone())).await;
    assert!(code.starts_with("ory_ac_"));
    let (status, tokens) = exchange(&sb, &code, req.pkce.verifier(), &req.redirect_uri).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert!(
        tokens["refresh_token"]
            .as_str()
            .is_some_and(|r| r.starts_with("ory_rt_"))
    );
    let token = access(&tokens);

    // Exactly the two consented organizations, without any organization header.
    let (status, body) = api(&sb, "/v2/user_organizations", &token, None).await;
    assert_eq!(status, 200);
    let listed: Vec<String> = body["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, chosen);

    // Each answers /v2/organization with its bank accounts.
    for id in &chosen {
        let (status, body) = api(&sb, "/v2/organization", &token, Some(id)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["organization"]["id"], id.as_str());
        assert!(
            !body["organization"]["bank_accounts"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }

    // A third organization's id is refused, as is a missing header, as is a bad token.
    let (status, body) = api(&sb, "/v2/organization", &token, Some(&orgs[0])).await;
    assert_eq!(status, 403);
    assert_json_api_error(&body);
    let (status, body) = api(&sb, "/v2/organization", &token, None).await;
    assert_eq!(status, 403);
    assert_json_api_error(&body);
    let (status, body) = api(
        &sb,
        "/v2/organization",
        "ory_at_not-a-token",
        Some(&chosen[0]),
    )
    .await;
    assert_eq!(status, 401);
    assert_json_api_error(&body);

    // The code a second time is refused.
    let (status, body) = exchange(&sb, &code, req.pkce.verifier(), &req.redirect_uri).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn wrong_code_verifier_is_invalid_grant() {
    let sb = sandbox().await;
    let req = authorization(&sb);
    let code = consent_code(&sb, &req, Tick::All).await;
    let (status, body) = exchange(
        &sb,
        &code,
        "a-different-verifier-of-enough-length-0123456789",
        &req.redirect_uri,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn replayed_code_revokes_the_tokens_it_issued() {
    let sb = sandbox().await;
    let req = authorization(&sb);
    let code = consent_code(&sb, &req, Tick::All).await;
    let (_, tokens) = exchange(&sb, &code, req.pkce.verifier(), &req.redirect_uri).await;
    let token = access(&tokens);
    assert_eq!(
        api(&sb, "/v2/user_organizations", &token, None).await.0,
        200
    );
    let (status, _) = exchange(&sb, &code, req.pkce.verifier(), &req.redirect_uri).await;
    assert_eq!(status, 400);
    assert_eq!(
        api(&sb, "/v2/user_organizations", &token, None).await.0,
        401
    );
}

#[tokio::test]
async fn code_expires_after_ten_minutes() {
    let sb = sandbox().await;
    let req = authorization(&sb);
    let code = consent_code(&sb, &req, Tick::All).await;
    sb.advance_clock(Duration::from_secs(601));
    let (status, body) = exchange(&sb, &code, req.pkce.verifier(), &req.redirect_uri).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_rotates_and_old_token_dies_after_the_grace() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    let old = tokens["refresh_token"].as_str().unwrap().to_string();

    let (status, first) = refresh(&sb, &old).await;
    assert_eq!(status, 200, "{first}");
    let new = first["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(new, old, "the refresh token rotates");
    assert_ne!(first["access_token"], tokens["access_token"]);
    assert_eq!(
        api(&sb, "/v2/user_organizations", &access(&first), None)
            .await
            .0,
        200
    );

    // Within the 60 s grace the old refresh token still works...
    sb.advance_clock(Duration::from_secs(30));
    assert_eq!(refresh(&sb, &old).await.0, 200);
    // ...and after it, it does not; the new one does.
    sb.advance_clock(Duration::from_secs(31));
    let (status, body) = refresh(&sb, &old).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(refresh(&sb, &new).await.0, 200);
    assert_eq!(sb.stats().refresh_grants, 3);
}

#[tokio::test]
async fn access_token_expires_with_its_lifetime() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    sb.advance_clock(Duration::from_secs(3601));
    let (status, body) = api(&sb, "/v2/user_organizations", &access(&tokens), None).await;
    assert_eq!(status, 401);
    assert_json_api_error(&body);
}

#[tokio::test]
async fn re_consent_changes_what_an_existing_token_sees() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let first = sign_in(&sb, &orgs[..3]).await;
    let token = access(&first);
    assert_eq!(
        api(&sb, "/v2/organization", &token, Some(&orgs[0])).await.0,
        200
    );

    // The user runs the flow again and shares a different set.
    let _second = sign_in(&sb, &[orgs[3].clone(), orgs[4].clone()]).await;
    let (_, body) = api(&sb, "/v2/user_organizations", &token, None).await;
    let listed: Vec<&str> = body["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec![orgs[3].as_str(), orgs[4].as_str()]);
    let (status, body) = api(&sb, "/v2/organization", &token, Some(&orgs[0])).await;
    assert_eq!(status, 403, "a dropped organization answers 403");
    assert_json_api_error(&body);
    assert_eq!(
        api(&sb, "/v2/organization", &token, Some(&orgs[4])).await.0,
        200
    );
}

#[tokio::test]
async fn consent_page_presents_the_current_consent_and_deny_redirects_with_access_denied() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    sign_in(&sb, &orgs[..2]).await;
    let req = authorization(&sb);
    let html = http()
        .get(req.url.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let inputs = qonto_sandbox::browser::form_inputs(&html);
    let boxes: Vec<_> = inputs
        .iter()
        .filter(|i| i.kind == "checkbox" && i.name == "organization_id")
        .collect();
    assert_eq!(boxes.len(), 5);
    assert_eq!(boxes.iter().filter(|b| b.checked).count(), 2);
    assert!(html.contains(r#"<form method="post""#));
    assert!(
        html.contains(r#"name="decision" value="allow""#)
            && html.contains(r#"name="decision" value="deny""#)
    );

    let location = answer_consent(req.url.as_str(), &Tick::All, false)
        .await
        .unwrap();
    let url = url::Url::parse(&location).unwrap();
    let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs["error"], "access_denied");
    assert_eq!(pairs["state"], req.state);
    assert!(!pairs.contains_key("code"));
}

#[tokio::test]
async fn membership_flow_allows_exactly_one_org() {
    let sb = sandbox().await;
    let orgs = org_ids(&sb);
    let mut url = url::Url::parse(&sb.auth_url()).unwrap();
    let pkce = qonto_client::oauth::pkce::Pkce::generate().unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", sb.client_id())
        .append_pair("redirect_uri", &sb.redirect_uris()[0])
        .append_pair("scope", "offline_access organization.read")
        .append_pair("state", "membership-state-123")
        .append_pair("code_challenge", pkce.challenge())
        .append_pair("code_challenge_method", "S256");
    let two = answer_consent(url.as_str(), &Tick::Only(orgs[..2].to_vec()), true).await;
    assert!(
        two.is_err(),
        "two organizations are refused in the membership flow"
    );
    let location = answer_consent(url.as_str(), &Tick::Only(vec![orgs[2].clone()]), true)
        .await
        .unwrap();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let (status, tokens) = exchange(&sb, &code, pkce.verifier(), &sb.redirect_uris()[0]).await;
    assert_eq!(status, 200);
    let token = access(&tokens);
    // One organization, no header needed; the user-flow endpoint is refused.
    let (status, body) = api(&sb, "/v2/organization", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["organization"]["id"], orgs[2].as_str());
    assert_eq!(
        api(&sb, "/v2/user_organizations", &token, None).await.0,
        403
    );
}

#[tokio::test]
async fn revoke_ends_the_grant() {
    let sb = sandbox().await;
    let tokens = sign_in(&sb, &org_ids(&sb)).await;
    let form = [
        ("token", tokens["refresh_token"].as_str().unwrap()),
        ("client_id", sb.client_id()),
        ("client_secret", sb.client_secret()),
    ];
    let r = http()
        .post(sb.revoke_url())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        api(&sb, "/v2/user_organizations", &access(&tokens), None)
            .await
            .0,
        401
    );
    assert_eq!(
        refresh(&sb, tokens["refresh_token"].as_str().unwrap())
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn client_credentials_only_in_the_body() {
    let sb = sandbox().await;
    let r = http()
        .post(sb.token_url())
        .basic_auth(sb.client_id(), Some(sb.client_secret()))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    let r = http()
        .post(sb.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", sb.client_id()),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn api_key_authorization_reads_one_org() {
    let sb = sandbox().await;
    let org = &sb.data().orgs[0];
    let r = http()
        .get(format!("{}/v2/organization", sb.base_url()))
        .header(
            "Authorization",
            format!("{}:{}", org.slug, qonto_sandbox::DEFAULT_API_KEY_SECRET),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["organization"]["id"], org.id.as_str());
    let r = http()
        .get(format!("{}/v2/organization", sb.base_url()))
        .header("Authorization", format!("{}:wrong", org.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn staging_token_is_enforced_like_qontos_sandbox() {
    let sb = qonto_sandbox::Sandbox::start(qonto_sandbox::SandboxOptions {
        staging_token: Some("staging-abc".into()),
        ..options()
    })
    .await
    .unwrap();
    let r = http()
        .get(format!("{}/v2/user_organizations", sb.base_url()))
        .bearer_auth("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = http()
        .get(format!("{}/v2/user_organizations", sb.base_url()))
        .bearer_auth("x")
        .header("X-Qonto-Staging-Token", "staging-abc")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        401,
        "with the header the request reaches the API"
    );
}

#[tokio::test]
async fn allow_answers_302_found_with_code_and_state() {
    let sb = sandbox().await;
    let req = authorization(&sb);
    let html = http()
        .get(req.url.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let inputs = qonto_sandbox::browser::form_inputs(&html);
    let mut form: Vec<(String, String)> = inputs
        .iter()
        .filter(|i| i.kind == "hidden")
        .map(|i| (i.name.clone(), i.value.clone()))
        .collect();
    form.push(("organization_id".into(), org_ids(&sb)[0].clone()));
    form.push(("decision".into(), "allow".into()));
    let r = http().post(sb.auth_url()).form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&req.redirect_uri)
            && location.contains("code=ory_ac_")
            && location.contains(&req.state)
    );
}
