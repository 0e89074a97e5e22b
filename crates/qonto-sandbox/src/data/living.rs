//! Books that keep moving (`--new-transactions-every`): now and then a new pending transaction
//! appears on some account and the oldest pending one settles (and may get its receipt), each
//! with `updated_at` set to the sandbox's now, so that sync and watch have something to find.

use std::collections::HashMap;
use std::sync::Mutex;

use super::ledger::signed;
use super::*;

/// The accounts whose ledgers moved since the start, over the generated ones.
#[derive(Debug, Default)]
pub struct LivingBooks {
    moved: Mutex<HashMap<String, Arc<Ledger>>>,
    steps: Mutex<u64>,
}

impl LivingBooks {
    /// The account's ledger as it stands now.
    pub fn ledger(&self, data: &DemoData, account: &Account) -> Arc<Ledger> {
        let moved = self.moved.lock().unwrap_or_else(|p| p.into_inner());
        match moved.get(&account.id) {
            Some(ledger) => ledger.clone(),
            None => {
                drop(moved);
                data.ledger(account)
            }
        }
    }

    /// One step of life on one account chosen from the seed: the oldest pending transaction
    /// settles, and a new pending one arrives. Returns the account's id.
    pub fn step(&self, data: &DemoData, now: DateTime<Utc>) -> Option<String> {
        let step = {
            let mut steps = self.steps.lock().unwrap_or_else(|p| p.into_inner());
            *steps += 1;
            *steps
        };
        let mut rng = SeededRng::derive(data.options.seed, &format!("living-{step}"));
        let accounts: Vec<&Account> = data.orgs.iter().flat_map(|o| o.accounts.iter()).collect();
        let account = *rng.pick(&accounts)?;
        let mut ledger = (*self.ledger(data, account)).clone();
        if let Some(tx) = ledger
            .transactions
            .iter_mut()
            .find(|t| t.status == TxStatus::Pending)
        {
            tx.status = TxStatus::Completed;
            tx.settled_at = Some(now);
            tx.updated_at = now;
            ledger.balance_cents += signed(tx);
            tx.settled_balance_cents = Some(ledger.balance_cents);
        }
        let cp_index = rng.range(0, data.pool_size as i64 - 1).max(0) as usize;
        if let Some(cp) = data.counterparties.get(cp_index) {
            ledger.transactions.push(Tx {
                id: rng.uuid(),
                number: rng.range(1000, 9999) as u32,
                counterparty: cp_index,
                amount_cents: rng.range(cp.min_cents, cp.max_cents),
                side: cp.side,
                status: TxStatus::Pending,
                emitted_at: now,
                settled_at: None,
                updated_at: now,
                settled_balance_cents: None,
                label_id: None,
                card_last_digits: (cp.operation_type == "card").then(|| rng.digits(4)),
                reference: None,
                note: None,
                vat: Vat::None,
            });
        }
        let pending_debits: i64 = ledger
            .transactions
            .iter()
            .filter(|t| t.status == TxStatus::Pending && t.side == Side::Debit)
            .map(|t| t.amount_cents)
            .sum();
        ledger.authorized_balance_cents = ledger.balance_cents - pending_debits;
        ledger.updated_at = now;
        self.moved
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account.id.clone(), Arc::new(ledger));
        Some(account.id.clone())
    }
}
