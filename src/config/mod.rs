//! Settings: a TOML file in the platform config dir, every key overridable by a `QONTO_*`
//! environment variable, with presets for Qonto production and Qonto's sandbox. The only place
//! that reads the environment.

mod mcp;
mod preferences;
pub mod views;
mod writes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use mcp::{McpFileSetting, McpSettings};
pub use preferences::{KeyList, Notify, Preferences, SettingError};
pub use writes::{CategoryRule, WritePolicy, WritesSetting};

use directories::ProjectDirs;
use serde::Deserialize;

use qonto_client::oauth::authorize::DEFAULT_SCOPES;
use qonto_client::secret::Secret;

pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:18920/callback";

/// Qonto's documented hosts.
pub mod presets {
    pub const PRODUCTION_AUTH: &str = "https://oauth.qonto.com/oauth2/auth";
    pub const PRODUCTION_TOKEN: &str = "https://oauth.qonto.com/oauth2/token";
    pub const PRODUCTION_REVOKE: &str = "https://oauth.qonto.com/oauth2/revoke";
    pub const PRODUCTION_API: &str = "https://thirdparty.qonto.com";
    pub const SANDBOX_AUTH: &str = "https://oauth-sandbox.staging.qonto.co/oauth2/auth";
    pub const SANDBOX_TOKEN: &str = "https://oauth-sandbox.staging.qonto.co/oauth2/token";
    pub const SANDBOX_REVOKE: &str = "https://oauth-sandbox.staging.qonto.co/oauth2/revoke";
    pub const SANDBOX_API: &str = "https://thirdparty-sandbox.staging.qonto.co";
}

/// Where tokens are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum TokenStoreKind {
    /// The platform's secret store (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// A 0600 file in the data dir: only when you choose it; a warning on every start.
    File,
    /// Process memory only (the demo; not offered on the command line).
    #[value(skip)]
    Memory,
}

/// The file's keys (all optional; the environment wins).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub environment: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub redirect_uri: Option<String>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub revoke_url: Option<String>,
    pub api_base_url: Option<String>,
    pub staging_token: Option<String>,
    pub scopes: Option<String>,
    pub token_store: Option<TokenStoreKind>,
    pub log_file: Option<PathBuf>,
    pub log_level: Option<String>,
    /// Seconds between automatic refreshes of the selected organization (0: never).
    pub refresh_every: Option<u64>,
    /// Keep the local, encrypted copy of the books (default true; false keeps all in memory).
    pub cache: Option<bool>,
    /// How amounts and dates are written (`fr_FR`, `en_US`…); default: the environment's.
    pub locale: Option<String>,
    /// Key bindings: action = key or [keys].
    pub keys: Option<BTreeMap<String, KeyList>>,
    /// Colours: accent, positive, warning, error, muted.
    pub theme: Option<BTreeMap<String, String>>,
    /// Let the app write to Qonto: `true`, or the organizations (ids or names) it may write to.
    pub writes: Option<WritesSetting>,
    /// The folder of receipts `receipts match` reads (default: `Receipts` in the documents
    /// folder).
    pub receipts_inbox: Option<PathBuf>,
    /// Categorization rules: a counterparty → a cash-flow category (in some organizations).
    pub rules: Option<Vec<writes::CategoryRule>>,
    /// Qonto's web app, opened to approve what needs strong authentication.
    pub app_url: Option<String>,
    /// Named searches: `name = "query"` or `name = { query = "…", key = "F2" }`.
    pub views: Option<BTreeMap<String, views::ViewEntry>>,
    /// What `qonto-tui mcp` may show: `organizations = [...]`, `mask = false`.
    pub mcp: Option<McpFileSetting>,
    /// The firm's books on PostgreSQL (`postgres://…`).
    pub books: Option<String>,
    /// A streaming replica of them, for a staff member's reads (`postgres://…`).
    pub books_replica: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Empty when not configured (see `oauth_unavailable`).
    pub client_id: String,
    /// Why the OAuth flows cannot run (no client id, or no client secret where one is needed):
    /// organizations reached with their API keys need neither.
    pub oauth_unavailable: Option<String>,
    /// `None`: look it up in the secret store.
    pub client_secret: Option<Secret>,
    pub redirect_uri: String,
    pub auth_url: String,
    pub token_url: String,
    pub revoke_url: Option<String>,
    pub api_base_url: String,
    pub staging_token: Option<Secret>,
    pub scopes: String,
    pub token_store: TokenStoreKind,
    pub log_file: Option<PathBuf>,
    pub log_level: Option<String>,
    /// The file that was read (it may not exist).
    pub config_path: PathBuf,
    /// `BROWSER`: the command that opens the consent URL, when set.
    pub browser: Option<String>,
    /// Qonto's web app (`QONTO_APP_URL`, `app_url`): approving a request needs its strong
    /// authentication, so `a` opens it.
    pub app_url: String,
    pub preferences: Preferences,
    /// Keep the local copy of the books on disk (`cache = false`, `QONTO_TUI_CACHE=off` or
    /// `--no-cache`: memory only).
    pub cache: bool,
    /// Where the app may write to Qonto (off unless turned on; `--read-only` forces it off).
    pub writes: WritePolicy,
    /// The folder of receipts to match (`receipts_inbox`, QONTO_TUI_RECEIPTS_INBOX).
    pub receipts_inbox: PathBuf,
    /// Categorization rules (`[[rules]]`), in the order written.
    pub rules: Vec<writes::CategoryRule>,
    /// What `qonto-tui mcp` may show an assistant (`[mcp]`).
    pub mcp: McpSettings,
    /// The firm's books on PostgreSQL (`books`, QONTO_TUI_BOOKS): its address may hold a
    /// password.
    pub books: Option<Secret>,
    /// A streaming replica of the firm's books (`books_replica`, QONTO_TUI_BOOKS_REPLICA): a
    /// staff member's reads (the TUI's pulls, `search`) go there; what they ask goes to `books`.
    pub books_replica: Option<Secret>,
    /// On the firm's service machine, the staff member whose own Qonto credentials this run
    /// uses (`--staff NAME`): their tokens, keys, memberships and write journal are kept apart
    /// from everyone else's.
    pub staff: Option<String>,
}

