//! Fuzzes the file-name module: whatever the outside text (organization names, counterparties,
//! attachment names), the name made is one plain, bounded path component, and names given out
//! in one folder never clash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_files::names::{NameSet, fit, readable, slug};

fn plain(name: &str) {
    assert!(!name.is_empty() && name != "." && name != "..", "{name:?}");
    assert!(!name.contains(['/', '\0']), "{name:?}");
    assert!(!name.starts_with('.'), "{name:?}");
    assert!(name.len() <= 255, "{} bytes", name.len());
    assert!(!name.chars().any(char::is_control), "{name:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (stem, ext) = text.split_once('\u{0}').unwrap_or((&text, "pdf"));
    plain(&fit(&readable(stem), ext));
    plain(&fit(&slug(stem, "x"), ext));
    let mut set = NameSet::new();
    let mut seen = std::collections::HashSet::new();
    for piece in text.split('|').take(64) {
        let name = set.claim(&readable(piece), ext);
        plain(&name);
        assert!(seen.insert(name.to_lowercase()), "{name:?} given twice");
    }
});
