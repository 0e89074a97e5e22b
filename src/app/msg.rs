//! What flows into `update` (terminal input, API results, sign-in progress) and what flows out
//! of it to the background task (commands).

use crossterm::event::{KeyEvent, MouseEvent};

use super::local_error::LocalCopyError;
use crate::outcome::SourceError;
pub use crate::outcome::{BrowserError, Opened};
use crate::outcome::{Placed, ReceiptsError};
use qonto_client::api::ApiError;
use qonto_client::api::models::{
    Label, Membership, Organization, TransactionsPage, UserOrganization,
};

/// Which request wave a result belongs to; results of an older wave are dropped.
pub type Generation = u64;

/// Which escape sequence tells the terminal to show a desktop notification (the config's
/// `notify` chooses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    Osc9,
    Osc777,
}

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
    /// A pull of the firm's books into the local copy ended (a staff member's machine): how
    /// many transactions arrived and changed, or why it could not be done.
    FirmPulled {
        result: Result<(usize, usize), String>,
    },
    /// A write asked of the firm's service (an intent), or why it could not be asked.
    IntentAsked {
        ask: WriteAsk,
        result: Result<String, String>,
    },
    OrgsLoaded {
        generation: Generation,
        result: Result<Vec<UserOrganization>, ApiError>,
        /// The User-flow sign-in ended, while other sources still reach organizations.
        user_flow_ended: bool,
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

    /// The worker dropped a fetch for an organization the user moved past; nothing will answer it.
    FetchAbandoned(Fetch),

    /// The browser flow is waiting: the URL, and how (or whether) a browser was opened.
    SignInWaiting {
        url: String,
        browser: Result<Opened, BrowserError>,
    },
    /// The browser was asked again to open the URL.
    BrowserOpened(Result<Opened, BrowserError>),
    /// The totals of a search's matches (`Job::SearchTotals`).
    SearchTotalled {
        generation: Generation,
        totals: qonto_books::Totals,
    },
    /// What the categorization rules propose now.
    RulesProposed(Result<Vec<crate::outcome::RuleProposal>, crate::outcome::WriteError>),
    /// A link asked with `Job::OpenLink` was opened, or why not (and where it goes).
    LinkOpened {
        said: String,
        result: Result<(), String>,
    },
    SignInFailed(String),
    /// Whether rotated tokens could be saved: `Some(problem)` when a save failed (they are
    /// kept in memory meanwhile), `None` once one succeeded again.
    StoreHealth(Option<String>),
    PasteRejected(String),
    SignedIn,
    /// What the local books held at start, shown until Qonto answers.
    Stored(Stored),
    /// The local books' answer to search `generation`, or why there is none.
    SearchAnswered {
        generation: Generation,
        result: Result<(Vec<qonto_books::Found>, usize), LocalCopyError>,
    },
    /// A transaction in full, from the local books.
    DetailLoaded {
        id: String,
        result: Result<Box<qonto_books::Detail>, LocalCopyError>,
    },
    /// A transaction's receipts were opened or saved (what was done), or why not.
    ReceiptsPlaced(Result<Placed, ReceiptsError>),
    /// Where a list was exported, and how many transactions; or why it was not.
    Exported(Result<(String, usize), LocalCopyError>),
    /// The group's cash, from the local books.
    CashLoaded(Result<Box<qonto_books::GroupCash>, LocalCopyError>),
    /// A view was saved in the config file (or why not, in words).
    ViewSaved(Result<(super::saved_view::SavedView, String), String>),
    /// The rest of an account from the local copy (`None`: the copy does not hold it whole).
    AccountFilled {
        org: String,
        account: String,
        rows: Option<Vec<super::listed::ListedTransaction>>,
    },
    /// The searches run before, newest first, from the copy.
    SearchHistory(Vec<String>),
    /// The month-end board asked with `generation`, from the local books.
    MonthEndRead {
        generation: Generation,
        rows: Result<Vec<qonto_books::month_end::OrgMonth>, LocalCopyError>,
    },
    /// How many transactions miss their receipt, per organization, in the local books.
    ReceiptsCounted(Vec<(String, i64)>),
    /// How far the background sync of the local books is.
    Synced(super::sync_view::SyncNews),
    /// A source was added (the organization's id and name), or why not.
    SourceAdded(Result<(String, String), SourceError>),
    /// A source was removed (the organization's name), or why not.
    SourceRemoved(Result<String, SourceError>),
    /// How far reading the receipts inbox `generation` is: files read, of how many.
    InboxProgress {
        generation: Generation,
        read: usize,
        of: usize,
    },
    /// The receipts inbox `generation`, read and matched, or why not.
    InboxRead {
        generation: Generation,
        result: Result<super::inbox_view::InboxFound, super::inbox_view::InboxError>,
    },
    /// A write asked from the screen ended: how far it came, or why it was not done.
    Written {
        ask: WriteAsk,
        result: Result<Box<Written>, crate::outcome::WriteError>,
    },
    /// The path `asked` completed as far as it is unambiguous, and what it could go on with.
    PathCompleted {
        asked: String,
        completed: String,
        choices: Vec<String>,
    },
    /// What waits for a decision, for review `generation`: the rows, and the organizations
    /// that could not be read (with why); or why nothing could be.
    ReviewLoaded {
        generation: Generation,
        result: Result<(Vec<super::review_view::Item>, Vec<String>), crate::outcome::WriteError>,
    },
    /// A decline or an invoice change asked from the review ended: its write, or why not.
    Reviewed {
        ask: WriteAsk,
        result: Result<i64, crate::outcome::WriteError>,
    },
    /// Every match of search `generation`, to mark.
    AllMatched {
        generation: Generation,
        result: Result<Vec<(String, super::marks::MarkedAmount)>, LocalCopyError>,
    },
    /// The category names for picker `ticket`, or why there are none.
    CategoriesListed {
        ticket: u64,
        result: Result<Vec<String>, crate::outcome::WriteError>,
    },
    /// A categorize (or its undo) asked from the screen ended.
    Categorized {
        ask: WriteAsk,
        result: Result<CategorizeDone, crate::outcome::WriteError>,
    },
    /// An upload Qonto had accepted now shows on its transaction (write `write`).
    WriteConfirmed {
        write: i64,
    },
    /// Writes an earlier run left unfinished were finished (how many), or some failed (how
    /// many, and the first failure).
    EarlierWrites {
        finished: usize,
        failed: Option<(usize, crate::outcome::WriteError)>,
    },
}

