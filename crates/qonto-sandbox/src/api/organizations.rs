//! `/v2/user_organizations`, `/v2/organization`, `/v2/bank_accounts` and
//! `/v2/einvoicing/settings`: who the caller can see, and each organization with its accounts,
//! (role permitting) balances, IBAN certificates and e-invoicing settings.

#![allow(clippy::result_large_err)]

use super::*;

pub async fn user_organizations(State(state): Shared, headers: HeaderMap) -> Response {
    count(&state);
    let grant = match authenticate(&state, &headers) {
        Ok(Caller::User { grant }) => grant,
        Ok(Caller::SingleOrg { .. }) => {
            return forbidden("This endpoint is only available for the user OAuth flow");
        }
        Err(r) => return r,
    };
    if !grant.has_scope("user_organization.read") {
        return forbidden("missing required oauth scope: user_organization.read");
    }
    let granted = state.granted_orgs(&grant);
    let orgs: Vec<Value> = state
        .data
        .orgs
        .iter()
        .filter(|o| granted.contains(&o.id))
        .map(|o| {
            json!({
                "id": o.id,
                "name": o.name,
                "legal_name": o.legal_name,
                "legal_number": o.legal_number,
                "legal_country": o.legal_country,
                "membership_role": o.membership_role,
            })
        })
        .collect();
    axum::Json(json!({ "organizations": orgs })).into_response()
}

fn bank_account_json(org: &Org, account: &Account, ledger: &Ledger) -> Value {
    let mut v = json!({
        "id": account.id,
        "slug": account.slug,
        "name": account.name,
        "organization_id": org.id,
        "status": "active",
        "main": account.main,
        "iban": account.iban,
        "bic": account.bic,
        "updated_at": format_timestamp(ledger.updated_at),
        "is_external_account": false,
        // A string in production: leading zeros matter.
        "account_number": account.iban.get(account.iban.len().saturating_sub(11)..),
    });
    if role_sees_balances(&org.membership_role) {
        v["currency"] = json!("EUR");
        v["balance"] = money(ledger.balance_cents);
        v["balance_cents"] = json!(ledger.balance_cents);
        v["authorized_balance"] = money(ledger.authorized_balance_cents);
        v["authorized_balance_cents"] = json!(ledger.authorized_balance_cents);
    }
    v
}

pub async fn organization(scope: Scoped) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
    let accounts: Vec<Value> = org
        .accounts
        .iter()
        .map(|a| bank_account_json(org, a, &state.ledger(a)))
        .collect();
    axum::Json(json!({ "organization": {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "legal_name": org.legal_name,
        "legal_number": org.legal_number,
        "legal_sector": org.legal_sector,
        "legal_registration_date": org.legal_registration_date,
        "legal_address": org.legal_address,
        "legal_form": org.legal_form,
        "legal_country": org.legal_country,
        "legal_share_capital": org.legal_share_capital,
        "locale": org.locale,
        "contract_signed_at": org.contract_signed_at,
        "bank_accounts": accounts,
    }}))
    .into_response()
}

pub async fn bank_accounts(scope: Scoped, RawQuery(q): RawQuery) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
    let params = Params::parse(q.unwrap_or_default().as_bytes());
    let (page, per_page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Value> = page_of(&org.accounts, page, per_page)
        .iter()
        .map(|a| bank_account_json(org, a, &state.ledger(a)))
        .collect();
    axum::Json(json!({ "bank_accounts": items, "meta": meta(page, per_page, org.accounts.len()) }))
        .into_response()
}

pub async fn bank_account(scope: Scoped, Path(id): Path<String>) -> Response {
    let state = scope.state.clone();
    let org = scope.org();
    match org.account(&id) {
        Some(a) => {
            axum::Json(json!({ "bank_account": bank_account_json(org, a, &state.ledger(a)) }))
                .into_response()
        }
        None => not_found("Bank account not found"),
    }
}

/// `GET /v2/bank_accounts/{id}/iban_certificate`: the account's IBAN certificate, a PDF. As in
/// production, a company whose KYB Qonto has not accepted gets 400 instead.
pub async fn iban_certificate(scope: Scoped, Path(id): Path<String>) -> Response {
    let org = scope.org();
    let Some(account) = org.account(&id) else {
        return not_found("Bank account not found");
    };
    if org.kyb_status != "accepted" {
        return api_error(
            StatusCode::BAD_REQUEST,
            "kyb_not_accepted",
            "The IBAN certificate is available once the organization's KYB is accepted",
            &new_trace_id(),
        );
    }
    let body = files::pdf(&format!(
        "IBAN certificate - {} - IBAN {} - BIC {}",
        org.legal_name, account.iban, account.bic
    ));
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"iban_certificate.pdf\"",
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /v2/einvoicing/settings`: whether the organization sends and receives e-invoices
/// through Qonto, unwrapped as Qonto answers it (`einvoicing.read` for OAuth tokens). French
/// companies are on the 2026 e-invoicing network; others are not.
pub async fn einvoicing_settings(scope: Scoped) -> Response {
    if scope
        .grant
        .as_ref()
        .is_some_and(|g| !g.has_scope("einvoicing.read"))
    {
        return forbidden("missing required oauth scope: einvoicing.read");
    }
    let status = if scope.org().legal_country == "FR" {
        "enabled"
    } else {
        "disabled"
    };
    axum::Json(json!({ "sending_status": status, "receiving_status": status })).into_response()
}
