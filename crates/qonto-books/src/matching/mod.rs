//! Matching receipts to the transactions that miss one, across every organization, offline
//! and deterministic. Each candidate is scored on the amount (exact cents on `amount` or on
//! `local_amount`, a card payment abroad), the date (near `emitted_at`: card payments settle
//! days later), the counterparty's words, and the extras (IBAN, invoice number, card digits). A
//! match is proposed only when the best is both good and clearly ahead of the second; otherwise
//! the candidates are listed. Every proposal says why; a person confirms it.

mod candidates;
pub mod facts;

use chrono::NaiveDate;

pub use facts::{Facts, read};

use crate::query::fold;

/// A transaction that misses its receipt, as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    /// Cents, unsigned.
    pub amount_cents: i64,
    pub currency: String,
    /// In the currency of the card payment, when it differs.
    pub local_amount_cents: Option<i64>,
    pub local_currency: Option<String>,
    pub emitted_on: Option<NaiveDate>,
    pub counterparty: String,
    pub card_last_digits: Option<String>,
    pub counterparty_iban: Option<String>,
    pub reference: Option<String>,
}

/// The best score a proposal needs, and how far ahead of the second it must be.
pub const CONFIDENT: f64 = 0.8;
pub const MARGIN: f64 = 0.2;
/// At most this many candidates are listed when none is confident.
const LISTED: usize = 5;
/// Below this a candidate is not worth listing.
const WORTH_LISTING: f64 = 0.45;

/// One candidate's score and the reasons for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scored {
    pub candidate: Candidate,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// What the matcher says about one receipt.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Proposal {
    /// One transaction, clearly: a person confirms it.
    Confident(Box<Scored>),
    /// Several could be it, or none well enough: listed for a person to choose.
    Candidates { candidates: Vec<Scored> },
}

/// Words a counterparty's name carries that say nothing about who it is.
const NOISE: [&str; 24] = [
    "sas", "sarl", "sasu", "eurl", "gmbh", "ltd", "inc", "llc", "the", "and", "les", "des", "du",
    "de", "la", "le", "und", "der", "die", "das", "payment", "paiement", "card", "carte",
];

fn name_words(name: &str) -> Vec<String> {
    fold(name)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !NOISE.contains(w))
        .map(String::from)
        .collect()
}

/// Scores `candidate` for a receipt with `facts` (its text's, with its file name's words).
pub fn score(facts: &Facts, candidate: &Candidate) -> Scored {
    let mut reasons = Vec::new();
    let names = name_words(&candidate.counterparty);
    let score = evaluate(facts, candidate, &names, Some(&mut reasons));
    Scored {
        candidate: candidate.clone(),
        score,
        reasons,
    }
}

/// The score of `candidate` (whose name's words are `names`), rounded to hundredths; its
/// reasons pushed to `explain` when given (a million candidates are scored without writing a
/// word).
fn evaluate(
    facts: &Facts,
    candidate: &Candidate,
    names: &[String],
    mut explain: Option<&mut Vec<String>>,
) -> f64 {
    let mut score = 0.0;
    let mut say = |words: &dyn Fn() -> String| {
        if let Some(reasons) = explain.as_deref_mut() {
            reasons.push(words());
        }
    };
    let money = |cents: i64| format!("{}.{:02}", cents / 100, cents % 100);
    // The amount.
    let foreign = candidate
        .local_currency
        .as_deref()
        .is_some_and(|c| c != candidate.currency);
    if facts.amounts.contains(&candidate.amount_cents) {
        score += 0.5;
        say(&|| {
            format!(
                "amount {} {} exact",
                money(candidate.amount_cents),
                candidate.currency
            )
        });
    } else if let Some(local) = candidate
        .local_amount_cents
        .filter(|l| facts.amounts.contains(l))
    {
        score += 0.5;
        say(&|| {
            format!(
                "amount {} {} exact (the card payment's own currency)",
                money(local),
                candidate.local_currency.as_deref().unwrap_or("")
            )
        });
    } else if let Some(near) = facts
        .amounts
        .iter()
        .find(|a| within(**a, candidate.amount_cents, 100))
    {
        score += 0.35;
        say(&|| format!("amount {} within 1%", money(*near)));
    } else if foreign
        && let Some(near) = facts
            .amounts
            .iter()
            .find(|a| within(**a, candidate.amount_cents, 20))
    {
        score += 0.2;
        say(&|| format!("amount {} within 5% (exchange rate)", money(*near)));
    }
    // The date: receipts are dated on or a little before the payment.
    if let Some(emitted) = candidate.emitted_on
        && let Some((gap, date)) = facts
            .dates
            .iter()
            .map(|d| ((*d - emitted).num_days(), *d))
            .min_by_key(|(gap, _)| gap.abs())
    {
        let points = match gap {
            -3..=3 => 0.25,
            -30..=10 => {
                let far = if gap < 0 { 30.0 } else { 10.0 };
                0.25 - 0.20 * ((gap.abs() - 3) as f64 / (far - 3.0))
            }
            _ => 0.0,
        };
        if points > 0.0 {
            score += points;
            say(&|| {
                let days = |n: i64| {
                    if n == 1 {
                        "1 day".to_string()
                    } else {
                        format!("{n} days")
                    }
                };
                let when = match gap {
                    0 => "same day".to_string(),
                    g if g < 0 => format!("{} before", days(-g)),
                    g => format!("{} after", days(g)),
                };
                format!("dated {date} ({when})")
            });
        }
    }
    // The counterparty.
    if names.iter().any(|w| facts.words.binary_search(w).is_ok()) {
        score += 0.2;
        say(&|| {
            let named: Vec<&str> = names
                .iter()
                .filter(|w| facts.words.binary_search(w).is_ok())
                .map(String::as_str)
                .collect();
            format!("names {}", named.join(" "))
        });
    }
    // The extras.
    if let Some(iban) = &candidate.counterparty_iban
        && facts
            .ibans
            .iter()
            .any(|i| i == &iban.replace(' ', "").to_ascii_uppercase())
    {
        score += 0.1;
        say(&|| "the counterparty's IBAN".into());
    }
    if let Some(reference) = &candidate.reference {
        let reference = reference.to_ascii_uppercase();
        if let Some(n) = facts
            .invoice_numbers
            .iter()
            .find(|n| reference.contains(n.as_str()))
        {
            score += 0.1;
            say(&|| format!("invoice {n} in the transfer's reference"));
        }
    }
    if let Some(card) = &candidate.card_last_digits
        && facts.card_last4.iter().any(|c| card.ends_with(c.as_str()))
    {
        score += 0.1;
        say(&|| format!("card ••{card}"));
    }
    (score * 100.0).round() / 100.0
}

