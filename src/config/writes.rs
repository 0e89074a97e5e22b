//! Whether the app may write to Qonto (attach and detach receipts), and for which
//! organizations. Off unless the user turns it on: `writes = true` (every organization) or
//! `writes = ["ID or name", …]` in the config file, or `QONTO_TUI_WRITES=on`; `--read-only`
//! (or `QONTO_TUI_WRITES=off`) forces it off whatever the file says.

use std::path::PathBuf;

use serde::Deserialize;

/// `writes` as the config file gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum WritesSetting {
    All(bool),
    Only(Vec<String>),
}

/// Where writes are allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WritePolicy {
    /// Nowhere (the default).
    #[default]
    Off,
    /// Every organization.
    All,
    /// The organizations named (ids, or names as the user wrote them; case and accents
    /// ignored).
    Only(Vec<String>),
}

impl WritePolicy {
    /// From the environment's `QONTO_TUI_WRITES` (`on`/`off`, winning) and the file.
    pub fn resolve(env: Option<&str>, file: Option<&WritesSetting>) -> Self {
        match env.map(str::trim) {
            Some("on" | "1" | "true") => return Self::All,
            Some("off" | "0" | "false") => return Self::Off,
            _ => {}
        }
        match file {
            Some(WritesSetting::All(true)) => Self::All,
            Some(WritesSetting::Only(names)) if !names.is_empty() => Self::Only(names.clone()),
            _ => Self::Off,
        }
    }

    /// Whether the organization `id` named `name` may be written to.
    pub fn allows(&self, id: &str, name: &str) -> bool {
        match self {
            Self::Off => false,
            Self::All => true,
            Self::Only(names) => names
                .iter()
                .any(|n| n == id || qonto_books::query::fold(n) == qonto_books::query::fold(name)),
        }
    }

    /// In words, for the header and `status`.
    pub fn words(&self) -> String {
        match self {
            Self::Off => "read-only".into(),
            Self::All => "writes on".into(),
            Self::Only(names) => format!("writes on for {}", names.len()),
        }
    }
}

/// The folder of receipts when the config names none: `Receipts` in the documents folder.
/// A categorization rule from the config file: transactions whose counterparty contains
/// `counterparty` (case and accents ignored), uncategorized, in `orgs` (names or ids; every
/// organization when empty), are proposed for `category`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    pub counterparty: String,
    pub category: String,
    #[serde(default)]
    pub orgs: Vec<String>,
}

pub fn default_inbox() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.join("Receipts")))
        .unwrap_or_else(|| PathBuf::from("Receipts"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_unless_turned_on_and_the_environment_wins() {
        assert_eq!(WritePolicy::resolve(None, None), WritePolicy::Off);
        assert_eq!(
            WritePolicy::resolve(None, Some(&WritesSetting::All(false))),
            WritePolicy::Off
        );
        assert_eq!(
            WritePolicy::resolve(None, Some(&WritesSetting::All(true))),
            WritePolicy::All
        );
        assert_eq!(
            WritePolicy::resolve(Some("off"), Some(&WritesSetting::All(true))),
            WritePolicy::Off
        );
        assert_eq!(WritePolicy::resolve(Some("on"), None), WritePolicy::All);
        let only = WritePolicy::resolve(
            None,
            Some(&WritesSetting::Only(vec![
                "Brasserie du Port".into(),
                "org-2".into(),
            ])),
        );
        assert!(only.allows("org-1", "BRASSERIE DU PORT"));
        assert!(only.allows("org-2", "Anything"));
        assert!(!only.allows("org-3", "Atelier"));
        assert!(!WritePolicy::Off.allows("org-1", "x"));
    }

    #[test]
    fn the_file_takes_true_or_a_list() {
        #[derive(Deserialize)]
        struct File {
            writes: WritesSetting,
        }
        let all: File = toml::from_str("writes = true").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.writes, WritesSetting::All(true));
        let some: File =
            toml::from_str("writes = [\"a\", \"b\"]").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            some.writes,
            WritesSetting::Only(vec!["a".into(), "b".into()])
        );
        assert!(toml::from_str::<File>("writes = 3").is_err());
    }
}
