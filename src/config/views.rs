//! Saved views: named searches in the config file's `[views]` table (`missing_big =
//! "missing:receipt >500"`, or `{ query = "…", key = "F2" }` for a key that opens it), checked
//! when the file is read; and saving one from the TUI into that table, the rest of the file
//! (comments, order) kept as it was.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::app::keymap::{KeyMap, Mode};
use crate::app::keys::KeyChord;
pub use crate::app::saved_view::SavedView;

/// The longest name a view may have (a tab in the search's title).
pub const LONGEST_NAME: usize = 32;

/// A view as the file may write it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ViewEntry {
    Query(String),
    Full { query: String, key: Option<String> },
}

/// Why a view was refused, naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    #[error("[views] {0:?}: a name is 1 to {LONGEST_NAME} letters, digits, '_' or '-'")]
    BadName(String),
    #[error("[views] {name}: {why}")]
    BadQuery { name: String, why: String },
    #[error("[views] {name}: {why}")]
    BadKey { name: String, why: String },
    #[error("[views] {name}: {key} already {action} (see `?` in the app); choose another key")]
    KeyTaken {
        name: String,
        key: String,
        action: String,
    },
}

/// Why a view could not be saved into the config file.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    View(#[from] ViewError),
    #[error("a view named {0:?} is saved already: choose another name")]
    Exists(String),
    #[error("{path} is a link: qonto-tui edits the file itself only")]
    Link { path: String },
    #[error("{path} cannot be edited: {cause}")]
    NotToml { path: String, cause: String },
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path} could not be written: {cause}")]
    Write { path: String, cause: String },
}

fn good_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=LONGEST_NAME).contains(&count)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The file's views, in name order, each checked: its name, its query (it must parse), its
/// key (it must be a key, and free on the main screen).
pub fn resolve(
    table: Option<BTreeMap<String, ViewEntry>>,
    keys: &KeyMap,
) -> Result<Vec<SavedView>, ViewError> {
    let mut views = Vec::new();
    for (name, entry) in table.unwrap_or_default() {
        let (query, key) = match entry {
            ViewEntry::Query(query) => (query, None),
            ViewEntry::Full { query, key } => (query, key),
        };
        let view = checked(&name, &query, key.as_deref(), keys)?;
        if let Some(chord) = view.key
            && let Some(other) = views.iter().find(|v: &&SavedView| v.key == Some(chord))
        {
            return Err(ViewError::KeyTaken {
                name,
                key: chord.label(),
                action: format!("opens the view {}", other.name),
            });
        }
        views.push(view);
    }
    Ok(views)
}

fn checked(
    name: &str,
    query: &str,
    key: Option<&str>,
    keys: &KeyMap,
) -> Result<SavedView, ViewError> {
    let shown = qonto_client::printable::printable(name, 40);
    if !good_name(name) {
        return Err(ViewError::BadName(shown));
    }
    if let Err(e) = qonto_books::query::parse(query) {
        return Err(ViewError::BadQuery {
            name: shown,
            why: e.to_string(),
        });
    }
    let key = match key {
        None => None,
        Some(text) => {
            let chord = KeyChord::parse(text).map_err(|why| ViewError::BadKey {
                name: shown.clone(),
                why: why.to_string(),
            })?;
            let event = crossterm::event::KeyEvent::new(chord.code, chord.mods);
            if let Some(action) = keys.action(Mode::Main, &event) {
                return Err(ViewError::KeyTaken {
                    name: shown,
                    key: chord.label(),
                    action: format!("does {}", action.name()),
                });
            }
            Some(chord)
        }
    };
    Ok(SavedView {
        name: name.to_string(),
        query: query.trim().to_string(),
        key,
    })
}

