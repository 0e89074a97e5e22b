//! File names from outside text (organization names, counterparties, attachment names): safe
//! on every platform, bounded in bytes, and unique within a run by construction.

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

/// The longest file name Linux and macOS file systems take, in bytes.
pub const MAX_NAME_BYTES: usize = 255;
/// Names are kept well under the limit, leaving room for a `-N` or ` (N)` and an extension.
const NAME_BUDGET: usize = 200;
/// A slug keeps at most this many characters (a folder name one can read in a listing).
const SLUG_CHARS: usize = 40;

/// `Café du Canal / SAS` → `cafe-du-canal-sas`: lower case, accents dropped, letters and digits
/// of any script kept, everything else one `-`; `fallback` when nothing is left.
pub fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    let folded: String = text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    for c in folded.chars() {
        if out.chars().count() >= SLUG_CHARS {
            break;
        }
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_string()
    } else {
        out.to_string()
    }
}

/// `2026-11-19 URSSAF: receipt?` → `2026-11-19 URSSAF- receipt-`: readable text kept as it is,
/// with what no platform takes in a name (`/ \ : * ? " < > |`, control characters) made `-`,
/// and no leading dot (no hidden files, no `..`).
pub fn readable(text: &str) -> String {
    let safe: String = text
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => '-',
            c => c,
        })
        .collect();
    let visible: String = safe
        .chars()
        .filter(|c| !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'))
        .collect();
    no_leading_dot(&visible).to_string()
}

/// `text` without the spaces and dots it begins with (`. .x` → `x`: never a hidden file or
/// `..`), nor the spaces it ends with.
fn no_leading_dot(text: &str) -> &str {
    text.trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end()
}

/// `stem.ext` cut (at a character boundary) so the whole name fits the byte budget, the
/// extension always kept; `stem` alone when `ext` is empty.
pub fn fit(stem: &str, ext: &str) -> String {
    fit_with_suffix(stem, "", ext)
}

/// `stem` cut so that `stem` + `suffix` + `.ext` fits the byte budget: the suffix (`-2`) and
/// the extension always kept, whatever the stem's length.
fn fit_with_suffix(stem: &str, suffix: &str, ext: &str) -> String {
    let ext: String = ext
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(8)
        .collect();
    let room = NAME_BUDGET
        .saturating_sub(if ext.is_empty() { 0 } else { ext.len() + 1 })
        .saturating_sub(suffix.len());
    let mut cut = String::new();
    for c in stem.chars() {
        if cut.len() + c.len_utf8() > room {
            break;
        }
        cut.push(c);
    }
    let cut = no_leading_dot(&cut);
    let stem = if cut.is_empty() { "file" } else { cut };
    if ext.is_empty() {
        format!("{stem}{suffix}")
    } else {
        format!("{stem}{suffix}.{ext}")
    }
}

/// The first eight letters and digits of an id, lower case: what tells two clashing names apart.
pub fn short_id(id: &str) -> String {
    let short: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    if short.is_empty() { "x".into() } else { short }
}

/// The names given out in one folder in one run: no two alike, even to a file system that
/// ignores case (macOS, Windows shares).
#[derive(Debug, Default)]
pub struct NameSet {
    taken: HashSet<String>,
}

