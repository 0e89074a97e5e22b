//! What the MCP server hides unless the config says otherwise (`[mcp] mask = false`): IBANs
//! down to their country, check digits and last four characters, card digits entirely, and
//! anything shaped like an IBAN inside free text (a reference or a note may carry one).

/// Characters an IBAN has at most (ISO 13616), spaces aside.
const IBAN_MAX: usize = 34;
/// And at least (Norway's).
const IBAN_MIN: usize = 15;

/// `FR76 •••• 1234` for `FR76 3000 6000 0112 3456 7890 189` (spaces or not); a value too short
/// to be an IBAN is hidden whole.
pub fn iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if chars.len() < 8 {
        return "••••".to_string();
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head} •••• {tail}")
}

/// Card digits (Qonto gives the last four): none shown.
pub fn card(_digits: &str) -> String {
    "••••".to_string()
}

/// `text` with every IBAN-shaped run masked as `iban` does: two capital letters, two digits,
/// then capital letters and digits, in groups or not, 15 to 34 of them in all.
pub fn ibans_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = iban_at(&chars, i) {
            let run: String = chars[i..end].iter().collect();
            out.push_str(&iban(&run));
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Where an IBAN starting at `start` ends, if one does.
fn iban_at(chars: &[char], start: usize) -> Option<usize> {
    let upper_or_digit = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    let at = |k: usize| chars.get(start + k).copied().unwrap_or(' ');
    let begins_word = start == 0 || !chars[start - 1].is_alphanumeric();
    let country_and_check = at(0).is_ascii_uppercase()
        && at(1).is_ascii_uppercase()
        && at(2).is_ascii_digit()
        && at(3).is_ascii_digit();
    if !(begins_word && country_and_check) {
        return None;
    }
    let (mut end, mut count) = (start + 4, 4);
    while end < chars.len() && count < IBAN_MAX {
        if upper_or_digit(chars[end]) {
            count += 1;
            end += 1;
        } else if chars[end] == ' ' && chars.get(end + 1).is_some_and(|c| upper_or_digit(*c)) {
            end += 1;
        } else {
            break;
        }
    }
    // A run that goes on into a word is not an IBAN's end (`FR76…ABCDEFxyz`).
    let ends_word = chars.get(end).is_none_or(|c| !c.is_alphanumeric());
    (count >= IBAN_MIN && ends_word).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_keeps_its_country_check_digits_and_last_four() {
        assert_eq!(iban("FR76 3000 6000 0112 3456 7890 189"), "FR76 •••• 0189");
        assert_eq!(iban("DE89370400440532013000"), "DE89 •••• 3000");
        assert_eq!(iban("12"), "••••");
        assert_eq!(card("4242"), "••••");
    }

    #[test]
    fn ibans_inside_text_are_masked_and_nothing_else() {
        assert_eq!(
            ibans_in("Rent to FR76 3000 6000 0112 3456 7890 189 for October"),
            "Rent to FR76 •••• 0189 for October"
        );
        assert_eq!(
            ibans_in("ref DE89370400440532013000."),
            "ref DE89 •••• 3000."
        );
        for kept in [
            "Invoice FR2026-10 paid",
            "SIRET 12345678901234",
            "FR76 short",
            "",
            "Dîner d'équipe — 12 €",
        ] {
            assert_eq!(ibans_in(kept), kept);
        }
    }
}
