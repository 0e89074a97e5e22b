//! Every key binding of every mode, in one table: built-in defaults, overridable per action in
//! the config file's `[keys]` table. Input routing, the help overlay and every on-screen hint
//! read this map, so what the screen says is what the keys do.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent};

use super::keys::KeyChord;

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
}

impl Mode {
    fn is_text_field(self) -> bool {
        matches!(self, Mode::Filter | Mode::Paste)
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
}

impl Action {
    const NAMES: [(Action, &'static str); 31] = [
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
            bindings: defaults(),
        }
    }
}

impl KeyMap {
    /// The defaults with the user's `[keys]` table applied: each action named there gets exactly
    /// the keys listed, in every mode it has. A key left doing two things in one mode is refused.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut map = Self::default();
        for (name, keys) in overrides {
            let action = Action::from_name(name)
                .ok_or_else(|| format!("[keys]: {name:?} is not an action (see `?` in the app)"))?;
            let chords = keys
                .iter()
                .map(|k| KeyChord::parse(k).map_err(|e| format!("[keys] {name}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            if chords.is_empty() {
                return Err(format!("[keys] {name}: give at least one key"));
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

    fn check_conflicts(&self) -> Result<(), String> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in self
                .bindings
                .iter()
                .skip(i + 1)
                .filter(|b| b.mode == a.mode)
            {
                if let Some(k) = a.all_keys().find(|k| b.all_keys().any(|o| o == *k)) {
                    return Err(format!(
                        "[keys]: {} is bound to both {} and {}; give one of them another key",
                        k.label(),
                        a.action.name(),
                        b.action.name()
                    ));
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

fn bind(
    mode: Mode,
    action: Action,
    keys: &[KeyChord],
    help: &'static str,
    section: Section,
) -> Binding {
    Binding {
        mode,
        action,
        keys: keys.to_vec(),
        aliases: Vec::new(),
        help,
        section,
    }
}

fn defaults() -> Vec<Binding> {
    use Action::*;
    use Mode::{Main, Paste, SignIn};
    use Section::*;
    let key = KeyChord::plain;
    let ch = KeyChord::char;
    let quit = [ch('q'), KeyChord::ctrl('c')];
    let switch_pane = bind(
        Main,
        SwitchPane,
        &[key(KeyCode::Tab)],
        "switch between organizations and data",
        Everywhere,
    )
    .also(&[key(KeyCode::BackTab)]);
    let help_close = bind(
        Mode::Help,
        Cancel,
        &[ch('?'), key(KeyCode::Esc), ch('q')],
        "close",
        Own,
    )
    .also(&[key(KeyCode::Enter)]);
    vec![
        bind(
            Main,
            Up,
            &[key(KeyCode::Up), ch('k')],
            "previous organization / row",
            Lists,
        ),
        bind(
            Main,
            Down,
            &[key(KeyCode::Down), ch('j')],
            "next organization / row",
            Lists,
        ),
        bind(Main, PageUp, &[key(KeyCode::PageUp)], "one page up", Lists),
        bind(
            Main,
            PageDown,
            &[key(KeyCode::PageDown)],
            "one page down",
            Lists,
        ),
        bind(Main, Home, &[key(KeyCode::Home), ch('g')], "first", Lists),
        bind(Main, End, &[key(KeyCode::End), ch('G')], "last", Lists),
        bind(
            Main,
            Filter,
            &[ch('/')],
            "filter organizations by name",
            Lists,
        ),
        switch_pane,
        bind(
            Main,
            NextTab,
            &[key(KeyCode::Right), ch('l')],
            "next tab",
            DataPane,
        ),
        bind(
            Main,
            PrevTab,
            &[key(KeyCode::Left), ch('h')],
            "previous tab",
            DataPane,
        ),
        bind(Main, Tab1, &[ch('1')], "Accounts", DataPane),
        bind(Main, Tab2, &[ch('2')], "Transactions", DataPane),
        bind(Main, Tab3, &[ch('3')], "Members", DataPane),
        bind(Main, Tab4, &[ch('4')], "Labels", DataPane),
        bind(
            Main,
            PrevAccount,
            &[ch('[')],
            "previous bank account (transactions)",
            DataPane,
        ),
        bind(
            Main,
            NextAccount,
            &[ch(']')],
            "next bank account (transactions)",
            DataPane,
        ),
        bind(
            Main,
            RevealIban,
            &[ch('i')],
            "show or hide full IBANs",
            DataPane,
        ),
        bind(
            Main,
            ToggleDeclined,
            &[ch('d')],
            "show or hide declined transactions",
            DataPane,
        ),
        bind(
            Main,
            Refresh,
            &[ch('r')],
            "refresh this organization",
            Everywhere,
        ),
        bind(
            Main,
            RefreshAll,
            &[ch('R')],
            "refresh every organization",
            Everywhere,
        ),
        bind(
            Main,
            Zoom,
            &[ch('z')],
            "hide or show the organizations pane",
            Everywhere,
        ),
        bind(
            Main,
            Reconsent,
            &[ch('c')],
            "change which organizations are shared (browser)",
            Everywhere,
        ),
        bind(Main, Help, &[ch('?')], "this help", Everywhere),
        bind(
            Main,
            Cancel,
            &[key(KeyCode::Esc)],
            "close / clear filter",
            Everywhere,
        ),
        bind(Main, Quit, &quit, "quit", Everywhere),
        bind(
            Mode::Filter,
            Confirm,
            &[key(KeyCode::Enter)],
            "keep the filter",
            Own,
        ),
        bind(
            Mode::Filter,
            Cancel,
            &[key(KeyCode::Esc)],
            "clear the filter",
            Own,
        ),
        help_close,
        bind(SignIn, Confirm, &[key(KeyCode::Enter)], "start again", Own),
        bind(
            SignIn,
            OpenBrowser,
            &[ch('o')],
            "open the browser again",
            Own,
        ),
        bind(
            SignIn,
            CopyUrl,
            &[ch('y')],
            "copy the URL (OSC 52: most terminals, SSH too)",
            Own,
        ),
        bind(SignIn, PasteUrl, &[key(KeyCode::Tab)], "paste a URL", Own).also(&[ch('p')]),
        bind(
            SignIn,
            BuiltInBrowser,
            &[ch('s')],
            "demo: let a built-in browser allow all organizations",
            Own,
        ),
        bind(SignIn, Cancel, &[key(KeyCode::Esc)], "stop waiting", Own),
        bind(SignIn, Quit, &quit, "quit", Own),
        bind(
            Paste,
            Submit,
            &[key(KeyCode::Enter)],
            "use the pasted URL",
            Own,
        ),
        bind(
            Paste,
            Cancel,
            &[key(KeyCode::Tab), key(KeyCode::Esc)],
            "back",
            Own,
        ),
        bind(Paste, Quit, &[KeyChord::ctrl('c')], "quit", Own),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

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
        assert_eq!(main(KeyCode::Char('x'), KeyModifiers::NONE), None);
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
            ("quit", &["x", "ctrl-q"]),
        ])
        .unwrap();
        let main = |code| map.action(Mode::Main, &press(code, KeyModifiers::NONE));
        assert_eq!(main(KeyCode::Char('C')), Some(Action::Reconsent));
        assert_eq!(main(KeyCode::Char('c')), None);
        assert_eq!(main(KeyCode::Char('n')), Some(Action::Down));
        assert_eq!(main(KeyCode::Char('j')), None);
        assert_eq!(map.main(Action::Reconsent), "C");
        assert_eq!(map.label(Mode::SignIn, Action::Quit), "x ^Q");
        // In the paste field `x` types itself; only ctrl-q quits there.
        assert_eq!(map.label(Mode::Paste, Action::Quit), "^Q");

        let clash = over(&[("down", &["c"])]).unwrap_err();
        assert!(clash.contains("c is bound to both"), "{clash}");
        assert!(
            over(&[("dance", &["d"])])
                .unwrap_err()
                .contains("not an action")
        );
        assert!(
            over(&[("down", &["Dwon"])])
                .unwrap_err()
                .contains("not a key")
        );
        assert!(over(&[("down", &[])]).unwrap_err().contains("at least one"));
    }
}
