//! The sandbox's command line (`qonto-sandbox`, and `qonto-tui sandbox` which wraps it): runs
//! the sandbox standalone, prints the `KEY=VALUE` lines that point a Qonto client at it, then
//! serves until SIGINT or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use crate::{DataOptions, Faults, Sandbox, SandboxOptions};

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Address to listen on (keep it on loopback).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// A redirect URI the demo client may use (repeatable; exact match).
    #[arg(long = "redirect-uri", default_value = crate::DEFAULT_REDIRECT_URI)]
    pub redirect_uris: Vec<String>,
    /// The demo OAuth client's id.
    #[arg(long, default_value = crate::DEFAULT_CLIENT_ID)]
    pub client_id: String,
    /// The demo OAuth client's secret (default: a random one each run).
    #[arg(long)]
    pub client_secret: Option<String>,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    pub access_token_ttl: u64,
    /// Require this `X-Qonto-Staging-Token` on API and token requests, as Qonto's sandbox does.
    #[arg(long)]
    pub staging_token: Option<String>,
    /// Secret for API-key authorization (`Authorization: ORG-SLUG:SECRET`).
    #[arg(long, default_value = crate::DEFAULT_API_KEY_SECRET)]
    pub api_key_secret: String,
    /// Seed of the demo books (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Organizations to generate beyond the five demo ones.
    #[arg(long, default_value_t = 0)]
    pub extra_orgs: usize,
    /// Bank accounts per organization (default: as in the demo data).
    #[arg(long)]
    pub accounts_per_org: Option<usize>,
    /// Transactions per bank account, exactly (default: as in the demo data, with monthly fees
    /// between its own organizations; try 100000).
    #[arg(long)]
    pub transactions_per_account: Option<usize>,
    /// Delay added to every API and token request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Percentage of API and token requests answered 503.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub error_rate: u8,
    /// Percentage answered 429 with `Retry-After`.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub rate_limit_rate: u8,
    /// The `Retry-After` seconds of injected 429s.
    #[arg(long, default_value_t = 1)]
    pub retry_after: u64,
    /// Percentage answered with a truncated JSON body.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub malformed_rate: u8,
    /// Percentage whose connection is dropped.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub drop_rate: u8,
    /// Every this many seconds a new pending transaction appears on some account and the oldest
    /// pending one settles (for testing sync and watch).
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub new_transactions_every: Option<f64>,
    /// Milliseconds between a receipt upload's answer and the attachment showing on its
    /// transaction (production processes uploads in the background).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub attach_delay_ms: u64,
    /// The largest receipt upload taken, in MB.
    #[arg(long, value_name = "MB", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_upload_mb: u64,
    /// Write a folder of receipts made from the books (for transactions missing theirs) and a
    /// few decoys into DIR, to try `qonto-tui receipts match` on.
    #[arg(long, value_name = "DIR")]
    pub inbox: Option<std::path::PathBuf>,
    /// Test-only: the consent page presses "Allow" by itself.
    #[arg(long, hide = true)]
    pub consent_autosubmit: bool,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        // A day at most: a Duration cannot hold every finite float.
        Ok(secs) if (0.1..=86_400.0).contains(&secs) => Ok(secs),
        _ => Err("a number of seconds, from 0.1 to 86400".to_string()),
    }
}

impl SandboxArgs {
    pub fn to_options(&self) -> SandboxOptions {
        SandboxOptions {
            listen: self.listen,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            redirect_uris: self.redirect_uris.clone(),
            access_token_ttl: Duration::from_secs(self.access_token_ttl.max(1)),
            staging_token: self.staging_token.clone(),
            api_key_secret: self.api_key_secret.clone(),
            data: DataOptions {
                seed: self.seed,
                extra_orgs: self.extra_orgs,
                accounts_per_org: self.accounts_per_org,
                transactions_per_account: self.transactions_per_account,
                ..DataOptions::default()
            },
            faults: Faults {
                latency: Duration::from_millis(self.latency_ms),
                server_error_percent: self.error_rate,
                too_many_requests_percent: self.rate_limit_rate,
                retry_after_secs: self.retry_after,
                malformed_percent: self.malformed_rate,
                drop_percent: self.drop_rate,
                ..Faults::default()
            },
            consent_autosubmit: self.consent_autosubmit,
            new_transactions_every: self.new_transactions_every.map(Duration::from_secs_f64),
            uploads: crate::uploads::UploadOptions {
                attach_delay: Duration::from_millis(self.attach_delay_ms),
                max_bytes: usize::try_from(self.max_upload_mb * 1024 * 1024).unwrap_or(usize::MAX),
            },
            ..SandboxOptions::default()
        }
    }
}

/// One line per request on stderr (`METHOD path -> status (ms)`): never a query or a header.
pub fn init_stderr_log() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new("sandbox=info"))
        .with_target(false)
        .try_init();
}

pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(args.to_options()).await?;
    {
        let mut out = std::io::stdout().lock();
        for line in sandbox.env_lines() {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    tracing::info!(target: "sandbox", "serving the Qonto sandbox on {} (Ctrl-C to stop)", sandbox.base_url());
    if let Some(dir) = &args.inbox {
        let written = write_inbox(&sandbox, dir)?;
        tracing::info!(target: "sandbox", "{written} receipts and decoys written to {}", dir.display());
    }
    // On stderr: scripts read stdout's KEY=VALUE lines.
    let keys = sandbox.api_keys();
    if let Some(secret) = keys.first().map(|k| &k.secret) {
        let logins: Vec<&str> = keys.iter().map(|k| k.login.as_str()).collect();
        tracing::info!(target: "sandbox", "API keys: login {} with the secret key {secret} (e.g. `echo {secret} | qonto-tui key add {}`)", logins.join(", "), logins[0]);
    }
    wait_for_termination().await;
    tracing::info!(target: "sandbox", "stopping");
    sandbox.stop().await;
    Ok(())
}

/// Writes the sandbox's inbox into `dir` (made 0700 if missing); a file already there is left
/// as it is. How many were written.
fn write_inbox(sandbox: &Sandbox, dir: &std::path::Path) -> anyhow::Result<usize> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mut written = 0;
    for file in sandbox.inbox(40, 8) {
        let opened = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dir.join(&file.name));
        match opened {
            Ok(mut f) => {
                f.write_all(&file.bytes)?;
                written += 1;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(written)
}

async fn wait_for_termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
