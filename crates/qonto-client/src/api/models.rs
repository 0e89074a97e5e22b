//! Qonto's resources as the app reads them, tolerant as live clients learned to be: unknown
//! fields ignored, most fields optional or nullable, numbers that arrive as strings accepted,
//! enums kept as open strings.

use super::values::{OperationType, Side, Status};
use serde::{Deserialize, Deserializer};

/// An integer that may arrive as a number, a numeric string or null.
pub(crate) fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => {
            n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64))
        }
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| s.trim().parse::<f64>().ok().map(|f| f.round() as i64)),
        _ => None,
    })
}

/// A decimal amount that may arrive as a number or a string ("10,00" included).
fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().replace(',', ".").parse::<f64>().ok(),
        _ => None,
    })
}

/// A string that may arrive as a number (e.g. `account_number`).
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

/// Something Qonto refers to by id and shows by name (a cash-flow category).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Named {
    pub id: Option<String>,
    pub name: String,
}

/// `{"id": …, "name": …}`, or `None` when it is null, not an object or has no name.
fn lenient_named<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Named>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    let text = |v: &serde_json::Value, key: &str| match v.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(v.filter(serde_json::Value::is_object).and_then(|o| {
        Some(Named {
            id: text(&o, "id"),
            name: text(&o, "name").filter(|n| !n.trim().is_empty())?,
        })
    }))
}

/// One of Qonto's enumerated values, read as leniently as a string (an unknown one is kept).
fn lenient_value<'de, D: Deserializer<'de>, T: for<'a> From<&'a str>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(lenient_string(d)?.as_deref().map(T::from))
}

/// A list of ids that may be missing, null, or hold a non-string (left out).
fn lenient_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|i| match i {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A boolean that may be missing, null or a string; `None` when Qonto did not say.
fn lenient_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::String(s)) if s == "true" || s == "false" => Some(s == "true"),
        _ => None,
    })
}

/// A sub-object that is left out, rather than failing its parent, when it has another shape.
fn lenient_object<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| serde_json::from_value(v).ok()))
}

/// A boolean that may be missing or null.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::String(s)) => s == "true",
        _ => false,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct UserOrganization {
    pub id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_country: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub membership_role: Option<String>,
    /// How this app reaches it (not part of Qonto's answer).
    #[serde(skip)]
    pub via: super::credential::Via,
}

