//! Transfers between the demo user's own organizations: each organization of the first round
//! pays the holding a monthly fee from its main account, so that both legs of a transfer
//! between one's own organizations exist for the app to recognise.

use super::*;

impl DemoData {
    /// Transfers between the user's own organizations: each organization of the first round
    /// pays the holding a monthly fee from its main account, for the last three months. Both
    /// legs come from the same plan, so each debit has its credit. None when the number of
    /// transactions per account is set: then every account holds exactly that many.
    pub(super) fn internal_legs(&self, account: &Account) -> Vec<Tx> {
        if self.options.transactions_per_account.is_some() {
            return Vec::new();
        }
        let round = &self.orgs[..self.first_round.min(self.orgs.len())];
        let Some(holding) = round.iter().position(|o| o.name.contains("Holding")) else {
            return Vec::new();
        };
        let Some(to) = round[holding].accounts.first() else {
            return Vec::new();
        };
        let mut legs = Vec::new();
        for (index, payer) in round.iter().enumerate() {
            let Some(from) = payer.accounts.first().filter(|_| index != holding) else {
                continue;
            };
            let paying = account.id == from.id;
            if !paying && account.id != to.id {
                continue;
            }
            for month in 0..3i64 {
                let emitted_at = account.anchor - Duration::days(5 + 30 * month);
                let settled_at = emitted_at + Duration::hours(2);
                let leg = if paying { "out" } else { "in" };
                let mut rng = SeededRng::derive(
                    self.options.seed,
                    &format!("internal-{}-{month}-{leg}", payer.id),
                );
                legs.push(Tx {
                    id: rng.uuid(),
                    number: rng.range(1000, 9999) as u32,
                    counterparty: self.pool_size + if paying { holding } else { index },
                    amount_cents: 150_000 + 25_000 * index as i64,
                    side: if paying { Side::Debit } else { Side::Credit },
                    status: TxStatus::Completed,
                    emitted_at,
                    settled_at: Some(settled_at),
                    updated_at: settled_at,
                    settled_balance_cents: None,
                    label_id: None,
                    card_last_digits: None,
                    reference: Some(format!("Management fee {}", emitted_at.format("%Y-%m"))),
                    note: None,
                    vat: Vat::None,
                });
            }
        }
        legs
    }
}
