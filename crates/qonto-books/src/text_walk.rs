//! A search's words checked against each row's own text, as the date index is walked to the
//! first page. A word being typed that begins many rows' words ("ur" of URSSAF) had every match
//! read out of the full-text index before the first page could be drawn: 13 to 22 ms for
//! 182,614 matches among 5,000,000 stored, on every key. The newest rows that match are found
//! after a few thousand rows; beyond a budget of rows, or on a row whose text this check cannot
//! read as the full-text index does, the walk stops and the search asks the index after all.

use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use unicode_normalization::UnicodeNormalization;

/// The SQL function `words_in_text(counterparty, label, reference, note)`: whether every word
/// armed with [`TextWalk::arm`] is in the row's text as the full-text index would find it.
pub(super) const WORDS_IN_TEXT: &str = "words_in_text";

/// A character as the full-text index's tokenizer (`unicode61 remove_diacritics 2`) reads it.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Read {
    /// Part of a word: this letter or digit, folded.
    Letter(char),
    /// Between words.
    Separator,
    /// Not known to read the same here and in the index: the walk gives up.
    Unsure,
}

/// How the full-text index reads `c`, for the characters checked against it (the test below
/// asks SQLite's own tokenizer for each): ASCII, the Latin letters whose decomposition is an
/// ASCII letter and marks (é, ç, ñ, ő…), and the Latin-1 and general punctuation, spaces and
/// currency signs.
fn read(c: char) -> Read {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Read::Letter(c.to_ascii_lowercase())
        } else {
            Read::Separator
        };
    }
    let cp = u32::from(c);
    match cp {
        // Latin-1 punctuation and signs, save the letters and numbers among them
        // (ª ² ³ µ ¹ º ¼ ½ ¾), and × ÷.
        0xA0..=0xBF if !matches!(cp, 0xAA | 0xB2 | 0xB3 | 0xB5 | 0xB9 | 0xBA | 0xBC..=0xBE) => {
            Read::Separator
        }
        0xD7 | 0xF7 => Read::Separator,
        // General punctuation (spaces, dashes, quotes, …) and the currency signs SQLite's
        // tables know (€ among them).
        0x2000..=0x2064 | 0x20A0..=0x20B9 => Read::Separator,
        // Latin letters with diacritics: the index keeps the base letter. (Ǡ ǡ are not folded.)
        0xC0..=0x24F | 0x1E00..=0x1EFF if !matches!(cp, 0x1E0 | 0x1E1) => {
            let mut parts = std::iter::once(c).nfd();
            match (
                parts.next(),
                parts.all(unicode_normalization::char::is_combining_mark),
            ) {
                (Some(base), true) if base.is_ascii_alphabetic() => {
                    Read::Letter(base.to_ascii_lowercase())
                }
                _ => Read::Unsure,
            }
        }
        _ => Read::Unsure,
    }
}

/// The words of `text` as the index reads them, or `None` when a character is not known to
/// be read alike.
#[cfg(test)]
fn tokens(text: &str) -> Option<Vec<String>> {
    let mut words = Words::default();
    words.read(text).then(|| words.list[..words.used].to_vec())
}

/// One column's words, their strings kept from row to row: a walk reads thousands of rows,
/// and needs no new string for each word of each.
#[derive(Default)]
struct Words {
    list: Vec<String>,
    used: usize,
}

impl Words {
    /// Reads `text` in place of the last column's words; false when a character is not known
    /// to be read alike.
    fn read(&mut self, text: &str) -> bool {
        self.used = 0;
        let mut in_word = false;
        for c in text.chars() {
            match read(c) {
                Read::Letter(l) => {
                    if !in_word {
                        if self.used == self.list.len() {
                            self.list.push(String::new());
                        }
                        self.list[self.used].clear();
                        self.used += 1;
                        in_word = true;
                    }
                    self.list[self.used - 1].push(l);
                }
                Read::Separator => in_word = false,
                Read::Unsure => return false,
            }
        }
        true
    }

    fn words(&self) -> &[String] {
        &self.list[..self.used]
    }
}

