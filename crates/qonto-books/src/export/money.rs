//! Amounts as exports write them: from integer cents, exactly (no floating point on the way).

/// `cents` as a decimal with two places and `mark` between them: `-1234.5` is never written,
/// `-1234.50` is.
pub fn decimal(cents: i64, mark: char) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}{mark}{:02}", abs / 100, abs % 100)
}

/// The absolute amount with a point, as XML formats want it (the side is said apart).
pub fn absolute(cents: i64) -> String {
    decimal(cents.saturating_abs(), '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_to_the_cent() {
        assert_eq!(decimal(123_456, ','), "1234,56");
        assert_eq!(decimal(-5, '.'), "-0.05");
        assert_eq!(decimal(0, '.'), "0.00");
        assert_eq!(decimal(i64::MIN, '.'), "-92233720368547758.08");
        assert_eq!(absolute(-1_000), "10.00");
    }
}
