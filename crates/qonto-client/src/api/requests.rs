//! Requests members make for an approver (transfers, multi-transfers, flash and virtual
//! cards): listed, and declined with a note under an idempotency key. Approving needs Qonto's
//! strong customer authentication, which an API client cannot give: it is left to Qonto's app.

use serde::Deserialize;
use serde_json::json;

use super::ApiClient;
use super::client::{Outgoing, Payload};
use super::error::ApiError;
use super::models::Meta;
use super::writes::checked_id;

/// A request, as tolerant as the other models: what is missing is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Request {
    pub id: String,
    /// `transfer`, `multi_transfer`, `flash_card`, `virtual_card`.
    pub request_type: String,
    /// `pending`, `approved`, `declined`, `canceled`.
    pub status: String,
    pub initiator_id: Option<String>,
    pub note: Option<String>,
    pub declined_note: Option<String>,
    pub created_at: Option<String>,
    pub processed_at: Option<String>,
    pub creditor_name: Option<String>,
    pub card_nickname: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub total_transfers_amount: Option<String>,
    pub payment_lifespan_limit: Option<String>,
    pub payment_monthly_limit: Option<String>,
}

impl Request {
    /// Who or what it is for: the creditor, else the card's nickname.
    pub fn counterparty(&self) -> &str {
        self.creditor_name
            .as_deref()
            .or(self.card_nickname.as_deref())
            .unwrap_or("")
    }

    /// Its amount as Qonto writes it (a transfer's amount, a multi-transfer's total, a card's
    /// limit).
    pub fn amount(&self) -> Option<&str> {
        self.amount
            .as_deref()
            .or(self.total_transfers_amount.as_deref())
            .or(self.payment_lifespan_limit.as_deref())
            .or(self.payment_monthly_limit.as_deref())
    }

    /// The path's name of its kind (`transfers`), if it is one Qonto lets decline.
    pub fn path_kind(&self) -> Option<&'static str> {
        Some(match self.request_type.as_str() {
            "transfer" => "transfers",
            "multi_transfer" => "multi_transfers",
            "flash_card" => "flash_cards",
            "virtual_card" => "virtual_cards",
            _ => return None,
        })
    }
}

#[derive(Deserialize)]
struct RequestsPage {
    #[serde(default)]
    requests: Vec<Request>,
    #[serde(default)]
    meta: Meta,
}

impl ApiClient {
    /// Every request of `org` (every status), as Qonto lists them.
    pub async fn requests(&self, org: &str) -> Result<Vec<Request>, ApiError> {
        let mut all = self
            .all_pages("/v2/requests", org, |p: RequestsPage| (p.requests, p.meta))
            .await?;
        all.retain(|r| checked_id("request", &r.id).is_ok());
        for r in &mut all {
            for text in [
                &mut r.note,
                &mut r.declined_note,
                &mut r.creditor_name,
                &mut r.card_nickname,
            ]
            .into_iter()
            .flatten()
            {
                *text = crate::printable::printable(text, 300);
            }
        }
        Ok(all)
    }

    /// Declines request `id` of kind `path_kind` (`transfers`) of `org` with `note`, under
    /// `key`; the request as Qonto answers it.
    pub async fn decline_request(
        &self,
        org: &str,
        path_kind: &str,
        id: &str,
        note: &str,
        key: &str,
    ) -> Result<Request, ApiError> {
        let id = checked_id("request", id)?;
        let kind = checked_id("request type", path_kind)?;
        let path = format!("/v2/requests/{kind}/{id}/decline");
        let body = json!({ "declined_note": note });
        let outgoing = Outgoing {
            method: reqwest::Method::POST,
            path: &path,
            query: &[],
            payload: Payload::Json(&body),
            idempotency_key: Some(key),
        };
        let answer = self.send_for(org, &outgoing).await?;
        let wrapped: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&answer).unwrap_or_default();
        Ok(wrapped
            .into_iter()
            .find(|(k, _)| k.starts_with("request_"))
            .and_then(|(_, v)| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }
}
