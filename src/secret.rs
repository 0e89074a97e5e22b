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

/// An IBAN with all but its last four characters hidden, grouped as banks print them.
pub fn mask_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() <= 4 {
        return "•".repeat(compact.len());
    }
    let country: String = compact.iter().take(2).collect();
    let last4: String = compact[compact.len() - 4..].iter().collect();
    format!("{country}•• •••• •••• {last4}")
}

/// An IBAN grouped by four characters, as banks print it.
pub fn group_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
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

    #[test]
    fn iban_masking_keeps_country_and_last_four() {
        assert_eq!(
            mask_iban("FR7616798000010000005663951"),
            "FR•• •••• •••• 3951"
        );
        assert_eq!(
            group_iban("FR7616798000010000005663951"),
            "FR76 1679 8000 0100 0000 5663 951"
        );
        assert_eq!(mask_iban("abc"), "•••");
    }
}
