//! A receipt's text, read offline by the tools that read receipts best: `pdftotext` for a PDF
//! that carries text, `pdftoppm` then `tesseract` (French, German, English) for a scan or a
//! photo. Each runs as a subprocess on a private copy of the file, bounded in time, pages and
//! output; a missing tool is said with the package that brings it, and what can be read
//! without it (the file's name) is still read.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qonto_client::api::writes::ReceiptKind;

/// How a receipt's text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The PDF's own text.
    PdfText,
    /// Optical character recognition of its image.
    Ocr,
    /// Nothing could be read but its name.
    None,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PdfText => "pdf_text",
            Self::Ocr => "ocr",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "pdf_text" => Self::PdfText,
            "ocr" => Self::Ocr,
            _ => Self::None,
        }
    }
}

/// What was read, and what stood in the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub text: String,
    pub method: Method,
    /// Why less was read than could be ("tesseract is not installed: apt install …").
    pub note: Option<String>,
}

/// The bounds of one extraction.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub pdf_text: Duration,
    /// Per OCR'd page, and for rendering a scanned PDF.
    pub ocr_page: Duration,
    pub pages: u32,
    pub output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            pdf_text: Duration::from_secs(10),
            ocr_page: Duration::from_secs(60),
            pages: 3,
            output_bytes: 1 << 20,
        }
    }
}

impl Limits {
    /// The defaults, with the OCR's time per page from `QONTO_TUI_OCR_SECS` when set.
    pub fn from_env() -> Self {
        let mut limits = Self::default();
        if let Some(secs) = std::env::var("QONTO_TUI_OCR_SECS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|s| *s > 0)
        {
            limits.ocr_page = Duration::from_secs(secs.min(3600));
        }
        limits
    }
}

/// Fewer letters than this in a PDF's text: it is a scan, read by OCR.
const SCANNED_BELOW: usize = 20;

/// Reads the text of a receipt of `kind` whose bytes are `bytes`.
pub fn extract(bytes: &[u8], kind: ReceiptKind, limits: Limits) -> Extracted {
    let dir = match tempfile::Builder::new().prefix("qonto-tui-read-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return nothing(format!("no private folder to read it in: {e}")),
    };
    let ext = match kind {
        ReceiptKind::Pdf => "pdf",
        ReceiptKind::Jpeg => "jpg",
        ReceiptKind::Png => "png",
    };
    let copy = dir.path().join(format!("receipt.{ext}"));
    if let Err(e) = write_private(&copy, bytes) {
        return nothing(format!("the file could not be copied to be read: {e}"));
    }
    match kind {
        ReceiptKind::Pdf => {
            let mut note = None;
            match run(
                Command::new("pdftotext")
                    .args(["-layout", "-l", &limits.pages.to_string()])
                    .arg(&copy)
                    .arg("-"),
                limits.pdf_text,
                limits.output_bytes,
            ) {
                Ok(text) if letters(&text) >= SCANNED_BELOW => {
                    return Extracted {
                        text,
                        method: Method::PdfText,
                        note: None,
                    };
                }
                Ok(_) => {}
                Err(why) => note = Some(why.words("pdftotext", "poppler-utils")),
            }
            // A scan: its pages as images, then OCR.
            let prefix = dir.path().join("page");
            let rendered = run(
                Command::new("pdftoppm")
                    .args([
                        "-r",
                        "300",
                        "-gray",
                        "-png",
                        "-f",
                        "1",
                        "-l",
                        &limits.pages.to_string(),
                    ])
                    .arg(&copy)
                    .arg(&prefix),
                limits.ocr_page,
                limits.output_bytes,
            );
            if let Err(why) = rendered {
                return Extracted {
                    text: String::new(),
                    method: Method::None,
                    note: note.or(Some(why.words("pdftoppm", "poppler-utils"))),
                };
            }
            let mut pages: Vec<_> = std::fs::read_dir(dir.path())
                .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            pages.retain(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("page"))
            });
            pages.sort();
            ocr_all(&pages, limits)
        }
        ReceiptKind::Jpeg | ReceiptKind::Png => ocr_all(&[copy], limits),
    }
}

fn ocr_all(pages: &[std::path::PathBuf], limits: Limits) -> Extracted {
    let mut text = String::new();
    for page in pages.iter().take(limits.pages as usize) {
        match run(
            Command::new("tesseract").arg(page).arg("stdout").args([
                "-l",
                "fra+deu+eng",
                "--psm",
                "6",
            ]),
            limits.ocr_page,
            limits.output_bytes,
        ) {
            Ok(t) => {
                text.push_str(&t);
                text.push('\n');
            }
            Err(why) => {
                return Extracted {
                    method: if text.is_empty() {
                        Method::None
                    } else {
                        Method::Ocr
                    },
                    text,
                    note: Some(why.words(
                        "tesseract",
                        "tesseract-ocr tesseract-ocr-fra tesseract-ocr-deu",
                    )),
                };
            }
        }
    }
    Extracted {
        text,
        method: Method::Ocr,
        note: None,
    }
}

fn nothing(note: String) -> Extracted {
    Extracted {
        text: String::new(),
        method: Method::None,
        note: Some(note),
    }
}

fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

/// Why a tool gave nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RunError {
    Missing,
    TimedOut(Duration),
    Failed(String),
}

impl RunError {
    fn words(&self, tool: &str, package: &str) -> String {
        match self {
            RunError::Missing => format!("{tool} is not installed (apt install {package})"),
            RunError::TimedOut(limit) => {
                format!(
                    "{tool} took longer than {} s and was stopped",
                    limit.as_secs()
                )
            }
            RunError::Failed(why) => format!("{tool} could not read it: {why}"),
        }
    }
}

/// Runs `command`, killed after `limit`; its standard output (at most `max` bytes, as text).
fn run(command: &mut Command, limit: Duration, max: usize) -> Result<String, RunError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RunError::Missing,
            _ => RunError::Failed(e.to_string()),
        })?;
    let Some(stdout) = child.stdout.take() else {
        return Err(RunError::Failed("no output".into()));
    };
    // Read on a thread (bounded), so a full pipe never stalls the tool.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.take(max as u64).read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut(limit));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(RunError::Failed(e.to_string())),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(RunError::Failed(match status.code() {
            Some(code) => format!("it stopped with error {code}"),
            None => "it was stopped by a signal".into(),
        }));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_and_a_slow_one_are_said_in_words() {
        let missing = run(
            &mut Command::new("qonto-tui-no-such-tool"),
            Duration::from_secs(1),
            10,
        );
        assert_eq!(missing, Err(RunError::Missing));
        assert!(
            RunError::Missing
                .words("tesseract", "tesseract-ocr")
                .contains("apt install tesseract-ocr")
        );
        let slow = run(
            Command::new("sleep").arg("5"),
            Duration::from_millis(200),
            10,
        );
        assert_eq!(slow, Err(RunError::TimedOut(Duration::from_millis(200))));
        let bounded = run(&mut Command::new("yes"), Duration::from_secs(5), 1000);
        // `yes` never ends by itself: its output is bounded, then it is stopped by the limit
        // or by the closed pipe.
        assert!(bounded.map_or(true, |t| t.len() <= 1000));
    }
}
