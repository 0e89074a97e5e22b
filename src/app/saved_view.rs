//! A saved view as the app holds it: a named search, and the key that opens it from the main
//! screen (the config file's `[views]`, read and written by `config::views`).

use super::keys::KeyChord;

/// A named search, and the key that opens it from the main screen, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    pub query: String,
    pub key: Option<KeyChord>,
}
