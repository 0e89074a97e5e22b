//! What a receipt's text says that a bank line can be matched on: amounts (French `1 234,56 €`,
//! German `1.234,56 EUR`, English `€1,234.56`), dates (numeric, ISO, and month names in French,
//! German and English), IBANs (checked), invoice numbers, a card's last four digits, and its
//! words. Reads any text; never fails, only finds less.

use chrono::NaiveDate;

use crate::query::fold;

/// The facts found in one receipt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Amounts in cents, largest first, without repeats.
    pub amounts: Vec<i64>,
    pub dates: Vec<NaiveDate>,
    pub ibans: Vec<String>,
    pub invoice_numbers: Vec<String>,
    pub card_last4: Vec<String>,
    /// Folded words of three letters or more.
    pub words: Vec<String>,
}

/// At most this much text is read (a receipt is a page or two).
const MAX_TEXT: usize = 200_000;
const MAX_EACH: usize = 64;

/// Reads the facts in `text` (a receipt's extracted text, or its file name).
pub fn read(text: &str) -> Facts {
    let text: String = text
        .chars()
        .take(MAX_TEXT)
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let mut facts = Facts {
        amounts: amounts(&text),
        dates: dates(&text),
        ibans: ibans(&text),
        invoice_numbers: invoice_numbers(&text),
        card_last4: card_last4(&text),
        words: words(&text),
    };
    facts.amounts.truncate(MAX_EACH);
    facts.dates.truncate(MAX_EACH);
    facts
}

/// A run of characters that may be a number: digits with `.`, `,`, `'` and spaces between
/// groups of three.
fn number_runs(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && (chars[i - 1].is_ascii_alphanumeric())) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < chars.len() {
            let c = chars[end];
            if c.is_ascii_digit() {
                end += 1;
            } else if matches!(c, '.' | ',' | '\'' | ' ' | '\u{a0}' | '\u{202f}')
                && end + 1 < chars.len()
                && chars[end + 1].is_ascii_digit()
            {
                // A space only joins a group of exactly three digits (`1 234,56`).
                if matches!(c, ' ' | '\u{a0}' | '\u{202f}') {
                    let group: String = chars[end + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    if group.len() != 3 {
                        break;
                    }
                }
                end += 1;
            } else {
                break;
            }
        }
        // A run glued to a letter after it (`12h30`, `4821X`) is not an amount.
        let glued = chars
            .get(end)
            .is_some_and(|c| c.is_alphabetic() && *c != 'E' && *c != 'e');
        if !glued {
            runs.push(chars[start..end].iter().collect());
        }
        i = end.max(start + 1);
    }
    runs
}

/// The amount a run writes, in cents, if it is one: two decimals after the last separator
/// (`.` or `,`), the other separators grouping thousands by three.
fn amount_of(run: &str) -> Option<i64> {
    let compact: String = run
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    let last = compact.rfind(['.', ','])?;
    let (whole, decimals) = (&compact[..last], &compact[last + 1..]);
    if decimals.len() != 2 || !decimals.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let separator = compact[last..].chars().next()?;
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    // The other separator (or the same one, for thousands) only between groups of three.
    if whole.contains(separator) {
        return None;
    }
    if groups.len() > 1 && groups.iter().skip(1).any(|g| g.len() != 3) {
        return None;
    }
    if groups.first().is_none_or(|g| g.is_empty() || g.len() > 9) {
        return None;
    }
    let units: i64 = groups.concat().parse().ok()?;
    let cents: i64 = decimals.parse().ok()?;
    units.checked_mul(100)?.checked_add(cents)
}

fn amounts(text: &str) -> Vec<i64> {
    let mut found: Vec<i64> = number_runs(text)
        .iter()
        .filter_map(|r| amount_of(r.trim()))
        // Up to ten billion: anything larger is not a receipt's total.
        .filter(|c| *c > 0 && *c <= 1_000_000_000_000)
        .collect();
    found.sort_unstable_by(|a, b| b.cmp(a));
    found.dedup();
    found
}

const MONTHS: [(&str, u32); 40] = [
    ("janvier", 1),
    ("january", 1),
    ("januar", 1),
    ("jan", 1),
    ("fevrier", 2),
    ("february", 2),
    ("februar", 2),
    ("feb", 2),
    ("fev", 2),
    ("mars", 3),
    ("march", 3),
    ("marz", 3),
    ("mar", 3),
    ("avril", 4),
    ("april", 4),
    ("avr", 4),
    ("apr", 4),
    ("mai", 5),
    ("may", 5),
    ("juin", 6),
    ("june", 6),
    ("juni", 6),
    ("jun", 6),
    ("juillet", 7),
    ("july", 7),
    ("juli", 7),
    ("jul", 7),
    ("aout", 8),
    ("august", 8),
    ("aug", 8),
    ("septembre", 9),
    ("september", 9),
    ("sep", 9),
    ("octobre", 10),
    ("october", 10),
    ("oktober", 10),
    ("oct", 10),
    ("novembre", 11),
    ("november", 11),
    ("decembre", 12),
];

