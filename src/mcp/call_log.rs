//! Every MCP tool call, noted in a local file: when, which tool, its arguments (cut short), how
//! many results and how long it took; never the results themselves. One JSON object a line in
//! `mcp-calls.log` in the state folder (0600, appended to, never through a link).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Characters kept of each argument string.
const ARGUMENT_CHARS: usize = 200;

/// The log of calls, shared by the server's tasks.
pub struct CallLog {
    file: Mutex<File>,
    path: PathBuf,
}

/// How a call ended, as logged.
pub enum Ended {
    /// Answered, with this many results.
    Answered(usize),
    /// Refused (bad arguments, an organization not shown, an unreadable copy).
    Refused,
}

impl CallLog {
    /// The log at its usual place: the state folder.
    pub fn default_path() -> PathBuf {
        crate::config::state_dir().join("mcp-calls.log")
    }

    /// Opens `path` to append, made 0600 in a 0700 folder the first time; a link or anything
    /// but a regular file of this user's is refused.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
        if let Some(dir) = path.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .custom_flags(
                (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::CLOEXEC).bits() as i32,
            )
            .open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() || meta.uid() != rustix::process::geteuid().as_raw() {
            return Err(std::io::Error::other(format!(
                "{} is not a file this user made",
                path.display()
            )));
        }
        Ok(Self {
            file: Mutex::new(file),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Notes one call; a log that cannot be written is said in the app's log, and the call
    /// still answered.
    pub fn note(&self, tool: &str, arguments: &serde_json::Value, ended: &Ended, took: Duration) {
        let (results, refused) = match ended {
            Ended::Answered(n) => (Some(*n), false),
            Ended::Refused => (None, true),
        };
        let line = serde_json::json!({
            "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "tool": qonto_client::printable::printable(tool, 64),
            "arguments": cut(arguments),
            "results": results,
            "refused": refused,
            "ms": (took.as_secs_f64() * 1_000.0 * 10.0).round() / 10.0,
        });
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = writeln!(file, "{line}") {
            tracing::warn!(
                "the MCP call log {} could not be written: {e}",
                self.path.display()
            );
        }
    }
}

/// The arguments with every string cut to `ARGUMENT_CHARS` and stripped of control characters,
/// and at most 16 keys (an assistant may send anything).
fn cut(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::String(s) => {
            serde_json::Value::String(qonto_client::printable::printable(s, ARGUMENT_CHARS))
        }
        serde_json::Value::Object(map) => map
            .iter()
            .take(16)
            .map(|(k, v)| (qonto_client::printable::printable(k, 64), cut(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        serde_json::Value::Array(items) => items.iter().take(16).map(cut).collect(),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_one_line_with_its_arguments_cut_and_the_file_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/mcp-calls.log");
        let log = CallLog::open(&path).unwrap();
        let long = "x".repeat(5_000);
        log.note(
            "search_transactions",
            &serde_json::json!({"query": long, "limit": 5}),
            &Ended::Answered(3),
            Duration::from_micros(1_234),
        );
        log.note(
            "get_transaction",
            &serde_json::json!({"id": "a\u{1b}[2Jb"}),
            &Ended::Refused,
            Duration::ZERO,
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["results"], 3);
        assert_eq!(lines[0]["ms"], 1.2);
        assert!(
            lines[0]["arguments"]["query"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= ARGUMENT_CHARS + 1
        );
        assert_eq!(lines[1]["refused"], true);
        assert!(!text.contains('\u{1b}'));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // A link where the log goes is refused, not followed.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "").unwrap();
        let link = dir.path().join("state/linked.log");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        assert!(CallLog::open(&link).is_err());
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "");
    }
}