impl NameSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// `stem.ext`, or `stem-2.ext`, `stem-3.ext`… when that is taken; always a new name.
    pub fn claim(&mut self, stem: &str, ext: &str) -> String {
        let mut n = 1usize;
        loop {
            // The number is kept whatever the stem's length: cut off, it would give the same
            // name for ever.
            let candidate = if n == 1 {
                fit(stem, ext)
            } else {
                fit_with_suffix(stem, &format!("-{n}"), ext)
            };
            if self.taken.insert(candidate.to_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// One name per `(id, preferred stem, extension)`, in the same order, for one folder: a stem
/// two of them share (ignoring case) gets `-` and the id's [`short_id`], so each keeps its name
/// from run to run whatever else is in the list; any clash left gets `-2`, `-3`.
pub fn distinct<'a>(items: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Vec<String> {
    let items: Vec<(&str, &str, &str)> = items.into_iter().collect();
    let mut uses: HashMap<String, usize> = HashMap::new();
    for (_, stem, _) in &items {
        *uses.entry(fit(stem, "").to_lowercase()).or_default() += 1;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[a].0.cmp(items[b].0));
    let mut set = NameSet::new();
    let mut names = vec![String::new(); items.len()];
    for i in order {
        let (id, stem, ext) = items[i];
        let shared = uses
            .get(&fit(stem, "").to_lowercase())
            .copied()
            .unwrap_or(0)
            > 1;
        let stem = if shared {
            format!("{}-{}", fit(stem, ""), short_id(id))
        } else {
            stem.to_string()
        };
        names[i] = set.claim(&stem, ext);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugs_fold_accents_and_keep_other_scripts() {
        assert_eq!(slug("Café du Canal / SAS", "org"), "cafe-du-canal-sas");
        assert_eq!(slug("株式会社 東京", "org"), "株式会社-東京");
        assert_eq!(slug("Общество Альфа", "org"), "общество-альфа");
        assert_eq!(slug("../..", "org"), "org");
    }

    #[test]
    fn names_that_look_alike_stay_apart() {
        let names = distinct([
            ("org-b", "acme", ""),
            ("org-a", "ACME", ""),
            ("org-c", "株式会社", ""),
            ("org-d", "株式会社", ""),
            ("org-e", "solo", ""),
        ]);
        assert_eq!(
            names,
            [
                "acme-orgb",
                "ACME-orga",
                "株式会社-orgc",
                "株式会社-orgd",
                "solo"
            ]
        );
        // The same names whatever the order they come in.
        let again = distinct([("org-a", "ACME", ""), ("org-b", "acme", "")]);
        assert_eq!(again, ["ACME-orga", "acme-orgb"]);
    }

    #[test]
    fn a_set_never_gives_a_name_twice() {
        let mut set = NameSet::new();
        assert_eq!(set.claim("r", "pdf"), "r.pdf");
        assert_eq!(set.claim("R", "pdf"), "R-2.pdf");
        assert_eq!(set.claim("r", "pdf"), "r-3.pdf");
    }

    /// Found by the fuzzer in CI: a stem as long as the budget lost its `-2` when cut, so
    /// `claim` tried the same name for ever. Run aside so that a hang fails the test.
    #[test]
    fn a_set_numbers_names_at_the_byte_limit_too() {
        let (tell, told) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let long = "é".repeat(150);
            let mut set = NameSet::new();
            let names: Vec<String> = (0..3).map(|_| set.claim(&long, "pdf")).collect();
            let _ = tell.send(names);
        });
        let names = told
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("three names given, not a loop");
        assert!(
            names[1].ends_with("-2.pdf") && names[2].ends_with("-3.pdf"),
            "{names:?}"
        );
        assert!(names.iter().all(|n| n.len() <= NAME_BUDGET));
    }

    #[test]
    fn long_names_keep_their_extension_within_the_byte_limit() {
        let long = "Société Générale d'Équipement ".repeat(20);
        let name = fit(&readable(&long), "pdf");
        assert!(name.len() <= NAME_BUDGET, "{}", name.len());
        assert!(name.ends_with(".pdf"));
        assert_eq!(readable("../a/b\\c:\u{1b}"), "-a-b-c--");
        // Found by the fuzzer: dots and spaces in turn made a hidden "..pdf".
        assert_eq!(fit(&readable(". ."), "pdf"), "file.pdf");
        assert_eq!(fit(". .x", "pdf"), "x.pdf");
    }

    proptest! {
        #[test]
        fn any_text_makes_a_plain_bounded_name(text in "\\PC{0,400}", ext in "[a-z]{0,12}") {
            for name in [fit(&readable(&text), &ext), fit(&slug(&text, "x"), &ext)] {
                prop_assert!(crate::check_component(&name).is_ok(), "{name:?}");
                prop_assert!(!name.starts_with('.'));
                prop_assert!(!name.chars().any(char::is_control));
            }
        }

        #[test]
        fn distinct_names_never_clash(stems in proptest::collection::vec("[aA]{0,3}", 1..12)) {
            let ids: Vec<String> = (0..stems.len()).map(|i| format!("id{i}")).collect();
            let names = distinct(ids.iter().zip(&stems).map(|(i, s)| (i.as_str(), s.as_str(), "csv")));
            let folded: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
            prop_assert_eq!(folded.len(), names.len());
        }
    }
}
