//! The outcomes of the work the screen reports on, typed: a browser opened or not, a
//! transaction's receipts placed or not, a source added or not, a write to Qonto done or not,
//! a file of the receipts inbox read and matched, an attached file kept or not. They sit below
//! both the workers that produce them (`browser`, `jobs`, `sources`, `writes`,
//! `receipt_inbox`) and the app that words them (`app::text`), so neither depends on the other.

use std::path::PathBuf;

use qonto_books::journal::WriteState;
use qonto_books::matching::Proposal;
use qonto_client::api::ApiError;

use crate::receipt_text::Method;

/// How the URL was handed to a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// By the named candidate of `BROWSER`.
    ByBrowserVariable(String),
    /// By the platform's opener (`xdg-open`, `open`, `start`).
    BySystem,
}

impl std::fmt::Display for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Opened::ByBrowserVariable(command) => write!(f, "opened with $BROWSER ({command})"),
            Opened::BySystem => f.write_str("opened with the system browser"),
        }
    }
}

/// Why no browser took the URL. The causes never repeat the URL (it carries the sign-in's
/// state, and the screen shows it on its own line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserError {
    /// No candidate of `BROWSER` could be started; the last one's cause.
    #[error("$BROWSER could not be started: {0}")]
    BrowserVariable(String),
    /// The platform's opener failed.
    #[error("{0}; set BROWSER to choose one")]
    System(String),
    /// The opener's thread ended before it answered.
    #[error("the browser opener stopped: {0}")]
    Stopped(String),
}

/// What to do with the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In a private temporary folder, then handed to the opener.
    Open,
    /// In the download folder, kept.
    Save,
}

/// Where a transaction's receipts went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub count: usize,
    pub folder: PathBuf,
    pub placement: Placement,
}

impl std::fmt::Display for Placed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = if self.count == 1 { "" } else { "s" };
        let folder = self.folder.display();
        match self.placement {
            Placement::Save => write!(f, "saved {} receipt{plural} in {folder}", self.count),
            Placement::Open => write!(f, "opened {} receipt{plural} ({folder})", self.count),
        }
    }
}

/// Why a transaction's receipts were not opened or saved.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReceiptsError {
    #[error("the receipts could not be listed: {0}")]
    NotListed(ApiError),
    #[error("Qonto lists no receipt on this transaction")]
    NoneListed,
    #[error("Qonto gave no address for the receipts")]
    NoAddress,
    #[error("no folder to open from: {0}")]
    NoFolder(String),
    #[error("a receipt could not be fetched: {0}")]
    NotFetched(ApiError),
    #[error("a receipt could not be written: {0}")]
    NotWritten(String),
    #[error(transparent)]
    NotOpened(#[from] BrowserError),
    /// Saved, but no program opened it: where it is, and why in words.
    #[error(
        "no program opened the receipt ({why}); it is saved at {path}: open it from there, or set BROWSER to a program that opens files"
    )]
    SavedNotOpened { path: String, why: String },
}

/// Why a source was not added or forgotten. Each says whether anything was stored.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SourceError {
    #[error("Qonto refused the API key of {login}: {detail}. Nothing was stored.")]
    KeyRefused { login: String, detail: String },
    #[error("the key could not be checked ({0}). Nothing was stored.")]
    KeyNotChecked(ApiError),
    #[error("consent given, but the organization could not be read ({0}); nothing was stored")]
    ConsentNotRead(ApiError),
    /// Qonto answered, but without an organization id.
    #[error("Qonto's answer names no organization for this {0}. Nothing was stored.")]
    NoOrganization(&'static str),
    #[error("the key is valid but could not be stored: {0}")]
    KeyNotStored(String),
    #[error("the tokens could not be stored, so the organization was not added: {0}")]
    TokensNotStored(String),
    #[error("it is no longer stored")]
    NoLongerStored,
    #[error("the stored sources could not be read: {0}")]
    NotListed(String),
    #[error("it could not be forgotten: {0}")]
    NotForgotten(String),
}

