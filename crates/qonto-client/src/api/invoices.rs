//! Supplier invoices: listed, marked paid (with a date) or unpaid, rejected with a note (and an
//! AFNOR reason code where the rule asks). Qonto takes none of these under an idempotency key:
//! marking paid what is paid, or rejecting what is rejected, is refused (400), which is how a
//! caller sees that an attempt whose answer was lost was done.

use serde::Deserialize;
use serde_json::json;

use super::ApiClient;
use super::client::{Outgoing, Payload};
use super::error::ApiError;
use super::models::Meta;
use super::writes::checked_id;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Money {
    pub value: Option<String>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct SupplierInvoice {
    pub id: String,
    /// `to_review`, `to_approve`, `awaiting_payment`, `scheduled`, `paid`, `rejected`, …
    pub status: String,
    pub supplier_name: Option<String>,
    pub invoice_number: Option<String>,
    pub total_amount: Money,
    pub due_date: Option<String>,
    pub issue_date: Option<String>,
    pub payment_date: Option<String>,
    pub is_einvoice: bool,
    pub file_name: Option<String>,
    pub matched_transactions_ids: Vec<String>,
    pub declined_note: Option<String>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    supplier_invoices: Vec<SupplierInvoice>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct One {
    #[serde(default)]
    supplier_invoice: SupplierInvoice,
}

impl ApiClient {
    /// Every supplier invoice of `org`.
    pub async fn supplier_invoices(&self, org: &str) -> Result<Vec<SupplierInvoice>, ApiError> {
        let mut all = self
            .all_pages("/v2/supplier_invoices", org, |p: Page| {
                (p.supplier_invoices, p.meta)
            })
            .await?;
        all.retain(|i| checked_id("invoice", &i.id).is_ok());
        for i in &mut all {
            for text in [
                &mut i.supplier_name,
                &mut i.invoice_number,
                &mut i.file_name,
                &mut i.declined_note,
            ]
            .into_iter()
            .flatten()
            {
                *text = crate::printable::printable(text, 200);
            }
        }
        Ok(all)
    }

    /// Marks invoice `id` of `org` paid on `date` (`YYYY-MM-DD`).
    pub async fn mark_invoice_paid(
        &self,
        org: &str,
        id: &str,
        date: &str,
    ) -> Result<SupplierInvoice, ApiError> {
        let body = json!({ "supplier_invoice": { "payment_date": date } });
        self.invoice_action(org, id, "mark_as_paid", Some(&body))
            .await
    }

    /// Takes back the payment mark of invoice `id` of `org`.
    pub async fn unmark_invoice_paid(
        &self,
        org: &str,
        id: &str,
    ) -> Result<SupplierInvoice, ApiError> {
        self.invoice_action(org, id, "unmark_as_paid", None).await
    }

    /// Rejects invoice `id` of `org` with `note` (and an AFNOR `code`).
    pub async fn reject_invoice(
        &self,
        org: &str,
        id: &str,
        note: &str,
        code: Option<&str>,
    ) -> Result<SupplierInvoice, ApiError> {
        let mut fields = json!({ "declined_note": note });
        if let Some(code) = code {
            fields["declined_reason_code"] = json!(code);
        }
        let body = json!({ "supplier_invoice": fields });
        self.invoice_action(org, id, "reject", Some(&body)).await
    }

    async fn invoice_action(
        &self,
        org: &str,
        id: &str,
        action: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<SupplierInvoice, ApiError> {
        let id = checked_id("invoice", id)?;
        let path = format!("/v2/supplier_invoices/{id}/{action}");
        let outgoing = Outgoing {
            method: reqwest::Method::POST,
            path: &path,
            query: &[],
            payload: body.map_or(Payload::Empty, Payload::Json),
            idempotency_key: None,
        };
        let answer = self.send_for(org, &outgoing).await?;
        Ok(serde_json::from_slice::<One>(&answer)
            .map(|o| o.supplier_invoice)
            .unwrap_or_default())
    }
}
