//! The search syntax's tests: amounts, periods, filters, and what `OR`, `-` and `sort:` mean.

use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

#[test]
fn amounts_at_the_edge_are_refused_not_wrapped() {
    let err = parse(">92233720368547758.07").map(|q| q.amount);
    assert!(err.is_err(), "{err:?}");
    assert!(
        parse(">92233720368547758.08").is_err(),
        "beyond i64: not an amount"
    );
    assert!(matches!(parse(">92233720368547758.06"), Ok(q) if q.amount.min == Some(i64::MAX)));
}

#[test]
fn a_date_begins_with_a_year_of_four_digits() {
    // Found by the search_query fuzz target: chrono read `-90-9-9` as a day of the year -90,
    // which the form wrote back as `-0090-09-09`, a word left out.
    assert_eq!(days("-90-9-9"), None);
    assert_eq!(parse("\"\t-90-9-9").map(|q| q.period), Ok(None));
    assert_eq!(
        days("2026-1-5"),
        Some((day("2026-01-05"), day("2026-01-05")))
    );
    assert_eq!(days("2026-10").map(|d| d.1), Some(day("2026-10-31")));
}

#[test]
fn dates_that_share_no_day_are_refused() {
    assert!(parse("2026-01 2026-02").is_err());
    assert!(parse("<0").is_err(), "nothing is below 0");
    // Found by the search_query fuzz target: a quote inside a value changed through the form.
    assert!(parse("label:\0>=\"<\n\n").is_err());
    assert!(matches!(parse("<0.01"), Ok(q) if q.amount.max == Some(0)));
    assert!(matches!(parse("2026-01 2026-01-15..2026-03"), Ok(q) if q.period.is_some()));
}

#[test]
fn dots_in_a_filter_or_a_word_are_not_a_range() {
    assert!(
        matches!(parse("org:\"A..Z Conseil\""), Ok(q) if q.org.as_deref() == Some("a..z conseil"))
    );
    assert!(matches!(parse("etc... A..Z"), Ok(q) if q.words == ["etc", "a", "z"]));
    assert!(
        parse("10..abc").is_err(),
        "half an amount range is a mistake said"
    );
    assert!(
        matches!(parse("20..10"), Ok(q) if q.amount.min == Some(1000) && q.amount.max == Some(2000))
    );
}

#[test]
fn the_example_of_the_issue_reads_as_a_person_means_it() {
    let q = parse("urssaf >1000 2026-10 missing:receipt org:brasserie").unwrap_or_default();
    assert_eq!(q.words, vec!["urssaf"]);
    assert_eq!(
        q.amount,
        AmountRange {
            min: Some(100_001),
            max: None
        }
    );
    assert_eq!(q.period, Some((day("2026-10-01"), day("2026-10-31"))));
    assert!(q.missing_receipt);
    assert_eq!(q.org.as_deref(), Some("brasserie"));
}

#[test]
fn amounts_and_periods() {
    let q = parse("100..250 2026-10-01..2026-10-15").unwrap_or_default();
    assert_eq!(
        q.amount,
        AmountRange {
            min: Some(10_000),
            max: Some(25_000)
        }
    );
    assert_eq!(q.period, Some((day("2026-10-01"), day("2026-10-15"))));
    let q = parse("<50 >=12,5 2026-02").unwrap_or_default();
    assert_eq!(
        q.amount,
        AmountRange {
            min: Some(1_250),
            max: Some(4_999)
        }
    );
    assert_eq!(q.period, Some((day("2026-02-01"), day("2026-02-28"))));
    assert!(q.amount.contains(-2_000) && !q.amount.contains(5_000));
    let q = parse("2025-12 2025-11..2026-01").unwrap_or_default();
    assert_eq!(q.period, Some((day("2025-12-01"), day("2025-12-31"))));
}

#[test]
fn words_are_folded_and_filters_checked() {
    let q = parse(r#"Société  GÉNÉRALE org:"Café du" label:Frais side:debit"#).unwrap_or_default();
    assert_eq!(q.words, vec!["societe", "generale"]);
    assert_eq!(q.org.as_deref(), Some("cafe du"));
    assert_eq!(q.label.as_deref(), Some("frais"));
    assert_eq!(q.side.as_deref(), Some("debit"));
    assert_eq!(fold("Straße Œuvre"), "strasse oeuvre");
    for bad in [
        "side:up",
        "status:lost",
        "colour:red",
        "missing:cat",
        ">abc",
        "org:",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    assert!(matches!(parse(""), Ok(q) if q.is_empty()));
    assert!(matches!(parse("missing:receipt sort:org"), Ok(q) if q.by_org()));
    let q = parse("category:\"Télécom\" \"Uncategorized.\" urssaf").unwrap_or_default();
    assert_eq!(q.category.as_deref(), Some("telecom"));
    assert!(q.uncategorized);
    assert_eq!(q.words, vec!["urssaf"]);
    assert!(parse("sort:size").is_err());
}

#[test]
fn or_joins_words_and_a_dash_leaves_out() {
    let q =
        parse("urssaf OR dgfip OR impots loyer -remboursement -label:travel -org:\"Laurent H\"")
            .unwrap_or_default();
    assert_eq!(q.words, vec!["loyer"]);
    assert_eq!(q.any_words, vec![vec!["urssaf", "dgfip", "impots"]]);
    assert_eq!(q.not_words, vec!["remboursement"]);
    assert_eq!(
        q.not,
        vec![
            Negated::Label("travel".into()),
            Negated::Org("laurent h".into())
        ]
    );
    assert!(matches!(parse("-side:credit"), Ok(q) if q.not == [Negated::Side("credit".into())]));
    for bad in [
        "OR a",
        "a OR",
        "a OR OR b",
        "a OR -b",
        "-missing:receipt",
        "-sort:org",
        "-side:up",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    // `or` in lower case is a word; a lone dash and a double dash are not negations.
    assert!(matches!(parse("bread or butter"), Ok(q) if q.words == ["bread", "or", "butter"]));
    assert!(matches!(parse("- --x"), Ok(q) if q.not_words.is_empty() && q.words == ["x"]));
}

#[test]
fn the_later_sort_wins() {
    assert_eq!(parse("sort:amount").map(|q| q.sort), Ok(Sort::Amount));
    assert_eq!(parse("sort:org sort:date").map(|q| q.sort), Ok(Sort::Date));
    assert_eq!(parse("x").map(|q| q.sort), Ok(Sort::Date));
    for sort in Sort::ALL {
        assert_eq!(parse(sort.token()).map(|q| q.sort), Ok(sort));
    }
}

/// A spacing mark folds to a space: a filter's value does not keep it at its ends (the search
/// form trims it, and the two must read the same; the fuzzer found `org:…¨`).
#[test]
fn a_filter_value_is_trimmed_after_folding() {
    assert_eq!(parse("org:ab¨").map(|q| q.org), Ok(Some("ab".into())));
    assert_eq!(parse("account:´x").map(|q| q.account), Ok(Some("x".into())));
    assert!(parse("org:¨").is_err(), "nothing left is no value");
}
