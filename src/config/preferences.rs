//! How the TUI looks and answers keys: the config file's `[keys]` and `[theme]` tables, and the
//! environment's say on colour (`NO_COLOR` always wins) and on background prefetching.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::app::keymap::KeyMap;
use crate::palette::Palette;

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

#[derive(Debug, Clone)]
pub struct Preferences {
    pub keys: KeyMap,
    pub palette: Palette,
    /// `NO_COLOR` is set (to anything but the empty string).
    pub no_color: bool,
    /// Fetch nearby organizations in the background (`QONTO_TUI_PREFETCH=off` turns it off, to
    /// measure uncached switches).
    pub prefetch: bool,
    /// Debug builds only: F12 panics (`QONTO_TUI_TEST_PANIC=1`), to prove the terminal is restored.
    pub test_panic: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            keys: KeyMap::default(),
            palette: Palette::default(),
            no_color: false,
            prefetch: true,
            test_panic: false,
        }
    }
}

impl Preferences {
    /// From the file's tables and the environment; a bad key or colour is an error that says
    /// which entry to fix.
    pub fn resolve(
        keys: Option<BTreeMap<String, KeyList>>,
        theme: Option<BTreeMap<String, String>>,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
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
            test_panic: env("QONTO_TUI_TEST_PANIC").is_some_and(|v| v == "1"),
        })
    }
}