/// What to propose for a receipt with `facts` among `candidates` (for many receipts, build a
/// [`Matcher`] once).
pub fn propose(facts: &Facts, candidates: &[Candidate]) -> Proposal {
    Matcher::new(candidates.to_vec()).propose(facts)
}

/// Transactions missing a receipt, indexed by amount: a receipt is scored only against those
/// whose amount could be its own (within 5%, or exactly their card payment's local amount),
/// found by binary search, so a thousand receipts against a million transactions is quick.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    candidates: Vec<Candidate>,
    /// Each candidate's counterparty words, folded once.
    names: Vec<Vec<String>>,
    by_amount: Vec<(i64, usize)>,
    by_local: Vec<(i64, usize)>,
}

impl Matcher {
    pub fn new(candidates: Vec<Candidate>) -> Self {
        let mut by_amount: Vec<(i64, usize)> = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.amount_cents, i))
            .collect();
        by_amount.sort_unstable();
        let mut by_local: Vec<(i64, usize)> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.local_amount_cents.map(|l| (l, i)))
            .collect();
        by_local.sort_unstable();
        let names = candidates
            .iter()
            .map(|c| name_words(&c.counterparty))
            .collect();
        Self {
            candidates,
            names,
            by_amount,
            by_local,
        }
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The candidates whose amount could be one of `facts`' amounts.
    fn plausible(&self, facts: &Facts) -> Vec<usize> {
        let range = |index: &[(i64, usize)], lo: i64, hi: i64| -> Vec<usize> {
            let from = index.partition_point(|(a, _)| *a < lo);
            index[from..]
                .iter()
                .take_while(|(a, _)| *a <= hi)
                .map(|(_, i)| *i)
                .collect()
        };
        let mut picked = Vec::new();
        for a in &facts.amounts {
            // |a − c| × 20 ≤ c  ⇔  c ∈ [⌈20a/21⌉, ⌊20a/19⌋].
            let lo = a.saturating_mul(20).saturating_add(20) / 21;
            let hi = a.saturating_mul(20) / 19;
            picked.extend(range(&self.by_amount, lo, hi));
            picked.extend(range(&self.by_local, *a, *a));
        }
        picked.sort_unstable();
        picked.dedup();
        picked.retain(|i| plausible_amount(facts, &self.candidates[*i]));
        picked
    }

    /// What to propose for a receipt with `facts`.
    pub fn propose(&self, facts: &Facts) -> Proposal {
        // Scored silently, then only the best few are explained.
        let mut ranked: Vec<(f64, usize)> = self
            .plausible(facts)
            .into_iter()
            .map(|i| {
                (
                    evaluate(facts, &self.candidates[i], &self.names[i], None),
                    i,
                )
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.candidates[a.1].id.cmp(&self.candidates[b.1].id))
        });
        let scored: Vec<Scored> = ranked
            .into_iter()
            .take(LISTED.max(2))
            .map(|(_, i)| {
                let mut reasons = Vec::new();
                let c = &self.candidates[i];
                let score = evaluate(facts, c, &self.names[i], Some(&mut reasons));
                Scored {
                    candidate: c.clone(),
                    score,
                    reasons,
                }
            })
            .collect();
        let second = scored.get(1).map_or(0.0, |s| s.score);
        match scored.first() {
            // Scores are in hundredths: compared with a hair of slack for the float sum.
            Some(best)
                if best.score >= CONFIDENT - 1e-9 && best.score - second >= MARGIN - 1e-9 =>
            {
                Proposal::Confident(Box::new(best.clone()))
            }
            _ => Proposal::Candidates {
                candidates: scored
                    .into_iter()
                    .filter(|s| s.score >= WORTH_LISTING)
                    .take(LISTED)
                    .collect(),
            },
        }
    }
}

