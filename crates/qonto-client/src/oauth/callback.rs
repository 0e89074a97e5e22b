//! The loopback callback: binds the redirect URI's loopback address only, answers 404 to other
//! paths, refuses a wrong `state` and keeps waiting, accepts one good callback then closes, and
//! gives up when the code's 10-minute lifetime is over. Also reads a pasted redirected URL.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::random::constant_time_eq;
use crate::secret::Secret;

/// The code's lifetime at Qonto: waiting longer is pointless.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(600);
const MAX_REQUEST_HEAD: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error(
        "the redirect URI {0:?} is not a loopback http URL like http://127.0.0.1:18920/callback"
    )]
    NotLoopback(String),
    #[error(
        "port {port} is already in use, so the sign-in callback cannot be received. Close the program using it, or register another redirect URI with Qonto (e.g. http://127.0.0.1:18921/callback) and set QONTO_REDIRECT_URI to it"
    )]
    PortInUse { port: u16 },
    #[error("cannot listen on {addr}: {cause}")]
    Bind { addr: String, cause: String },
    #[error("you declined the consent in the browser; nothing was shared")]
    Denied,
    #[error("Qonto refused the sign-in: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    AuthServer {
        error: String,
        description: Option<String>,
    },
    #[error("no answer from the browser within {0} minutes; the sign-in was cancelled")]
    TimedOut(u64),
    #[error("that URL is not the one the browser was sent to: {0}")]
    BadPaste(String),
    #[error("the sign-in was cancelled")]
    Cancelled,
}

/// The authorization code, once a callback carried it with the right `state`.
#[derive(Debug, Clone)]
pub struct AuthorizationCode(pub Secret);

/// What one callback request (or pasted URL) means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// Another path (favicon…): 404, keep waiting.
    NotFound,
    /// Missing or wrong `state`: refuse, keep waiting.
    WrongState,
    /// The right `state` but neither code nor error.
    Incomplete,
    Code(String),
    Denied,
    Error {
        error: String,
        description: Option<String>,
    },
}

/// The request target of an HTTP request head (`GET /callback?… HTTP/1.1`), if it is a GET.
pub fn request_target(head: &str) -> Option<&str> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    (method == "GET" && target.starts_with('/')).then_some(target)
}

/// Judges a callback target (`/path?query`) against the expected path and `state`.
pub fn evaluate_target(target: &str, expected_path: &str, expected_state: &str) -> CallbackOutcome {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != expected_path {
        return CallbackOutcome::NotFound;
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    match get("state") {
        Some(s) if constant_time_eq(s.as_bytes(), expected_state.as_bytes()) => {}
        _ => return CallbackOutcome::WrongState,
    }
    if let Some(error) = get("error") {
        return if error == "access_denied" {
            CallbackOutcome::Denied
        } else {
            CallbackOutcome::Error {
                error,
                description: get("error_description"),
            }
        };
    }
    match get("code") {
        Some(code) if !code.is_empty() => CallbackOutcome::Code(code),
        _ => CallbackOutcome::Incomplete,
    }
}

/// Reads a URL the user pasted from the browser's address bar after the redirect.
pub fn evaluate_pasted_url(
    pasted: &str,
    redirect_uri: &str,
    expected_state: &str,
) -> Result<CallbackOutcome, CallbackError> {
    let pasted = pasted.trim();
    let url =
        url::Url::parse(pasted).map_err(|_| CallbackError::BadPaste("it is not a URL".into()))?;
    let expected = url::Url::parse(redirect_uri)
        .map_err(|_| CallbackError::NotLoopback(redirect_uri.to_string()))?;
    if url.path() != expected.path()
        || url.port_or_known_default() != expected.port_or_known_default()
    {
        return Err(CallbackError::BadPaste(format!(
            "expected a URL starting with {redirect_uri}"
        )));
    }
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    match evaluate_target(&target, expected.path(), expected_state) {
        CallbackOutcome::WrongState => Err(CallbackError::BadPaste(
            "its state does not match this sign-in".into(),
        )),
        CallbackOutcome::Incomplete | CallbackOutcome::NotFound => {
            Err(CallbackError::BadPaste("it has no code".into()))
        }
        other => Ok(other),
    }
}

/// A bound loopback listener for one sign-in.
pub struct CallbackListener {
    listener: TcpListener,
    path: String,
    redirect_uri: String,
}

impl CallbackListener {
    /// Binds the redirect URI's address. Only loopback hosts are accepted (`localhost` is
    /// bound as 127.0.0.1, as RFC 8252 §8.3 recommends the IP literal).
    pub async fn bind(redirect_uri: &str) -> Result<Self, CallbackError> {
        let url = url::Url::parse(redirect_uri)
            .map_err(|_| CallbackError::NotLoopback(redirect_uri.to_string()))?;
        if url.scheme() != "http" {
            return Err(CallbackError::NotLoopback(redirect_uri.to_string()));
        }
        let ip: IpAddr = match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => IpAddr::V6(ip),
            Some(url::Host::Domain("localhost")) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            _ => return Err(CallbackError::NotLoopback(redirect_uri.to_string())),
        };
        let port = url.port().unwrap_or(80);
        let addr = SocketAddr::new(ip, port);
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                CallbackError::PortInUse { port }
            } else {
                CallbackError::Bind {
                    addr: addr.to_string(),
                    cause: e.to_string(),
                }
            }
        })?;
        Ok(Self {
            listener,
            path: url.path().to_string(),
            redirect_uri: redirect_uri.to_string(),
        })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Waits for the one good callback, or a pasted URL on `pasted`, or the timeout. The
    /// listener is closed when this returns, whatever the outcome.
    pub async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
        mut pasted: mpsc::Receiver<String>,
        paste_errors: mpsc::Sender<CallbackError>,
    ) -> Result<AuthorizationCode, CallbackError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut paste_open = true;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(CallbackError::TimedOut(timeout.as_secs() / 60));
                }
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    if let Some(result) = self.serve(stream, expected_state).await {
                        return result;
                    }
                }
                line = pasted.recv(), if paste_open => {
                    let Some(line) = line else { paste_open = false; continue };
                    match evaluate_pasted_url(&line, &self.redirect_uri, expected_state) {
                        Ok(outcome) => {
                            if let Some(result) = final_result(outcome) {
                                return result;
                            }
                        }
                        Err(e) => {
                            let _ = paste_errors.send(e).await;
                        }
                    }
                }
            }
        }
    }

    /// Answers one connection; `Some` when the flow is over.
    async fn serve(
        &self,
        mut stream: TcpStream,
        expected_state: &str,
    ) -> Option<Result<AuthorizationCode, CallbackError>> {
        let head = match tokio::time::timeout(Duration::from_secs(5), read_head(&mut stream)).await
        {
            Ok(Ok(head)) => head,
            _ => return None,
        };
        let outcome = match request_target(&head) {
            Some(target) => evaluate_target(target, &self.path, expected_state),
            None => CallbackOutcome::NotFound,
        };
        let (status, page) = match &outcome {
            CallbackOutcome::NotFound => ("404 Not Found", page("Not found", "Nothing here.")),
            CallbackOutcome::WrongState | CallbackOutcome::Incomplete => (
                "400 Bad Request",
                page(
                    "This sign-in link is not current",
                    "qonto-tui is waiting for another sign-in. Start again from the terminal.",
                ),
            ),
            CallbackOutcome::Code(_) => (
                "200 OK",
                page(
                    "You are signed in",
                    "qonto-tui received your consent. You can close this tab and go back to the terminal.",
                ),
            ),
            CallbackOutcome::Denied => (
                "200 OK",
                page(
                    "Nothing was shared",
                    "You declined. You can close this tab and go back to the terminal.",
                ),
            ),
            CallbackOutcome::Error { .. } => (
                "200 OK",
                page(
                    "The sign-in did not complete",
                    "Qonto reported an error. Go back to the terminal for details.",
                ),
            ),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        final_result(outcome)
    }
}

