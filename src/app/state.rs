//! The whole state of the TUI. `draw` reads it, only `update` changes it.

use std::collections::HashMap;
use std::time::Instant;

use tui_input::Input;

use super::keymap::KeyMap;
use super::listed::ListedTransaction;
pub use super::load::Load;
use super::msg::Generation;
use crate::outcome::{BrowserError, Opened};
use crate::palette::Palette;
use qonto_client::api::ApiError;
use qonto_client::api::models::{Label, Membership, Organization, UserOrganization};

/// One account's transactions as loaded so far (pages append).
#[derive(Debug, Clone, Default)]
pub struct TransactionList {
    /// Compact rows (see [`ListedTransaction`]): a list may reach hundreds of thousands.
    pub items: Vec<ListedTransaction>,
    pub total: Option<i64>,
    /// How many pages Qonto says the list has.
    pub total_pages: Option<i64>,
    /// The page to ask for next; `None` when everything is here.
    pub next_page: Option<i64>,
    pub loading: Option<(i64, Generation)>,
    pub error: Option<ApiError>,
    pub at: Option<Instant>,
    pub started: bool,
    /// Moved each time `items` change (see [`TransactionList::touched`]): what was worked out
    /// from them (the `/` filter's texts) is kept while it stays.
    pub revision: u64,
    /// Whether the local copy held the account whole when the `/` filter asked it for the rest
    /// (`None`: not asked).
    pub whole_from_copy: Option<bool>,
}

impl TransactionList {
    /// Says `items` changed.
    pub fn touched(&mut self) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        self.revision = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the app holds about one organization.
#[derive(Debug, Clone, Default)]
pub struct OrgData {
    pub overview: Load<Organization>,
    pub transactions: HashMap<String, TransactionList>,
    pub members: Load<Vec<Membership>>,
    pub labels: Load<Vec<Label>>,
}

impl OrgData {
    /// Whether any of this organization's loads is on its way.
    pub fn is_loading(&self) -> bool {
        self.overview.is_loading()
            || self.members.is_loading()
            || self.labels.is_loading()
            || self.transactions.values().any(|l| l.loading.is_some())
    }

    /// Failures that asking again may cure become "not loaded" (a transaction list keeps the
    /// rows it has and asks for the page that failed again when scrolled to).
    pub fn forget_passing_failures(&mut self) {
        self.overview.forget_passing_failure();
        self.members.forget_passing_failure();
        self.labels.forget_passing_failure();
        for list in self.transactions.values_mut() {
            if list.error.as_ref().is_some_and(ApiError::is_transient) {
                list.error = None;
                if list.items.is_empty() {
                    list.started = false;
                }
            }
        }
    }

    /// Failed loads become "not loaded", so the next visit fetches them again.
    pub fn forget_failures(&mut self) {
        if matches!(self.overview, Load::Failed { .. }) {
            self.overview = Load::Idle;
        }
        if matches!(self.members, Load::Failed { .. }) {
            self.members = Load::Idle;
        }
        if matches!(self.labels, Load::Failed { .. }) {
            self.labels = Load::Idle;
        }
        self.transactions.retain(|_, list| list.error.is_none());
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Accounts,
    Transactions,
    Members,
    Labels,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Accounts, Tab::Transactions, Tab::Members, Tab::Labels];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Accounts => "Accounts",
            Tab::Transactions => "Transactions",
            Tab::Members => "Members",
            Tab::Labels => "Labels",
        }
    }

    /// As the tab bar shows it: "2 Transactions".
    pub fn label(self) -> String {
        format!("{} {}", self.index() + 1, self.title())
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Orgs,
    Data,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Reading the stored session.
    Starting,
    SignIn,
    Main,
}

