//! Keeping secrets out of anything written down: a registry of the tokens, codes and client
//! secrets this process has seen, and a filter that removes them (and anything shaped like a
//! token, a `Bearer` value or an IBAN) from a piece of text. Logs pass every line through it.

use std::sync::RwLock;

static KNOWN_SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Makes sure `value` never appears in the log, whatever part of the code logs it.
pub fn register_secret(value: &str) {
    if value.len() < 6 {
        return;
    }
    let mut known = KNOWN_SECRETS.write().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_string());
    }
}

const REDACTED: &str = "[redacted]";

/// Removes secrets and IBANs from one piece of text.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for secret in KNOWN_SECRETS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    for prefix in ["ory_at_", "ory_rt_", "ory_ac_", "Bearer ", "bearer "] {
        out = redact_after(&out, prefix, |c| {
            !c.is_whitespace() && c != '"' && c != '\'' && c != '&' && c != ','
        });
    }
    for key in [
        "code=",
        "refresh_token=",
        "access_token=",
        "client_secret=",
        "code_verifier=",
        "token=",
    ] {
        out = redact_after(&out, key, |c| c != '&' && !c.is_whitespace() && c != '"');
    }
    mask_ibans(&out)
}

fn redact_after(text: &str, marker: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let (before, after) = rest.split_at(i + marker.len());
        out.push_str(before);
        let end = after
            .char_indices()
            .find(|(_, c)| !keep(*c))
            .map(|(i, _)| i)
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str(REDACTED);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces IBAN-shaped words (two letters, two digits, 10 to 30 letters or digits) by their
/// country and last four characters.
pub fn mask_ibans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if boundary
            && i + 4 <= chars.len()
            && chars[i].is_ascii_uppercase()
            && chars[i + 1].is_ascii_uppercase()
            && chars[i + 2].is_ascii_digit()
            && chars[i + 3].is_ascii_digit()
        {
            let mut j = i + 4;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j].is_ascii_uppercase()) {
                j += 1;
            }
            let len = j - i;
            if (14..=34).contains(&len) && (j == chars.len() || !chars[j].is_ascii_alphanumeric()) {
                let word: String = chars[i..j].iter().collect();
                out.push_str(&mask_iban(&word));
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_tokens_codes_bearer_known_secrets_and_ibans() {
        register_secret("my-client-secret-xyz");
        let line = "POST token code=ory_ac_ABC&client_secret=my-client-secret-xyz Bearer ory_at_QWE-rty_1 refresh ory_rt_zzz iban FR7616798000010000005663951.";
        let clean = redact(line);
        for leaked in [
            "ABC",
            "my-client-secret-xyz",
            "QWE-rty_1",
            "zzz",
            "16798000010000005663951",
        ] {
            assert!(!clean.contains(leaked), "{leaked} leaked in {clean}");
        }
        assert!(clean.contains("3951"));
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn iban_masking_keeps_country_and_last_four() {
        assert_eq!(
            mask_iban("FR7616798000010000005663951"),
            "FR•• •••• •••• 3951"
        );
        assert_eq!(mask_iban("abc"), "•••");
    }
}
