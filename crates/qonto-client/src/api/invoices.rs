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

/// Invoices per bulk upload, and the largest PDF Qonto takes.
pub const MAX_PER_UPLOAD: usize = 20;
pub const MAX_INVOICE_BYTES: usize = 10 * 1024 * 1024;

/// One PDF of a bulk upload, with the idempotency key that makes sending it again safe.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceUpload<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub idempotency_key: &'a str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Bulk {
    supplier_invoices: Vec<SupplierInvoice>,
    errors: Vec<BulkError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BulkError {
    code: String,
    detail: String,
    source: Pointer,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Pointer {
    pointer: String,
}

impl BulkError {
    /// The invoice of the request it is about (`/supplier_invoices/N`).
    fn index(&self) -> Option<usize> {
        self.source
            .pointer
            .strip_prefix("/supplier_invoices/")?
            .split('/')
            .next()?
            .parse()
            .ok()
    }
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

    /// Uploads `files` (at most [`MAX_PER_UPLOAD`]) as supplier invoices of `org`: what each
    /// became, in order, or Qonto's reason in words. Qonto answers 200 with an error per
    /// invoice it did not take; the invoices it made come in order, after leaving those out.
    pub async fn upload_supplier_invoices(
        &self,
        org: &str,
        files: &[InvoiceUpload<'_>],
    ) -> Result<Vec<Result<SupplierInvoice, String>>, ApiError> {
        if files.is_empty() || files.len() > MAX_PER_UPLOAD {
            return Err(ApiError::Decode(format!(
                "between 1 and {MAX_PER_UPLOAD} invoices per upload"
            )));
        }
        let outgoing = Outgoing {
            method: reqwest::Method::POST,
            path: "/v2/supplier_invoices/bulk",
            query: &[],
            payload: Payload::Invoices(files),
            idempotency_key: None,
        };
        let answer = self.send_for(org, &outgoing).await?;
        let bulk: Bulk = serde_json::from_slice(&answer)
            .map_err(|e| ApiError::Decode(format!("the upload's answer: {e}")))?;
        Ok(matched(files.len(), bulk))
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

/// Each of `count` invoices sent: its error, or the next invoice Qonto made. An invoice Qonto
/// neither made nor named in an error is said to be missing from the answer.
fn matched(count: usize, bulk: Bulk) -> Vec<Result<SupplierInvoice, String>> {
    let mut errors: Vec<Option<String>> = vec![None; count];
    for e in &bulk.errors {
        let words = crate::printable::printable(
            &if e.detail.is_empty() {
                e.code.clone()
            } else {
                format!("{} ({})", e.detail, e.code)
            },
            300,
        );
        if let Some(slot) = e.index().and_then(|n| errors.get_mut(n)) {
            *slot = Some(words);
        }
    }
    let mut made = bulk.supplier_invoices.into_iter();
    errors
        .into_iter()
        .map(|error| match error {
            Some(words) => Err(words),
            None => made
                .next()
                .filter(|i| checked_id("invoice", &i.id).is_ok())
                .ok_or_else(|| "Qonto's answer does not list this invoice".to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_to_their_invoice_and_the_made_ones_to_the_rest_in_order() {
        let bulk: Bulk = serde_json::from_str(
            r#"{"supplier_invoices":[{"id":"a1"},{"id":"b2"}],
                "errors":[{"code":"invalid_file","detail":"an invoice must be a PDF",
                           "source":{"pointer":"/supplier_invoices/1"}},
                          {"code":"x","source":{"pointer":"/elsewhere"}}]}"#,
        )
        .unwrap();
        let got = matched(4, bulk);
        assert_eq!(got[0].as_ref().map(|i| i.id.as_str()), Ok("a1"));
        assert_eq!(
            got[1],
            Err("an invoice must be a PDF (invalid_file)".to_string())
        );
        assert_eq!(got[2].as_ref().map(|i| i.id.as_str()), Ok("b2"));
        assert!(got[3].is_err(), "{:?}", got[3]);
    }
}