fn month_named(word: &str) -> Option<u32> {
    match word {
        "december" | "dezember" | "dec" | "dez" => Some(12),
        "nov" => Some(11),
        "okt" => Some(10),
        _ => MONTHS.iter().find(|(n, _)| *n == word).map(|(_, m)| *m),
    }
}

fn plausible(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(2000..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

fn dates(text: &str) -> Vec<NaiveDate> {
    let folded = fold(text);
    let mut found = Vec::new();
    // Numeric: 2026-11-19, 19/11/2026, 19.11.2026, 19-11-2026, 19/11/26.
    let tokens: Vec<&str> = folded
        .split(|c: char| !(c.is_ascii_digit() || matches!(c, '/' | '.' | '-')))
        .filter(|t| !t.is_empty())
        .collect();
    for token in tokens {
        let parts: Vec<&str> = token
            .trim_matches(['.', '-', '/'])
            .split(['/', '.', '-'])
            .collect();
        let [a, b, c] = parts.as_slice() else {
            continue;
        };
        let (Ok(a), Ok(b), Ok(c)) = (a.parse::<u32>(), b.parse::<u32>(), c.parse::<u32>()) else {
            continue;
        };
        let date = if parts[0].len() == 4 {
            plausible(a as i32, b, c)
        } else if parts[2].len() == 4 {
            // Day first, as Europe writes it; month first only when the day cannot be one.
            plausible(c as i32, b, a).or_else(|| plausible(c as i32, a, b))
        } else if parts[2].len() == 2 {
            plausible(2000 + c as i32, b, a)
        } else {
            None
        };
        found.extend(date);
    }
    // Named months: 19 novembre 2026, 19. November 2026, November 19, 2026, 19 Nov 2026.
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let Some(month) = month_named(w) else {
            continue;
        };
        let number =
            |j: Option<usize>| -> Option<u32> { j.and_then(|j| words.get(j))?.parse().ok() };
        let before = number(i.checked_sub(1));
        let after = number(i.checked_add(1));
        let after2 = number(i.checked_add(2));
        let date = match (before, after, after2) {
            (Some(d), Some(y), _) if d <= 31 && y >= 2000 => plausible(y as i32, month, d),
            (_, Some(d), Some(y)) if d <= 31 && y >= 2000 => plausible(y as i32, month, d),
            _ => None,
        };
        found.extend(date);
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// IBANs whose check digits hold (ISO 13616, mod 97), written whole or in groups.
fn ibans(text: &str) -> Vec<String> {
    let tokens: Vec<String> = text
        .split_whitespace()
        .map(|t| {
            t.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_ascii_uppercase()
        })
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let head: Vec<char> = tokens[i].chars().take(4).collect();
        let starts = head.len() == 4
            && head[0].is_ascii_uppercase()
            && head[1].is_ascii_uppercase()
            && head[2].is_ascii_digit()
            && head[3].is_ascii_digit();
        let mut best = None;
        if starts {
            let mut joined = String::new();
            for (j, token) in tokens.iter().enumerate().skip(i) {
                if !token.chars().all(|c| c.is_ascii_alphanumeric())
                    || joined.len() + token.len() > 34
                {
                    break;
                }
                joined.push_str(token);
                if iban_valid(&joined) {
                    best = Some((joined.clone(), j));
                }
            }
        }
        match best {
            Some((iban, last)) => {
                if !found.contains(&iban) {
                    found.push(iban);
                }
                i = last + 1;
            }
            None => i += 1,
        }
    }
    found
}

pub(crate) fn iban_valid(iban: &str) -> bool {
    if iban.len() < 15 || iban.len() > 34 {
        return false;
    }
    let (head, tail) = iban.split_at(4);
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        let digits = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * digits + value) % 97;
    }
    remainder == 1
}

