//! `qonto-tui --demo`: the TUI against the embedded sandbox, started in-process on loopback,
//! with its own receipts folder and API keys to try; tokens stay in memory.

use std::path::PathBuf;
use std::sync::Arc;

use qonto_client::http::PendingClient;
use qonto_client::{secret::Secret, store::MemoryStore};
use qonto_sandbox::{Sandbox, SandboxOptions};

use crate::config::{Config, SandboxEndpoints};
use crate::runtime::{self, Launch};

/// The TUI on the embedded sandbox: in-process, loopback only, tokens in memory.
pub async fn run(
    http: PendingClient,
    log_file: &Option<PathBuf>,
    log_level: &Option<String>,
) -> anyhow::Result<()> {
    // The demo's callback port is picked free, so two demos (or a real sign-in) never collide.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let sandbox = Sandbox::start(SandboxOptions {
        redirect_uris: vec![redirect_uri.clone()],
        ..SandboxOptions::default()
    })
    .await?;
    let config = Config::for_sandbox(SandboxEndpoints {
        client_id: sandbox.client_id().to_string(),
        client_secret: Secret::new(sandbox.client_secret()),
        redirect_uri,
        auth_url: sandbox.auth_url(),
        token_url: sandbox.token_url(),
        revoke_url: sandbox.revoke_url(),
        api_base_url: sandbox.base_url(),
    })?;
    crate::logging::start(&config, log_file, log_level);
    let mut config = config;
    let inbox = crate::demo_inbox::DemoInbox::make(&sandbox);
    if let Some(inbox) = &inbox {
        config.receipts_inbox = inbox.path().to_path_buf();
    }
    let client_secret = crate::auth::client_secret(&config).await?;
    let result = runtime::run(Launch {
        config,
        store: Arc::new(MemoryStore::default()),
        client_secret,
        http,
        demo: true,
        demo_api_keys: sandbox
            .api_keys()
            .into_iter()
            .map(|k| (k.org_id, format!("{}:{}", k.login, k.secret)))
            .collect(),
    })
    .await;
    sandbox.stop().await;
    drop(inbox);
    result
}