/// A browser sign-in under way (first sign-in, or re-consent over the main screen).
#[derive(Debug, Clone)]
pub struct SignInFlow {
    pub reconsent: bool,
    /// The membership flow (adds one organization) rather than the User flow.
    pub membership: bool,
    pub url: Option<String>,
    pub browser: Option<Result<Opened, BrowserError>>,
    pub started: Instant,
    pub paste: Input,
    pub paste_focused: bool,
    pub error: Option<String>,
    pub completing: bool,
    /// The URL was handed to the terminal's clipboard.
    pub copied: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

/// What the status line says; errors stay typed so the UI words them.
#[derive(Debug, Clone)]
pub enum Notice {
    Text(String),
    /// The organization with this id is being refreshed: the notice ends when its loads do.
    Refreshing(String),
    /// A request failed for a passing reason and is retried by itself.
    Retrying {
        error: ApiError,
        in_secs: u64,
    },
    Failed(ApiError),
}

#[derive(Debug, Clone)]
pub struct StatusMessage {
    pub notice: Notice,
    pub tone: Tone,
    pub at: Instant,
}

/// A dialog over the main screen about the organizations' sources.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// "Add an organization": an API key, or a membership consent in the browser.
    AddOrg {
        /// `login:secret-key`, shown masked.
        key: Input,
        membership: bool,
        checking: bool,
        error: Option<String>,
    },
    /// "Remove NAME?", waiting for a yes.
    RemoveOrg {
        org: String,
        name: String,
        via: qonto_client::api::Via,
        removing: bool,
        error: Option<String>,
    },
}

/// A persistent warning above the panes, until what it says is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Banner {
    SignInEnded,
}

/// Where the lists are scrolled to, as last drawn: view state that `draw` keeps (it alone knows
/// the heights), like ratatui's `TableState` offset, so scrolling follows the cursor smoothly.
#[derive(Debug, Clone, Default)]
pub struct Scroll {
    pub orgs: std::cell::Cell<usize>,
    pub data: std::cell::Cell<usize>,
    /// The help overlay's first line shown, and the largest that still fills it (as drawn).
    pub help: std::cell::Cell<usize>,
    pub help_max: std::cell::Cell<usize>,
}

/// Per-tab cursors, kept per organization so switching back restores the place.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursors {
    pub account: usize,
    pub transaction: usize,
    pub member: usize,
    pub label: usize,
}

