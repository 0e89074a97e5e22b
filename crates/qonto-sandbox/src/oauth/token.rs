//! `POST /oauth2/token`: the authorization-code grant (PKCE S256, single-use codes, replay
//! revokes the grant) and the refresh grant (rotation with a grace period).

use super::*;

pub async fn token(State(state): Shared, headers: HeaderMap, body: Bytes) -> Response {
    state.counters.token_requests.fetch_add(1, Ordering::SeqCst);
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request must be application/x-www-form-urlencoded",
        );
    }
    let form = Params::parse(&body);
    if let Err(r) = authenticate_client(&state, &headers, &form) {
        return r;
    }
    let result = match form.get("grant_type") {
        Some("authorization_code") => exchange_code(&state, &form),
        Some("refresh_token") => refresh(&state, &form),
        Some(other) => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("grant_type '{other}' is not supported"),
        )),
        None => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
        )),
    };
    result.unwrap_or_else(|r| r)
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn exchange_code(state: &SandboxState, form: &Params) -> Result<Response, Response> {
    let code = form.get("code").ok_or_else(|| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code is missing",
        )
    })?;
    let now = state.clock.now();
    let mut records = state.records();
    let Some(entry) = records.codes.get_mut(code) else {
        return Err(invalid_grant("The authorization code is invalid"));
    };
    if entry.used {
        // A replayed code ends everything issued from it (RFC 6749 §4.1.2).
        let family = entry.grant.family;
        records.revoked_families.insert(family);
        return Err(invalid_grant(
            "The authorization code has already been used",
        ));
    }
    entry.used = true;
    if now >= entry.expires_at {
        return Err(invalid_grant("The authorization code has expired"));
    }
    if form.get("client_id") != Some(entry.grant.client_id.as_str()) {
        return Err(invalid_grant(
            "The authorization code was issued to another client",
        ));
    }
    if form.get("redirect_uri") != Some(entry.redirect_uri.as_str()) {
        return Err(invalid_grant(
            "redirect_uri does not match the one of the authorization request",
        ));
    }
    match (&entry.code_challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) => {
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if !constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                return Err(invalid_grant(
                    "The PKCE code_verifier does not match the code_challenge",
                ));
            }
        }
        (Some(_), None) => return Err(invalid_grant("code_verifier is required (PKCE)")),
        (None, Some(_)) => {
            return Err(invalid_grant(
                "code_verifier given but no code_challenge was sent",
            ));
        }
        (None, None) => {}
    }
    let grant = entry.grant.clone();
    drop(records);
    state.counters.code_grants.fetch_add(1, Ordering::SeqCst);
    issue_tokens(state, grant)
}

fn refresh(state: &SandboxState, form: &Params) -> Result<Response, Response> {
    let presented = form.get("refresh_token").ok_or_else(|| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "refresh_token is missing",
        )
    })?;
    let now = state.clock.now();
    let grant = {
        let mut records = state.records();
        let revoked = records
            .refresh_tokens
            .get(presented)
            .is_some_and(|t| records.revoked_families.contains(&t.grant.family));
        let Some(token) = records.refresh_tokens.get_mut(presented) else {
            return Err(invalid_grant(
                "The refresh token is invalid, expired or revoked",
            ));
        };
        if revoked || now >= token.expires_at {
            return Err(invalid_grant(
                "The refresh token is invalid, expired or revoked",
            ));
        }
        if form.get("client_id") != Some(token.grant.client_id.as_str()) {
            return Err(invalid_grant(
                "The refresh token was issued to another client",
            ));
        }
        match token.first_used_at {
            Some(first) if now - first > REFRESH_GRACE => {
                return Err(invalid_grant(
                    "The refresh token was already used and its grace period is over",
                ));
            }
            Some(_) => {}
            None => token.first_used_at = Some(now),
        }
        token.grant.clone()
    };
    state.counters.refresh_grants.fetch_add(1, Ordering::SeqCst);
    issue_tokens(state, grant)
}

fn issue_tokens(state: &SandboxState, grant: Grant) -> Result<Response, Response> {
    let now = state.clock.now();
    let access = format!("ory_at_{}", random_or_500(32)?);
    let refresh = if grant.has_scope("offline_access") {
        Some(format!("ory_rt_{}", random_or_500(32)?))
    } else {
        None
    };
    let scope = grant.scopes.join(" ");
    let id_token = grant.has_scope("openid").then(|| {
        format!(
            "eyJhbGciOiJub25lIn0.{}.",
            URL_SAFE_NO_PAD.encode(&grant.user_id)
        )
    });
    let mut records = state.records();
    records.prune(now);
    records.issued.push(access.clone());
    records.issued.extend(refresh.clone());
    records.access_tokens.insert(
        access.clone(),
        AccessToken {
            grant: grant.clone(),
            expires_at: now + state.access_token_ttl,
        },
    );
    if let Some(r) = &refresh {
        records.refresh_tokens.insert(
            r.clone(),
            RefreshToken {
                grant,
                expires_at: now + REFRESH_LIFETIME,
                first_used_at: None,
            },
        );
    }
    drop(records);
    let mut body = json!({
        "access_token": access,
        "expires_in": state.access_token_ttl.num_seconds(),
        "scope": scope,
        "token_type": "bearer",
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    if let Some(id) = id_token {
        body["id_token"] = json!(id);
    }
    Ok((
        StatusCode::OK,
        [("cache-control", "no-store"), ("pragma", "no-cache")],
        axum::Json(body),
    )
        .into_response())
}
