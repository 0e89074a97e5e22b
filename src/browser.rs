//! Opening the consent URL: the command in `BROWSER` when set (colon-separated candidates, `%s`
//! replaced by the URL), else the platform opener. Failing to open one is not an error: the
//! caller shows the URL to copy.

use std::process::{Command, Stdio};

pub use crate::outcome::{BrowserError, Opened};

/// How the URL was handed to a browser, or why it could not be. `browser` is `BROWSER`.
pub fn open_browser(url: &str, browser: Option<&str>) -> Result<Opened, BrowserError> {
    if let Some(browser) = browser
        && !browser.trim().is_empty()
    {
        let mut last_error = String::new();
        for candidate in browser.split(':').filter(|c| !c.trim().is_empty()) {
            match spawn_browser_command(candidate, url) {
                Ok(()) => return Ok(Opened::ByBrowserVariable(candidate.trim().to_string())),
                Err(e) => last_error = e,
            }
        }
        return Err(BrowserError::BrowserVariable(last_error));
    }
    open::that_detached(url)
        .map(|()| Opened::BySystem)
        .map_err(|e| BrowserError::System(opener_error(&e.to_string(), url)))
}

/// The opener's error without the URL it repeats (the screen shows the URL on its own line),
/// and in words where the opener only gave a wait status: `Launcher "xdg-open" URL failed with
/// ExitStatus(unix_wait_status(512))` is "xdg-open ended with code 2".
fn opener_error(message: &str, url: &str) -> String {
    let short = message
        .replace(&format!("\"{url}\""), "URL")
        .replace(url, "URL");
    if let Some(words) = wait_status_words(&short) {
        return crate::ui::format::fit(&words, 90);
    }
    crate::ui::format::fit(&short, 90)
}

fn wait_status_words(message: &str) -> Option<String> {
    let launcher = message
        .strip_prefix("Launcher \"")?
        .split('"')
        .next()
        .filter(|l| !l.is_empty())?;
    let status: i32 = message
        .split("unix_wait_status(")
        .nth(1)?
        .split(')')
        .next()?
        .parse()
        .ok()?;
    Some(match (status >> 8, status & 0x7f) {
        (code, 0) => format!("{launcher} ended with code {code}: no program took the file"),
        (_, signal) => format!("{launcher} was stopped by signal {signal}"),
    })
}

fn spawn_browser_command(candidate: &str, url: &str) -> Result<(), String> {
    let words: Vec<&str> = candidate.split_whitespace().collect();
    let Some((program, args)) = words.split_first() else {
        return Err("empty command".into());
    };
    let mut command = Command::new(program);
    let mut substituted = false;
    for arg in args {
        if arg.contains("%s") {
            substituted = true;
            command.arg(arg.replace("%s", url));
        } else {
            command.arg(arg);
        }
    }
    if !substituted {
        command.arg(url);
    }
    // The browser must not write over the TUI.
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().map_err(|e| format!("{program}: {e}"))?;
    // Reap it in the background so it never lingers as a zombie.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opener_errors_do_not_repeat_the_url() {
        let url = "http://127.0.0.1:1/oauth2/auth?state=abc";
        let message = format!(
            "Launcher \"xdg-open\" \"{url}\" failed with ExitStatus(unix_wait_status(768))"
        );
        let text = BrowserError::System(opener_error(&message, url)).to_string();
        assert!(!text.contains("state=abc"), "{text}");
        assert!(
            text.contains("xdg-open") && text.contains("BROWSER"),
            "{text}"
        );
        // The wait status in words: 768 is exit code 3.
        assert!(text.contains("xdg-open ended with code 3"), "{text}");
        assert!(!text.contains("unix_wait_status"), "{text}");
    }
}