pub struct App {
    pub screen: Screen,
    pub demo: bool,
    pub orgs: Load<Vec<UserOrganization>>,
    /// Indices into the org list that pass the filter, in order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    pub filter: Option<Input>,
    /// Keys go to the filter field (after `/`); Enter keeps the filter and gives the keys back.
    /// The field is the organizations' or the data pane's, whichever `/` was pressed in.
    pub filter_editing: bool,
    /// The data pane's filter: rows of the current tab that contain this text.
    pub row_filter: Option<Input>,
    /// End was pressed in this (organization, account)'s transactions: pages are fetched one
    /// after another and the cursor follows them to the very last one. Any other key stops it.
    pub seeking_end: Option<(String, String)>,
    pub focus: Focus,
    pub tab: Tab,
    pub data: HashMap<String, OrgData>,
    pub cursors: HashMap<String, Cursors>,
    pub sign_in: Option<SignInFlow>,
    pub dialog: Option<Dialog>,
    /// The demo sandbox's API keys (organization id, `login:secret`), offered in the add
    /// dialog.
    pub demo_api_keys: Vec<(String, String)>,
    pub status: Option<StatusMessage>,
    pub banner: Option<Banner>,
    /// Why the latest tokens could not be saved, until a save succeeds.
    pub store_problem: Option<String>,
    pub scroll: Scroll,
    /// The data pane takes the whole width (the organizations pane is hidden).
    pub zoomed: bool,
    /// How often the selected organization refreshes by itself (`None`: never).
    pub refresh_every: Option<std::time::Duration>,
    /// How amounts and dates are written.
    pub locale: crate::locale::Locale,
    /// Which Qonto this is ("production", "Qonto's sandbox", a server's host), for the title.
    pub server: String,
    /// Whether the app may write to Qonto, in words ("read-only", "writes on"); empty: not
    /// said.
    pub writes: String,
    /// The tokens are in a plain file (`--token-store file`): said in the title, since the
    /// warning printed before the TUI starts is hidden by it.
    pub plain_token_file: bool,
    pub help: bool,
    pub reveal_ibans: bool,
    /// Declined transactions are listed too (Qonto hides them unless asked).
    pub show_declined: bool,
    /// Transactions missing their receipt, per organization id (from the local books).
    pub missing_receipts: HashMap<String, i64>,
    /// Transactions that arrived since each organization was last looked at (from the
    /// background sync), per organization id.
    pub arrivals: HashMap<String, usize>,
    /// How to tell the terminal of arrivals (`None`: the status line only).
    pub notify: Option<super::msg::Notify>,
    /// The group's cash, while it is open.
    pub cash: Option<super::cash_view::CashView>,
    /// The search across every organization, while it is open.
    pub search: Option<super::search_view::SearchView>,
    /// The receipts inbox, while it is open.
    pub inbox: Option<super::inbox_view::InboxView>,
    /// The inbox as it was closed: opened again with its rows' writes, and told of answers
    /// that come meanwhile.
    pub inbox_closed: Option<super::inbox_view::InboxView>,
    /// The folder of receipts to match (`receipts_inbox`).
    pub receipts_inbox: std::path::PathBuf,
    /// The last attach done from the screen (its write, and what it was), for `u`.
    pub last_attach: Option<(i64, String)>,
    /// What waits for a decision, while it is open.
    pub review: Option<super::review_view::ReviewView>,
    /// What the categorization rules propose now (asked after each sync pass).
    pub proposals: Vec<crate::outcome::RuleProposal>,
    /// The rules' proposals, while they are shown (`P`).
    pub rules_view: Option<super::rules_view::RulesView>,
    /// The config file's saved views (and those saved since).
    pub saved_views: Vec<super::saved_view::SavedView>,
    /// Where the config file is, to save views in.
    pub config_path: Option<std::path::PathBuf>,
    /// The searches run before, newest first (from the copy, then as they are run).
    pub search_history: Vec<String>,
    /// The history was asked of the copy already.
    pub history_loaded: bool,
    /// The month-end board, while it is open.
    pub board: Option<super::board_view::BoardView>,
    /// The command palette, while it is open.
    pub command_palette: Option<super::command_palette::CommandPalette>,
    /// The category picker for the marked transactions (of the search or the Transactions
    /// tab), while it is open.
    pub picker: Option<super::category_picker::CategoryPicker>,
    /// Transactions marked in the Transactions tab (by id, with their amounts).
    pub tx_marks: super::marks::Marks,
    /// The writes of the last categorize done from the screen, for `^R`.
    pub last_categorize: Option<Vec<i64>>,
    /// The background sync of the local books, as far as the worker said.
    pub sync: super::sync_view::SyncView,
    pub generation: Generation,
    pub now: Instant,
    pub started_at: Instant,
    pub size: (u16, u16),
    /// The organization selected last time (restored when the list arrives).
    pub remembered_org: Option<String>,
    /// Org ids before a re-consent, to announce what changed.
    pub before_reconsent: Option<Vec<(String, String)>>,
    /// When to retry what failed for a passing reason (the org list, or the selected organization).
    pub retry_at: Option<Instant>,
    /// Automatic retries since the last success: each waits twice as long (at most a minute).
    pub retry_attempts: u32,
    /// Monochrome (NO_COLOR).
    pub no_color: bool,
    /// The key bindings in force (defaults plus the config file's `[keys]`).
    pub keys: KeyMap,
    /// Colours (defaults plus the config file's `[theme]`).
    pub palette: Palette,
    /// The `/` filter's lower-cased texts of the transactions shown, and the last matches.
    pub row_texts: std::cell::RefCell<Option<super::row_filter::RowTexts>>,
    /// What the Transactions tab's listed rows add up to, for the list and filter it was
    /// worked out for (organization, account, revision, length, filter words): drawn every
    /// frame, summed once per change.
    #[allow(clippy::type_complexity)]
    pub listed_sums:
        std::cell::RefCell<Option<((String, String, u64, usize, String), Vec<(String, i64)>)>>,
    /// Rows of the org pane and data table on screen (set by the UI layout, used for paging).
    pub page_rows: usize,
    /// Qonto's web app, opened to approve what needs strong authentication.
    pub app_url: String,
}