/// A query word as the full-text index matches it: its tokens in a row, the last one a
/// prefix when the word has two characters or more (as `search::term` writes it).
#[derive(Debug)]
struct Phrase {
    tokens: Vec<String>,
    prefix: bool,
}

impl Phrase {
    fn of(word: &str) -> Option<Phrase> {
        let mut words = Words::default();
        if !words.read(word) {
            return None;
        }
        let tokens = words.words().to_vec();
        (!tokens.is_empty()).then(|| Phrase {
            tokens,
            prefix: word.chars().count() >= 2,
        })
    }

    /// Whether the phrase is in one column's words.
    fn in_words(&self, words: &[String]) -> bool {
        let n = self.tokens.len();
        words.windows(n).any(|at| {
            at.iter().zip(&self.tokens).enumerate().all(|(i, (w, t))| {
                if i + 1 == n && self.prefix {
                    w.starts_with(t.as_str())
                } else {
                    w == t
                }
            })
        })
    }
}

/// What one walk checks, and how far it may go.
#[derive(Default)]
struct Walk {
    phrases: Vec<Phrase>,
    /// Which phrases the row being read has shown so far.
    found: Vec<bool>,
    words: Words,
    /// Rows still to be checked before the walk gives up.
    left: usize,
    /// The walk gave up (budget spent, or a text it cannot read).
    stopped: bool,
}

/// The words a walk checks, shared with the `words_in_text` function of one connection.
#[derive(Clone, Default)]
pub(super) struct TextWalk {
    walk: Arc<Mutex<Walk>>,
}

/// Why `words_in_text` stopped a statement (the caller reads [`TextWalk::stopped`]).
#[derive(Debug)]
struct GaveUp;

impl std::fmt::Display for GaveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the walk by text gave up")
    }
}

impl std::error::Error for GaveUp {}

impl TextWalk {
    /// Registers `words_in_text` on `db`, answering from what `self` is armed with.
    pub(super) fn install(db: &Connection) -> rusqlite::Result<Self> {
        let this = Self::default();
        let walk = this.walk.clone();
        db.create_scalar_function(WORDS_IN_TEXT, 4, FunctionFlags::SQLITE_UTF8, move |ctx| {
            let mut walk = walk.lock().unwrap_or_else(PoisonError::into_inner);
            if walk.left == 0 {
                walk.stopped = true;
                return Err(rusqlite::Error::UserFunctionError(Box::new(GaveUp)));
            }
            walk.left -= 1;
            let Walk {
                phrases,
                found,
                words,
                ..
            } = &mut *walk;
            found.clear();
            found.resize(phrases.len(), false);
            for i in 0..4 {
                let text = match ctx.get_raw(i) {
                    rusqlite::types::ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok(),
                    rusqlite::types::ValueRef::Null => Some(""),
                    _ => None,
                };
                // A value that is not UTF-8 text is not read here: the index is asked.
                if !text.is_some_and(|text| words.read(text)) {
                    walk.stopped = true;
                    return Err(rusqlite::Error::UserFunctionError(Box::new(GaveUp)));
                }
                for (p, found) in phrases.iter().zip(found.iter_mut()) {
                    *found = *found || p.in_words(words.words());
                }
            }
            Ok(found.iter().all(|f| *f))
        })?;
        Ok(this)
    }

    /// Arms the walk with the query's `words` (folded) and a budget of rows; false, and
    /// nothing armed, when a word is one this check cannot read as the index does.
    pub(super) fn arm(&self, words: &[String], budget: usize) -> bool {
        let Some(phrases) = words.iter().map(|w| Phrase::of(w)).collect() else {
            return false;
        };
        let mut walk = self.walk.lock().unwrap_or_else(PoisonError::into_inner);
        walk.phrases = phrases;
        walk.left = budget;
        walk.stopped = false;
        true
    }

    /// Whether the last armed walk gave up.
    pub(super) fn stopped(&self) -> bool {
        self.walk
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stopped
    }
}

#[cfg(test)]
#[path = "text_walk_tests.rs"]
mod tests;
