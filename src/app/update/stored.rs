//! What the local books held at start: shown at once, marked with its age, and still fetched
//! from Qonto as if missing (offline, it stays on screen with the failure said).

use super::super::listed::ListedTransaction;
use super::super::msg::{Cmd, Stored};
use super::super::state::App;
use super::navigation::refilter;

pub(super) fn stored(app: &mut App, stored: Stored) -> Vec<Cmd> {
    match stored {
        Stored::Orgs { list, at } => {
            if app.orgs.value().is_some() {
                return Vec::new();
            }
            app.orgs.offer_stored(list, at);
            refilter(app);
            let remembered = app.remembered_org.clone();
            if let Some(index) = remembered.and_then(|id| {
                app.visible
                    .iter()
                    .position(|&i| app.org_list().get(i).is_some_and(|o| o.id == id))
            }) {
                app.selected = index;
            }
        }
        Stored::Members { org, list, at } => {
            app.data
                .entry(org)
                .or_default()
                .members
                .offer_stored(list, at);
        }
        Stored::Labels { org, list, at } => {
            app.data
                .entry(org)
                .or_default()
                .labels
                .offer_stored(list, at);
        }
        Stored::Overview { org, overview, at } => {
            app.data
                .entry(org)
                .or_default()
                .overview
                .offer_stored(overview, at);
        }
        Stored::Transactions {
            org,
            account,
            items,
            at,
        } => {
            let list = app
                .data
                .entry(org)
                .or_default()
                .transactions
                .entry(account)
                .or_default();
            if list.items.is_empty() {
                list.items = items.into_iter().map(ListedTransaction::from).collect();
                list.touched();
                list.at = Some(at);
                // Qonto's first page replaces these; scrolling on asks for the second.
                list.next_page = Some(2);
            }
        }
    }
    Vec::new()
}
