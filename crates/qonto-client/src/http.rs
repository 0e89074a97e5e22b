//! The one HTTP client (and connection pool) shared by the token endpoint and the API, and a way
//! to build it off the start-up path.

use std::time::Duration;

use tokio::sync::oneshot;

/// Makes ring the process's TLS crypto provider, once; every HTTP client is built after it
/// (reqwest, built without a provider of its own, would panic). Safe to call again.
pub fn install_tls_provider() {
    // An error means one is installed already, which is all that is needed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client builder with the TLS provider in place: start every HTTP client here.
pub fn builder() -> reqwest::ClientBuilder {
    install_tls_provider();
    #[allow(clippy::disallowed_methods)] // The one place a client starts, provider installed.
    reqwest::Client::builder()
}

/// A client that follows no redirects (a token endpoint must not be redirected) and bounds every
/// wait.
pub fn build() -> reqwest::Result<reqwest::Client> {
    builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(90))
        .user_agent(concat!("qonto-tui/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Why a body was not read whole.
#[derive(Debug)]
pub enum BodyError {
    /// More than the caller's limit (announced, or counted as it came).
    TooLarge {
        limit: usize,
    },
    Network(reqwest::Error),
}

/// Reads a response body of at most `limit` bytes, stopping as soon as it is known to be larger
/// (from `Content-Length`, or while it streams in), so a hostile or broken server cannot make
/// the app hold more than that.
pub async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|announced| announced > limit as u64)
    {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `n` bytes in words ("16 MiB", "64 KiB").
pub fn size_in_words(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{} KiB", n >> 10)
    }
}

/// A client being built on its own thread. Building one loads and parses the platform's root
/// certificates (about 4 ms on a warm machine, more on a cold one), so the TUI starts it first
/// and reads its settings, its token store and sets up the terminal meanwhile.
pub struct PendingClient(oneshot::Receiver<reqwest::Result<reqwest::Client>>);

impl PendingClient {
    pub fn start() -> Self {
        let (tx, rx) = oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("http-client".into())
            .spawn(move || {
                let _ = tx.send(build());
            });
        match spawned {
            Ok(_) => Self(rx),
            // No thread to spare: build it here instead.
            Err(_) => {
                let (tx, rx) = oneshot::channel();
                let _ = tx.send(build());
                Self(rx)
            }
        }
    }

    pub async fn get(self) -> anyhow::Result<reqwest::Client> {
        match self.0.await {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(e)) => Err(anyhow::Error::new(e).context("cannot set up HTTPS")),
            Err(_) => Err(anyhow::anyhow!(
                "cannot set up HTTPS: the builder thread died"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pending_client_arrives() {
        assert!(PendingClient::start().get().await.is_ok());
    }
}