impl App {
    pub fn new(demo: bool, remembered_org: Option<String>, now: Instant) -> Self {
        Self {
            screen: Screen::Starting,
            demo,
            orgs: Load::Idle,
            visible: Vec::new(),
            selected: 0,
            filter: None,
            filter_editing: false,
            row_filter: None,
            seeking_end: None,
            focus: Focus::Orgs,
            tab: Tab::Accounts,
            data: HashMap::new(),
            cursors: HashMap::new(),
            sign_in: None,
            dialog: None,
            demo_api_keys: Vec::new(),
            status: None,
            banner: None,
            store_problem: None,
            scroll: Scroll::default(),
            zoomed: false,
            refresh_every: None,
            locale: crate::locale::Locale::default(),
            server: String::new(),
            writes: String::new(),
            plain_token_file: false,
            help: false,
            reveal_ibans: false,
            show_declined: false,
            sync: Default::default(),
            search: None,
            inbox: None,
            inbox_closed: None,
            receipts_inbox: std::path::PathBuf::from("Receipts"),
            last_attach: None,
            last_categorize: None,
            review: None,
            proposals: Vec::new(),
            rules_view: None,
            picker: None,
            command_palette: None,
            board: None,
            saved_views: Vec::new(),
            config_path: None,
            search_history: Vec::new(),
            history_loaded: false,
            tx_marks: Default::default(),
            cash: None,
            missing_receipts: HashMap::new(),
            arrivals: HashMap::new(),
            notify: None,
            generation: 0,
            now,
            started_at: now,
            size: (80, 24),
            remembered_org,
            before_reconsent: None,
            retry_at: None,
            retry_attempts: 0,
            no_color: false,
            keys: KeyMap::default(),
            palette: Palette::default(),
            page_rows: 10,
            row_texts: Default::default(),
            listed_sums: Default::default(),
            app_url: "https://app.qonto.com".to_string(),
        }
    }

    /// The inbox, open or closed.
    pub fn inbox_mut(&mut self) -> Option<&mut super::inbox_view::InboxView> {
        self.inbox.as_mut().or(self.inbox_closed.as_mut())
    }

    /// Closes the inbox, keeping it for the next time it opens.
    pub fn close_inbox(&mut self) {
        if let Some(view) = self.inbox.take() {
            self.inbox_closed = Some(view);
        }
    }

    pub fn org_list(&self) -> &[UserOrganization] {
        self.orgs.value().map(|(v, _)| v.as_slice()).unwrap_or(&[])
    }

    pub fn selected_org(&self) -> Option<&UserOrganization> {
        let index = *self.visible.get(self.selected)?;
        self.org_list().get(index)
    }

    pub fn selected_org_id(&self) -> Option<String> {
        self.selected_org().map(|o| o.id.clone())
    }

    pub fn org_data(&self, id: &str) -> Option<&OrgData> {
        self.data.get(id)
    }

    pub fn cursors_for(&self, id: &str) -> Cursors {
        self.cursors.get(id).copied().unwrap_or_default()
    }

    /// The account whose transactions are shown for `org`.
    pub fn current_account(&self, org: &str) -> Option<String> {
        let data = self.data.get(org)?;
        let (overview, _) = data.overview.value()?;
        let index = self
            .cursors_for(org)
            .account
            .min(overview.bank_accounts.len().saturating_sub(1));
        overview
            .bank_accounts
            .get(index)
            .and_then(|a| a.key().map(String::from))
    }

    pub fn next_generation(&mut self) -> Generation {
        self.generation += 1;
        self.generation
    }

    /// Whether anything on screen changes with time alone (spinners, countdowns).
    pub fn is_animating(&self) -> bool {
        if self.sign_in.is_some()
            || matches!(
                self.dialog,
                Some(
                    Dialog::AddOrg { checking: true, .. }
                        | Dialog::RemoveOrg { removing: true, .. }
                )
            )
            || self.screen == Screen::Starting
            || self.orgs.is_loading()
        {
            return true;
        }
        self.selected_org_id()
            .and_then(|id| self.data.get(&id))
            .is_some_and(|d| {
                d.overview.is_loading()
                    || d.members.is_loading()
                    || d.labels.is_loading()
                    || d.transactions.values().any(|t| t.loading.is_some())
            })
    }
}