/// Writes `name = "query"` into the `[views]` table of the config file at `path` (created,
/// with its folder, when there is none), keeping the rest of the file as it was. The new text
/// goes to a fresh private file beside it, renamed over it: a crash leaves the old file or the
/// new, never half of one.
pub fn save(path: &Path, name: &str, query: &str, keys: &KeyMap) -> Result<SavedView, SaveError> {
    let view = checked(name, query, None, keys)?;
    let shown = path.display().to_string();
    let io = |cause| SaveError::Io {
        path: shown.clone(),
        cause,
    };
    let text = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(SaveError::Link { path: shown }),
        Ok(_) => qonto_client::store::read_bounded(path, 1 << 20).map_err(io)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(e)),
    };
    let mut doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| SaveError::NotToml {
                path: shown.clone(),
                cause: qonto_client::printable::printable(e.message(), 200),
            })?;
    let table = doc
        .entry("views")
        .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
    let Some(table) = table.as_table_like_mut() else {
        return Err(SaveError::NotToml {
            path: shown,
            cause: "views is not a table".into(),
        });
    };
    if table.contains_key(name) {
        return Err(SaveError::Exists(name.to_string()));
    }
    table.insert(name, toml_edit::value(view.query.clone()));
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name_in_folder =
        path.file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| SaveError::NotToml {
                path: shown.clone(),
                cause: "not a file name".into(),
            })?;
    // The app's one safe writer: written aside (0600, exclusively), then renamed over the
    // file, a link or anything but a regular file refused; the folder made 0700 if missing.
    qonto_files::Folder::open(folder)
        .and_then(|f| {
            f.write(
                name_in_folder,
                doc.to_string().as_bytes(),
                qonto_files::Existing::Replace,
            )
        })
        .map_err(|e| SaveError::Write {
            path: shown.clone(),
            cause: e.to_string(),
        })?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, ViewEntry)]) -> Option<BTreeMap<String, ViewEntry>> {
        Some(
            pairs
                .iter()
                .map(|(n, e)| (n.to_string(), e.clone()))
                .collect(),
        )
    }

    #[test]
    fn views_are_checked_when_the_file_is_read() {
        let keys = KeyMap::default();
        let views = resolve(
            table(&[
                (
                    "missing_big",
                    ViewEntry::Query("missing:receipt >500".into()),
                ),
                (
                    "urssaf",
                    ViewEntry::Full {
                        query: "urssaf OR dgfip".into(),
                        key: Some("F2".into()),
                    },
                ),
            ]),
            &keys,
        )
        .unwrap();
        assert_eq!(views.len(), 2);
        assert_eq!(views[1].key.map(|k| k.label()), Some("F2".to_string()));
        let bad =
            |entry: ViewEntry, name: &str| resolve(table(&[(name, entry)]), &keys).unwrap_err();
        assert!(matches!(
            bad(ViewEntry::Query("side:up".into()), "x"),
            ViewError::BadQuery { .. }
        ));
        assert!(matches!(
            bad(ViewEntry::Query("x".into()), "a b"),
            ViewError::BadName(_)
        ));
        let taken = bad(
            ViewEntry::Full {
                query: "x".into(),
                key: Some("s".into()),
            },
            "x",
        );
        assert_eq!(
            taken.to_string(),
            "[views] x: s already does search (see `?` in the app); choose another key"
        );
    }

    #[test]
    fn saving_keeps_the_rest_of_the_file_and_refuses_links_and_twins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let keys = KeyMap::default();
        save(&path, "first", "urssaf", &keys).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "[views]\nfirst = \"urssaf\"\n");
        std::fs::write(
            &path,
            "# mine\nrefresh_every = 60 # seconds\n\n[views]\nfirst = \"urssaf\"\n",
        )
        .unwrap();
        save(&path, "big", "sort:amount >1000", &keys).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# mine\nrefresh_every = 60 # seconds\n"),
            "{text}"
        );
        assert!(text.contains("big = \"sort:amount >1000\""), "{text}");
        assert!(matches!(
            save(&path, "big", "x", &keys),
            Err(SaveError::Exists(_))
        ));
        assert!(matches!(
            save(&path, "bad", "side:up", &keys),
            Err(SaveError::View(_))
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let link = dir.path().join("link.toml");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            assert!(matches!(
                save(&link, "other", "x", &keys),
                Err(SaveError::Link { .. })
            ));
        }
        // What was saved reads back as views.
        let file: crate::config::FileConfig =
            toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let views = resolve(file.views, &keys).unwrap();
        assert_eq!(
            views.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
            ["big", "first"]
        );
    }
}
