//! Every key binding, in one table: the event loop routes keys through it and the help overlay
//! is generated from it, so the two cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    Reconsent,
    RevealIban,
    PrevAccount,
    NextAccount,
    Help,
    Cancel,
}

/// Where a binding applies (for the help overlay's sections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Everywhere,
    Lists,
    DataPane,
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub context: Context,
}

const NONE: KeyModifiers = KeyModifiers::NONE;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        label: "↑ k",
        action: Action::Up,
        help: "previous organization / row",
        context: Context::Lists,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
        label: "↓ j",
        action: Action::Down,
        help: "next organization / row",
        context: Context::Lists,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE)],
        label: "PgUp",
        action: Action::PageUp,
        help: "one page up",
        context: Context::Lists,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE)],
        label: "PgDn",
        action: Action::PageDown,
        help: "one page down",
        context: Context::Lists,
    },
    Binding {
        keys: &[(KeyCode::Home, NONE), (KeyCode::Char('g'), NONE)],
        label: "Home g",
        action: Action::Home,
        help: "first",
        context: Context::Lists,
    },
    Binding {
        keys: &[
            (KeyCode::End, NONE),
            (KeyCode::Char('G'), NONE),
            (KeyCode::Char('G'), KeyModifiers::SHIFT),
        ],
        label: "End G",
        action: Action::End,
        help: "last",
        context: Context::Lists,
    },
    Binding {
        keys: &[(KeyCode::Char('/'), NONE)],
        label: "/",
        action: Action::Filter,
        help: "filter organizations by name",
        context: Context::Lists,
    },
    Binding {
        keys: &[
            (KeyCode::Tab, NONE),
            (KeyCode::BackTab, KeyModifiers::SHIFT),
            (KeyCode::BackTab, NONE),
        ],
        label: "Tab",
        action: Action::SwitchPane,
        help: "switch between organizations and data",
        context: Context::Everywhere,
    },
    Binding {
        keys: &[(KeyCode::Right, NONE), (KeyCode::Char('l'), NONE)],
        label: "→ l",
        action: Action::NextTab,
        help: "next tab",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Left, NONE), (KeyCode::Char('h'), NONE)],
        label: "← h",
        action: Action::PrevTab,
        help: "previous tab",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char('1'), NONE)],
        label: "1",
        action: Action::Tab1,
        help: "Accounts",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char('2'), NONE)],
        label: "2",
        action: Action::Tab2,
        help: "Transactions",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char('3'), NONE)],
        label: "3",
        action: Action::Tab3,
        help: "Members",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char('4'), NONE)],
        label: "4",
        action: Action::Tab4,
        help: "Labels",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char('['), NONE)],
        label: "[",
        action: Action::PrevAccount,
        help: "previous bank account (transactions)",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char(']'), NONE)],
        label: "]",
        action: Action::NextAccount,
        help: "next bank account (transactions)",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char('i'), NONE)],
        label: "i",
        action: Action::RevealIban,
        help: "show or hide full IBANs",
        context: Context::DataPane,
    },
    Binding {
        keys: &[(KeyCode::Char('r'), NONE)],
        label: "r",
        action: Action::Refresh,
        help: "refresh this organization",
        context: Context::Everywhere,
    },
    Binding {
        keys: &[(KeyCode::Char('c'), NONE)],
        label: "c",
        action: Action::Reconsent,
        help: "change which organizations are shared (browser)",
        context: Context::Everywhere,
    },
    Binding {
        keys: &[
            (KeyCode::Char('?'), NONE),
            (KeyCode::Char('?'), KeyModifiers::SHIFT),
        ],
        label: "?",
        action: Action::Help,
        help: "this help",
        context: Context::Everywhere,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        action: Action::Cancel,
        help: "close / clear filter",
        context: Context::Everywhere,
    },
    Binding {
        keys: &[
            (KeyCode::Char('q'), NONE),
            (KeyCode::Char('c'), KeyModifiers::CONTROL),
        ],
        label: "q ^C",
        action: Action::Quit,
        help: "quit",
        context: Context::Everywhere,
    },
];

/// The action bound to `key`, if any.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    // Shifted characters arrive with or without SHIFT depending on the terminal.
    let mods = if matches!(key.code, KeyCode::Char(_)) {
        key.modifiers - KeyModifiers::SHIFT
    } else {
        key.modifiers
    };
    BINDINGS.iter().find_map(|b| {
        b.keys
            .iter()
            .any(|(code, m)| *code == key.code && (*m == key.modifiers || *m == mods))
            .then_some(b.action)
    })
}

/// The label of the first binding of `action`, for hints in the UI.
pub fn label_of(action: Action) -> &'static str {
    BINDINGS
        .iter()
        .find(|b| b.action == action)
        .map(|b| b.label)
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_binding_is_reachable_and_unique() {
        for b in BINDINGS {
            for (code, m) in b.keys {
                let found = action_for(&KeyEvent::new(*code, *m));
                assert_eq!(found, Some(b.action), "{:?} {:?}", code, m);
            }
        }
        assert_eq!(
            action_for(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Action::Reconsent)
        );
        assert_eq!(
            action_for(&KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
    }
}
