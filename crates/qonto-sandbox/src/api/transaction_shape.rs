//! A transaction as `/v2/transactions` answers it: the documented shape, written straight from
//! the ledger with borrowed fields. Built as a `serde_json::Value` it cost a map of 40 keys
//! per transaction, allocated, serialized and freed: most of the sandbox's time on a page, on
//! the cores a benchmark's client under test shares.

use serde::Serialize;

use super::*;

/// A cash-flow category or subcategory: `id` and `name`.
#[derive(Serialize)]
pub(super) struct IdName {
    id: String,
    name: String,
}

#[derive(Serialize)]
pub(super) struct LabelJson<'a> {
    id: &'a str,
    name: &'a str,
    parent_id: Option<&'a str>,
}

/// A transfer's counterparty account.
#[derive(Serialize)]
pub(super) struct TransferJson<'a> {
    counterparty_account_number: Option<&'a str>,
    counterparty_account_number_format: &'static str,
    counterparty_bank_identifier: &'static str,
    counterparty_bank_identifier_format: &'static str,
}

#[derive(Serialize)]
pub(super) struct TransactionJson<'a> {
    id: &'a str,
    transaction_id: String,
    amount: Value,
    amount_cents: i64,
    settled_balance: Option<Value>,
    settled_balance_cents: Option<i64>,
    attachment_ids: Vec<String>,
    local_amount: Value,
    local_amount_cents: i64,
    side: &'static str,
    operation_type: &'a str,
    currency: &'static str,
    local_currency: &'static str,
    label: &'a str,
    clean_counterparty_name: &'a str,
    settled_at: Option<String>,
    emitted_at: String,
    created_at: String,
    updated_at: String,
    status: &'static str,
    note: Option<&'a str>,
    reference: Option<&'a str>,
    vat_amount: Option<Value>,
    vat_amount_cents: Option<i64>,
    vat_rate: Option<f64>,
    initiator_id: Option<&'a str>,
    label_ids: Vec<&'a str>,
    attachment_lost: bool,
    attachment_required: bool,
    card_last_digits: Option<&'a str>,
    category: &'a str,
    subject_type: String,
    bank_account_id: &'a str,
    is_external_transaction: bool,
    transfer: Option<TransferJson<'a>>,
    cashflow_category: Option<IdName>,
    cashflow_subcategory: Option<IdName>,
    /// `includes[]=labels`.
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<Vec<LabelJson<'a>>>,
    /// `includes[]=vat_details`.
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_details: Option<Value>,
    /// `includes[]=attachments`.
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<Vec<Value>>,
}

/// `tx` of `account`, as seen by this request (`includes[]` asked for, the host its files'
/// links name).
pub(super) fn transaction_json<'a>(
    state: &'a SandboxState,
    headers: &HeaderMap,
    org: &'a Org,
    account: &'a Account,
    tx: &'a Tx,
    includes: &[&str],
) -> TransactionJson<'a> {
    let cp = state.data.counterparties.get(tx.counterparty);
    let name = cp.map(|c| c.name.as_str()).unwrap_or("Unknown");
    let operation_type = cp.map(|c| c.operation_type.as_str()).unwrap_or("other");
    let vat_cents = tx.vat.amount_cents(tx.amount_cents);
    // Filed in the organization's cash-flow tree by the counterparty's kind (some are not yet),
    // or where it was put through the API.
    let (category, subcategory) = match super::categories::filed_names(state, org, tx) {
        Some((category, sub)) => (Some(category), sub),
        None => (None, None),
    };
    let id_name = |(id, name)| IdName { id, name };
    TransactionJson {
        id: &tx.id,
        transaction_id: format!("{}-transaction-{}", org.slug, tx.number),
        amount: money(tx.amount_cents),
        amount_cents: tx.amount_cents,
        settled_balance: tx.settled_balance_cents.map(money),
        settled_balance_cents: tx.settled_balance_cents,
        attachment_ids: attachments::receipt_ids(state, tx),
        local_amount: money(tx.amount_cents),
        local_amount_cents: tx.amount_cents,
        side: tx.side.as_str(),
        operation_type,
        currency: "EUR",
        local_currency: "EUR",
        label: name,
        clean_counterparty_name: name,
        settled_at: tx.settled_at.map(format_timestamp),
        emitted_at: format_timestamp(tx.emitted_at),
        created_at: format_timestamp(tx.emitted_at),
        updated_at: format_timestamp(attachments::updated_at(state, tx)),
        status: tx.status.as_str(),
        note: tx.note.as_deref(),
        reference: tx.reference.as_deref(),
        vat_amount: vat_cents.map(money),
        vat_amount_cents: vat_cents,
        vat_rate: tx.vat.single_rate(),
        initiator_id: org.members.first().map(|m| m.id.as_str()),
        label_ids: tx.label_id.iter().map(String::as_str).collect(),
        attachment_lost: false,
        attachment_required: attachments::attachment_required(tx),
        card_last_digits: tx.card_last_digits.as_deref(),
        category: cp.map(|c| c.category.as_str()).unwrap_or("other"),
        subject_type: subject_type(operation_type),
        bank_account_id: &account.id,
        is_external_transaction: false,
        transfer: (operation_type == "transfer").then(|| TransferJson {
            counterparty_account_number: cp.and_then(|c| c.iban.as_deref()),
            counterparty_account_number_format: "IBAN",
            counterparty_bank_identifier: "QNTOFRP1XXX",
            counterparty_bank_identifier_format: "SWIFT_BIC",
        }),
        cashflow_category: category.map(id_name),
        cashflow_subcategory: subcategory.map(id_name),
        labels: includes.contains(&"labels").then(|| {
            org.labels
                .iter()
                .filter(|l| tx.label_id.as_deref() == Some(l.id.as_str()))
                .map(|l| LabelJson {
                    id: &l.id,
                    name: &l.name,
                    parent_id: l.parent_id.as_deref(),
                })
                .collect()
        }),
        vat_details: includes.contains(&"vat_details").then(|| vat_details(tx)),
        attachments: includes
            .contains(&"attachments")
            .then(|| attachments::attachments_json(state, headers, tx)),
    }
}
/// `subject_type` names the kind of operation behind a transaction in the class-name style
/// production sends ("Card", "Transfer"), one per sub-object Qonto documents (`income`,
/// `direct_debit`, `check`, …), so it is never "Transfer" for a direct debit or an income.
fn subject_type(operation_type: &str) -> String {
    match operation_type {
        "cheque" => "Check".into(),
        other => other
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

/// `includes[]=vat_details`: one item per VAT rate entered on the transaction (a split bill has
/// several), each with the rate and the VAT at it, named as the transaction's own VAT fields.
/// An object, never null: a transaction without VAT has no items.
fn vat_details(tx: &Tx) -> Value {
    let items: Vec<Value> = tx
        .vat
        .lines(tx.amount_cents)
        .iter()
        .map(|line| {
            json!({
                "vat_rate": line.rate,
                "vat_amount": money(line.vat_cents),
                "vat_amount_cents": line.vat_cents,
                "amount": money(line.gross_cents),
                "amount_cents": line.gross_cents,
            })
        })
        .collect();
    json!({ "items": items })
}
