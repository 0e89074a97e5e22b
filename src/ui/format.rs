//! How amounts, dates and ages read on screen.

use std::time::Duration;

/// `1234567` cents in EUR → `12,345.67 €`; other currencies keep their code.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let symbol = if currency.eq_ignore_ascii_case("EUR") {
        "€".to_string()
    } else {
        currency.to_string()
    };
    format!("{sign}{grouped}.{:02} {symbol}", abs % 100)
}

/// A signed amount with an explicit `+` for credits.
pub fn signed_money(cents: i64, currency: &str) -> String {
    if cents > 0 {
        format!("+{}", money(cents, currency))
    } else {
        money(cents, currency)
    }
}

/// `2026-11-19T14:02:11.000Z` → `2026-11-19`; anything else is shown as it came.
pub fn date(raw: &str) -> String {
    raw.get(..10)
        .filter(|d| d.as_bytes().get(4) == Some(&b'-'))
        .unwrap_or(raw)
        .to_string()
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
        assert_eq!(money(1_234_567, "EUR"), "12,345.67 €");
        assert_eq!(money(-5, "EUR"), "-0.05 €");
        assert_eq!(signed_money(100, "USD"), "+1.00 USD");
        assert_eq!(date("2026-11-19T14:02:11.000Z"), "2026-11-19");
        assert_eq!(date("x"), "x");
        assert_eq!(ago(Duration::from_secs(75)), "1 min ago");
        assert_eq!(countdown(Duration::from_secs(581)), "9:41");
        assert_eq!(fit("Atelier Laurent", 8), "Atelier…");
        assert_eq!(fit("ab", 0), "");
    }
}