/// A write to Qonto asked from the screen; `ticket` ties its answer to the row that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteAsk {
    /// Attach the file at `file` to `transaction`; a file of the inbox (`inbox`) is moved to
    /// its `attached/ORGANIZATION/` once attached, if it still holds `sha256`.
    Attach {
        ticket: u64,
        file: std::path::PathBuf,
        sha256: Option<String>,
        transaction: String,
        inbox: Option<std::path::PathBuf>,
    },
    /// Remove attachment `attachment` from `transaction`.
    Detach {
        ticket: u64,
        transaction: String,
        attachment: String,
    },
    /// Take back attach `write`: remove exactly the attachment it made.
    Undo { ticket: u64, write: i64 },
    /// File `transactions` under the category `name` (`None`: none) in each of their
    /// organizations.
    Categorize {
        ticket: u64,
        transactions: Vec<String>,
        name: Option<String>,
    },
    /// Take back categorize writes `writes`: each transaction filed where it was.
    UndoCategorize { ticket: u64, writes: Vec<i64> },
    /// Decline a member's request with a note.
    Decline {
        ticket: u64,
        request: Box<crate::outcome::OrgRequest>,
        note: String,
    },
    /// Change a supplier invoice.
    Invoice {
        ticket: u64,
        invoice: Box<crate::outcome::OrgInvoice>,
        action: crate::outcome::InvoiceAction,
    },
}

impl WriteAsk {
    pub fn ticket(&self) -> u64 {
        match self {
            WriteAsk::Attach { ticket, .. }
            | WriteAsk::Detach { ticket, .. }
            | WriteAsk::Undo { ticket, .. }
            | WriteAsk::Categorize { ticket, .. }
            | WriteAsk::UndoCategorize { ticket, .. }
            | WriteAsk::Decline { ticket, .. }
            | WriteAsk::Invoice { ticket, .. } => *ticket,
        }
    }
}

