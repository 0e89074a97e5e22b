//! Fuzzes the loopback callback's judgement of a request target and the pasted redirect-URL
//! parsing (hyper parses the HTTP itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_client::oauth::callback::{evaluate_pasted_url, evaluate_target};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = evaluate_target(&text, "/callback", "expected-state-value");
    let _ = evaluate_pasted_url(&text, "http://127.0.0.1:18920/callback", "expected-state-value");
});
