//! Fault injection for tests and benchmarks: latency, 5xx bursts, 429 with `Retry-After`,
//! malformed bodies and dropped connections, adjustable while the sandbox runs.

use std::sync::{Mutex, RwLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream;

use crate::rng::SeededRng;

/// Which requests faults apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FaultScope {
    /// Every API (`/v2/…`) and token (`/oauth2/token`) request.
    #[default]
    ApiAndToken,
    ApiOnly,
    TokenOnly,
}

/// Fault settings; rates are percentages of matching requests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub latency: Duration,
    pub server_error_percent: u8,
    pub too_many_requests_percent: u8,
    pub retry_after_secs: u64,
    pub malformed_percent: u8,
    pub drop_percent: u8,
    pub scope: FaultScope,
}

impl Faults {
    pub fn applies_to(&self, path: &str) -> bool {
        let api = path.starts_with("/v2/");
        let token = path == "/oauth2/token";
        match self.scope {
            FaultScope::ApiAndToken => api || token,
            FaultScope::ApiOnly => api,
            FaultScope::TokenOnly => token,
        }
    }
}

/// The fault a request gets, decided before it is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    ServerError,
    TooManyRequests { retry_after_secs: u64 },
    Malformed,
    Drop,
}

pub struct FaultState {
    settings: RwLock<Faults>,
    rng: Mutex<SeededRng>,
}

impl FaultState {
    pub fn new(faults: Faults, seed: u64) -> Self {
        Self {
            settings: RwLock::new(faults),
            rng: Mutex::new(SeededRng::derive(seed, "faults")),
        }
    }

    pub fn get(&self) -> Faults {
        self.settings
            .read()
            .map(|f| f.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn set(&self, faults: Faults) {
        match self.settings.write() {
            Ok(mut f) => *f = faults,
            Err(p) => *p.into_inner() = faults,
        }
    }

    /// Rolls the dice for one request.
    pub fn draw(&self, faults: &Faults) -> Option<Fault> {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let mut roll = |percent: u8| percent > 0 && rng.chance(u64::from(percent));
        if roll(faults.drop_percent) {
            Some(Fault::Drop)
        } else if roll(faults.server_error_percent) {
            Some(Fault::ServerError)
        } else if roll(faults.too_many_requests_percent) {
            Some(Fault::TooManyRequests {
                retry_after_secs: faults.retry_after_secs.max(1),
            })
        } else if roll(faults.malformed_percent) {
            Some(Fault::Malformed)
        } else {
            None
        }
    }
}

pub fn fault_response(fault: Fault, trace_id: &str) -> Response {
    match fault {
        Fault::ServerError => crate::errors::api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is temporarily unavailable (injected by the sandbox)",
            trace_id,
        ),
        Fault::TooManyRequests { retry_after_secs } => {
            let mut r = crate::errors::api_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Rate limit exceeded (injected by the sandbox)",
                trace_id,
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert("retry-after", v);
            }
            r
        }
        Fault::Malformed => (
            StatusCode::OK,
            [("content-type", "application/json; charset=utf-8")],
            "{\"organization\": {\"id\": \"truncated",
        )
            .into_response(),
        Fault::Drop => {
            // A body that fails before its first byte makes hyper abort the connection.
            let failing = stream::iter([Err::<axum::body::Bytes, std::io::Error>(
                std::io::Error::other("connection dropped by the sandbox"),
            )]);
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from_stream(failing))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}
