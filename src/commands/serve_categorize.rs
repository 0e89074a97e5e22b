//! The firm's service filing transactions under a cash-flow category for a staff member (a
//! `categorize` intent): the category's name looked up in the organization's own tree, read
//! from Qonto with the staff member's credential; each transaction checked to be the
//! organization's; those already there left alone; the rest in one call through the staff
//! member's write journal, with where each was before, so `journal --undo` on the service
//! puts them back.

use qonto_books::categories::{Leaf, leaf_named, leaf_of_names};
use qonto_books::firm::Firm;
use qonto_books::firm::actions::{self, Intent};
use qonto_client::printable::printable;

use super::serve_act::{Carried, db};
use super::writes::Session;
use crate::config::Config;
use crate::writes::WriteError;
use crate::writes::categories::Batch;

/// Files the intent's transactions under its category, as `session`'s staff member.
pub(super) async fn carry_out(
    config: &Config,
    firm: &Firm,
    session: &Session,
    intent: &Intent,
    org_name: &str,
) -> Result<Carried, String> {
    if intent.transactions.is_empty() {
        return Err("the intent names no transaction".into());
    }
    let filed = actions::filed_in(firm.client(), &intent.org_id, &intent.transactions)
        .await
        .map_err(db)?;
    if filed.len() != intent.transactions.len() {
        return Err(format!(
            "organization {} holds {} of the {} transactions named, in the firm's books",
            intent.org_id,
            filed.len(),
            intent.transactions.len()
        ));
    }
    let org_name = printable(org_name, 80);
    let categories = session.categories(config);
    let tree = categories
        .tree(&intent.org_id, &org_name)
        .await
        .map_err(|e| e.to_string())?;
    let to: Option<Leaf> = match &intent.category {
        None => None,
        Some(name) => {
            Some(leaf_named(&tree, name).map_err(|e| printable(&format!("{org_name}: {e}"), 300))?)
        }
    };
    let to_words = to
        .as_ref()
        .map_or_else(|| "no category".into(), Leaf::words);
    let mut from = Vec::new();
    for (id, category, subcategory) in filed {
        let was = leaf_of_names(&tree, category.as_deref(), subcategory.as_deref());
        let same = match (&was, &to) {
            (None, None) => category.is_none(),
            (Some(a), Some(b)) => a.id() == b.id(),
            _ => false,
        };
        if !same {
            from.push((id, was));
        }
    }
    let asked = intent.transactions.len();
    if from.is_empty() {
        return Ok(Carried::Done {
            write: None,
            words: format!("the {asked} transactions of {org_name} are already under {to_words}"),
        });
    }
    let moving = from.len();
    let batch = Batch {
        org_id: intent.org_id.clone(),
        org_name: org_name.clone(),
        to,
        from,
    };
    match categories.apply(&batch).await {
        Ok(write) => Ok(Carried::Done {
            write: Some(write),
            words: format!(
                "filed {moving} transactions of {org_name} under {to_words} ({} already there; write #{write})",
                asked - moving
            ),
        }),
        Err(WriteError::Unfinished { id, cause }) => Ok(Carried::Waiting {
            words: format!(
                "sent for {org_name}, no answer yet (write #{id}: {})",
                printable(&cause.to_string(), 200)
            ),
        }),
        Err(e) => Err(e.to_string()),
    }
}