/// Why a write was not done. Each says what to do; none is a guess about Qonto's state.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error(
        "writes to Qonto are off for {org}: set `writes = true` (or a list of organizations) in {config}, or QONTO_TUI_WRITES=on; nothing was sent"
    )]
    Off { org: String, config: String },
    #[error(
        "Qonto did not grant this app the right to {what} of {org} ({scope}): sign in again and allow it (`qonto-tui login`, or `c` in the app), or add the organization with an API key; nothing was done"
    )]
    NotGranted {
        org: String,
        /// The scope missing (`attachment.write`).
        scope: &'static str,
        /// What it allows, in words (`change receipts`).
        what: &'static str,
    },
    #[error("{0}; nothing was sent")]
    File(String),
    #[error(
        "transaction {0} is not in the local copy: run `qonto-tui sync` first, or check the id"
    )]
    UnknownTransaction(String),
    #[error("Qonto refused it: {0}")]
    Refused(ApiError),
    /// One item of a bulk request Qonto answered with an error of its own.
    #[error("Qonto did not take it: {0}")]
    NotTaken(String),
    #[error(
        "Qonto could not be reached ({cause}); write #{id} is kept in the journal and the next write command finishes it"
    )]
    Unfinished { id: i64, cause: ApiError },
    #[error("the local copy could not record it: {0}")]
    Journal(String),
    /// What this machine does not do (a staff member's machine of a firm sends nothing to
    /// Qonto and asks the firm's service only some writes).
    #[error("{0}; nothing was sent")]
    NotHere(String),
}

/// How far a write came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    pub write: i64,
    pub state: WriteState,
    /// The attachment it made or removed, when known.
    pub attachment: Option<String>,
    /// Nothing was sent: it was done before (the same file on the same transaction).
    pub already: bool,
}

/// One receipt of the inbox and what the matcher says of it (its bytes are not kept: an
/// inbox may hold a thousand files; the attach reads the file again and checks its digest).
#[derive(Debug, Clone, PartialEq)]
pub struct InboxItem {
    pub path: PathBuf,
    /// The file's name, printable.
    pub name: String,
    pub sha256: String,
    pub method: Method,
    /// Why less was read than could be (a tool missing, a time limit).
    pub note: Option<String>,
    pub proposal: Proposal,
}

/// A file that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: String,
}

/// Why an attached file was not moved out of the inbox (it was attached all the same).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeepError {
    #[error("{0} changed or is gone since it was read; it stays where it is")]
    Changed(String),
    #[error("{what}: {cause}")]
    Io { what: String, cause: String },
}

/// A request of an organization.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgRequest {
    pub org_id: String,
    pub org_name: String,
    pub request: qonto_client::api::requests::Request,
    /// Who asked, by name, as the local copy knows the organization's members.
    #[serde(default)]
    pub requester: Option<String>,
}

/// A change to an invoice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum InvoiceAction {
    MarkPaid { date: String },
    UnmarkPaid,
    Reject { note: String, code: Option<String> },
}

impl InvoiceAction {
    pub fn name(&self) -> &'static str {
        match self {
            InvoiceAction::MarkPaid { .. } => "mark_paid",
            InvoiceAction::UnmarkPaid => "unmark_paid",
            InvoiceAction::Reject { .. } => "reject",
        }
    }

    /// The status the invoice has once it is done.
    pub fn leads_to(&self) -> &'static str {
        match self {
            InvoiceAction::MarkPaid { .. } => "paid",
            InvoiceAction::UnmarkPaid => "awaiting_payment",
            InvoiceAction::Reject { .. } => "rejected",
        }
    }
}

/// An invoice of an organization.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrgInvoice {
    pub org_id: String,
    pub org_name: String,
    pub invoice: qonto_client::api::invoices::SupplierInvoice,
}

/// What one rule proposes now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProposal {
    pub counterparty: String,
    pub category: String,
    /// The uncategorized transactions it matches.
    pub transactions: Vec<String>,
    /// The organizations they belong to, by name.
    pub orgs: Vec<String>,
}
