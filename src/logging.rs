//! The log file: `tracing` lines written through a filter that removes tokens, codes, client
//! secrets, `Bearer` values and IBANs, whatever the level, before they reach the disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

static KNOWN_SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());
static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Marks the start of `main`, so start-up log lines can say how long after it they ran.
pub fn mark_start() {
    let _ = PROCESS_START.set(Instant::now());
}

/// Time since `mark_start` (zero when it was never called).
pub fn since_start() -> Duration {
    PROCESS_START
        .get()
        .map(Instant::elapsed)
        .unwrap_or_default()
}

/// Makes sure `value` never appears in the log, whatever part of the code logs it.
pub fn register_secret(value: &str) {
    if value.len() < 6 {
        return;
    }
    let mut known = KNOWN_SECRETS.write().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_string());
    }
}

const REDACTED: &str = "[redacted]";

/// Removes secrets and IBANs from one piece of text.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for secret in KNOWN_SECRETS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    for prefix in ["ory_at_", "ory_rt_", "ory_ac_", "Bearer ", "bearer "] {
        out = redact_after(&out, prefix, |c| {
            !c.is_whitespace() && c != '"' && c != '\'' && c != '&' && c != ','
        });
    }
    for key in [
        "code=",
        "refresh_token=",
        "access_token=",
        "client_secret=",
        "code_verifier=",
        "token=",
    ] {
        out = redact_after(&out, key, |c| c != '&' && !c.is_whitespace() && c != '"');
    }
    mask_ibans(&out)
}

fn redact_after(text: &str, marker: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let (before, after) = rest.split_at(i + marker.len());
        out.push_str(before);
        let end = after
            .char_indices()
            .find(|(_, c)| !keep(*c))
            .map(|(i, _)| i)
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str(REDACTED);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces IBAN-shaped words (two letters, two digits, 10 to 30 letters or digits) by their
/// country and last four characters.
pub fn mask_ibans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if boundary
            && i + 4 <= chars.len()
            && chars[i].is_ascii_uppercase()
            && chars[i + 1].is_ascii_uppercase()
            && chars[i + 2].is_ascii_digit()
            && chars[i + 3].is_ascii_digit()
        {
            let mut j = i + 4;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j].is_ascii_uppercase()) {
                j += 1;
            }
            let len = j - i;
            if (14..=34).contains(&len) && (j == chars.len() || !chars[j].is_ascii_alphanumeric()) {
                let word: String = chars[i..j].iter().collect();
                out.push_str(&crate::secret::mask_iban(&word));
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Where logs go by default: the state dir.
pub fn default_log_path() -> PathBuf {
    crate::config::state_dir().join("qonto-tui.log")
}

struct RedactingFile(Mutex<std::fs::File>);

struct LineWriter<'a>(&'a RedactingFile);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let clean = redact(&text);
        let mut f = self.0.0.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(clean.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.0.lock().unwrap_or_else(|p| p.into_inner()).flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingFile {
    type Writer = LineWriter<'a>;
    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self)
    }
}

/// Logs to `path` (appending, 0600) at `level` (e.g. "info", "debug", "trace").
pub fn init_file_log(path: &Path, level: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // The level applies to every crate (HTTP stack included), so `trace` shows everything,
    // and everything still goes through the redaction.
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(RedactingFile(Mutex::new(file)))
        .with_env_filter(filter)
        .with_ansi(false)
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_tokens_codes_bearer_known_secrets_and_ibans() {
        register_secret("my-client-secret-xyz");
        let line = "POST token code=ory_ac_ABC&client_secret=my-client-secret-xyz Bearer ory_at_QWE-rty_1 refresh ory_rt_zzz iban FR7616798000010000005663951.";
        let clean = redact(line);
        for leaked in [
            "ABC",
            "my-client-secret-xyz",
            "QWE-rty_1",
            "zzz",
            "16798000010000005663951",
        ] {
            assert!(!clean.contains(leaked), "{leaked} leaked in {clean}");
        }
        assert!(clean.contains("3951"));
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }
}
