//! The app's small, non-sensitive memory between runs: the last selected organization's id.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
struct SavedState {
    last_org: Option<String>,
}

fn path() -> std::path::PathBuf {
    crate::config::state_dir().join("state.json")
}

/// The organization selected last time, if any (a damaged file counts as none).
pub fn last_org() -> Option<String> {
    let text = qonto_client::store::read_bounded(&path(), 64 << 10).ok()?;
    serde_json::from_str::<SavedState>(&text).ok()?.last_org
}

pub fn save_last_org(id: &str) -> std::io::Result<()> {
    let text = serde_json::to_string(&SavedState {
        last_org: Some(id.to_string()),
    })
    .map_err(std::io::Error::other)?;
    qonto_client::store::write_private_atomically(&path(), text.as_bytes())
}
