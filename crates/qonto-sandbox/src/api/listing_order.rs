//! The order a listing of an account's transactions puts them in, worked out once and kept for
//! its next pages.
//!
//! A backfill asks for every page of an account with the same filters; each page filtered and
//! ordered all of its transactions again (15,000 in the backfill benchmark: about a tenth of
//! that benchmark's CPU, on the two cores the client under test runs on). Kept only for a
//! ledger nothing has touched (no receipt uploaded, no category filed: those change what a
//! filter or an order sees), and by the ledger itself, so a ledger that moves on is a miss.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use crate::data::Ledger;

/// Listings kept (an entry is 4 bytes a listed transaction, and holds its ledger).
const KEPT: usize = 32;

/// Orders of listings, newest use first.
#[derive(Default)]
pub struct ListingOrders {
    kept: Mutex<VecDeque<Entry>>,
}

struct Entry {
    ledger: Arc<Ledger>,
    /// The listing's parameters but the page (see [`listing_key`]).
    query: String,
    /// Positions in `ledger.transactions`, in the listing's order.
    order: Arc<Vec<u32>>,
}

impl ListingOrders {
    /// The order of the listing `query` of `ledger`, made by `make` when not kept.
    pub fn get_or_make(
        &self,
        ledger: &Arc<Ledger>,
        query: String,
        make: impl FnOnce() -> Vec<u32>,
    ) -> Arc<Vec<u32>> {
        {
            let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            let at = kept
                .iter()
                .position(|e| Arc::ptr_eq(&e.ledger, ledger) && e.query == query);
            if let Some(entry) = at.and_then(|at| kept.remove(at)) {
                let order = entry.order.clone();
                kept.push_front(entry);
                return order;
            }
        }
        // Made outside the lock: other accounts' pages are not held back meanwhile.
        let order = Arc::new(make());
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.push_front(Entry {
            ledger: ledger.clone(),
            query,
            order: order.clone(),
        });
        kept.truncate(KEPT);
        order
    }
}

/// What names a listing: its parameters in a fixed order, without those that choose the page
/// or add fields to each transaction.
pub fn listing_key(params: &crate::params::Params) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .pairs()
        .filter(|(k, _)| !matches!(*k, "page" | "per_page" | "includes" | "includes[]"))
        .collect();
    pairs.sort_unstable();
    pairs
        .iter()
        .map(|(k, v)| format!("{}:{k}={}:{v}", k.len(), v.len()))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Arc<Ledger> {
        Arc::new(Ledger {
            transactions: Vec::new(),
            balance_cents: 0,
            authorized_balance_cents: 0,
            updated_at: chrono::Utc::now(),
        })
    }

    #[test]
    fn an_order_is_made_once_per_ledger_and_listing() {
        let orders = ListingOrders::default();
        let (a, b) = (ledger(), ledger());
        let made = std::cell::Cell::new(0);
        let make = || {
            made.set(made.get() + 1);
            vec![2, 0, 1]
        };
        assert_eq!(*orders.get_or_make(&a, "q".into(), make), vec![2, 0, 1]);
        orders.get_or_make(&a, "q".into(), make);
        assert_eq!(made.get(), 1);
        // Another ledger (the account moved on), another listing: made again.
        orders.get_or_make(&b, "q".into(), make);
        orders.get_or_make(&a, "r".into(), make);
        assert_eq!(made.get(), 3);
    }

    #[test]
    fn the_key_ignores_the_page_and_the_order_of_the_parameters() {
        let key = |q: &str| listing_key(&crate::params::Params::parse(q.as_bytes()));
        assert_eq!(
            key("bank_account_id=x&page=1&status[]=pending&status[]=completed"),
            key(
                "status[]=pending&page=7&per_page=100&status[]=completed&bank_account_id=x&includes[]=vat_details"
            )
        );
        assert_ne!(
            key("bank_account_id=x&side=debit"),
            key("bank_account_id=x")
        );
        // A value cannot pass for a key: lengths say where each ends.
        assert_ne!(key("a=b%3Dc"), key("a%3Db=c"));
    }
}