/// Where an embedded sandbox listens, for `--demo`.
pub struct SandboxEndpoints {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    pub auth_url: String,
    pub token_url: String,
    pub revoke_url: String,
    pub api_base_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{setting} is not set: set {env} in the environment, or `{key} = \"…\"` in {path}")]
    Missing {
        setting: &'static str,
        env: &'static str,
        key: &'static str,
        path: String,
    },
    #[error("cannot read {path}: {cause}")]
    Unreadable { path: String, cause: String },
    #[error("{path} is not valid: {cause}")]
    Invalid { path: String, cause: String },
    #[error("{what} {value:?} is not an http(s) URL")]
    BadUrl { what: &'static str, value: String },
    #[error(
        "environment {0:?} is unknown: use \"production\" or \"sandbox\", or set the URLs yourself"
    )]
    UnknownEnvironment(String),
    #[error("QONTO_TOKEN_STORE={0:?} is unknown: use \"keyring\" or \"file\"")]
    UnknownTokenStore(String),
    #[error("{path}: {cause}")]
    Preferences {
        path: String,
        cause: preferences::SettingError,
    },
}

/// `text` made safe for a file name (a namespace, a login, an id).
pub(crate) fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The platform directories of the app.
pub fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("com", "qonto-tui", "qonto-tui")
}

pub fn default_config_path() -> PathBuf {
    project_dirs()
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("qonto-tui.toml"))
}

/// Where non-secret state lives (last selected organization, logs, the file token store).
pub fn state_dir() -> PathBuf {
    project_dirs()
        .map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .to_path_buf()
        })
        .unwrap_or_else(|| PathBuf::from(".qonto-tui"))
}

/// `host:port` of a URL (the URL itself when it is not one), to name what belongs to a server.
fn host_and_port(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|u| {
            format!(
                "{}{}",
                u.host_str().unwrap_or("unknown"),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            )
        })
        .unwrap_or_else(|| url.to_string())
}

pub fn data_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.data_local_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".qonto-tui"))
}

