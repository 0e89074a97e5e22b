//! How the TUI looks and answers keys: the config file's `[keys]` and `[theme]` tables, and the
//! environment's say on colour (`NO_COLOR` always wins) and on background prefetching.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::app::keymap::{KeyMap, KeyMapError};
use crate::locale::Locale;
use crate::palette::{Palette, PaletteError};

/// Why a preference from the config file or the environment was refused: each names the entry
/// to fix, with the value shown short and without control characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error(transparent)]
    Keys(#[from] KeyMapError),
    #[error(transparent)]
    Theme(#[from] PaletteError),
    #[error(transparent)]
    View(#[from] super::views::ViewError),
    #[error("{variable}={:?} is not a number of seconds{hint}", shown(.value))]
    NotSeconds {
        variable: &'static str,
        value: String,
        hint: &'static str,
    },
    #[error(
        "QONTO_TUI_NOTIFY={:?}: osc9 (iTerm2, WezTerm, Windows Terminal, kitty), osc777 (foot, urxvt, Konsole) or off",
        shown(.0)
    )]
    UnknownNotify(String),
}

fn shown(text: &str) -> String {
    qonto_client::printable::printable(text, 40)
}

/// One key or several, as the `[keys]` table allows: `reconsent = "C"`, `down = ["n", "Down"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    fn into_vec(self) -> Vec<String> {
        match self {
            KeyList::One(key) => vec![key],
            KeyList::Many(keys) => keys,
        }
    }
}

/// The selected organization is refreshed this often unless told otherwise.
const DEFAULT_REFRESH: std::time::Duration = std::time::Duration::from_secs(300);
/// Never more often than this: each refresh costs requests from the rate budget.
const MIN_REFRESH_SECS: u64 = 30;
/// The background sync runs a pass this often unless told otherwise: an incremental pass
/// costs a few requests per organization.
pub const DEFAULT_SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(120);
/// Never more often than this.
pub const MIN_SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

// What the terminal is told with is the app's (an effect of `update`); the config chooses it.
pub use crate::app::msg::Notify;

#[derive(Debug, Clone)]
pub struct Preferences {
    pub keys: KeyMap,
    pub palette: Palette,
    /// `NO_COLOR` is set (to anything but the empty string).
    pub no_color: bool,
    /// Fetch nearby organizations in the background (`QONTO_TUI_PREFETCH=off` turns it off, to
    /// measure uncached switches).
    pub prefetch: bool,
    /// Keep the local books in sync in the background while the TUI runs
    /// (`QONTO_TUI_SYNC=off` turns it off).
    pub background_sync: bool,
    /// The pause between background sync passes (`QONTO_TUI_SYNC_EVERY`, seconds).
    pub sync_every: std::time::Duration,
    /// Tell the terminal when new transactions arrive (`QONTO_TUI_NOTIFY=osc9` or `osc777`:
    /// the escape sequence the terminal understands for a desktop notification).
    pub notify: Option<Notify>,
    /// How amounts and dates are written.
    pub locale: Locale,
    /// How often the selected organization is refreshed by itself (`None`: never).
    pub refresh_every: Option<std::time::Duration>,
    /// Debug builds only: F12 panics (`QONTO_TUI_TEST_PANIC=1`), to prove the terminal is restored.
    pub test_panic: bool,
    /// The saved views of the `[views]` table.
    pub views: Vec<super::views::SavedView>,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            keys: KeyMap::default(),
            palette: Palette::default(),
            no_color: false,
            prefetch: true,
            background_sync: true,
            sync_every: DEFAULT_SYNC_EVERY,
            notify: None,
            refresh_every: Some(DEFAULT_REFRESH),
            locale: Locale::default(),
            test_panic: false,
            views: Vec::new(),
        }
    }
}

impl Preferences {
    /// From the file's tables and the environment; a bad key or colour is an error that says
    /// which entry to fix.
    pub fn resolve(
        keys: Option<BTreeMap<String, KeyList>>,
        theme: Option<BTreeMap<String, String>>,
        refresh_every: Option<u64>,
        locale: Option<&str>,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingError> {
        let locale = match env("QONTO_TUI_LOCALE").as_deref().or(locale) {
            Some(name) => Locale::from_name(name),
            None => Locale::from_env(env),
        };
        let refresh_secs = match env("QONTO_TUI_REFRESH_SECS") {
            Some(text) => {
                Some(
                    text.trim()
                        .parse::<u64>()
                        .map_err(|_| SettingError::NotSeconds {
                            variable: "QONTO_TUI_REFRESH_SECS",
                            value: text.clone(),
                            hint: " (0 turns it off)",
                        })?,
                )
            }
            None => refresh_every,
        };
        let refresh_every = match refresh_secs {
            Some(0) => None,
            Some(secs) => Some(std::time::Duration::from_secs(secs.max(MIN_REFRESH_SECS))),
            None => Some(DEFAULT_REFRESH),
        };
        let sync_every = match env("QONTO_TUI_SYNC_EVERY") {
            None => DEFAULT_SYNC_EVERY,
            Some(text) => {
                std::time::Duration::from_secs(text.trim().parse::<u64>().map_err(|_| {
                    SettingError::NotSeconds {
                        variable: "QONTO_TUI_SYNC_EVERY",
                        value: text.clone(),
                        hint: "",
                    }
                })?)
                .max(MIN_SYNC_EVERY)
            }
        };
        let notify = match env("QONTO_TUI_NOTIFY").as_deref() {
            None | Some("" | "off") => None,
            Some("osc9") => Some(Notify::Osc9),
            Some("osc777") => Some(Notify::Osc777),
            Some(other) => return Err(SettingError::UnknownNotify(other.to_string())),
        };
        let keys: BTreeMap<String, Vec<String>> = keys
            .unwrap_or_default()
            .into_iter()
            .map(|(action, list)| (action, list.into_vec()))
            .collect();
        Ok(Self {
            keys: KeyMap::with_overrides(&keys)?,
            palette: Palette::with_overrides(&theme.unwrap_or_default())?,
            no_color: env("NO_COLOR").is_some(),
            prefetch: env("QONTO_TUI_PREFETCH").is_none_or(|v| v != "off"),
            background_sync: env("QONTO_TUI_SYNC").is_none_or(|v| v != "off"),
            sync_every,
            notify,
            refresh_every,
            locale,
            test_panic: env("QONTO_TUI_TEST_PANIC").is_some_and(|v| v == "1"),
            views: Vec::new(),
        })
    }
}
