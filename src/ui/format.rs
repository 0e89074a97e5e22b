//! How amounts, dates and ages read on screen.

use std::time::Duration;

/// An API value in words: `direct_debit` → `Direct debit`, `qonto_fee` → `Qonto fee`,
/// `swift_income` → `SWIFT income`, `completed` → `Completed`.
pub fn words(raw: &str) -> String {
    let spaced = raw.replace('_', " ");
    let spaced = match spaced.split_once(' ') {
        Some(("swift", rest)) => format!("SWIFT {rest}"),
        Some(("sepa", rest)) => format!("SEPA {rest}"),
        _ => spaced,
    };
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn ago(elapsed: Duration) -> String {
    let s = elapsed.as_secs();
    match s {
        0..=4 => "just now".to_string(),
        5..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        _ => format!("{} h ago", s / 3600),
    }
}

/// `mm:ss` for a countdown.
pub fn countdown(remaining: Duration) -> String {
    let s = remaining.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// Shortens to `width` characters with an ellipsis.
pub fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
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
    fn formats() {
        assert_eq!(words("direct_debit"), "Direct debit");
        assert_eq!(words("qonto_fee"), "Qonto fee");
        assert_eq!(words("swift_income"), "SWIFT income");
        assert_eq!(words("completed"), "Completed");
        assert_eq!(words(""), "");
        assert_eq!(ago(Duration::from_secs(75)), "1 min ago");
        assert_eq!(countdown(Duration::from_secs(581)), "9:41");
        assert_eq!(fit("Atelier Laurent", 8), "Atelier…");
        assert_eq!(fit("ab", 0), "");
    }
}
