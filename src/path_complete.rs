//! Completing a file path being typed, as a shell's Tab does: the part after the last `/` is
//! completed as far as the folder's entries agree, a lone folder gains its `/`, and the entries
//! it could go on with are listed (bounded, printable). `~/` stands for the home folder.

use std::path::{Path, PathBuf};

use qonto_client::printable::printable;

/// At most this many entries of a folder are looked at, and this many offered.
const LOOKED_AT: usize = 5000;
const OFFERED: usize = 12;

/// `~/x` as a path under the home folder; anything else as typed.
pub fn expand(typed: &str) -> PathBuf {
    match (typed.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(typed),
    }
}

/// `typed` completed as far as it is unambiguous, and the names it could go on with (folders
/// end with `/`). Names that a person could not type back (control characters, not UTF-8)
/// are offered as they print but never completed into the text.
pub fn complete(typed: &str) -> (String, Vec<String>) {
    let (folder_text, prefix) = match typed.rfind('/') {
        Some(at) => typed.split_at(at + 1),
        None => ("", typed),
    };
    let folder = if folder_text.is_empty() {
        PathBuf::from(".")
    } else {
        expand(folder_text)
    };
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return (typed.to_string(), Vec::new());
    };
    let mut names: Vec<(String, bool)> = Vec::new();
    for entry in entries.filter_map(Result::ok).take(LOOKED_AT) {
        let Some(name) = entry.file_name().to_str().map(String::from) else {
            continue;
        };
        if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
            continue;
        }
        // Not followed: a link to a folder completes as a name, never into the folder.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push((name, is_dir));
    }
    names.sort();
    let typeable: Vec<&(String, bool)> = names
        .iter()
        .filter(|(n, _)| printable(n, 1000) == *n)
        .collect();
    let completed = match typeable.as_slice() {
        [] => typed.to_string(),
        [(only, is_dir)] => format!("{folder_text}{only}{}", if *is_dir { "/" } else { "" }),
        many => {
            let first = &many[0].0;
            let common = many.iter().fold(first.len(), |len, (n, _)| {
                first
                    .char_indices()
                    .zip(n.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| (i + a.len_utf8()).min(len))
            });
            format!("{folder_text}{}", first.get(..common).unwrap_or(prefix))
        }
    };
    let offered = names
        .iter()
        .take(OFFERED)
        .map(|(n, is_dir)| format!("{}{}", printable(n, 80), if *is_dir { "/" } else { "" }))
        .collect();
    (completed, offered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_as_far_as_the_names_agree_and_a_lone_folder_gains_its_slash() {
        let dir = std::env::temp_dir().join(format!("qonto-complete-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("attached")).unwrap();
        std::fs::write(dir.join("urssaf-2026-11.pdf"), b"%PDF").unwrap();
        std::fs::write(dir.join("urssaf-2026-12.pdf"), b"%PDF").unwrap();
        std::fs::write(dir.join("été.png"), b"x").unwrap();
        std::fs::write(dir.join("bad\u{1b}[2Jname.pdf"), b"x").unwrap();
        let base = format!("{}/", dir.display());

        let (text, offered) = complete(&format!("{base}ur"));
        assert_eq!(text, format!("{base}urssaf-2026-1"));
        assert_eq!(offered, ["urssaf-2026-11.pdf", "urssaf-2026-12.pdf"]);

        assert_eq!(complete(&format!("{base}at")).0, format!("{base}attached/"));
        assert_eq!(complete(&format!("{base}é")).0, format!("{base}été.png"));
        // A name with an escape is offered as it prints, never typed into the field.
        let (text, offered) = complete(&format!("{base}b"));
        assert_eq!(text, format!("{base}b"));
        assert_eq!(offered, ["bad[2Jname.pdf"]);
        // Nothing there: left as typed.
        assert_eq!(complete(&format!("{base}zz")).0, format!("{base}zz"));
        assert_eq!(complete("/no/such/folder/x").0, "/no/such/folder/x");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
