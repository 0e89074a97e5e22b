//! The sandbox's mutable world: registered clients, pending consents, codes, tokens, consent
//! records, the adjustable clock, fault settings and request counters.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::data::DemoData;
use crate::faults::FaultState;
use crate::ratelimit::RateLimiter;

/// Authorization codes live 10 minutes, refresh tokens 90 days, and a used refresh token keeps
/// working for 60 s (Qonto's documented values).
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
pub const REFRESH_LIFETIME: Duration = Duration::days(90);
pub const REFRESH_GRACE: Duration = Duration::seconds(60);

/// The sandbox's "now": real time plus an offset tests can move forward.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::SeqCst))
    }

    #[cfg(feature = "testing")]
    pub fn advance(&self, by: std::time::Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX / 2);
        self.offset_secs.fetch_add(secs, Ordering::SeqCst);
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
    pub redirect_uris: Vec<String>,
}

/// What the user is asked to approve on the consent page.
#[derive(Debug, Clone)]
pub struct PendingConsent {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub user_flow: bool,
    /// Set when the authorize URL carried `organization_id` (membership flow only).
    pub locked_org: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub user_flow: bool,
    /// Membership flow: the one organization the token is for.
    pub membership_org: Option<String>,
    /// Tokens of one grant share a family: revoking or replaying a code ends all of them.
    pub family: u64,
}

impl Grant {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Debug)]
pub struct AuthCode {
    pub grant: Grant,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Debug)]
pub struct AccessToken {
    pub grant: Grant,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct RefreshToken {
    pub grant: Grant,
    pub expires_at: DateTime<Utc>,
    pub first_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct OAuthRecords {
    pub pending: HashMap<String, PendingConsent>,
    pub codes: HashMap<String, AuthCode>,
    pub access_tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub revoked_families: HashSet<u64>,
    /// Every code and token ever issued, for tests that audit what the app wrote.
    pub issued: Vec<String>,
    /// User flow consent per (user, client): the organizations shared.
    pub consents: HashMap<(String, String), Vec<String>>,
    pub next_family: u64,
}

impl OAuthRecords {
    pub fn new_family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    /// Forget what can no longer be used, so a long-running sandbox does not grow without bound.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        self.pending
            .retain(|_, p| now - p.created_at < CODE_LIFETIME);
        self.codes.retain(|_, c| now < c.expires_at + CODE_LIFETIME);
        self.access_tokens.retain(|_, t| now < t.expires_at);
        self.refresh_tokens.retain(|_, t| {
            now < t.expires_at && t.first_used_at.is_none_or(|u| now - u < REFRESH_GRACE)
        });
    }
}

/// Counters tests and benchmarks read to prove how many requests the app made.
#[derive(Debug, Default)]
pub struct Counters {
    pub api_requests: AtomicU64,
    pub token_requests: AtomicU64,
    pub code_grants: AtomicU64,
    pub refresh_grants: AtomicU64,
    pub revocations: AtomicU64,
    pub rate_limited: AtomicU64,
    pub faults_injected: AtomicU64,
    /// Requests being answered now, and the most there ever were at once.
    pub in_flight: AtomicU64,
    pub most_in_flight: AtomicU64,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub api_requests: u64,
    pub token_requests: u64,
    pub code_grants: u64,
    pub refresh_grants: u64,
    pub revocations: u64,
    pub rate_limited: u64,
    pub faults_injected: u64,
    /// The most requests answered at once (latency included).
    pub most_in_flight: u64,
}

impl Counters {
    pub fn snapshot(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::SeqCst);
        Stats {
            api_requests: get(&self.api_requests),
            token_requests: get(&self.token_requests),
            code_grants: get(&self.code_grants),
            refresh_grants: get(&self.refresh_grants),
            revocations: get(&self.revocations),
            rate_limited: get(&self.rate_limited),
            faults_injected: get(&self.faults_injected),
            most_in_flight: get(&self.most_in_flight),
        }
    }
}

