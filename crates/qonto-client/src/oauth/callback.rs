//! The loopback callback: binds the redirect URI's loopback address only, answers 404 to other
//! paths, refuses a wrong `state` and keeps waiting, accepts one good callback then closes, and
//! gives up when the code's 10-minute lifetime is over. Also reads a pasted redirected URL.
//!
//! HTTP is hyper's: connections are served concurrently, each with a short deadline for its
//! request head and a cap on how many are open (at the cap the oldest gives way), so idle local
//! connections (a browser's preconnects, a hostile local process) cannot hold up the real
//! callback.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, REFERRER_POLICY};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use crate::printable::printable;
use crate::random::constant_time_eq;
use crate::secret::Secret;

/// The code's lifetime at Qonto: waiting longer is pointless.
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(2);
/// Connections served at once; a new one past this closes the oldest.
const MAX_CONNECTIONS: usize = 32;

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

/// The most of a server's error words kept for the terminal.
const MAX_ERROR_CHARS: usize = 300;

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
    // What the server (or anyone who can reach the port) wrote, printed later in a terminal.
    let words = |k: &str| get(k).map(|v| printable(&v, MAX_ERROR_CHARS));
    match get("state") {
        Some(s) if constant_time_eq(s.as_bytes(), expected_state.as_bytes()) => {}
        _ => return CallbackOutcome::WrongState,
    }
    if let Some(error) = get("error") {
        return if error == "access_denied" {
            CallbackOutcome::Denied
        } else {
            CallbackOutcome::Error {
                error: printable(&error, MAX_ERROR_CHARS),
                description: words("error_description"),
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

/// How long a busy port is waited for: a sign-in just cancelled (by this or another copy of the
/// app) may still be letting it go.
const PORT_RELEASE_WAIT: Duration = Duration::from_secs(1);

async fn bind_when_free(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let deadline = tokio::time::Instant::now() + PORT_RELEASE_WAIT;
    loop {
        match TcpListener::bind(addr).await {
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            result => return result,
        }
    }
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
        let listener = bind_when_free(addr).await.map_err(|e| {
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
    /// listener and every connection still open are closed when this returns, whatever the
    /// outcome.
    pub async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
        mut pasted: mpsc::Receiver<String>,
        paste_errors: mpsc::Sender<CallbackError>,
    ) -> Result<AuthorizationCode, CallbackError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut paste_open = true;
        let judge = Arc::new(Judge {
            path: self.path.clone(),
            state: expected_state.to_string(),
        });
        let (outcomes_tx, mut outcomes) = mpsc::channel::<CallbackOutcome>(MAX_CONNECTIONS);
        let mut connections = JoinSet::new();
        // Oldest first: at the cap the oldest connection gives way, so idle ones (preconnects,
        // a local process holding sockets) can never keep the browser's request out.
        let mut open: VecDeque<AbortHandle> = VecDeque::new();
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(CallbackError::TimedOut(timeout.as_secs() / 60));
                }
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    open.retain(|c| !c.is_finished());
                    if open.len() >= MAX_CONNECTIONS
                        && let Some(oldest) = open.pop_front()
                    {
                        oldest.abort();
                    }
                    let (judge, outcomes) = (judge.clone(), outcomes_tx.clone());
                    open.push_back(connections.spawn(serve(stream, judge, outcomes)));
                }
                Some(outcome) = outcomes.recv() => {
                    if let Some(result) = final_result(outcome) {
                        return result;
                    }
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
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
}

/// What a callback request is judged against.
struct Judge {
    path: String,
    state: String,
}

/// Serves one connection (one request: no keep-alive), then reports what its request meant:
/// only once the page is written, so that ending the flow never cuts the browser's answer short.
async fn serve(
    stream: tokio::net::TcpStream,
    judge: Arc<Judge>,
    outcomes: mpsc::Sender<CallbackOutcome>,
) {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let record = seen.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let outcome = if request.method() == Method::GET {
            let target = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            evaluate_target(target, &judge.path, &judge.state)
        } else {
            CallbackOutcome::NotFound
        };
        let response = answer(&outcome);
        *record.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
        std::future::ready(Ok::<_, Infallible>(response))
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    let outcome = seen.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(outcome) = outcome {
        let _ = outcomes.send(outcome).await;
    }
}

/// The page the browser shows for a callback.
fn answer(outcome: &CallbackOutcome) -> Response<Full<Bytes>> {
    let (status, page) = match outcome {
        CallbackOutcome::NotFound => (StatusCode::NOT_FOUND, page("Not found", "Nothing here.")),
        CallbackOutcome::WrongState | CallbackOutcome::Incomplete => (
            StatusCode::BAD_REQUEST,
            page(
                "This sign-in link is not current",
                "qonto-tui is waiting for another sign-in. Start again from the terminal.",
            ),
        ),
        CallbackOutcome::Code(_) => (
            StatusCode::OK,
            page(
                "Consent received",
                "qonto-tui is finishing the sign-in. Return to the terminal to see whether it completed; you can close this tab.",
            ),
        ),
        CallbackOutcome::Denied => (
            StatusCode::OK,
            page(
                "Nothing was shared",
                "You declined. You can close this tab and go back to the terminal.",
            ),
        ),
        CallbackOutcome::Error { .. } => (
            StatusCode::OK,
            page(
                "The sign-in did not complete",
                "Qonto reported an error. Go back to the terminal for details.",
            ),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(page)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
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

    /// Idle connections (as a browser's preconnects leave, or a local process holding sockets
    /// open) neither delay nor block the real callback.
    #[tokio::test(flavor = "multi_thread")]
    async fn idle_connections_do_not_hold_up_the_callback() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let uri = format!("http://127.0.0.1:{port}/callback");
        let listener = CallbackListener::bind(&uri).await.unwrap();
        let (_paste_tx, paste_rx) = mpsc::channel(1);
        let (errors_tx, _errors_rx) = mpsc::channel(1);
        let waiting = tokio::spawn(async move {
            listener
                .wait("s", Duration::from_secs(60), paste_rx, errors_tx)
                .await
        });
        let mut idle = Vec::new();
        for _ in 0..(MAX_CONNECTIONS * 4) {
            idle.push(
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .unwrap(),
            );
        }
        let started = std::time::Instant::now();
        // Past the cap the oldest idle connections give way: the first try gets through.
        let answer = crate::http::builder()
            .build()
            .unwrap()
            .get(format!("{uri}?code=the-code&state=s"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(
            answer.headers()["referrer-policy"].to_str().unwrap(),
            "no-referrer"
        );
        let code = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(code.0.expose(), "the-code");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
        drop(idle);
    }
}
