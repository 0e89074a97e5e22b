//! Fuzzes what a receipt's text is read for and how it is matched: any text (OCR output is
//! anything) gives facts without a panic, every amount found is positive and bounded, and the
//! matcher's proposal for them is one it can explain, among candidates made from the text itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_books::matching::{Candidate, Matcher, Proposal, read};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let facts = read(&text);
    assert!(facts.amounts.iter().all(|a| *a > 0 && *a <= 1_000_000_000_000));
    assert!(facts.card_last4.iter().all(|c| c.len() == 4));
    // Candidates at the amounts and dates the text names, so the matcher's every branch runs.
    let candidates: Vec<Candidate> = facts
        .amounts
        .iter()
        .zip(facts.dates.iter().cycle())
        .enumerate()
        .map(|(i, (amount, date))| Candidate {
            id: format!("t{i}"),
            org_id: "org".into(),
            org_name: "Org".into(),
            amount_cents: *amount,
            currency: "EUR".into(),
            local_amount_cents: Some(amount / 2),
            local_currency: Some(if i % 2 == 0 { "EUR" } else { "USD" }.into()),
            emitted_on: Some(*date),
            counterparty: facts.words.first().cloned().unwrap_or_default(),
            card_last_digits: facts.card_last4.first().cloned(),
            counterparty_iban: facts.ibans.first().cloned(),
            reference: facts.invoice_numbers.first().cloned(),
        })
        .collect();
    match Matcher::new(candidates).propose(&facts) {
        Proposal::Confident(best) => assert!(!best.reasons.is_empty() && best.score >= 0.79),
        Proposal::Candidates { candidates } => assert!(candidates.len() <= 5),
    }
});
