//! The text walk's reading of characters and words, checked against SQLite's own full-text
//! index with the books' tokenizer.

use super::*;

/// An in-memory full-text table tokenized as the books' is (schema 12).
fn index() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE VIRTUAL TABLE f USING fts5(a, b, c, d,
             tokenize = 'unicode61 remove_diacritics 2')",
    )
    .unwrap();
    db
}

/// Every character the walk claims to read as the index does, asked of the index: a letter
/// is found by its folded form, a separator splits two words.
#[test]
fn every_character_read_is_read_as_the_index_reads_it() {
    let db = index();
    let claimed: Vec<(char, Read)> = (0u32..0x250)
        .chain(0x1E00..0x1F00)
        .chain(0x2000..0x2100)
        .filter_map(char::from_u32)
        .map(|c| (c, read(c)))
        .filter(|(_, r)| *r != Read::Unsure)
        .collect();
    assert!(claimed.len() > 700, "{} characters read", claimed.len());
    let mut insert = db
        .prepare("INSERT INTO f (rowid, a) VALUES (?1, ?2)")
        .unwrap();
    for (at, (c, _)) in claimed.iter().enumerate() {
        insert
            .execute(rusqlite::params![at as i64, format!("xq{c}yq")])
            .unwrap();
    }
    let mut found = db
        .prepare("SELECT count(*) FROM f WHERE f MATCH ?1 AND rowid = ?2")
        .unwrap();
    let mut wrong = Vec::new();
    for (at, (c, how)) in claimed.iter().enumerate() {
        let term = match how {
            Read::Letter(l) => format!("\"xq{l}yq\""),
            _ => "\"yq\"".to_string(),
        };
        let n: i64 = found
            .query_row(rusqlite::params![term, at as i64], |r| r.get(0))
            .unwrap();
        // A letter that is `q` or a digit would make `xq…yq` one word either way: the term
        // must be found; a separator must leave `yq` a word of its own.
        if n != 1 {
            wrong.push(format!("{c:?} U+{:04X} {how:?}", u32::from(*c)));
        }
    }
    assert!(wrong.is_empty(), "read otherwise by the index: {wrong:?}");
}

#[test]
fn characters_the_walk_cannot_vouch_for_stop_it() {
    for c in [
        'ß', 'œ', 'æ', 'ø', 'ł', 'ﬁ', 'Ǡ', 'ж', '中', '\u{E000}', '²',
    ] {
        assert_eq!(read(c), Read::Unsure, "{c}");
    }
    assert_eq!(tokens("Straße"), None);
    assert_eq!(
        tokens("Société Générale – Prélèvement €12,50"),
        Some(
            ["societe", "generale", "prelevement", "12", "50"]
                .map(String::from)
                .to_vec()
        )
    );
}

/// The words a person types, each checked on rows by the walk and by the index.
#[test]
fn a_row_matches_by_the_walk_exactly_when_it_matches_in_the_index() {
    let db = index();
    let rows: [[&str; 4]; 8] = [
        [
            "URSSAF",
            "Prélèvement URSSAF Île-de-France",
            "REF-2026-10",
            "",
        ],
        ["DGFiP - TVA", "TVA du mois", "", "déclaration"],
        [
            "Stripe Payments Europe",
            "STRIPE payout",
            "po_123",
            "note: urgent",
        ],
        ["Studio Kern", "Facture F-12", "F-12", ""],
        ["SNCF Connect", "Billet Paris Lyon", "", "équipe dîner"],
        ["", "", "", ""],
        ["Maison Dubois", "Virement reçu", "12,50", "u"],
        ["O'Neil & Co", "café crème", "a-b-c", "x y z"],
    ];
    for (at, row) in rows.iter().enumerate() {
        db.execute(
            "INSERT INTO f (rowid, a, b, c, d) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![at as i64, row[0], row[1], row[2], row[3]],
        )
        .unwrap();
    }
    let queries: &[&[&str]] = &[
        &["ur"],
        &["urssaf"],
        &["u"],
        &["s"],
        &["st"],
        &["stripe", "payout"],
        &["ile-de"],
        &["ile-de-france"],
        &["de-f"],
        &["ref-2026"],
        &["2026-1"],
        &["f-12"],
        &["12"],
        &["12,5"],
        &["tva", "mois"],
        &["tva", "semaine"],
        &["equipe"],
        &["diner"],
        &["o'neil"],
        &["neil"],
        &["a-b"],
        &["b-c"],
        &["x", "z"],
        &["y-z"],
        &["cafe", "creme"],
        &["paris", "lyon"],
        &["lyon", "paris"],
        &["paris-lyon"],
        &["lyon-paris"],
        &["note", "urgent"],
        &["zzz"],
    ];
    let walk = TextWalk::install(&db).unwrap();
    for words in queries {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let terms: Vec<String> = words.iter().map(|w| crate::search::term(w)).collect();
        let mut by_index: Vec<i64> = db
            .prepare("SELECT rowid FROM f WHERE f MATCH ?1")
            .unwrap()
            .query_map([terms.join(" ")], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        by_index.sort_unstable();
        assert!(walk.arm(&words, 1_000), "{words:?}");
        let by_walk: Vec<i64> = db
            .prepare(&format!(
                "SELECT rowid FROM f WHERE {WORDS_IN_TEXT}(a, b, c, d) ORDER BY rowid"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(by_walk, by_index, "{words:?}");
        assert!(!walk.stopped());
    }
}

#[test]
fn the_walk_stops_when_its_budget_is_spent_or_a_text_is_unsure() {
    let db = index();
    for text in ["urssaf", "urssaf", "urssaf", "Straße"] {
        db.execute("INSERT INTO f (a) VALUES (?1)", [text]).unwrap();
    }
    let walk = TextWalk::install(&db).unwrap();
    let count = |budget: usize, limit: i64| {
        assert!(walk.arm(&["ur".to_string()], budget));
        db.query_row(
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM f WHERE {WORDS_IN_TEXT}(a, b, c, d)
                 ORDER BY rowid LIMIT ?1)"
            ),
            [limit],
            |r| r.get::<_, i64>(0),
        )
    };
    // Three rows are enough for three matches: the fourth is never read.
    assert_eq!(count(3, 3).unwrap(), 3);
    assert!(!walk.stopped());
    // Two rows allowed, three asked for.
    assert!(count(2, 3).is_err());
    assert!(walk.stopped());
    // The fourth row cannot be read alike.
    assert!(count(10, 4).is_err());
    assert!(walk.stopped());
    // A word with nothing the index would keep, or a letter it reads otherwise: no walk.
    assert!(!walk.arm(&["-".to_string()], 10));
    assert!(!walk.arm(&["ærø".to_string()], 10));
}
