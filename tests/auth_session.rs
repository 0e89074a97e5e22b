//! Sign-in internals against the sandbox: the loopback callback's rules, single-flight refresh,
//! and which refresh failures keep or drop the tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::app::free_port;
use qonto_client::api::ApiClient;
use qonto_client::oauth::callback::{CallbackError, CallbackListener};
use qonto_client::oauth::session::{AuthError, Session};
use qonto_client::oauth::tokens::{OAuthClient, TokenError};
use qonto_client::secret::Secret;
use qonto_client::store::{MemoryStore, StoreError, TokenStore};
use qonto_sandbox::browser::{Tick, answer_consent};
use qonto_sandbox::{FaultScope, Faults, Sandbox, SandboxOptions};
use tokio::sync::mpsc;

async fn sandbox_with(port: u16, ttl: Duration) -> Sandbox {
    Sandbox::start(SandboxOptions {
        redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        access_token_ttl: ttl,
        ..common::options()
    })
    .await
    .unwrap()
}

fn oauth(sb: &Sandbox) -> OAuthClient {
    OAuthClient::new(
        sb.token_url(),
        Some(sb.revoke_url()),
        sb.client_id().into(),
        Secret::new(sb.client_secret()),
        None,
        qonto_client::http::build().unwrap(),
    )
}

/// Signs in through the real listener and returns a session on a memory store.
async fn signed_in(sb: &Sandbox) -> (Arc<Session>, Arc<MemoryStore>) {
    let redirect = sb.redirect_uris()[0].clone();
    let listener = CallbackListener::bind(&redirect).await.unwrap();
    let req = common::authorization(sb);
    let url = req.url.to_string();
    let browser = tokio::spawn(async move {
        qonto_sandbox::browser::complete_consent(&url, &Tick::All, true).await
    });
    let (_ptx, prx) = mpsc::channel(1);
    let (etx, _erx) = mpsc::channel(1);
    let code = listener
        .wait(&req.state, Duration::from_secs(20), prx, etx)
        .await
        .unwrap();
    browser.await.unwrap().unwrap();
    let client = oauth(sb);
    let tokens = client
        .exchange_code(&code.0, req.pkce.verifier(), &redirect)
        .await
        .unwrap();
    let store = Arc::new(MemoryStore::default());
    let session = Arc::new(Session::new(client, store.clone(), None));
    session.install(tokens).await.unwrap();
    (session, store)
}

#[tokio::test]
async fn callback_refuses_wrong_state_404s_other_paths_is_loopback_only_and_closes_after() {
    let port = free_port();
    let sb = sandbox_with(port, Duration::from_secs(3600)).await;
    let redirect = sb.redirect_uris()[0].clone();
    let listener = CallbackListener::bind(&redirect).await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback(), "bound to {addr}");
    let req = common::authorization(&sb);
    let state = req.state.clone();
    let (_ptx, prx) = mpsc::channel(1);
    let (etx, _erx) = mpsc::channel(1);
    let waiting = tokio::spawn(async move {
        listener
            .wait(&state, Duration::from_secs(20), prx, etx)
            .await
    });

    let http = qonto_client::http::builder().build().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let r = http
        .get(format!("{base}/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = http
        .get(format!(
            "{base}/callback?code=stolen&state=forged-state-value"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "a wrong state is refused");
    assert!(!waiting.is_finished(), "and the flow keeps waiting");

    // The real consent completes the flow.
    let location = answer_consent(req.url.as_str(), &Tick::All, true)
        .await
        .unwrap();
    let r = http.get(&location).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Return to the terminal")
            && !page.contains("<script")
            && !page.contains("http"),
        "{page}"
    );
    let code = waiting.await.unwrap().unwrap();
    let (status, _) = common::exchange(&sb, code.0.expose(), req.pkce.verifier(), &redirect).await;
    assert_eq!(status, 200);

    // The port is closed once the callback was taken.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "port closed after the callback"
    );
}

#[tokio::test]
async fn callback_times_out_and_pasted_urls_complete_the_flow() {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let listener = CallbackListener::bind(&redirect).await.unwrap();
    let (_ptx, prx) = mpsc::channel(1);
    let (etx, _erx) = mpsc::channel(1);
    let r = listener
        .wait("state-123456789", Duration::from_millis(200), prx, etx)
        .await;
    assert!(matches!(r, Err(CallbackError::TimedOut(_))));

    let listener = CallbackListener::bind(&redirect).await.unwrap();
    let (ptx, prx) = mpsc::channel(4);
    let (etx, mut erx) = mpsc::channel(4);
    ptx.send(format!("{redirect}?code=abc&state=wrong"))
        .await
        .unwrap();
    ptx.send(format!("{redirect}?code=abc&state=state-123456789"))
        .await
        .unwrap();
    let code = listener
        .wait("state-123456789", Duration::from_secs(5), prx, etx)
        .await
        .unwrap();
    assert_eq!(code.0.expose(), "abc");
    assert!(
        matches!(erx.recv().await, Some(CallbackError::BadPaste(_))),
        "the bad paste was reported"
    );
}

