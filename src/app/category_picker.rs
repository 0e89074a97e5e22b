//! The category picker over the search: every cash-flow category leaf of the organizations of
//! the transactions it is for, each name offered once however many organizations have it
//! (`Operations / Software`), filtered by what is typed, plus "no category" to clear.

use tui_input::Input;

/// What clears the category, as the picker lists it.
pub const NONE: &str = "no category (clear it)";

#[derive(Debug)]
pub struct CategoryPicker {
    /// The transactions it files.
    pub transactions: Vec<String>,
    /// The ticket of the listing asked for; its answer fills `names`.
    pub ticket: u64,
    /// Every leaf's name (`None` while they are read).
    pub names: Option<Vec<String>>,
    /// Why they could not be read.
    pub error: Option<String>,
    pub input: Input,
    pub cursor: usize,
}

impl CategoryPicker {
    pub fn new(transactions: Vec<String>, ticket: u64) -> Self {
        Self {
            transactions,
            ticket,
            names: None,
            error: None,
            input: Input::default(),
            cursor: 0,
        }
    }

    /// The names that match what is typed (every word, case and accents ignored), then "no
    /// category".
    pub fn shown(&self) -> Vec<&str> {
        let Some(names) = &self.names else {
            return Vec::new();
        };
        let typed = qonto_books::query::fold(self.input.value());
        let words: Vec<&str> = typed.split_whitespace().collect();
        let mut shown: Vec<&str> = names
            .iter()
            .filter(|n| {
                let folded = qonto_books::query::fold(n);
                words.iter().all(|w| folded.contains(w))
            })
            .map(String::as_str)
            .collect();
        shown.push(NONE);
        shown
    }

    /// The name under the cursor: `Some(None)` clears.
    pub fn chosen(&self) -> Option<Option<String>> {
        let shown = self.shown();
        let name = shown.get(self.cursor.min(shown.len().saturating_sub(1)))?;
        Some((*name != NONE).then(|| name.to_string()))
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.shown().len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_filters_and_the_last_choice_clears() {
        let mut p = CategoryPicker::new(vec!["tx".into()], 1);
        assert!(p.shown().is_empty(), "nothing while the names are read");
        p.names = Some(vec![
            "Operations / Software".into(),
            "Operations / Télécom".into(),
            "Bank fees".into(),
        ]);
        assert_eq!(p.shown().len(), 4);
        p.input = Input::new("ops tele".into());
        assert_eq!(
            p.shown(),
            Vec::<&str>::from([NONE]),
            "every word must match"
        );
        p.input = Input::new("operations tele".into());
        assert_eq!(p.shown(), ["Operations / Télécom", NONE]);
        assert_eq!(p.chosen(), Some(Some("Operations / Télécom".into())));
        p.move_by(5);
        assert_eq!(p.chosen(), Some(None), "the last one clears");
    }
}
