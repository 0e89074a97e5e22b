//! What flows into `update` (terminal input, API results, sign-in progress) and what flows out
//! of it to the background task (commands).

use crossterm::event::{KeyEvent, MouseEvent};

use qonto_client::api::ApiError;
use qonto_client::api::models::{
    Label, Membership, Organization, TransactionsPage, UserOrganization,
};

/// Which request wave a result belongs to; results of an older wave are dropped.
pub type Generation = u64;

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// Time passed (spinner, "updated N s ago", countdown, status expiry).
    Tick,
    /// A signal asked us to stop.
    Terminate,

    /// The stored session was read: whether someone is signed in, and a problem to show if any.
    SessionChecked {
        signed_in: bool,
        problem: Option<String>,
    },
    OrgsLoaded {
        generation: Generation,
        result: Result<Vec<UserOrganization>, ApiError>,
    },
    OverviewLoaded {
        org: String,
        generation: Generation,
        result: Result<Organization, ApiError>,
    },
    TransactionsLoaded {
        org: String,
        account: String,
        page: i64,
        generation: Generation,
        result: Result<TransactionsPage, ApiError>,
    },
    MembersLoaded {
        org: String,
        generation: Generation,
        result: Result<Vec<Membership>, ApiError>,
    },
    LabelsLoaded {
        org: String,
        generation: Generation,
        result: Result<Vec<Label>, ApiError>,
    },

    /// The browser flow is waiting: the URL, and how (or whether) a browser was opened.
    SignInWaiting {
        url: String,
        browser: Result<String, String>,
    },
    /// The browser was asked again to open the URL.
    BrowserOpened(Result<String, String>),
    SignInFailed(String),
    /// Rotated tokens could not be saved (they are kept in memory).
    StoreWarning(String),
    PasteRejected(String),
    SignedIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    LoadOrgs {
        generation: Generation,
    },
    /// The selected organization's overview: first in line.
    LoadOverview {
        org: String,
        generation: Generation,
    },
    /// Overviews to fetch in the background, with bounded concurrency.
    Prefetch {
        orgs: Vec<String>,
        generation: Generation,
    },
    LoadTransactions {
        org: String,
        account: String,
        page: i64,
        generation: Generation,
    },
    LoadMembers {
        org: String,
        generation: Generation,
    },
    LoadLabels {
        org: String,
        generation: Generation,
    },
    StartSignIn,
    CancelSignIn,
    SubmitPastedUrl(String),
    /// Demo only: let the built-in browser answer the sandbox's consent page.
    SimulateBrowser,
    OpenBrowserAgain,
    SaveLastOrg(String),
    /// Mouse capture off while a URL must be selectable.
    MouseCapture(bool),
    Quit,
}