/// What a categorize did: transactions filed, those already there, the journal's writes (for
/// undo), and the organizations left out with why.
#[derive(Debug, Clone, Default)]
pub struct CategorizeDone {
    pub filed: usize,
    pub unchanged: usize,
    pub writes: Vec<i64>,
    pub skipped: Vec<(String, String)>,
    /// Writes that failed, with why.
    pub failed: Vec<(String, String)>,
}

/// What a write did, with what a person recognises its transaction by.
#[derive(Debug, Clone)]
pub struct Written {
    pub outcome: crate::outcome::WriteOutcome,
    /// `Acme SAS · 2026-11-19 URSSAF -1234.56 EUR`.
    pub words: String,
    pub transaction: String,
    /// Where an attached file of the inbox was kept, or why it stayed.
    pub moved: Option<Result<std::path::PathBuf, crate::outcome::KeepError>>,
}

impl Msg {
    /// An answer to a fetch (or the news that none will come).
    pub fn is_answer(&self) -> bool {
        matches!(
            self,
            Msg::OrgsLoaded { .. }
                | Msg::OverviewLoaded { .. }
                | Msg::TransactionsLoaded { .. }
                | Msg::MembersLoaded { .. }
                | Msg::LabelsLoaded { .. }
                | Msg::FetchAbandoned(_)
        )
    }
}

/// What `update` asks for: something of the terminal's (the event loop carries it out) or a
/// job for the background worker.
/// What the local books hold, as of `at`.
#[derive(Debug, Clone)]
pub enum Stored {
    Orgs {
        list: Vec<UserOrganization>,
        at: std::time::Instant,
    },
    Overview {
        org: String,
        overview: Organization,
        at: std::time::Instant,
    },
    Transactions {
        org: String,
        account: String,
        items: Vec<qonto_client::api::models::Transaction>,
        at: std::time::Instant,
    },
    Members {
        org: String,
        list: Vec<Membership>,
        at: std::time::Instant,
    },
    Labels {
        org: String,
        list: Vec<Label>,
        at: std::time::Instant,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Effect(Effect),
    Job(Job),
}

/// Changes to the terminal, carried out by the event loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Mouse capture off while a URL must be selectable.
    MouseCapture(bool),
    /// Put text on the clipboard through the terminal (OSC 52), which works over SSH too.
    CopyToClipboard(String),
    /// A desktop notification through the terminal's escape sequence (OSC 9 or 777).
    Notify(Notify, String),
    /// Ctrl-Z: give the terminal back and stop, as a shell job does; resume drawing on `fg`.
    Suspend,
    Quit,
}

