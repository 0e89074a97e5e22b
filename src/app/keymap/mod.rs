//! Every key binding of every mode, in one table: built-in defaults, overridable per action in
//! the config file's `[keys]` table. Input routing, the help overlay and every on-screen hint
//! read this map, so what the screen says is what the keys do.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use super::keys::KeyChord;

mod defaults;

/// Which layer of the screen a key is read by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The organizations and data panes.
    Main,
    /// Typing in the organization filter.
    Filter,
    /// The sign-in screen or the re-consent modal.
    SignIn,
    /// Typing in the sign-in's paste field.
    Paste,
    /// The help overlay.
    Help,
    /// The "add an organization" dialog (an API key field, or a membership consent).
    AddOrg,
    /// A yes/no question.
    Confirm,
}

impl Mode {
    fn is_text_field(self) -> bool {
        matches!(self, Mode::Filter | Mode::Paste | Mode::AddOrg)
    }
}

/// What a key does. Names in the config file are these in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    NextTab,
    PrevTab,
    SwitchPane,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Filter,
    Refresh,
    RefreshAll,
    Zoom,
    Reconsent,
    RevealIban,
    ToggleDeclined,
    PrevAccount,
    NextAccount,
    Help,
    Cancel,
    /// Keep what was typed and leave the field (filter), or start a sign-in again.
    Confirm,
    OpenBrowser,
    CopyUrl,
    PasteUrl,
    BuiltInBrowser,
    /// Use the pasted URL.
    Submit,
    /// Add an organization: an API key or a membership consent.
    AddOrg,
    /// Remove the selected organization's API key or membership consent.
    RemoveOrg,
    /// Switch between the choices of a dialog.
    Choose,
    /// Search every organization's transactions (the local copy).
    Search,
    /// Every organization's transactions that miss their receipt.
    Receipts,
    /// The group's cash: every organization's accounts, balances and flows.
    Cash,
    /// Write the list on screen (an account's transactions) as CSV to the download folder.
    Export,
    /// The receipts inbox: its files matched to transactions, attached on confirmation.
    Inbox,
    /// Requests and supplier invoices waiting for a decision, every organization.
    Review,
    /// What the categorization rules propose, filed on confirmation.
    Rules,
    /// The command palette: every action, organization, saved view and recent search by name.
    Palette,
    /// The month-end board: every organization's month on one screen.
    Board,
}

impl Action {
    const NAMES: [(Action, &'static str); 43] = [
        (Action::Quit, "quit"),
        (Action::Up, "up"),
        (Action::Down, "down"),
        (Action::PageUp, "page_up"),
        (Action::PageDown, "page_down"),
        (Action::Home, "home"),
        (Action::End, "end"),
        (Action::NextTab, "next_tab"),
        (Action::PrevTab, "prev_tab"),
        (Action::SwitchPane, "switch_pane"),
        (Action::Tab1, "tab1"),
        (Action::Tab2, "tab2"),
        (Action::Tab3, "tab3"),
        (Action::Tab4, "tab4"),
        (Action::Filter, "filter"),
        (Action::Refresh, "refresh"),
        (Action::RefreshAll, "refresh_all"),
        (Action::Zoom, "zoom"),
        (Action::Reconsent, "reconsent"),
        (Action::RevealIban, "reveal_iban"),
        (Action::ToggleDeclined, "toggle_declined"),
        (Action::PrevAccount, "prev_account"),
        (Action::NextAccount, "next_account"),
        (Action::Help, "help"),
        (Action::Cancel, "cancel"),
        (Action::Confirm, "confirm"),
        (Action::OpenBrowser, "open_browser"),
        (Action::CopyUrl, "copy_url"),
        (Action::PasteUrl, "paste_url"),
        (Action::BuiltInBrowser, "built_in_browser"),
        (Action::Submit, "submit"),
        (Action::AddOrg, "add_org"),
        (Action::RemoveOrg, "remove_org"),
        (Action::Choose, "choose"),
        (Action::Search, "search"),
        (Action::Receipts, "receipts"),
        (Action::Cash, "cash"),
        (Action::Export, "export"),
        (Action::Inbox, "inbox"),
        (Action::Review, "review"),
        (Action::Rules, "rules"),
        (Action::Palette, "palette"),
        (Action::Board, "board"),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(a, _)| *a)
    }
}

