//! Every sentence the app says to a person, in one place. Sentences that name a key take it
//! from the key map, so a remapped key is named right everywhere.

use qonto_client::api::{ApiError, Via};
use qonto_client::printable::printable;

use crate::outcome::SourceError;
use crate::outcome::{Placed, ReceiptsError};

use super::keymap::{Action, KeyMap, Mode};

pub const REFRESHING: &str = "Refreshing…";
pub const SIGNED_IN: &str = "Signed in.";
pub const RECONSENT_CANCELLED: &str = "Re-consent cancelled; nothing changed.";
pub const NO_MATCH: &str = "No organization matches the filter.";
pub const PASTE_LABEL: &str = "Browser on another machine? Paste the URL it ended on:";
pub const NOT_WAITING: &str = "the sign-in is no longer waiting; press Enter to start again";
/// Why the search and the detail view have nothing to show.
pub const NO_LOCAL_COPY: &str = "there is no local copy of the books to search (it is turned off, or could not be opened: see the log)";

/// Why the local copy could not answer, in words.
pub fn local_copy_error(error: &super::local_error::LocalCopyError) -> String {
    use super::local_error::LocalCopyError as E;
    let words = match error {
        E::NotOpen => NO_LOCAL_COPY.to_string(),
        E::Query(e) => e.to_string(),
        E::Read(e) => format!("the local copy could not be read: {e}"),
        E::Gone => "it is no longer in the local copy".to_string(),
        E::File { path, cause } => format!("{} could not be written: {cause}", path.display()),
        E::Export(e) => format!("the export failed: {e}"),
    };
    qonto_client::printable::printable(&words, 300)
}
pub const NO_SIGN_IN: &str = "no sign-in is waiting";

/// An error as the place that shows it words it: a lost consent says which key fixes it.
pub fn api_error(error: &ApiError, keys: &KeyMap) -> String {
    if error.is_forbidden() {
        let trace = error
            .trace_id()
            .map(|t| format!(" (trace {t})"))
            .unwrap_or_default();
        return format!(
            "This organization is no longer shared with qonto-tui. Press {} to change what you share.{trace}",
            keys.first_key(Mode::Main, Action::Reconsent)
        );
    }
    if let ApiError::CredentialRefused { via, .. } = error {
        let fix = match via {
            Via::ApiKey => format!(
                "Press {} to add a valid key, or {} to remove this one.",
                keys.first_key(Mode::Main, Action::AddOrg),
                keys.first_key(Mode::Main, Action::RemoveOrg)
            ),
            _ => format!(
                "Press {} to consent again, or {} to remove it.",
                keys.first_key(Mode::Main, Action::AddOrg),
                keys.first_key(Mode::Main, Action::RemoveOrg)
            ),
        };
        return format!("{error}. {fix}");
    }
    error.to_string()
}

pub fn retrying(error: &ApiError, in_secs: u64, keys: &KeyMap) -> String {
    format!("{} — retrying in {in_secs} s", api_error(error, keys))
}

/// Under a failed load that retries by itself.
pub fn retry_hint(keys: &KeyMap) -> String {
    format!(
        "Retrying by itself; {} retries now.",
        keys.first_key(Mode::Main, Action::Refresh)
    )
}

pub fn sign_in_ended(keys: &KeyMap) -> String {
    format!(
        "Your Qonto sign-in has ended. Press {} to sign in again.",
        keys.first_key(Mode::Main, Action::Reconsent)
    )
}

pub fn nothing_shared(keys: &KeyMap) -> String {
    format!(
        "No organization is shared. Press {} to choose some.",
        keys.first_key(Mode::Main, Action::Reconsent)
    )
}

pub fn sign_in_cancelled(keys: &KeyMap) -> String {
    format!(
        "Sign-in cancelled. Press {} to start again, {} to quit.",
        keys.first_key(Mode::SignIn, Action::Confirm),
        keys.first_key(Mode::SignIn, Action::Quit)
    )
}