/// Which credential reached which organization, request by request (the last
/// [`CallLog::CAPACITY`]), so tests can prove each request carried the right one.
#[derive(Debug, Default)]
pub struct CallLog {
    calls: Mutex<std::collections::VecDeque<(String, &'static str)>>,
}

impl CallLog {
    pub const CAPACITY: usize = 100_000;

    /// `via`: `user`, `membership` or `api-key`.
    pub fn record(&self, org_id: &str, via: &'static str) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        if calls.len() == Self::CAPACITY {
            calls.pop_front();
        }
        calls.push_back((org_id.to_string(), via));
    }

    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub fn snapshot(&self) -> Vec<(String, &'static str)> {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.iter().cloned().collect()
    }
}

pub struct SandboxState {
    pub data: DemoData,
    pub client: Client,
    pub access_token_ttl: Duration,
    pub staging_token: Option<String>,
    pub api_key_secret: String,
    /// Organization slugs whose API key was revoked (regenerated in Qonto's settings).
    pub revoked_api_keys: Mutex<HashSet<String>>,
    pub calls: CallLog,
    pub consent_autosubmit: bool,
    pub clock: Clock,
    pub counters: Counters,
    pub faults: FaultState,
    pub rate_limiter: RateLimiter,
    /// Ledgers that moved since the start (`--new-transactions-every`).
    pub living: crate::data::LivingBooks,
    /// Receipts attached and removed through the API.
    pub receipts: crate::uploads::Receipts,
    /// Cash-flow categories created and assigned through the API.
    pub categories: crate::categories::Categorized,
    /// Members' requests, and the ones declined through the API.
    pub requests: crate::requests::Requests,
    /// Supplier invoices, and what was done to them through the API.
    pub invoices: crate::invoices::Invoices,
    /// The review writes made (assign, decline, mark paid, …), and lost answers to come.
    pub acted: crate::acted::Acted,
    /// Listings' orders kept between their pages.
    pub listing_orders: crate::api::listing_order::ListingOrders,
    records: Mutex<OAuthRecords>,
}

impl SandboxState {
    /// An account's ledger as it stands now (moved on by the living books, if they run).
    pub fn ledger(&self, account: &crate::data::Account) -> std::sync::Arc<crate::data::Ledger> {
        self.living.ledger(&self.data, account)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn new(
        data: DemoData,
        client: Client,
        access_token_ttl: Duration,
        staging_token: Option<String>,
        api_key_secret: String,
        consent_autosubmit: bool,
        faults: FaultState,
        rate_limiter: RateLimiter,
        uploads: crate::uploads::UploadOptions,
    ) -> Self {
        let requests = crate::requests::Requests::new(data.options.seed, data.options.anchor);
        let invoices = crate::invoices::Invoices::new(data.options.seed, data.options.anchor);
        Self {
            data,
            client,
            access_token_ttl,
            staging_token,
            api_key_secret,
            revoked_api_keys: Mutex::new(HashSet::new()),
            calls: CallLog::default(),
            consent_autosubmit,
            clock: Clock::default(),
            counters: Counters::default(),
            faults,
            rate_limiter,
            living: crate::data::LivingBooks::default(),
            receipts: crate::uploads::Receipts::new(uploads),
            categories: Default::default(),
            requests,
            invoices,
            acted: Default::default(),
            listing_orders: Default::default(),
            records: Mutex::new(OAuthRecords::default()),
        }
    }

    /// The records, even if a previous holder panicked (the data stays consistent: every
    /// critical section is a few map operations).
    pub fn records(&self) -> MutexGuard<'_, OAuthRecords> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The organizations this grant may read right now (consent is looked up live, so a
    /// re-consent changes what existing tokens see at once).
    pub fn granted_orgs(&self, grant: &Grant) -> Vec<String> {
        if grant.user_flow {
            self.records()
                .consents
                .get(&(grant.user_id.clone(), grant.client_id.clone()))
                .cloned()
                .unwrap_or_default()
        } else {
            grant.membership_org.iter().cloned().collect()
        }
    }
}