/// Whether `amount` is within 1/`parts` of `of` (in wide integers: amounts come from outside).
fn within(amount: i64, of: i64, parts: i128) -> bool {
    (i128::from(amount) - i128::from(of)).abs() * parts <= i128::from(of)
}

/// Whether one of the receipt's amounts could be `c`'s, by the rules the score uses: exact (or
/// its card payment's local amount), within 1%, or within 5% for a payment in another currency.
fn plausible_amount(facts: &Facts, c: &Candidate) -> bool {
    let foreign = c.local_currency.as_deref().is_some_and(|l| l != c.currency);
    let tolerance = if foreign { 20 } else { 100 };
    facts.amounts.iter().any(|a| {
        within(*a, c.amount_cents, tolerance) || c.local_amount_cents.is_some_and(|l| *a == l)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, cents: i64, day: u32, who: &str) -> Candidate {
        Candidate {
            id: id.into(),
            org_id: "org".into(),
            org_name: "Org".into(),
            amount_cents: cents,
            currency: "EUR".into(),
            local_amount_cents: None,
            local_currency: None,
            emitted_on: NaiveDate::from_ymd_opt(2026, 11, day),
            counterparty: who.into(),
            card_last_digits: None,
            counterparty_iban: None,
            reference: None,
        }
    }

    #[test]
    fn a_clear_match_is_proposed_with_its_reasons() {
        let facts = read("URSSAF d'Île-de-France\nDate : 19/11/2026\nTotal : 1 234,56 €");
        let books = [
            candidate("a", 123_456, 19, "URSSAF"),
            candidate("b", 123_456, 2, "Leroy Merlin"),
            candidate("c", 9_900, 19, "URSSAF"),
        ];
        let Proposal::Confident(best) = propose(&facts, &books) else {
            panic!("a confident proposal");
        };
        assert_eq!(best.candidate.id, "a");
        assert!(
            best.reasons.iter().any(|r| r.contains("exact")),
            "{:?}",
            best.reasons
        );
        assert!(best.reasons.iter().any(|r| r.contains("same day")));
        assert!(best.reasons.iter().any(|r| r.contains("urssaf")));
    }

    #[test]
    fn two_transactions_alike_are_listed_not_proposed() {
        let facts = read("Alan Assurance — 246,99 € — 03/11/2026");
        let books = [
            candidate("a", 24_699, 3, "Alan Assurance"),
            candidate("b", 24_699, 4, "Alan Assurance"),
        ];
        let Proposal::Candidates { candidates: listed } = propose(&facts, &books) else {
            panic!("no confident proposal when two are alike");
        };
        assert_eq!(listed.len(), 2);
    }

    #[test]
    fn a_card_payment_abroad_matches_on_its_local_amount() {
        let facts = read("Hotel Zürich AG\n19.11.2026\nTotal CHF 180.00\nKarte **** 4821");
        let mut paid = candidate("chf", 19_234, 19, "Hotel Zurich");
        paid.local_amount_cents = Some(18_000);
        paid.local_currency = Some("CHF".into());
        paid.card_last_digits = Some("4821".into());
        let Proposal::Confident(best) = propose(&facts, &[paid, candidate("x", 18_000, 1, "Fnac")])
        else {
            panic!("matched on the local amount");
        };
        assert_eq!(best.candidate.id, "chf");
        assert!(best.reasons.iter().any(|r| r.contains("own currency")));
    }

    #[test]
    fn the_index_finds_what_a_full_scan_finds() {
        let mut books: Vec<Candidate> = (0..2_000)
            .map(|i| {
                candidate(
                    &format!("t{i}"),
                    1_000 + i * 37 % 50_000,
                    1 + (i % 28) as u32,
                    "Shop",
                )
            })
            .collect();
        books[7].local_amount_cents = Some(99);
        let matcher = Matcher::new(books.clone());
        for amounts in [
            vec![1_000],
            vec![12_345, 99],
            vec![50_999],
            vec![1],
            vec![i64::MAX / 40],
            vec![i64::MAX],
        ] {
            let facts = Facts {
                amounts,
                ..Facts::default()
            };
            let scan: Vec<usize> = (0..books.len())
                .filter(|i| plausible_amount(&facts, &books[*i]))
                .collect();
            assert_eq!(matcher.plausible(&facts), scan, "{:?}", facts.amounts);
        }
    }

    #[test]
    fn a_decoy_matches_nothing() {
        let facts = read("Bakery receipt 3,20 € 2026-11-19 Merci !");
        let books = [
            candidate("a", 123_456, 19, "URSSAF"),
            candidate("b", 2_500, 19, "Bakery"),
        ];
        assert_eq!(
            propose(&facts, &books),
            Proposal::Candidates { candidates: vec![] }
        );
    }
}