pub fn too_small(width: u16, height: u16, keys: &KeyMap) -> String {
    format!(
        "qonto-tui needs {width}×{height} ({} quits)",
        keys.first_key(Mode::Main, Action::Quit)
    )
}

pub fn built_in_browser_failed(cause: &str) -> String {
    format!("the built-in browser failed: {cause}")
}

/// What became of a transaction's receipts.
pub fn receipts_placed(placed: &Placed) -> String {
    printable(&placed.to_string(), 300)
}

/// Why a transaction's receipts were not opened or saved: Qonto's words bounded and stripped
/// of control characters.
pub fn receipts_failed(why: &ReceiptsError) -> String {
    printable(&why.to_string(), 300)
}

/// Why a source was not added or removed, bounded and stripped of control characters.
pub fn source_failed(why: &SourceError) -> String {
    printable(&why.to_string(), 300)
}

pub fn tokens_not_stored(cause: &str) -> String {
    format!("signed in, but the tokens could not be stored: {cause}")
}

pub fn declined_toggled(shown: bool) -> String {
    if shown {
        "Declined transactions are listed too.".to_string()
    } else {
        "Declined transactions are hidden.".to_string()
    }
}

pub fn store_warning(problem: &str) -> String {
    format!("Signed in until you quit only: {problem}")
}

/// Under an accounts table whose balances Qonto does not give to the user's role.
pub fn balances_hidden(role: &str) -> String {
    format!("— Qonto does not show balances to the {role} role.")
}

pub const URL_COPIED: &str =
    "✓ Copied to the clipboard (if your terminal allows OSC 52; else select it with the mouse).";

/// The title bar's mark when the tokens are kept unencrypted (`--token-store file`).
pub const PLAIN_TOKEN_FILE_MARK: &str = "tokens in a plain file";

/// The title bar's mark while the latest tokens exist in memory only.
pub const STORE_PROBLEM_MARK: &str = "⚠ sign-in not saved";

pub const STORE_RECOVERED: &str = "The sign-in is saved again.";

/// What a re-consent changed, by organization name.
pub fn consent_change(added: &[&str], removed: &[&str]) -> String {
    match (added.is_empty(), removed.is_empty()) {
        (true, true) => "Consent renewed: the same organizations are shared.".to_string(),
        (false, true) => format!("Now shared: {}.", added.join(", ")),
        (true, false) => format!("No longer shared: {}.", removed.join(", ")),
        (false, false) => format!(
            "Now shared: {}. No longer shared: {}.",
            added.join(", "),
            removed.join(", ")
        ),
    }
}

pub const KEY_FORMAT: &str =
    "Paste the key as Qonto shows it in the organization's settings: login:secret-key";

pub fn shared_by_sign_in(keys: &KeyMap) -> String {
    format!(
        "This organization is shared through your Qonto sign-in: press {} to change what you share.",
        keys.first_key(Mode::Main, Action::Reconsent)
    )
}

pub fn source_added(name: &str, also_by_sign_in: bool) -> String {
    if also_by_sign_in {
        format!("Added {name}; your Qonto sign-in reaches it too, and is used first.")
    } else {
        format!("Added {name}.")
    }
}

pub fn source_removed(name: &str) -> String {
    format!("Removed {name}.")
}

pub const NOTHING_TO_UNDO: &str = "nothing to take back: no receipt was attached in this run (qonto-tui journal --undo N takes back an older one)";

