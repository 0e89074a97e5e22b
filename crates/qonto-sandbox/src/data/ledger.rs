//! Each account's ledger (generated lazily from the seed), its IBAN with valid check digits, and
//! the months a statement covers.

use super::*;

/// `extra` transactions (transfers between the user's own organizations) join the drawn ones
/// in date order; the balances are worked out over both.
pub(super) fn build_ledger(
    account: &Account,
    counterparties: &[Counterparty],
    extra: Vec<Tx>,
) -> Ledger {
    let mut rng = SeededRng::new(account.seed);
    let n = account.transaction_count;
    let span_days = (n as i64 / 2).clamp(60, 3650);
    let start = account.anchor - Duration::days(span_days);
    let span_secs = span_days * 86_400;
    let total_weight: u64 = counterparties
        .iter()
        .map(|c| u64::from(c.weight))
        .sum::<u64>()
        .max(1);
    let mut txs = Vec::with_capacity(n);
    for i in 0..n {
        let base = span_secs * (i as i64 + 1) / (n as i64 + 1);
        let emitted_at = start + Duration::seconds(base + rng.range(0, 3600));
        let mut pick = rng.next_u64() % total_weight;
        let mut cp_index = 0;
        for (ci, c) in counterparties.iter().enumerate() {
            if pick < u64::from(c.weight) {
                cp_index = ci;
                break;
            }
            pick -= u64::from(c.weight);
        }
        let Some(cp) = counterparties.get(cp_index) else {
            break;
        };
        let amount_cents = rng.range(cp.min_cents, cp.max_cents);
        let age = account.anchor - emitted_at;
        let status = if age < Duration::days(2) && rng.chance(45) {
            TxStatus::Pending
        } else if cp.operation_type == "card" && rng.chance(3) {
            TxStatus::Declined
        } else {
            TxStatus::Completed
        };
        let settled_at = match status {
            TxStatus::Completed => {
                Some((emitted_at + Duration::seconds(rng.range(60, 172_800))).min(account.anchor))
            }
            _ => None,
        };
        let card = cp.operation_type == "card";
        let id = rng.uuid();
        let number = rng.range(1000, 9999) as u32;
        let taxed = cp.side == Side::Debit
            && matches!(
                cp.category.as_str(),
                "online_service" | "supplies" | "restaurant_and_bar"
            );
        // One restaurant bill in three mixes food and drinks: two rates on one transaction.
        // Chosen from the number already drawn, so the books stay as the seed made them.
        let vat = match (taxed, cp.category.as_str()) {
            (false, _) => Vat::None,
            (true, "restaurant_and_bar") if number.is_multiple_of(3) => Vat::Split(MEAL),
            (true, _) => Vat::Rate(20.0),
        };
        txs.push(Tx {
            id,
            number,
            counterparty: cp_index,
            amount_cents,
            side: cp.side,
            status,
            emitted_at,
            settled_at,
            updated_at: settled_at.unwrap_or(emitted_at),
            settled_balance_cents: None,
            label_id: if rng.chance(30) {
                rng.pick(&account.label_ids).cloned()
            } else {
                None
            },
            card_last_digits: card.then(|| rng.digits(4)),
            reference: (cp.operation_type == "transfer").then(|| format!("FACT-{}", rng.digits(6))),
            note: if rng.chance(10) {
                Some("See invoice in Drive".to_string())
            } else {
                None
            },
            vat,
        });
    }

    for tx in extra {
        let at = txs.partition_point(|t| t.emitted_at <= tx.emitted_at);
        txs.insert(at, tx);
    }

    // Choose the opening balance so that the account never goes below zero.
    let mut running = 0i64;
    let mut lowest = 0i64;
    for tx in &txs {
        if tx.status == TxStatus::Completed {
            running += signed(tx);
            lowest = lowest.min(running);
        }
    }
    let opening = account.opening_balance_cents.max(-lowest + 50_000);
    let mut balance = opening;
    let mut pending_debits = 0;
    for tx in &mut txs {
        match tx.status {
            TxStatus::Completed => {
                balance += signed(tx);
                tx.settled_balance_cents = Some(balance);
            }
            TxStatus::Pending if tx.side == Side::Debit => pending_debits += tx.amount_cents,
            _ => {}
        }
    }
    let updated_at = txs.last().map(|t| t.updated_at).unwrap_or(account.anchor);
    Ledger {
        transactions: txs,
        balance_cents: balance,
        authorized_balance_cents: balance - pending_debits,
        updated_at,
    }
}

pub(super) fn signed(tx: &Tx) -> i64 {
    match tx.side {
        Side::Credit => tx.amount_cents,
        Side::Debit => -tx.amount_cents,
    }
}

pub(super) fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// A well-formed IBAN (valid check digits) for the country, and the Qonto BIC.
pub(super) fn make_iban(country: &str, rng: &mut SeededRng) -> (String, String) {
    let bban = match country {
        "DE" => format!("10010010{}", rng.digits(10)),
        _ => format!("16798{}{}", rng.digits(5), rng.digits(13)),
    };
    let check = iban_check_digits(country, &bban);
    let bic = if country == "DE" {
        "QNTODEB2XXX"
    } else {
        "QNTOFRP1XXX"
    };
    (format!("{country}{check:02}{bban}"), bic.to_string())
}

fn iban_check_digits(country: &str, bban: &str) -> u32 {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let value = if c.is_ascii_digit() {
            c as u32 - '0' as u32
        } else {
            c.to_ascii_uppercase() as u32 - 'A' as u32 + 10
        };
        rem = if value >= 10 {
            (rem * 100 + value) % 97
        } else {
            (rem * 10 + value) % 97
        };
    }
    98 - rem
}

/// Statement periods ("MM-YYYY") an account has, oldest first: every full month of its history.
pub fn statement_periods(ledger: &Ledger, anchor: DateTime<Utc>) -> Vec<String> {
    let Some(first) = ledger.transactions.first() else {
        return Vec::new();
    };
    let mut periods = Vec::new();
    let (mut y, mut m) = (first.emitted_at.year(), first.emitted_at.month());
    let (end_y, end_m) = (anchor.year(), anchor.month());
    while (y, m) < (end_y, end_m) {
        periods.push(format!("{m:02}-{y}"));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    periods
}

/// A fixed "today" for reproducible tests and snapshots.
pub fn fixed_anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
        .single()
        .unwrap_or_else(Utc::now)
}
