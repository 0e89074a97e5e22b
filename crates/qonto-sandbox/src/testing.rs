//! The hooks that bend a running sandbox for tests and benchmarks (the clock, faults, the
//! living books, the truth a test checks against), built only with the `testing` feature.

use std::time::Duration;

use crate::*;

impl Sandbox {
    /// Moves the sandbox's clock forward (token and code expiry, refresh grace).
    pub fn advance_clock(&self, by: Duration) {
        self.state.clock.advance(by);
    }

    /// The bytes of every statement of `period` (`MM-YYYY`), by account id: what a download of
    /// the statements must give.
    pub fn statement_files(&self, period: &str) -> Vec<(String, Vec<u8>)> {
        let state = &self.state;
        let mut out = Vec::new();
        for account in state.data.orgs.iter().flat_map(|o| o.accounts.iter()) {
            let ledger = state.ledger(account);
            if data::statement_periods(&ledger, state.data.options.anchor)
                .iter()
                .any(|p| p == period)
            {
                let id = api::lists::statement_id(state, account, period);
                if let Some(bytes) = api::files::file_bytes("statements", &id) {
                    out.push((account.id.clone(), bytes));
                }
            }
        }
        out
    }

    /// The bytes of `tx`'s receipt, if it has one.
    pub fn receipt_file(&self, tx: &data::Tx) -> Option<Vec<u8>> {
        let id = api::attachments::receipt_id(self.state.data.options.seed, tx)?;
        api::files::file_bytes("attachments", &id)
    }

    /// The cash-flow category and subcategory names `tx` of `org` carries now, if it is filed.
    pub fn cashflow_of(&self, org: &data::Org, tx: &data::Tx) -> Option<(String, Option<String>)> {
        let (category, sub) = api::categories::filed_names(&self.state, org, tx)?;
        Some((category.1, sub.map(|s| s.1)))
    }

    /// Whether Qonto asks a receipt of `tx` (one attached or not).
    pub fn needs_receipt(&self, tx: &data::Tx) -> bool {
        api::attachments::attachment_required(tx)
    }

    /// `org`'s supplier invoices as they stand.
    pub fn invoices_of(&self, org: &data::Org) -> Vec<crate::invoices::Invoice> {
        self.state.invoices.of(org)
    }

    /// `org`'s requests as they stand.
    pub fn requests_of(&self, org: &data::Org) -> Vec<crate::requests::Request> {
        self.state.requests.of(org)
    }

    /// How many assignment and unassignment calls organization `org_id` took.
    pub fn category_calls(&self, org_id: &str) -> usize {
        self.state.categories.calls(org_id)
    }

    /// Where `tx_id` was last filed through the API (`Some(None)`: its category removed), and
    /// by whose credential (`user#FAMILY`, `membership#FAMILY`, `api-key:SLUG`).
    pub fn category_assigned(
        &self,
        tx_id: &str,
    ) -> Option<(Option<crate::categories::Filed>, String)> {
        let filed = self.state.categories.assigned(tx_id)?;
        Some((filed, self.state.categories.assigned_by(tx_id)?))
    }

    /// Whether `tx` needs a receipt and has none: Qonto's "missing receipt".
    pub fn receipt_missing(&self, tx: &data::Tx) -> bool {
        api::attachments::attachment_required(tx)
            && api::attachments::receipt_ids(&self.state, tx).is_empty()
    }

    /// One step of the living books now: returns the account that moved.
    pub fn step_books(&self) -> Option<String> {
        self.state
            .living
            .step(&self.state.data, self.state.clock.now())
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state.faults.set(faults);
    }

    /// The organizations the demo user currently shares with the client (user flow).
    pub fn consented_orgs(&self) -> Vec<String> {
        let key = (
            self.state.data.user.id.clone(),
            self.state.client.id.clone(),
        );
        self.state
            .records()
            .consents
            .get(&key)
            .cloned()
            .unwrap_or_default()
    }