fn final_result(outcome: CallbackOutcome) -> Option<Result<AuthorizationCode, CallbackError>> {
    match outcome {
        CallbackOutcome::Code(code) => {
            crate::redact::register_secret(&code);
            Some(Ok(AuthorizationCode(Secret::new(code))))
        }
        CallbackOutcome::Denied => Some(Err(CallbackError::Denied)),
        CallbackOutcome::Error { error, description } => {
            Some(Err(CallbackError::AuthServer { error, description }))
        }
        CallbackOutcome::NotFound | CallbackOutcome::WrongState | CallbackOutcome::Incomplete => {
            None
        }
    }
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while buf.len() < MAX_REQUEST_HEAD {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// A self-contained page: no scripts, no external assets.
fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>qonto-tui: {title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}}</style>\
         </head><body><h1>{title}</h1><p>{text}</p></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_targets() {
        assert_eq!(
            evaluate_target("/favicon.ico", "/callback", "s"),
            CallbackOutcome::NotFound
        );
        assert_eq!(
            evaluate_target("/callback?code=c", "/callback", "s"),
            CallbackOutcome::WrongState
        );
        assert_eq!(
            evaluate_target("/callback?code=c&state=t", "/callback", "s"),
            CallbackOutcome::WrongState
        );
        assert_eq!(
            evaluate_target("/callback?code=c&state=s", "/callback", "s"),
            CallbackOutcome::Code("c".into())
        );
        assert_eq!(
            evaluate_target("/callback?error=access_denied&state=s", "/callback", "s"),
            CallbackOutcome::Denied
        );
        assert_eq!(
            evaluate_target("/callback?state=s", "/callback", "s"),
            CallbackOutcome::Incomplete
        );
        assert!(matches!(
            evaluate_target(
                "/callback?error=server_error&error_description=x&state=s",
                "/callback",
                "s"
            ),
            CallbackOutcome::Error { .. }
        ));
    }

    #[test]
    fn reads_request_lines() {
        assert_eq!(
            request_target("GET /callback?a=b HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some("/callback?a=b")
        );
        assert_eq!(request_target("POST /callback HTTP/1.1\r\n"), None);
        assert_eq!(request_target(""), None);
        assert_eq!(request_target("GET"), None);
    }

    #[test]
    fn pasted_urls() {
        let r = "http://127.0.0.1:18920/callback";
        assert_eq!(
            evaluate_pasted_url(
                " http://127.0.0.1:18920/callback?code=abc&state=s\n",
                r,
                "s"
            )
            .unwrap(),
            CallbackOutcome::Code("abc".into())
        );
        assert!(
            evaluate_pasted_url("http://127.0.0.1:18920/callback?code=abc&state=x", r, "s")
                .is_err()
        );
        assert!(
            evaluate_pasted_url("http://127.0.0.1:9999/callback?code=abc&state=s", r, "s").is_err()
        );
        assert!(evaluate_pasted_url("not a url", r, "s").is_err());
    }

    #[tokio::test]
    async fn refuses_non_loopback_hosts() {
        for uri in [
            "http://0.0.0.0:1/cb",
            "http://192.0.2.1:1/cb",
            "https://127.0.0.1:1/cb",
            "http://example.com:1/cb",
        ] {
            assert!(
                matches!(
                    CallbackListener::bind(uri).await,
                    Err(CallbackError::NotLoopback(_))
                ),
                "{uri}"
            );
        }
    }
}
