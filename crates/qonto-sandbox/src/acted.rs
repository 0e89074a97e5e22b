//! What the sandbox did for the review writes (assign, unassign, decline, mark paid, unmark,
//! reject, supplier invoices uploaded), one entry per change made, and the fault that loses the answer of the next ones
//! after they are made: together they show a retry does not act twice.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::response::Response;

/// One change the sandbox made: what (`"decline"`, `"mark_paid"`, …) and to which id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Act {
    pub org_id: String,
    pub what: &'static str,
    pub target: String,
}

/// Entries each log keeps at most (the oldest go first), as the call log does.
const KEPT: usize = crate::state::CallLog::CAPACITY;

#[derive(Debug, Default)]
pub struct Acted {
    log: Mutex<Vec<Act>>,
    /// Every API request other than a read (`POST /v2/…`), as it came: made, refused or not.
    writes_asked: Mutex<Vec<String>>,
    /// The next N review writes are made, then their connection is dropped before the answer.
    drops: AtomicU32,
}

impl Acted {
    pub fn record(&self, org_id: &str, what: &'static str, targets: &[String]) {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.extend(targets.iter().map(|t| Act {
            org_id: org_id.to_string(),
            what,
            target: t.clone(),
        }));
        let over = log.len().saturating_sub(KEPT);
        log.drain(..over);
    }

    /// Notes a request to the API that is not a read.
    pub fn asked(&self, method: &axum::http::Method, path: &str) {
        if path.starts_with("/v2/") && method != axum::http::Method::GET {
            let mut asked = self.writes_asked.lock().unwrap_or_else(|p| p.into_inner());
            asked.push(format!("{method} {path}"));
            let over = asked.len().saturating_sub(KEPT);
            asked.drain(..over);
        }
    }

    pub fn writes_asked(&self) -> Vec<String> {
        self.writes_asked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn log(&self) -> Vec<Act> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn drop_next(&self, n: u32) {
        self.drops.store(n, Ordering::SeqCst);
    }

    /// `answer`, or a dropped connection if a drop is due (counted down).
    pub fn answer(&self, answer: Response) -> Response {
        let due = self
            .drops
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if due {
            crate::faults::fault_response(
                crate::faults::Fault::Drop,
                &crate::errors::new_trace_id(),
            )
        } else {
            answer
        }
    }
}