impl UserOrganization {
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.legal_name.as_deref())
            .unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserOrganizations {
    #[serde(default)]
    pub organizations: Vec<UserOrganization>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct BankAccount {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub iban: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub bic: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub balance_cents: Option<i64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub authorized_balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub authorized_balance_cents: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub main: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_external_account: bool,
}

impl BankAccount {
    /// The balance in cents, from `balance_cents` or else the decimal field; `None` when the
    /// role may not see it (shown as "—", never 0).
    pub fn balance_in_cents(&self) -> Option<i64> {
        self.balance_cents
            .or(self.balance.map(|b| (b * 100.0).round() as i64))
    }

    pub fn authorized_in_cents(&self) -> Option<i64> {
        self.authorized_balance_cents
            .or(self.authorized_balance.map(|b| (b * 100.0).round() as i64))
    }

    /// The id to ask transactions for: `id`, or else the slug (old API answers).
    pub fn key(&self) -> Option<&str> {
        self.id.as_deref().or(self.slug.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Organization {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_country: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_form: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub legal_address: Option<String>,
    #[serde(default)]
    pub bank_accounts: Vec<BankAccount>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrganizationEnvelope {
    pub organization: Organization,
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct Transaction {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub transaction_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub amount: Option<f64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub amount_cents: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "lenient_value")]
    pub side: Option<Side>,
    #[serde(default, deserialize_with = "lenient_value")]
    pub operation_type: Option<OperationType>,
    #[serde(default, deserialize_with = "lenient_value")]
    pub status: Option<Status>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub label: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub clean_counterparty_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub settled_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub emitted_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub note: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub reference: Option<String>,
    /// When Qonto last changed it (status, attachments, note…): what incremental sync follows.
    #[serde(default, deserialize_with = "lenient_string")]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub label_ids: Vec<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub attachment_ids: Vec<String>,
    /// Whether a receipt is expected (Qonto's rules per operation); `None` when not said.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub attachment_required: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub attachment_lost: Option<bool>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub vat_amount_cents: Option<i64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub vat_rate: Option<f64>,
    /// Where it is filed in the organization's cash-flow tree (set in Qonto); `None` when not.
    #[serde(default, deserialize_with = "lenient_named")]
    pub cashflow_category: Option<Named>,
    #[serde(default, deserialize_with = "lenient_named")]
    pub cashflow_subcategory: Option<Named>,
    /// `includes[]=vat_details`: the VAT lines entered on it (a split bill has several).
    #[serde(default, deserialize_with = "super::vat_lines::lenient_vat_lines")]
    pub vat_details: Vec<super::vat_lines::VatLine>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub local_amount_cents: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub local_currency: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub card_last_digits: Option<String>,
    /// The membership that initiated it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub initiator_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub subject_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub settled_balance_cents: Option<i64>,
    /// The counterparty's account, on transfers.
    #[serde(default, deserialize_with = "lenient_object")]
    pub transfer: Option<TransferDetails>,
}

/// A transfer's counterparty account, as Qonto gives it on a transaction.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, serde::Serialize)]
pub struct TransferDetails {
    #[serde(default, deserialize_with = "lenient_string")]
    pub counterparty_account_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub counterparty_bank_identifier: Option<String>,
}

impl Transaction {
    /// A receipt is required and none is attached (nor declared lost); a declined payment
    /// moved no money and needs none.
    pub fn misses_receipt(&self) -> bool {
        self.status != Some(Status::Declined)
            && self.attachment_required == Some(true)
            && self.attachment_ids.is_empty()
            && self.attachment_lost != Some(true)
    }
}

impl Transaction {
    pub fn is_credit(&self) -> bool {
        self.side == Some(Side::Credit)
    }

    pub fn cents(&self) -> Option<i64> {
        self.amount_cents
            .or(self.amount.map(|a| (a * 100.0).round() as i64))
    }

    /// Signed by side: credits positive, debits negative.
    pub fn signed_cents(&self) -> Option<i64> {
        self.cents()
            .map(|c| if self.is_credit() { c.abs() } else { -c.abs() })
    }

    pub fn counterparty(&self) -> &str {
        self.clean_counterparty_name
            .as_deref()
            .or(self.label.as_deref())
            .unwrap_or("—")
    }

    /// The date shown: settled, else emitted (pending ones).
    pub fn date(&self) -> Option<&str> {
        self.settled_at.as_deref().or(self.emitted_at.as_deref())
    }
}

/// Pagination meta; every field may be missing (some endpoints omit `next_page`, some send 0).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Meta {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub current_page: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub next_page: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub total_pages: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub total_count: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

impl Meta {
    /// The next page to ask for, if any: `next_page` when it is after the current one.
    pub fn next(&self, asked: i64) -> Option<i64> {
        self.next_page.filter(|n| *n > asked)
    }
}

/// `GET /v2/transactions/{id}`'s answer.
#[derive(Debug, Clone, Deserialize)]
pub struct TransactionEnvelope {
    pub transaction: Transaction,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TransactionsPage {
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    #[serde(default)]
    pub meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Membership {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub residence_country: Option<String>,
}

impl Membership {
    pub fn full_name(&self) -> String {
        let name = format!(
            "{} {}",
            self.first_name.as_deref().unwrap_or(""),
            self.last_name.as_deref().unwrap_or("")
        );
        let name = name.trim();
        if name.is_empty() {
            "—".to_string()
        } else {
            name.to_string()
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MembershipEnvelope {
    pub membership: Membership,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MembershipsPage {
    #[serde(default)]
    pub memberships: Vec<Membership>,
    #[serde(default)]
    pub meta: Meta,
}

/// A file attached to a transaction (a receipt), with a short-lived URL to it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Attachment {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub file_name: Option<String>,
    /// Bytes, as Qonto sends it: a string.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub file_size: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub file_content_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AttachmentsEnvelope {
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Label {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub parent_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LabelsPage {
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub meta: Meta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_strings_nulls_unknown_fields_and_missing_meta() {
        let t: Transaction = serde_json::from_str(
            r#"{"id":"x","amount":"10,50","amount_cents":null,"side":"debit","status":"some_new_status","unknown":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(t.cents(), Some(1050));
        assert_eq!(t.signed_cents(), Some(-1050));
        assert_eq!(t.status, Some(Status::Other("some_new_status".into())));
        let a: BankAccount = serde_json::from_str(
            r#"{"id":"a","account_number":1234,"balance_cents":"1200","main":null}"#,
        )
        .unwrap();
        assert_eq!(a.balance_in_cents(), Some(1200));
        assert!(!a.main);
        let hidden: BankAccount = serde_json::from_str(r#"{"id":"a","name":"Ops"}"#).unwrap();
        assert_eq!(hidden.balance_in_cents(), None);
        let p: TransactionsPage = serde_json::from_str(r#"{"transactions":[]}"#).unwrap();
        assert_eq!(p.meta.next(1), None);
        let m: Meta = serde_json::from_str(r#"{"next_page":0,"current_page":3}"#).unwrap();
        assert_eq!(m.next(3), None, "next_page 0 ends the loop");
    }

    /// What the firm's books keep of an answer (its models written back as JSON) reads back
    /// as the same models.
    #[test]
    fn models_written_as_json_read_back_the_same() {
        let t: Transaction = serde_json::from_str(
            r#"{"id":"t1","transaction_id":"x-1","amount":12.5,"amount_cents":1250,"currency":"EUR",
                "side":"debit","operation_type":"card","status":"completed","label":"URSSAF",
                "clean_counterparty_name":"Urssaf","settled_at":"2026-11-02T10:00:00.000Z",
                "emitted_at":"2026-11-01T10:00:00.000Z","category":"tax","note":"n","reference":"r",
                "updated_at":"2026-11-03T10:00:00.000Z","label_ids":["l1"],"attachment_ids":["a1"],
                "attachment_required":true,"attachment_lost":false,"vat_amount_cents":208,
                "vat_rate":20.0,"cashflow_category":{"id":"c1","name":"Taxes"},
                "cashflow_subcategory":{"name":"Social"},
                "vat_details":[{"amount_cents":208,"rate":20.0}],
                "local_amount_cents":1250,"local_currency":"EUR","card_last_digits":"1234",
                "initiator_id":"m1","subject_type":"Card","settled_balance_cents":100,
                "transfer":{"counterparty_account_number":"FR76","counterparty_bank_identifier":"B"}}"#,
        )
        .unwrap();
        let again: Transaction = serde_json::from_value(serde_json::to_value(&t).unwrap()).unwrap();
        assert_eq!(again, t);
        let a: BankAccount = serde_json::from_str(
            r#"{"id":"a","slug":"s","name":"Ops","iban":"FR76","bic":"B","currency":"EUR",
                "balance":1.5,"balance_cents":150,"authorized_balance_cents":150,"status":"active",
                "main":true,"updated_at":"2026-11-03T10:00:00Z","is_external_account":false}"#,
        )
        .unwrap();
        let again: BankAccount = serde_json::from_value(serde_json::to_value(&a).unwrap()).unwrap();
        assert_eq!(again, a);
        let o: UserOrganization = serde_json::from_str(
            r#"{"id":"o","name":"Acme","legal_name":"Acme SAS","legal_number":"1",
                "legal_country":"FR","membership_role":"owner"}"#,
        )
        .unwrap();
        let again: UserOrganization =
            serde_json::from_value(serde_json::to_value(&o).unwrap()).unwrap();
        assert_eq!(again, o);
    }

    #[test]
    fn a_cash_flow_category_is_read_by_name_or_not_at_all() {
        let t: Transaction = serde_json::from_str(
            r#"{"cashflow_category":{"id":"c1","name":"Operations"},"cashflow_subcategory":{"name":" "}}"#,
        )
        .unwrap();
        assert_eq!(
            t.cashflow_category,
            Some(Named {
                id: Some("c1".into()),
                name: "Operations".into()
            })
        );
        assert_eq!(t.cashflow_subcategory, None, "a blank name is no category");
        for odd in [
            r#"{"cashflow_category":null}"#,
            r#"{"cashflow_category":"Ops"}"#,
            r#"{"cashflow_category":{"id":1}}"#,
        ] {
            let t: Transaction = serde_json::from_str(odd).unwrap();
            assert_eq!(t.cashflow_category, None, "{odd}");
        }
    }
}
