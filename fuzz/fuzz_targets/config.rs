//! Fuzzes config-file parsing and log redaction.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = qonto_tui::config::parse_config(&text);
    let _ = qonto_client::redact::redact(&text);
});
