//! A string that must never be printed: tokens, codes, client secrets. Its `Debug` and
//! `Display` show only a short, safe hint.

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", mask(&self.0))
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&mask(&self.0))
    }
}

/// A hint that identifies a secret without revealing it: a known prefix such as `ory_at_`
/// and the length.
pub fn mask(value: &str) -> String {
    let prefix: String = ["ory_at_", "ory_rt_", "ory_ac_"]
        .iter()
        .find(|p| value.starts_with(**p))
        .map(|p| p.to_string())
        .unwrap_or_default();
    format!("{prefix}…[{} chars redacted]", value.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("ory_at_abcdefghijklmnop");
        assert!(!format!("{s:?}").contains("abcdefgh"));
        assert!(!format!("{s}").contains("abcdefgh"));
        assert!(format!("{s}").starts_with("ory_at_"));
    }
}
