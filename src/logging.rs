//! The log file: `tracing` lines written through `qonto_client::redact`, which removes tokens,
//! codes, client secrets, `Bearer` values and IBANs, whatever the level, before they reach the
//! disk; and the start-up clock the debug lines are timed by.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

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

/// Where logs go by default: the state dir.
pub fn default_log_path() -> PathBuf {
    crate::config::state_dir().join("qonto-tui.log")
}

struct RedactingFile(Mutex<std::fs::File>);

struct LineWriter<'a>(&'a RedactingFile);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let clean = qonto_client::redact::redact(&text);
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

/// Starts the log file the command line, the config or the default names, at the level they
/// name (`info` by default): its path, or `None` (said on stderr) when it cannot be opened.
pub fn start(
    config: &crate::config::Config,
    log_file: &Option<PathBuf>,
    log_level: &Option<String>,
) -> Option<PathBuf> {
    let path = log_file
        .clone()
        .or(config.log_file.clone())
        .unwrap_or_else(default_log_path);
    let level = log_level
        .clone()
        .or(config.log_level.clone())
        .unwrap_or_else(|| "info".to_string());
    match init_file_log(&path, &level) {
        Ok(()) => Some(path),
        Err(e) => {
            eprintln!(
                "qonto-tui: logging disabled: cannot open {}: {e}",
                path.display()
            );
            None
        }
    }
}
