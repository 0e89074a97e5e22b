//! Fuzzes decoding of every API answer the app reads, and of error bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_client::api::models::*;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<UserOrganizations>(data);
    let _ = serde_json::from_slice::<OrganizationEnvelope>(data);
    let _ = serde_json::from_slice::<TransactionsPage>(data).map(|p| {
        for t in &p.transactions {
            let _ = (t.signed_cents(), t.counterparty(), t.date());
        }
        p.meta.next(1)
    });
    let _ = serde_json::from_slice::<MembershipsPage>(data).map(|p| p.memberships.iter().map(|m| m.full_name()).count());
    let _ = serde_json::from_slice::<LabelsPage>(data);
    let _ = qonto_client::api::error::describe_error_body(data, None);
});
