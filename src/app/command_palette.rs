//! The command palette (`:`): every command of the key map with its key, every organization,
//! saved view and recent search, found by fuzzy words (helix's matcher); the one picked runs.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use qonto_books::query::fold;
use tui_input::Input;

use super::keymap::{Action, KeyMap};

/// What an entry does when it is picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// What the key would do.
    Action(Action),
    /// Select this organization (by id).
    Org(String),
    /// Open the search on this query.
    Search(String),
}

/// What kind of thing an entry is, shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Command,
    Organization,
    SavedView,
    Recent,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Command => "command",
            Kind::Organization => "organization",
            Kind::SavedView => "saved view",
            Kind::Recent => "recent search",
        }
    }
}

/// One line of the palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub pick: Pick,
    pub kind: Kind,
    pub title: String,
    /// The key that does the same ("s", "^R"), when there is one.
    pub key: String,
    /// What the matcher reads: the title and the kind's word, so "org acme" finds Acme.
    haystack: String,
}

impl Entry {
    pub fn new(pick: Pick, kind: Kind, title: impl Into<String>, key: impl Into<String>) -> Self {
        let title = title.into();
        // Folded as the pattern is: accents and case never decide.
        let haystack = fold(&format!("{title} {}", kind.word()));
        Self {
            pick,
            kind,
            title,
            key: key.into(),
            haystack,
        }
    }
}

/// The views a person opens most, listed first when nothing is typed.
const HEADLINE: [Action; 8] = [
    Action::Board,
    Action::Search,
    Action::Receipts,
    Action::Review,
    Action::Cash,
    Action::Inbox,
    Action::Rules,
    Action::Export,
];

/// The entries of the key map's commands: the headline views first, then the rest in the
/// order the help lists them.
pub fn commands(keys: &KeyMap) -> Vec<Entry> {
    let mut bindings: Vec<_> = keys.commands().collect();
    bindings.sort_by_key(|b| {
        HEADLINE
            .iter()
            .position(|a| *a == b.action)
            .unwrap_or(HEADLINE.len())
    });
    bindings
        .into_iter()
        .map(|b| Entry::new(Pick::Action(b.action), Kind::Command, b.help, b.label()))
        .collect()
}

/// Every entry, in the order shown when nothing is typed: the headline views, saved views,
/// recent searches, organizations, then the other commands.
pub fn entries(
    keys: &KeyMap,
    saved: impl IntoIterator<Item = (String, String, String)>,
    recent: impl IntoIterator<Item = String>,
    orgs: impl IntoIterator<Item = (String, String)>,
) -> Vec<Entry> {
    let mut all = commands(keys);
    let rest = all.split_off(HEADLINE.len().min(all.len()));
    all.extend(
        saved
            .into_iter()
            .map(|(name, query, key)| Entry::new(Pick::Search(query), Kind::SavedView, name, key)),
    );
    all.extend(
        recent
            .into_iter()
            .map(|query| Entry::new(Pick::Search(query.clone()), Kind::Recent, query, "")),
    );
    all.extend(
        orgs.into_iter()
            .map(|(id, name)| Entry::new(Pick::Org(id), Kind::Organization, name, "")),
    );
    all.extend(rest);
    all
}

/// The palette while it is open.
pub struct CommandPalette {
    pub input: Input,
    entries: Vec<Entry>,
    /// Indexes into `entries` of those the words match, best first.
    shown: Vec<usize>,
    pub cursor: usize,
    matcher: Matcher,
}

impl std::fmt::Debug for CommandPalette {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandPalette")
            .field("input", &self.input.value())
            .field("shown", &self.shown.len())
            .field("cursor", &self.cursor)
            .finish()
    }
}

impl CommandPalette {
    pub fn new(entries: Vec<Entry>) -> Self {
        let shown = (0..entries.len()).collect();
        Self {
            input: Input::default(),
            entries,
            shown,
            cursor: 0,
            matcher: Matcher::new(Config::DEFAULT),
        }
    }

    /// New entries (the history came), matched by the words typed.
    pub fn replace_entries(&mut self, entries: Vec<Entry>) {
        self.entries = entries;
        self.refilter();
    }

    /// Matches the entries again after the words changed: every entry when there are none,
    /// else those all the words match (in order, letters may be apart), best first.
    pub fn refilter(&mut self) {
        let words = self.input.value();
        self.cursor = 0;
        if words.trim().is_empty() {
            self.shown = (0..self.entries.len()).collect();
            return;
        }
        let pattern = Pattern::parse(&fold(words), CaseMatching::Ignore, Normalization::Smart);
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, usize)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let score =
                    pattern.score(Utf32Str::new(&e.haystack, &mut buf), &mut self.matcher)?;
                Some((score, i))
            })
            .collect();
        // Best first; equal scores keep the entries' own order (commands, then the rest).
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.shown = scored.into_iter().map(|(_, i)| i).collect();
    }

    /// The entries the words match, best first.
    pub fn shown(&self) -> impl Iterator<Item = &Entry> {
        self.shown.iter().filter_map(|i| self.entries.get(*i))
    }

    pub fn shown_count(&self) -> usize {
        self.shown.len()
    }

    pub fn total(&self) -> usize {
        self.entries.len()
    }

    pub fn chosen(&self) -> Option<&Entry> {
        self.entries.get(*self.shown.get(self.cursor)?)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn palette() -> CommandPalette {
        CommandPalette::new(entries(
            &KeyMap::default(),
            [(
                "missing_big".to_string(),
                "missing:receipt >500".to_string(),
                "F2".to_string(),
            )],
            ["side:debit".to_string()],
            [("o1".to_string(), "Acme Holding".to_string())],
        ))
    }

    fn typed(p: &mut CommandPalette, words: &str) -> Vec<String> {
        p.input = Input::new(words.to_string());
        p.refilter();
        p.shown().map(|e| e.title.clone()).collect()
    }

    #[test]
    fn words_find_commands_organizations_and_views_best_first() {
        let mut p = palette();
        let all = p.total();
        assert_eq!(p.shown_count(), all);
        assert!(all > 20, "{all}");
        let search = typed(&mut p, "search every");
        assert_eq!(
            search.first().map(String::as_str),
            Some("search every organization's transactions")
        );
        assert_eq!(
            p.chosen().map(|e| &e.pick),
            Some(&Pick::Action(Action::Search))
        );
        assert_eq!(p.chosen().map(|e| e.key.as_str()), Some("s"));
        // Letters apart, case and accents ignored, the kind's word matches too.
        let org = typed(&mut p, "ACMÉ org");
        assert_eq!(org, vec!["Acme Holding".to_string()]);
        assert_eq!(
            typed(&mut p, "missbig").first().map(String::as_str),
            Some("missing_big")
        );
        assert!(typed(&mut p, "zzzzqqq").is_empty());
        assert_eq!(p.chosen(), None);
        // The moving keys are not commands: they need the list they move in.
        typed(&mut p, "");
        assert!(p.shown().all(|e| e.pick != Pick::Action(Action::Down)));
        assert!(p.shown().all(|e| e.pick != Pick::Action(Action::Palette)));
    }

    #[test]
    fn the_cursor_stays_on_what_is_shown() {
        let mut p = palette();
        p.move_by(-5);
        assert_eq!(p.cursor, 0);
        p.move_by(isize::MAX / 2);
        assert_eq!(p.cursor, p.shown_count() - 1);
        typed(&mut p, "cash");
        assert_eq!(p.cursor, 0);
        p.move_by(100);
        assert!(p.cursor < p.shown_count());
    }
}