/// What a write did, in a sentence.
pub fn written(ask: &super::msg::WriteAsk, done: &super::msg::Written) -> String {
    use super::msg::WriteAsk;
    use qonto_books::journal::WriteState;
    let o = &done.outcome;
    let what = match ask {
        WriteAsk::Attach { .. } if o.already => {
            format!("already attached to {} (write #{})", done.words, o.write)
        }
        WriteAsk::Attach { .. } => {
            let state = if o.state == WriteState::Accepted {
                "Qonto is processing it"
            } else {
                "Qonto shows it"
            };
            let moved = match &done.moved {
                Some(Ok(path)) => format!("; the file is kept in {}", path.display()),
                Some(Err(why)) => format!("; the file stayed in the inbox: {why}"),
                None => String::new(),
            };
            format!(
                "attached to {} (write #{}: {state}; u takes it back){moved}",
                done.words, o.write
            )
        }
        WriteAsk::Detach { .. } => format!("receipt removed from {}", done.words),
        WriteAsk::Undo { write, .. } => {
            format!(
                "took back write #{write}: its receipt is removed from {}",
                done.words
            )
        }
        WriteAsk::Categorize { .. }
        | WriteAsk::UndoCategorize { .. }
        | WriteAsk::Decline { .. }
        | WriteAsk::Invoice { .. } => done.words.clone(),
    };
    printable(&what, 400)
}

/// What a categorize (or its undo) did, in a sentence.
/// What the status line says while `count` transactions are filed under `name` (none: taken
/// out of their category).
pub fn filing(count: usize, name: Option<&str>) -> String {
    format!(
        "filing {count} transaction{} under {}…",
        if count == 1 { "" } else { "s" },
        name.unwrap_or("no category")
    )
}

pub fn categorized(ask: &super::msg::WriteAsk, done: &super::msg::CategorizeDone) -> String {
    use super::msg::WriteAsk;
    let mut words = match ask {
        WriteAsk::UndoCategorize { .. } => format!(
            "put back where they were ({} call{})",
            done.writes.len(),
            if done.writes.len() == 1 { "" } else { "s" }
        ),
        WriteAsk::Categorize { name, .. } if done.writes.is_empty() => format!(
            "nothing filed under {}{}",
            name.as_deref().unwrap_or("no category"),
            if done.unchanged > 0 {
                format!(" ({} already there)", done.unchanged)
            } else {
                String::new()
            }
        ),
        WriteAsk::Categorize { name, .. } => format!(
            "{} filed under {} in {} call{}{}; ^R takes it back",
            done.filed,
            name.as_deref().unwrap_or("no category"),
            done.writes.len(),
            if done.writes.len() == 1 { "" } else { "s" },
            if done.unchanged > 0 {
                format!(" ({} already there)", done.unchanged)
            } else {
                String::new()
            }
        ),
        _ => String::new(),
    };
    for (org, why) in done.skipped.iter().chain(&done.failed) {
        words.push_str(&format!(" · {org}: {why}"));
    }
    printable(&words, 600)
}

/// Why a write was not done, in a sentence.
pub fn write_failed(why: &crate::outcome::WriteError) -> String {
    printable(&why.to_string(), 400)
}

/// Why the inbox could not be read.
pub fn inbox_error(error: &super::inbox_view::InboxError) -> String {
    use super::inbox_view::InboxError as E;
    let words = match error {
        E::Folder { path, cause } => format!(
            "the receipts inbox {} could not be read ({cause}): create it and put receipts in it, or set receipts_inbox in the config file",
            path.display()
        ),
        E::LocalCopy(e) => local_copy_error(e),
    };
    printable(&words, 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_name_the_keys_in_force() {
        let keys = KeyMap::default();
        assert!(sign_in_ended(&keys).contains("Press c "));
        assert!(retry_hint(&keys).contains("r retries"));
        assert_eq!(
            sign_in_cancelled(&keys),
            "Sign-in cancelled. Press Enter to start again, q to quit."
        );
        assert!(too_small(30, 8, &keys).ends_with("(q quits)"));
        let table = [("reconsent".to_string(), vec!["C".to_string()])]
            .into_iter()
            .collect();
        let remapped = KeyMap::with_overrides(&table).unwrap();
        assert!(sign_in_ended(&remapped).contains("Press C "));
        let forbidden = ApiError::Forbidden {
            detail: "no".into(),
            trace_id: Some("t1".into()),
        };
        let text = api_error(&forbidden, &remapped);
        assert!(
            text.contains("Press C ") && text.ends_with("(trace t1)"),
            "{text}"
        );
    }
}
