//! Receipts written to Qonto: a file uploaded to a transaction, one attachment or all of them
//! removed. Each write carries the idempotency key its caller recorded before sending, the same
//! on every attempt; this module sends, and the caller's journal decides when to send again.

use serde::Deserialize;

use super::ApiClient;
use super::client::{Outgoing, Payload};
use super::error::ApiError;

/// The largest receipt sent: Qonto's MCP documents 15 MB for uploads (the API does not say).
pub const MAX_RECEIPT_BYTES: usize = 15 * 1024 * 1024;

/// The kinds of file Qonto takes as a receipt, told by their first bytes as Qonto tells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptKind {
    Pdf,
    Jpeg,
    Png,
}

impl ReceiptKind {
    pub fn of(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

/// Qonto's answer to an upload. It documents none: the file is processed in the background
/// and shows on the transaction later. Some versions name the attachment; most say nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Accepted {
    #[serde(default)]
    pub attachment: Option<AcceptedAttachment>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AcceptedAttachment {
    #[serde(default)]
    pub id: Option<String>,
}

/// A new idempotency key: a random UUID (version 4), as Qonto recommends.
pub fn idempotency_key() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    ))
}

/// An id that goes into a path: one that is not plainly an id is not sent at all.
pub(super) fn checked_id<'a>(what: &str, id: &'a str) -> Result<&'a str, ApiError> {
    if id.is_empty()
        || id.len() > 100
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::Decode(format!("a {what} id that is not an id")));
    }
    Ok(id)
}

impl ApiClient {
    /// Whether the token that reaches `org` was granted `scope`, as Qonto's token answer
    /// listed them: `Some(false)` only when it listed scopes without this one. An API key, or
    /// an answer that listed none, is `None`: Qonto's own 403 says the rest.
    pub async fn granted(&self, org: &str, scope: &str) -> Option<bool> {
        let session = match self.credential(org) {
            None => self.session().clone(),
            Some(super::Credential::Membership(session)) => session,
            Some(_) => return None,
        };
        let tokens = session.tokens().await?;
        if tokens.scope.trim().is_empty() {
            return None;
        }
        Some(tokens.scope.split_whitespace().any(|s| s == scope))
    }

    /// One transaction of `org` as Qonto has it now, with its VAT lines (as a sync stores it):
    /// what a write changed, read back.
    pub async fn transaction(
        &self,
        org: &str,
        transaction: &str,
    ) -> Result<super::models::Transaction, ApiError> {
        let transaction = checked_id("transaction", transaction)?;
        let path = format!("/v2/transactions/{transaction}");
        let query = [("includes[]", "vat_details".to_string())];
        Ok(self
            .get::<super::models::TransactionEnvelope>(&path, Some(org), &query)
            .await?
            .transaction)
    }

    /// Uploads `bytes` as receipt `name` to `transaction` of `org`, under `key`.
    pub async fn upload_receipt(
        &self,
        org: &str,
        transaction: &str,
        name: &str,
        bytes: &[u8],
        key: &str,
    ) -> Result<Accepted, ApiError> {
        let transaction = checked_id("transaction", transaction)?;
        let kind = ReceiptKind::of(bytes)
            .ok_or_else(|| ApiError::Decode("a receipt must be a PDF, JPEG or PNG".into()))?;
        if bytes.len() > MAX_RECEIPT_BYTES {
            return Err(ApiError::TooLarge {
                limit: MAX_RECEIPT_BYTES,
            });
        }
        let path = format!("/v2/transactions/{transaction}/attachments");
        let outgoing = Outgoing {
            method: reqwest::Method::POST,
            path: &path,
            query: &[],
            payload: Payload::File {
                field: "file",
                name,
                content_type: kind.content_type(),
                bytes,
            },
            idempotency_key: Some(key),
        };
        let body = self.send_for(org, &outgoing).await?;
        // An empty or unexpected answer is still an acceptance: the status said so.
        Ok(serde_json::from_slice(&body).unwrap_or_default())
    }

    /// Removes one attachment from `transaction` of `org`.
    pub async fn remove_receipt(
        &self,
        org: &str,
        transaction: &str,
        attachment: &str,
        key: &str,
    ) -> Result<(), ApiError> {
        let transaction = checked_id("transaction", transaction)?;
        let attachment = checked_id("attachment", attachment)?;
        let path = format!("/v2/transactions/{transaction}/attachments/{attachment}");
        self.delete(org, &path, key).await
    }

    /// Removes every attachment of `transaction` of `org`.
    pub async fn remove_receipts(
        &self,
        org: &str,
        transaction: &str,
        key: &str,
    ) -> Result<(), ApiError> {
        let transaction = checked_id("transaction", transaction)?;
        let path = format!("/v2/transactions/{transaction}/attachments");
        self.delete(org, &path, key).await
    }

    async fn delete(&self, org: &str, path: &str, key: &str) -> Result<(), ApiError> {
        let outgoing = Outgoing {
            method: reqwest::Method::DELETE,
            path,
            query: &[],
            payload: Payload::Empty,
            idempotency_key: Some(key),
        };
        self.send_for(org, &outgoing).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_told_by_their_bytes_and_ids_are_checked() {
        assert_eq!(ReceiptKind::of(b"%PDF-1.7"), Some(ReceiptKind::Pdf));
        assert_eq!(
            ReceiptKind::of(&[0xFF, 0xD8, 0xFF, 0xDB]),
            Some(ReceiptKind::Jpeg)
        );
        assert_eq!(
            ReceiptKind::of(b"\x89PNG\r\n\x1a\n"),
            Some(ReceiptKind::Png)
        );
        assert_eq!(ReceiptKind::of(b"MZ\x90"), None);
        assert!(checked_id("transaction", "ab-12_c").is_ok());
        let key = idempotency_key().unwrap_or_default();
        assert_eq!((key.len(), key.get(14..15)), (36, Some("4")));
        assert!(checked_id("key", &key).is_ok());
        for bad in ["", "../x", "a/b", "a?b", "é"] {
            assert!(checked_id("transaction", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_or_odd_acceptance_is_an_acceptance() {
        let empty: Accepted = serde_json::from_slice(b"{}").unwrap_or_default();
        assert_eq!(empty.attachment, None);
        let named: Accepted =
            serde_json::from_slice(br#"{"attachment":{"id":"a1"}}"#).unwrap_or_default();
        assert_eq!(named.attachment.and_then(|a| a.id).as_deref(), Some("a1"));
    }
}