impl Config {
    /// Reads the file (if any) and the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_from(process_env)
    }

    /// As [`Config::load`], but without an OAuth client id too (organizations reached with
    /// their API keys need none); the OAuth flows then say what is missing.
    pub fn load_without_client() -> Result<Self, ConfigError> {
        let path = config_path(&process_env);
        let file = read_file(&path)?;
        Self::resolve(file, &process_env, path, true)
    }

    /// Reads with an injectable environment (for tests).
    pub fn load_from(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let path = config_path(&env);
        let file = read_file(&path)?;
        Self::resolve(file, &env, path, false)
    }

    /// The OAuth flows need a client id: this says how to set it when it is missing.
    pub fn require_client(&self) -> anyhow::Result<()> {
        match &self.oauth_unavailable {
            Some(why) => anyhow::bail!("{why}"),
            None => Ok(()),
        }
    }

    /// Keeps each Qonto server's API keys and membership consents apart: the API's host (not
    /// the OAuth client, which API keys do not need).
    pub fn sources_namespace(&self) -> String {
        self.for_staff(self.server_namespace())
    }

    /// The API's host alone, whoever this run acts for: what every run on this machine shares
    /// (Qonto's per-IP rate budget).
    pub fn server_namespace(&self) -> String {
        host_and_port(&self.api_base_url)
    }

    /// The firm's books this machine reads as a staff member (`books` set, not acting for
    /// someone on the service machine): the TUI then keeps its copy of them, and asks the
    /// firm's service for writes.
    pub fn firm_books(&self) -> Option<&Secret> {
        self.books.as_ref().filter(|_| self.staff.is_none())
    }

    /// Where a staff member reads the firm's books: the replica when one is named.
    pub fn firm_reads(&self) -> Option<&Secret> {
        self.firm_books()
            .map(|primary| self.books_replica.as_ref().unwrap_or(primary))
    }

    /// Whose books the local copy holds: this Qonto server's (each staff member's apart on the
    /// service machine), or on a staff member's machine the firm's, as them.
    pub fn copy_namespace(&self) -> String {
        match self.firm_books() {
            Some(books) => format!(
                "firm/{}",
                qonto_books::firm::Address::label(books.expose())
                    .unwrap_or_else(|| "unreadable-address".into())
            ),
            None => self.sources_namespace(),
        }
    }

    /// `namespace`, kept to the staff member this run acts for, if any.
    fn for_staff(&self, namespace: String) -> String {
        match &self.staff {
            Some(staff) => format!("{namespace}/staff/{staff}"),
            None => namespace,
        }
    }

    /// The settings that point at an embedded sandbox (`--demo`): tokens in memory, the user's
    /// keys, theme and log settings still honoured.
    pub fn for_sandbox(sandbox: SandboxEndpoints) -> Result<Self, ConfigError> {
        let env = process_env;
        let path = config_path(&env);
        let file = read_file(&path)?;
        let preferences = resolve_preferences(&file, &env, &path)?;
        let sandbox_api = sandbox.api_base_url.clone();
        Ok(Self {
            client_id: sandbox.client_id,
            oauth_unavailable: None,
            client_secret: Some(sandbox.client_secret),
            redirect_uri: sandbox.redirect_uri,
            auth_url: sandbox.auth_url,
            token_url: sandbox.token_url,
            revoke_url: Some(sandbox.revoke_url),
            api_base_url: sandbox.api_base_url,
            staging_token: None,
            scopes: DEFAULT_SCOPES.to_string(),
            token_store: TokenStoreKind::Memory,
            log_file: env("QONTO_TUI_LOG").map(PathBuf::from).or(file.log_file),
            log_level: env("QONTO_TUI_LOG_LEVEL").or(file.log_level),
            // The sandbox's own page stands for Qonto's app.
            app_url: format!("{}/app", sandbox_api.trim_end_matches('/')),
            config_path: path,
            browser: env("BROWSER"),
            preferences,
            cache: env("QONTO_TUI_CACHE").map_or(file.cache.unwrap_or(true), |v| v != "off"),
            // The demo writes to its own sandbox only: a new user sees writes work.
            writes: WritePolicy::resolve(
                env("QONTO_TUI_WRITES").as_deref(),
                Some(&WritesSetting::All(true)),
            ),
            receipts_inbox: env("QONTO_TUI_RECEIPTS_INBOX")
                .map(PathBuf::from)
                .or(file.receipts_inbox.clone())
                .unwrap_or_else(writes::default_inbox),
            rules: file.rules.clone().unwrap_or_default(),
            mcp: McpSettings::from_file(file.mcp.as_ref()),
            books: env("QONTO_TUI_BOOKS")
                .or(file.books.clone())
                .map(Secret::new),
            books_replica: env("QONTO_TUI_BOOKS_REPLICA")
                .or(file.books_replica.clone())
                .map(Secret::new),
            staff: None,
        })
    }

    fn resolve(
        file: FileConfig,
        env: &impl Fn(&str) -> Option<String>,
        path: PathBuf,
        without_client: bool,
    ) -> Result<Self, ConfigError> {
        let pick = |var: &str, from_file: &Option<String>| env(var).or_else(|| from_file.clone());
        let environment = pick("QONTO_ENVIRONMENT", &file.environment)
            .unwrap_or_else(|| "production".to_string());
        let (auth, token, revoke, api) = match environment.as_str() {
            "production" => (
                presets::PRODUCTION_AUTH,
                presets::PRODUCTION_TOKEN,
                presets::PRODUCTION_REVOKE,
                presets::PRODUCTION_API,
            ),
            "sandbox" => (
                presets::SANDBOX_AUTH,
                presets::SANDBOX_TOKEN,
                presets::SANDBOX_REVOKE,
                presets::SANDBOX_API,
            ),
            other => return Err(ConfigError::UnknownEnvironment(shown(other))),
        };
        let path_text = path.display().to_string();
        let preferences = resolve_preferences(&file, env, &path)?;
        let (client_id, oauth_unavailable) = match pick("QONTO_CLIENT_ID", &file.client_id) {
            Some(id) => (id, None),
            None => {
                let missing = ConfigError::Missing {
                    setting: "The OAuth client id",
                    env: "QONTO_CLIENT_ID",
                    key: "client_id",
                    path: path_text.clone(),
                };
                if !without_client {
                    return Err(missing);
                }
                (String::new(), Some(missing.to_string()))
            }
        };
        let url = |what: &'static str, value: String| -> Result<String, ConfigError> {
            match url::Url::parse(&value) {
                Ok(u) if u.scheme() == "https" || u.scheme() == "http" => Ok(value),
                _ => Err(ConfigError::BadUrl {
                    what,
                    value: shown(&value),
                }),
            }
        };
        let token_url = url(
            "QONTO_TOKEN_URL",
            pick("QONTO_TOKEN_URL", &file.token_url).unwrap_or_else(|| token.to_string()),
        )?;
        // A custom token URL without a custom revoke URL: derive it from the same server.
        let revoke_default = if env("QONTO_TOKEN_URL").is_some() || file.token_url.is_some() {
            token_url
                .strip_suffix("/token")
                .map(|base| format!("{base}/revoke"))
        } else {
            Some(revoke.to_string())
        };
        let api_base_url = url(
            "QONTO_API_BASE_URL",
            pick("QONTO_API_BASE_URL", &file.api_base_url).unwrap_or_else(|| api.to_string()),
        )?
        .trim_end_matches('/')
        .to_string();
        Ok(Self {
            client_id,
            oauth_unavailable,
            client_secret: pick("QONTO_CLIENT_SECRET", &file.client_secret).map(Secret::new),
            redirect_uri: url(
                "QONTO_REDIRECT_URI",
                pick("QONTO_REDIRECT_URI", &file.redirect_uri)
                    .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string()),
            )?,
            auth_url: url(
                "QONTO_AUTH_URL",
                pick("QONTO_AUTH_URL", &file.auth_url).unwrap_or_else(|| auth.to_string()),
            )?,
            token_url,
            revoke_url: pick("QONTO_REVOKE_URL", &file.revoke_url).or(revoke_default),
            api_base_url: api_base_url.clone(),
            staging_token: pick("QONTO_STAGING_TOKEN", &file.staging_token).map(Secret::new),
            scopes: pick("QONTO_SCOPES", &file.scopes)
                .unwrap_or_else(|| DEFAULT_SCOPES.to_string()),
            token_store: match env("QONTO_TOKEN_STORE").as_deref() {
                Some("file") => TokenStoreKind::File,
                Some("keyring") => TokenStoreKind::Keyring,
                Some(other) => return Err(ConfigError::UnknownTokenStore(shown(other))),
                None => file.token_store.unwrap_or(TokenStoreKind::Keyring),
            },
            log_file: env("QONTO_TUI_LOG").map(PathBuf::from).or(file.log_file),
            log_level: env("QONTO_TUI_LOG_LEVEL").or(file.log_level),
            app_url: match pick("QONTO_APP_URL", &file.app_url) {
                Some(given) => url("QONTO_APP_URL", given)?,
                None => app_url_for(&api_base_url),
            },
            config_path: path,
            browser: env("BROWSER"),
            preferences,
            cache: env("QONTO_TUI_CACHE").map_or(file.cache.unwrap_or(true), |v| v != "off"),
            writes: WritePolicy::resolve(env("QONTO_TUI_WRITES").as_deref(), file.writes.as_ref()),
            receipts_inbox: env("QONTO_TUI_RECEIPTS_INBOX")
                .map(PathBuf::from)
                .or(file.receipts_inbox.clone())
                .unwrap_or_else(writes::default_inbox),
            rules: file.rules.clone().unwrap_or_default(),
            mcp: McpSettings::from_file(file.mcp.as_ref()),
            books: env("QONTO_TUI_BOOKS")
                .or(file.books.clone())
                .map(Secret::new),
            books_replica: env("QONTO_TUI_BOOKS_REPLICA")
                .or(file.books_replica.clone())
                .map(Secret::new),
            staff: None,
        })
    }

    /// Which Qonto this talks to, in words for the title bar and `status`.
    pub fn server_label(&self) -> String {
        match self.api_base_url.trim_end_matches('/') {
            presets::PRODUCTION_API => "production".to_string(),
            presets::SANDBOX_API => "Qonto's sandbox".to_string(),
            other => match url::Url::parse(other) {
                Ok(u) => format!(
                    "server {}{}",
                    u.host_str().unwrap_or("?"),
                    u.port().map(|p| format!(":{p}")).unwrap_or_default()
                ),
                Err(_) => "a custom server".to_string(),
            },
        }
    }

    /// Keeps sandbox and production tokens apart (the token server and the client id), and
    /// each staff member's on the firm's service machine.
    pub fn namespace(&self) -> String {
        self.for_staff(self.client_namespace())
    }

    /// The OAuth server and client, whoever this run acts for (the client secret's entry).
    pub fn client_namespace(&self) -> String {
        let server = host_and_port(&self.token_url);
        format!("{server}/{}", self.client_id)
    }
}

