//! Text from Qonto made safe for a file: control characters stripped, lengths bounded, XML
//! escaped.

/// `text` without control characters, at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    qonto_client::printable::printable(text, max)
}

/// `text` cleaned, cut to at most `max` characters (formats that bound lengths reject one more,
/// so no ellipsis is added), and escaped for XML character data or an attribute.
pub fn xml(text: &str, max: usize) -> String {
    let clean: String = clean(text, max.saturating_add(1))
        .chars()
        .take(max)
        .collect();
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The `YYYY-MM-DD` a Qonto timestamp begins with, if it does.
pub fn day(stamp: Option<&str>) -> Option<&str> {
    let stamp = stamp?;
    let day = stamp.get(..10)?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .is_ok()
        .then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_stripped() {
        assert_eq!(xml("a<b & \"c\"\u{7}", 100), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(xml("abcdef", 3), "abc");
        assert_eq!(day(Some("2026-10-05T10:00:00.000Z")), Some("2026-10-05"));
        assert_eq!(day(Some("soon")), None);
    }
}