#[tokio::test]
async fn twenty_concurrent_calls_across_an_expiry_cause_exactly_one_refresh() {
    let sb = sandbox_with(free_port(), Duration::from_secs(2)).await;
    let (session, store) = signed_in(&sb).await;
    let api = Arc::new(ApiClient::new(&sb.base_url(), session.clone(), None).unwrap());
    assert_eq!(api.user_organizations().await.unwrap().len(), 5);
    assert_eq!(sb.stats().refresh_grants, 0);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move { api.user_organizations().await })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().unwrap().len(), 5);
    }
    assert_eq!(
        sb.stats().refresh_grants,
        1,
        "one refresh for twenty callers"
    );
    let stored = store.load().unwrap().unwrap();
    assert_eq!(
        Some(stored),
        session.tokens().await,
        "the rotated tokens were stored"
    );
}

#[tokio::test]
async fn a_401_triggers_one_refresh_and_a_retry() {
    let sb = sandbox_with(free_port(), Duration::from_secs(3600)).await;
    let (session, _store) = signed_in(&sb).await;
    let api = ApiClient::new(&sb.base_url(), session.clone(), None).unwrap();
    // The server forgets the access token (as after an expiry the client did not see coming).
    sb.advance_clock(Duration::from_secs(3601));
    assert_eq!(api.user_organizations().await.unwrap().len(), 5);
    assert_eq!(sb.stats().refresh_grants, 1);
}

#[tokio::test]
async fn refresh_503_keeps_the_refresh_token_and_invalid_grant_drops_it() {
    let sb = sandbox_with(free_port(), Duration::from_secs(3600)).await;
    let (session, store) = signed_in(&sb).await;
    let before = store.load().unwrap().unwrap();
    sb.set_faults(Faults {
        server_error_percent: 100,
        scope: FaultScope::TokenOnly,
        ..Faults::default()
    });
    let err = session
        .refresh_after_unauthorized(&before.access_token)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::Token(TokenError::Transient(_))),
        "{err:?}"
    );
    assert!(!err.requires_sign_in());
    assert_eq!(
        store.load().unwrap(),
        Some(before.clone()),
        "the stored refresh token is kept"
    );
    assert_eq!(session.tokens().await, Some(before.clone()));

    // Once the fault clears the same refresh token works.
    sb.set_faults(Faults::default());
    session
        .refresh_after_unauthorized(&before.access_token)
        .await
        .unwrap();
    let after = store.load().unwrap().unwrap();
    assert_ne!(
        after.refresh_token, before.refresh_token,
        "rotated and stored"
    );

    // The grant is revoked at the server: only now are the tokens dropped.
    sb.revoke_all_tokens();
    let err = session
        .refresh_after_unauthorized(&after.access_token)
        .await
        .unwrap_err();
    assert!(err.requires_sign_in(), "{err:?}");
    assert_eq!(store.load().unwrap(), None, "the dead tokens are removed");
    assert!(
        session.access_token().await.unwrap_err().requires_sign_in(),
        "the app asks for sign-in"
    );
}

/// A store that takes its time to save, as a busy keyring does.
struct SlowStore {
    inner: MemoryStore,
    delay: Duration,
}

impl TokenStore for SlowStore {
    fn load(&self) -> Result<Option<qonto_client::store::StoredTokens>, StoreError> {
        self.inner.load()
    }
    fn save(&self, tokens: &qonto_client::store::StoredTokens) -> Result<(), StoreError> {
        std::thread::sleep(self.delay);
        self.inner.save(tokens)
    }
    fn delete(&self) -> Result<(), StoreError> {
        self.inner.delete()
    }
    fn describe(&self) -> String {
        "slow".into()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_store_with_short_lived_tokens_is_never_taken_for_a_sign_out() {
    let sb = sandbox_with(free_port(), Duration::from_secs(1)).await;
    let (first, _) = signed_in(&sb).await;
    let store = Arc::new(SlowStore {
        inner: MemoryStore::default(),
        delay: Duration::from_millis(1_500),
    });
    // Every refreshed token has expired by the time its save returns.
    let session = Arc::new(Session::new(oauth(&sb), store, first.tokens().await));
    let api = ApiClient::new(&sb.base_url(), session.clone(), None).unwrap();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let result = api.user_organizations().await;
    if let Err(e) = &result {
        assert!(!e.requires_sign_in(), "slowness reported as sign-out: {e}");
        assert!(e.is_transient(), "{e}");
    }
    assert!(session.tokens().await.is_some(), "the tokens are kept");
    assert!(sb.stats().refresh_grants >= 1);
}