/// Where the help overlay lists a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Lists,
    DataPane,
    Everywhere,
    /// Not in the overlay: the sign-in screen and the fields show their own hints.
    Own,
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub mode: Mode,
    pub action: Action,
    /// Shown in help and hints, first one first.
    pub keys: Vec<KeyChord>,
    /// Also accepted, never shown (Shift-Tab for Tab, say).
    pub aliases: Vec<KeyChord>,
    pub help: &'static str,
    pub section: Section,
}

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<Binding>,
}

impl Default for KeyMap {
    fn default() -> Self {
        Self {
            bindings: defaults::defaults(),
        }
    }
}

/// Why the `[keys]` table of the config file was refused: each names the entry to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyMapError {
    #[error("[keys]: {:?} is not an action (see `?` in the app)", qonto_client::printable::printable(.0, 40))]
    UnknownAction(String),
    #[error("[keys] {action}: {why}")]
    BadKey {
        action: &'static str,
        why: super::keys::KeyError,
    },
    #[error("[keys] {0}: give at least one key")]
    NoKey(&'static str),
    #[error("[keys]: {key} is bound to both {first} and {second}; give one of them another key")]
    BoundTwice {
        key: String,
        first: &'static str,
        second: &'static str,
    },
}

impl KeyMap {
    /// The defaults with the user's `[keys]` table applied: each action named there gets exactly
    /// the keys listed, in every mode it has. A key left doing two things in one mode is refused.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, KeyMapError> {
        let mut map = Self::default();
        for (name, keys) in overrides {
            let action =
                Action::from_name(name).ok_or_else(|| KeyMapError::UnknownAction(name.clone()))?;
            let chords = keys
                .iter()
                .map(|k| {
                    KeyChord::parse(k).map_err(|why| KeyMapError::BadKey {
                        action: action.name(),
                        why,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if chords.is_empty() {
                return Err(KeyMapError::NoKey(action.name()));
            }
            for b in map.bindings.iter_mut().filter(|b| b.action == action) {
                // In a text field a plain character types itself; only the other keys apply.
                let keys: Vec<KeyChord> = if b.mode.is_text_field() {
                    chords.iter().copied().filter(|k| !k.types_text()).collect()
                } else {
                    chords.clone()
                };
                if !keys.is_empty() {
                    b.keys = keys;
                    b.aliases.clear();
                }
            }
        }
        map.check_conflicts()?;
        Ok(map)
    }

    fn check_conflicts(&self) -> Result<(), KeyMapError> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in self
                .bindings
                .iter()
                .skip(i + 1)
                .filter(|b| b.mode == a.mode)
            {
                if let Some(k) = a.all_keys().find(|k| b.all_keys().any(|o| o == *k)) {
                    return Err(KeyMapError::BoundTwice {
                        key: k.label(),
                        first: a.action.name(),
                        second: b.action.name(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The action `key` has in `mode`, if any.
    pub fn action(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        self.bindings
            .iter()
            .filter(|b| b.mode == mode)
            .find(|b| b.all_keys().any(|k| k.matches(key)))
            .map(|b| b.action)
    }

    /// How hints show the keys of `action` in `mode`: "↑ k", "c", "q ^C".
    pub fn label(&self, mode: Mode, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.mode == mode && b.action == action)
            .map(Binding::label)
            .unwrap_or_else(|| "?".to_string())
    }

    /// The first key of `action` in `mode`, for sentences ("Press c to …").
    pub fn first_key(&self, mode: Mode, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.mode == mode && b.action == action)
            .and_then(|b| b.keys.first())
            .map(KeyChord::label)
            .unwrap_or_else(|| "?".to_string())
    }

    /// The main screen's label of `action`, for hints.
    pub fn main(&self, action: Action) -> String {
        self.label(Mode::Main, action)
    }

    /// The main screen's bindings the command palette offers: those that do something, not
    /// the moving keys (which need the list they move in).
    pub fn commands(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| {
            b.mode == Mode::Main
                && b.section != Section::Own
                && !matches!(
                    b.action,
                    Action::Up
                        | Action::Down
                        | Action::PageUp
                        | Action::PageDown
                        | Action::Home
                        | Action::End
                        | Action::Cancel
                        | Action::Palette
                )
        })
    }

    /// The bindings the help overlay lists under `section`.
    pub fn in_section(&self, section: Section) -> impl Iterator<Item = &Binding> {
        self.bindings
            .iter()
            .filter(move |b| b.mode == Mode::Main && b.section == section)
    }
}

impl Binding {
    fn all_keys(&self) -> impl Iterator<Item = &KeyChord> {
        self.keys.iter().chain(self.aliases.iter())
    }

    pub fn label(&self) -> String {
        let mut labels: Vec<String> = Vec::new();
        for k in &self.keys {
            let l = k.label();
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
        labels.join(" ")
    }
}

impl Binding {
    /// Also accepts `keys`, without showing them.
    fn also(mut self, keys: &[KeyChord]) -> Self {
        self.aliases.extend_from_slice(keys);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn every_default_binding_is_reachable_and_none_collide() {
        let map = KeyMap::default();
        map.check_conflicts().unwrap();
        for b in &map.bindings {
            for k in b.all_keys() {
                assert_eq!(
                    map.action(b.mode, &press(k.code, k.mods)),
                    Some(b.action),
                    "{:?} {:?}",
                    b.mode,
                    k
                );
            }
        }
        let main = |code, mods| map.action(Mode::Main, &press(code, mods));
        assert_eq!(
            main(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Action::Quit)
        );
        assert_eq!(
            main(KeyCode::Char('c'), KeyModifiers::NONE),
            Some(Action::Reconsent)
        );
        assert_eq!(
            main(KeyCode::Char('G'), KeyModifiers::SHIFT),
            Some(Action::End)
        );
        assert_eq!(
            main(KeyCode::BackTab, KeyModifiers::SHIFT),
            Some(Action::SwitchPane)
        );
        assert_eq!(main(KeyCode::Char('w'), KeyModifiers::NONE), None);
        assert_eq!(map.main(Action::Up), "↑ k");
        assert_eq!(map.main(Action::Quit), "q ^C");
        assert_eq!(map.main(Action::SwitchPane), "Tab");
        for (action, name) in Action::NAMES {
            assert_eq!(Action::from_name(name), Some(action));
        }
    }

    #[test]
    fn overrides_replace_an_actions_keys_in_every_mode_and_refuse_conflicts() {
        let over = |pairs: &[(&str, &[&str])]| {
            let table: BTreeMap<String, Vec<String>> = pairs
                .iter()
                .map(|(a, ks)| (a.to_string(), ks.iter().map(|k| k.to_string()).collect()))
                .collect();
            KeyMap::with_overrides(&table)
        };
        let map = over(&[
            ("reconsent", &["C"]),
            ("down", &["n"]),
            ("quit", &["w", "ctrl-q"]),
        ])
        .unwrap();
        let main = |code| map.action(Mode::Main, &press(code, KeyModifiers::NONE));
        assert_eq!(main(KeyCode::Char('C')), Some(Action::Reconsent));
        assert_eq!(main(KeyCode::Char('c')), None);
        assert_eq!(main(KeyCode::Char('n')), Some(Action::Down));
        assert_eq!(main(KeyCode::Char('j')), None);
        assert_eq!(map.main(Action::Reconsent), "C");
        assert_eq!(map.label(Mode::SignIn, Action::Quit), "w ^Q");
        // In the paste field `w` types itself; only ctrl-q quits there.
        assert_eq!(map.label(Mode::Paste, Action::Quit), "^Q");

        let clash = over(&[("down", &["c"])]).unwrap_err();
        assert!(clash.to_string().contains("c is bound to both"), "{clash}");
        assert_eq!(
            over(&[("dance", &["d"])]).unwrap_err(),
            KeyMapError::UnknownAction("dance".into())
        );
        assert_eq!(
            over(&[("down", &["Dwon"])]).unwrap_err().to_string(),
            "[keys] down: \"Dwon\" is not a key"
        );
        assert_eq!(
            over(&[("down", &[])]).unwrap_err(),
            KeyMapError::NoKey("down")
        );
    }
}
