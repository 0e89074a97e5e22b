//! Cash-flow categories: each organization's two-level tree, and filing up to 100 of its
//! transactions under a leaf, or under none. Assigning carries no idempotency key at Qonto (its
//! examples send none): filing a transaction where it already is changes nothing, so an
//! attempt sent again cannot do anything twice.

use serde::Deserialize;
use serde_json::json;

use super::ApiClient;
use super::client::{Outgoing, Payload};
use super::error::ApiError;
use super::writes::checked_id;

/// Transactions one assignment may name.
pub const MAX_PER_CALL: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CashflowCategory {
    pub id: String,
    pub name: String,
    /// `CATEGORY_TYPE_INFLOW` or `CATEGORY_TYPE_OUTFLOW`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub vat_rate: Option<String>,
    pub subcategories: Vec<CashflowSubcategory>,
}

impl CashflowCategory {
    pub fn is_inflow(&self) -> bool {
        self.kind.as_deref() == Some("CATEGORY_TYPE_INFLOW")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CashflowSubcategory {
    pub id: String,
    pub name: String,
    pub vat_rate: Option<String>,
}

#[derive(Deserialize)]
struct Tree {
    #[serde(default)]
    cash_flow_categories: Vec<CashflowCategory>,
}

impl ApiClient {
    /// `org`'s cash-flow categories, as Qonto lists them (categories with their subcategories).
    pub async fn cash_flow_categories(&self, org: &str) -> Result<Vec<CashflowCategory>, ApiError> {
        let tree: Tree = self.get("/v2/cash_flow_categories", Some(org), &[]).await?;
        // Names become text on screens and in files: bounded and printable.
        Ok(tree
            .cash_flow_categories
            .into_iter()
            .filter(|c| checked_id("category", &c.id).is_ok())
            .map(|mut c| {
                c.name = crate::printable::printable(&c.name, 100);
                c.subcategories
                    .retain(|s| checked_id("subcategory", &s.id).is_ok());
                for s in &mut c.subcategories {
                    s.name = crate::printable::printable(&s.name, 100);
                }
                c
            })
            .collect())
    }

    /// Files `transactions` of `org` (at most 100) under the leaf `category` (a subcategory, or
    /// a category without subcategories), replacing what they had.
    pub async fn assign_category(
        &self,
        org: &str,
        transactions: &[String],
        category: &str,
    ) -> Result<(), ApiError> {
        let category = checked_id("category", category)?;
        let body =
            json!({ "transaction_ids": checked_ids(transactions)?, "category_id": category });
        self.post_json(org, "/v2/cash_flow_categories/assignments", &body)
            .await
    }

    /// Leaves `transactions` of `org` (at most 100) under no category.
    pub async fn unassign_category(
        &self,
        org: &str,
        transactions: &[String],
    ) -> Result<(), ApiError> {
        let body = json!({ "transaction_ids": checked_ids(transactions)? });
        self.post_json(org, "/v2/cash_flow_categories/unassignments", &body)
            .await
    }

    async fn post_json(
        &self,
        org: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<(), ApiError> {
        let outgoing = Outgoing {
            method: reqwest::Method::POST,
            path,
            query: &[],
            payload: Payload::Json(body),
            idempotency_key: None,
        };
        self.send_for(org, &outgoing).await.map(drop)
    }
}

fn checked_ids(ids: &[String]) -> Result<Vec<&str>, ApiError> {
    if ids.is_empty() || ids.len() > MAX_PER_CALL {
        return Err(ApiError::Decode(format!(
            "an assignment names 1 to {MAX_PER_CALL} transactions"
        )));
    }
    ids.iter().map(|id| checked_id("transaction", id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_is_read_tolerantly_and_ids_are_checked() {
        let tree: Tree = serde_json::from_str(
            r#"{"cash_flow_categories":[{"id":"c1","name":"Ops","type":"CATEGORY_TYPE_OUTFLOW",
                "vat_rate":"20","subcategories":[{"id":"s1","name":"Software"}],"color":"red"}]}"#,
        )
        .unwrap();
        assert_eq!(
            tree.cash_flow_categories[0].subcategories[0].name,
            "Software"
        );
        assert!(!tree.cash_flow_categories[0].is_inflow());
        assert!(checked_ids(&[]).is_err());
        assert!(checked_ids(&vec!["a".to_string(); 101]).is_err());
        assert!(checked_ids(&["../x".to_string()]).is_err());
        assert_eq!(checked_ids(&["tx-1".to_string()]).unwrap(), ["tx-1"]);
    }
}