fn invoice_numbers(text: &str) -> Vec<String> {
    let folded = fold(text);
    let keys = [
        "facture n°",
        "facture no",
        "facture n",
        "facture",
        "n° de facture",
        "numero de facture",
        "invoice number",
        "invoice no",
        "invoice #",
        "invoice",
        "rechnungsnummer",
        "rechnung nr",
        "rechnung",
    ];
    let mut found = Vec::new();
    for key in keys {
        let mut from = 0;
        while let Some(at) = folded.get(from..).and_then(|rest| rest.find(key)) {
            let after = from + at + key.len();
            from = after;
            let rest = folded.get(after..).unwrap_or("");
            let token: String = rest
                .trim_start_matches([' ', ':', '.', '#', '°', '\u{a0}'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
                .collect();
            if token.len() >= 3 && token.chars().any(|c| c.is_ascii_digit()) {
                let token = token.to_ascii_uppercase();
                if !found.contains(&token) {
                    found.push(token);
                }
            }
        }
    }
    found.truncate(MAX_EACH);
    found
}

/// Four digits after a masked run (`**** 4821`, `XXXX4821`, `•••• 4821`) or after "ending in".
fn card_last4(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let masked = |c: char| matches!(c, '*' | '•' | 'X' | 'x' | '#');
        if masked(chars[i]) {
            let mut j = i;
            while j < chars.len() && (masked(chars[j]) || chars[j] == ' ') {
                j += 1;
            }
            let stars = chars[i..j].iter().filter(|c| masked(**c)).count();
            let digits: String = chars[j..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if stars >= 3 && digits.len() == 4 && !found.contains(&digits) {
                found.push(digits);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    let folded = fold(text);
    for key in [
        "ending in ",
        "se terminant par ",
        "endend auf ",
        "endet auf ",
    ] {
        if let Some(at) = folded.find(key) {
            let digits: String = folded[at + key.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if digits.len() == 4 && !found.contains(&digits) {
                found.push(digits);
            }
        }
    }
    found
}

fn words(text: &str) -> Vec<String> {
    let mut found: Vec<String> = fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && w.chars().any(char::is_alphabetic))
        .map(String::from)
        .collect();
    found.sort_unstable();
    found.dedup();
    found.truncate(2000);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn amounts_in_french_german_and_english() {
        assert!(read("Total TTC : 1 234,56 €").amounts.contains(&123_456));
        assert!(read("Gesamtbetrag 1.234,56 EUR").amounts.contains(&123_456));
        assert!(read("Amount due €1,234.56").amounts.contains(&123_456));
        assert!(
            read("Total\u{a0}: 1\u{202f}234,56\u{a0}€")
                .amounts
                .contains(&123_456)
        );
        assert!(
            read("Summe: 12.345.678,90 €")
                .amounts
                .contains(&1_234_567_890)
        );
        assert!(read("CHF 1'234.50").amounts.contains(&123_450));
        assert_eq!(read("TVA 20,00 % 41,17 €").amounts, vec![4117, 2000]);
        // Not amounts: dates, times, phone numbers, ids, a run of unrelated numbers.
        assert!(read("19/11/2026 12h30").amounts.is_empty());
        assert!(read("SIRET 852 345 678 00017").amounts.is_empty());
        assert!(read("1.2345,67").amounts.is_empty());
    }

    #[test]
    fn dates_numeric_iso_and_named_in_three_languages() {
        let d = day(2026, 11, 19);
        for text in [
            "Date : 19/11/2026",
            "Datum: 19.11.2026",
            "2026-11-19T10:22:00Z",
            "le 19 novembre 2026",
            "am 19. November 2026",
            "November 19, 2026",
            "19 Nov 2026",
            "19/11/26",
        ] {
            assert_eq!(read(text).dates, vec![d], "{text}");
        }
        // Month first only where the day cannot be a month.
        assert_eq!(read("11/25/2026").dates, vec![day(2026, 11, 25)]);
        assert!(read("31/02/2026 99/99/9999").dates.is_empty());
    }

    #[test]
    fn ibans_cards_invoices_and_words() {
        let facts = read(
            "Payable to FR76 3000 6000 0112 3456 7890 189 — Facture n° F-2026-0042\n\
             Carte **** 4821 · URSSAF d'Île-de-France",
        );
        assert_eq!(facts.ibans, vec!["FR7630006000011234567890189"]);
        assert!(facts.invoice_numbers.contains(&"F-2026-0042".to_string()));
        assert_eq!(facts.card_last4, vec!["4821"]);
        assert!(facts.words.contains(&"urssaf".to_string()));
        assert!(facts.words.contains(&"ile".to_string()));
        // A wrong check digit is not an IBAN.
        assert!(read("FR77 3000 6000 0112 3456 7890 189").ibans.is_empty());
        assert_eq!(read("card ending in 1234").card_last4, vec!["1234"]);
    }

    #[test]
    fn anything_is_read_without_panicking() {
        for text in [
            "",
            "€",
            "1",
            ",,,",
            "1.",
            "9999999999999999999999,99",
            "\u{0}\u{1b}[31m",
            "🙂 12,34 🙂",
        ] {
            let _ = read(text);
        }
        assert!(read(&"1 ".repeat(100_000)).amounts.len() <= MAX_EACH);
    }
}