    /// Every code and token issued so far, and the client secret: what must never leak.
    pub fn issued_secrets(&self) -> Vec<String> {
        let mut all = self.state.records().issued.clone();
        all.push(self.state.client.secret.clone());
        all.push(self.state.api_key_secret.clone());
        all
    }

    /// The User-flow sign-ins so far (each one's token family), oldest first: what an
    /// upload's `by` (`user#FAMILY`) names.
    pub fn user_flow_families(&self) -> Vec<u64> {
        let records = self.state.records();
        let mut families: Vec<u64> = records
            .access_tokens
            .values()
            .map(|t| &t.grant)
            .chain(records.refresh_tokens.values().map(|t| &t.grant))
            .filter(|g| g.user_flow)
            .map(|g| g.family)
            .collect();
        families.sort_unstable();
        families.dedup();
        families
    }

    /// Every API request so far: the organization and the credential that reached it.
    pub fn calls(&self) -> Vec<(String, &'static str)> {
        self.state.calls.snapshot()
    }

    /// Ends every membership-flow token for `org_id`, as if the user disconnected that consent.
    pub fn revoke_membership(&self, org_id: &str) {
        let mut records = self.state.records();
        let grants = records
            .access_tokens
            .values()
            .map(|t| &t.grant)
            .chain(records.refresh_tokens.values().map(|t| &t.grant));
        let families: Vec<u64> = grants
            .filter(|g| !g.user_flow && g.membership_org.as_deref() == Some(org_id))
            .map(|g| g.family)
            .collect();
        records.revoked_families.extend(families);
    }

    /// Revokes the API key of the organization with this slug, as regenerating it in Qonto would.
    pub fn revoke_api_key(&self, login: &str) {
        self.state
            .revoked_api_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(login.to_string());
    }

    /// Ends every token issued so far, as if the user disconnected the app in Qonto.
    pub fn revoke_all_tokens(&self) {
        let mut records = self.state.records();
        let families: Vec<u64> = records
            .access_tokens
            .values()
            .map(|t| t.grant.family)
            .collect();
        records.revoked_families.extend(families);
        let families: Vec<u64> = records
            .refresh_tokens
            .values()
            .map(|t| t.grant.family)
            .collect();
        records.revoked_families.extend(families);
    }

    /// Replaces the shared organizations as a re-consent in Qonto's web app would.
    pub fn set_consent(&self, org_ids: Vec<String>) {
        let key = (
            self.state.data.user.id.clone(),
            self.state.client.id.clone(),
        );
        self.state.records().consents.insert(key, org_ids);
    }

    /// Faults for the next receipt uploads (a 503, or the answer dropped after the file was
    /// kept).
    pub fn set_upload_faults(&self, faults: uploads::UploadFaults) {
        self.state.receipts.set_faults(faults);
    }

    /// The next `n` review writes (assign, unassign, decline, mark paid, unmark, reject, a bulk
    /// upload of supplier invoices) are made, then their connection is dropped before the answer.
    pub fn drop_next_write_answers(&self, n: u32) {
        self.state.acted.drop_next(n);
    }

    /// Every API request that was not a read (`POST /v2/…`, `DELETE /v2/…`), made or refused,
    /// in order: empty when nothing tried to write.
    pub fn writes_asked(&self) -> Vec<String> {
        self.state.acted.writes_asked()
    }

    /// Every review write the sandbox made, in order (a replayed answer is not a new one).
    pub fn acted(&self) -> Vec<crate::acted::Act> {
        self.state.acted.log()
    }

    /// The idempotency keys uploads to transaction `tx_id` came with, in order.
    pub fn upload_keys(&self, tx_id: &str) -> Vec<String> {
        self.state.receipts.keys_of(tx_id)
    }

    /// Every file uploaded to transaction `tx_id`, processed or not.
    pub fn uploads_of(&self, tx_id: &str) -> Vec<uploads::Uploaded> {
        self.state.receipts.uploads_of(tx_id)
    }

    /// The ids of the receipts transaction `tx` carries now, as its `attachment_ids` says.
    pub fn receipt_ids(&self, tx: &data::Tx) -> Vec<String> {
        api::attachments::receipt_ids(&self.state, tx)
    }
}