/// Qonto's web app for an API: Qonto's own for its production and sandbox APIs (the sandbox's
/// app is reached from the developer portal), else the server's `/app` page (the embedded
/// sandbox's stand-in).
fn app_url_for(api_base_url: &str) -> String {
    match api_base_url {
        presets::PRODUCTION_API | presets::SANDBOX_API => "https://app.qonto.com".to_string(),
        other => format!("{other}/app"),
    }
}

/// The process environment, empty values counting as unset.
fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

fn config_path(env: &impl Fn(&str) -> Option<String>) -> PathBuf {
    env("QONTO_TUI_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(default_config_path)
}

fn resolve_preferences(
    file: &FileConfig,
    env: &impl Fn(&str) -> Option<String>,
    path: &Path,
) -> Result<Preferences, ConfigError> {
    Preferences::resolve(
        file.keys.clone(),
        file.theme.clone(),
        file.refresh_every,
        file.locale.as_deref(),
        env,
    )
    .and_then(|mut preferences| {
        preferences.views = views::resolve(file.views.clone(), &preferences.keys)?;
        Ok(preferences)
    })
    .map_err(|cause| ConfigError::Preferences {
        path: path.display().to_string(),
        cause,
    })
}

/// Far more than any configuration needs.
const MAX_CONFIG_FILE: u64 = 1 << 20;

/// A value from the file or the environment, as an error message may show it: no control
/// characters, and short (it may be a 10 MB mistake).
fn shown(value: &str) -> String {
    qonto_client::printable::printable(value, 80)
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    match qonto_client::store::read_bounded(path, MAX_CONFIG_FILE) {
        Ok(text) => parse_config(&text).map_err(|cause| ConfigError::Invalid {
            path: path.display().to_string(),
            cause: qonto_client::printable::printable(cause.message(), 300),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(ConfigError::Unreadable {
            path: path.display().to_string(),
            cause: e.to_string(),
        }),
    }
}

/// Parses the TOML text of a config file.
pub fn parse_config(text: &str) -> Result<FileConfig, toml::de::Error> {
    toml::from_str(text)
}

#[cfg(test)]
mod tests;