/// Work for the background worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// For the selected organization (or the list): first in line.
    Fetch(Fetch),
    /// Overviews to fetch in the background, with bounded concurrency.
    Prefetch {
        orgs: Vec<String>,
        generation: Generation,
    },
    StartSignIn {
        membership: bool,
    },
    /// Checks an API key with Qonto and stores it.
    AddApiKey {
        login: String,
        secret: qonto_client::secret::Secret,
    },
    /// Forgets how `org` is reached through `via` (revoking a membership consent).
    RemoveSource {
        org: String,
        via: qonto_client::api::Via,
    },
    CancelSignIn,
    SubmitPastedUrl(String),
    /// Demo only: let the built-in browser answer the sandbox's consent page.
    SimulateBrowser {
        /// Tick only this organization (a membership consent takes one); else every one.
        only: Option<String>,
    },
    OpenBrowserAgain,
    /// What the config file's categorization rules propose among the copy's uncategorized
    /// transactions (nothing when it has no rules).
    ProposeRules,
    /// Opens `url` in the browser (Qonto's app, to approve what needs its strong
    /// authentication); `said` is what the status line says once it opened.
    OpenLink {
        url: String,
        said: String,
    },
    SaveLastOrg(String),
    /// Keep the local books of these organizations in sync in the background (the first ones
    /// first), replacing the sync of an earlier list.
    Sync(Vec<UserOrganization>),
    /// Search the local books (the latest one asked wins).
    Search {
        text: String,
        generation: Generation,
        /// At most this many results (and the matches counted up to one more).
        limit: usize,
    },
    /// How many match the query of `generation` in all and what they add up to.
    SearchTotals {
        text: String,
        generation: Generation,
    },
    /// Read one transaction in full from the local books.
    Detail {
        id: String,
    },
    /// Work out the group's cash from the local books.
    Cash,
    /// Save a query as a view in the config file's `[views]`.
    SaveView {
        path: std::path::PathBuf,
        name: String,
        query: String,
    },
    /// The rest of an account's transactions (after `after`: its last loaded row), from the
    /// local copy when it holds the account whole.
    FillAccount {
        org: String,
        account: String,
        declined: bool,
        after: Option<(String, String)>,
    },
    /// Keep a search run in the copy's history.
    RememberSearch {
        text: String,
    },
    /// Read the searches run before from the copy.
    LoadSearchHistory,
    /// Count the month-end board of the month holding `month`, from the local books.
    MonthEnd {
        month: chrono::NaiveDate,
        generation: Generation,
    },
    /// Write a list from the local books as CSV into the download folder.
    Export(ExportWhat),
    /// Read the receipts inbox and match its files (the latest one asked wins).
    ReadInbox {
        folder: std::path::PathBuf,
        generation: Generation,
    },
    /// Write to Qonto (through the journal, one write at a time, in order).
    Write(WriteAsk),
    /// Complete the path being typed from what the file system holds.
    CompletePath {
        text: String,
    },
    /// The cash-flow category names of these transactions' organizations (the kept trees, or
    /// read from Qonto for an organization without one).
    ListCategories {
        ticket: u64,
        transactions: Vec<String>,
    },
    /// What waits for a decision in every organization (requests, supplier invoices).
    LoadReview {
        generation: Generation,
    },
    /// Every match of search `text` (to mark them all), for query `generation`.
    MarkAll {
        text: String,
        generation: Generation,
    },
    /// Fetch a transaction's receipts from Qonto and open them, or save them (`save`) to the
    /// download folder, named `stem` and the file's name.
    Receipts {
        org: String,
        transaction: String,
        stem: String,
        save: bool,
    },
}

/// One request to Qonto; its answer comes back as the matching `Msg::*Loaded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    Orgs {
        generation: Generation,
    },
    Overview {
        org: String,
        generation: Generation,
    },
    Transactions {
        org: String,
        account: String,
        page: i64,
        generation: Generation,
        /// Declined transactions too (the user's toggle); pending and completed always.
        declined: bool,
    },
    Members {
        org: String,
        generation: Generation,
    },
    Labels {
        org: String,
        generation: Generation,
    },
}

impl Fetch {
    /// The organization it is for (none for the list of organizations).
    pub fn org(&self) -> Option<&str> {
        match self {
            Fetch::Orgs { .. } => None,
            Fetch::Overview { org, .. }
            | Fetch::Transactions { org, .. }
            | Fetch::Members { org, .. }
            | Fetch::Labels { org, .. } => Some(org),
        }
    }

    pub fn generation(&self) -> Generation {
        match self {
            Fetch::Orgs { generation }
            | Fetch::Overview { generation, .. }
            | Fetch::Transactions { generation, .. }
            | Fetch::Members { generation, .. }
            | Fetch::Labels { generation, .. } => *generation,
        }
    }
}

impl From<Effect> for Cmd {
    fn from(effect: Effect) -> Self {
        Cmd::Effect(effect)
    }
}

impl From<Job> for Cmd {
    fn from(job: Job) -> Self {
        Cmd::Job(job)
    }
}

impl From<Fetch> for Cmd {
    fn from(fetch: Fetch) -> Self {
        Cmd::Job(Job::Fetch(fetch))
    }
}

/// Which list `e` exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportWhat {
    /// An account's transactions, as its list shows them; `name` goes into the file's name.
    Account {
        account: String,
        name: String,
        declined: bool,
        /// The `/` filter on screen: only the rows it shows (their ids), and its words.
        only: Option<(Vec<String>, String)>,
    },
    /// Every match of a search.
    Search { text: String },
}
