//! One key with its modifiers, as a person writes it in the config file (`ctrl-c`, `PgDn`, `C`)
//! and as the screen shows it (`^C`, `PgDn`, `C`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Why a key written in the config file was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("an empty key")]
    Empty,
    #[error("{:?} is not a key", qonto_client::printable::printable(.0, 40))]
    Unknown(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyChord {
    pub const fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        Self { code, mods }
    }

    pub const fn plain(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::NONE)
    }

    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Whether this key types a character in a text field.
    pub fn types_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    /// Whether a key event is this chord. Shifted characters arrive with or without SHIFT
    /// depending on the terminal, so SHIFT is ignored for characters.
    pub fn matches(&self, key: &KeyEvent) -> bool {
        if self.code != key.code {
            return false;
        }
        let ignore = match key.code {
            KeyCode::Char(_) | KeyCode::BackTab => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        (self.mods - ignore) == (key.modifiers - ignore)
    }

    /// How the screen shows it.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "S-Tab".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Backspace => "Bksp".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::Insert => "Ins".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            if let KeyCode::Char(c) = self.code {
                return format!("^{}", c.to_ascii_uppercase());
            }
            out.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("M-");
        }
        out.push_str(&base);
        out
    }

    /// Reads a key as written in the config file: a character (`C`, `?`), a name (`Down`,
    /// `PgDn`, `Enter`, `Esc`, `Tab`, `Space`, `F5`), optionally after `ctrl-`, `alt-` or `shift-`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, m) = if lower.starts_with("ctrl-") {
                ("ctrl-", KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                ("alt-", KeyModifiers::ALT)
            } else if lower.starts_with("shift-") {
                ("shift-", KeyModifiers::SHIFT)
            } else {
                break;
            };
            if rest.len() == prefix.len() {
                break;
            }
            mods |= m;
            rest = &rest[prefix.len()..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            (None, _) => return Err(KeyError::Empty),
            _ => match rest.to_ascii_lowercase().as_str() {
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "esc" | "escape" => KeyCode::Esc,
                "enter" | "return" => KeyCode::Enter,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=24) => KeyCode::F(n),
                    _ => return Err(KeyError::Unknown(text.to_string())),
                },
                _ => return Err(KeyError::Unknown(text.to_string())),
            },
        };
        // `ctrl-C` and `ctrl-c` are the same key to a terminal.
        let code = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        Ok(Self::new(code, mods))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_write_and_labels_it_back() {
        for (text, label) in [
            ("C", "C"),
            ("n", "n"),
            ("?", "?"),
            ("ctrl-c", "^C"),
            ("Ctrl-C", "^C"),
            ("Down", "↓"),
            ("pgdn", "PgDn"),
            ("PageUp", "PgUp"),
            ("Enter", "Enter"),
            ("esc", "Esc"),
            ("shift-tab", "S-Tab"),
            ("F5", "F5"),
            ("space", "Space"),
            ("alt-x", "M-x"),
            ("-", "-"),
        ] {
            let chord = KeyChord::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(chord.label(), label, "{text}");
        }
        for bad in ["", "ctrl-", "Dwon", "F99", "hello"] {
            assert!(KeyChord::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn shift_is_ignored_for_characters_only() {
        let g = KeyChord::char('G');
        assert!(g.matches(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(g.matches(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE)));
        assert!(!g.matches(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::CONTROL)));
        let ctrl_c = KeyChord::ctrl('c');
        assert!(ctrl_c.matches(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(!ctrl_c.matches(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert!(
            !KeyChord::plain(KeyCode::Down)
                .matches(&KeyEvent::new(KeyCode::Down, KeyModifiers::SHIFT))
        );
    }
}
