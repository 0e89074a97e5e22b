//! What waits for a decision, kept per organization as Qonto last listed it: members' requests
//! and supplier invoices (each as the client read it, in JSON), replaced whole on each sync of
//! the organization, so the review shows something offline and says how old it is.

use rusqlite::params;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Books, BooksError};
use qonto_client::api::invoices::SupplierInvoice;
use qonto_client::api::requests::Request;

const REQUEST: &str = "request";
const INVOICE: &str = "supplier_invoice";

/// An organization's kept items of one kind, and when they were listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept<T> {
    pub items: Vec<T>,
    /// Unix seconds; none when nothing was ever kept for it.
    pub synced_at: Option<i64>,
}

impl Books {
    /// Replaces `org_id`'s kept requests with `requests`, listed at `now`.
    pub fn put_requests(
        &mut self,
        org_id: &str,
        requests: &[Request],
        now: i64,
    ) -> Result<(), BooksError> {
        self.put_items(org_id, REQUEST, requests, |r| (&r.id, &r.status), now)
    }

    /// Replaces `org_id`'s kept supplier invoices with `invoices`, listed at `now`.
    pub fn put_supplier_invoices(
        &mut self,
        org_id: &str,
        invoices: &[SupplierInvoice],
        now: i64,
    ) -> Result<(), BooksError> {
        self.put_items(org_id, INVOICE, invoices, |i| (&i.id, &i.status), now)
    }

    pub fn requests(&self, org_id: &str) -> Result<Kept<Request>, BooksError> {
        self.items(org_id, REQUEST)
    }

    pub fn supplier_invoices(&self, org_id: &str) -> Result<Kept<SupplierInvoice>, BooksError> {
        self.items(org_id, INVOICE)
    }

    fn put_items<T: Serialize>(
        &mut self,
        org_id: &str,
        kind: &str,
        items: &[T],
        key: impl Fn(&T) -> (&String, &String),
        now: i64,
    ) -> Result<(), BooksError> {
        let tx = self.db.transaction()?;
        tx.execute(
            "DELETE FROM review_items WHERE org_id = ?1 AND kind = ?2",
            params![org_id, kind],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO review_items (org_id, kind, id, status, body, synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for item in items {
                let (id, status) = key(item);
                let body = serde_json::to_string(item).unwrap_or_else(|_| "{}".into());
                insert.execute(params![org_id, kind, id, status, body, now])?;
            }
        }
        // An empty list is kept too: "nothing waits" is news as well.
        tx.execute(
            "INSERT OR REPLACE INTO review_items (org_id, kind, id, status, body, synced_at)
             VALUES (?1, ?2, '', '', 'null', ?3)",
            params![org_id, kind, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn items<T: DeserializeOwned>(&self, org_id: &str, kind: &str) -> Result<Kept<T>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, body, synced_at FROM review_items WHERE org_id = ?1 AND kind = ?2
             ORDER BY rowid",
        )?;
        let rows = q.query_map(params![org_id, kind], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut kept = Kept {
            items: Vec::new(),
            synced_at: None,
        };
        for row in rows {
            let (id, body, at) = row?;
            kept.synced_at = Some(kept.synced_at.map_or(at, |s: i64| s.max(at)));
            // The empty-id row marks the listing; a body this build cannot read is left out.
            if !id.is_empty()
                && let Ok(item) = serde_json::from_str(&body)
            {
                kept.items.push(item);
            }
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organizations_items_are_replaced_whole_and_an_empty_listing_is_kept() {
        let mut books = Books::in_memory().unwrap();
        let request = |id: &str, status: &str| Request {
            id: id.into(),
            status: status.into(),
            ..Request::default()
        };
        assert_eq!(books.requests("o").unwrap().synced_at, None);
        books
            .put_requests("o", &[request("a", "pending"), request("b", "pending")], 10)
            .unwrap();
        books
            .put_requests("p", &[request("c", "pending")], 10)
            .unwrap();
        books
            .put_requests("o", &[request("b", "declined")], 20)
            .unwrap();
        let kept = books.requests("o").unwrap();
        assert_eq!(kept.items, vec![request("b", "declined")]);
        assert_eq!(kept.synced_at, Some(20));
        assert_eq!(books.requests("p").unwrap().items.len(), 1);
        books.put_requests("o", &[], 30).unwrap();
        let kept = books.requests("o").unwrap();
        assert!(kept.items.is_empty());
        assert_eq!(kept.synced_at, Some(30));
        let invoice = SupplierInvoice {
            id: "i".into(),
            status: "to_review".into(),
            ..SupplierInvoice::default()
        };
        books
            .put_supplier_invoices("o", std::slice::from_ref(&invoice), 40)
            .unwrap();
        assert_eq!(books.supplier_invoices("o").unwrap().items, vec![invoice]);
        assert!(books.requests("o").unwrap().items.is_empty(), "kinds apart");
    }
}
