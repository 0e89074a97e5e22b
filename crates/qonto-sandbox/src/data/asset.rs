//! The demo books' source, `assets/demo-data.toml`: the user, the organizations and their
//! accounts, the counterparties and the names the generator draws from.

use serde::Deserialize;

use super::Side;

pub(super) const DEMO_ASSET: &str = include_str!("../../assets/demo-data.toml");

#[derive(Debug, Deserialize)]
pub(super) struct Asset {
    pub(super) user: AssetUser,
    pub(super) organizations: Vec<AssetOrg>,
    pub(super) counterparties: Vec<Counterparty>,
    pub(super) people: AssetPeople,
    pub(super) labels: AssetLabels,
}

#[derive(Debug, Deserialize)]
pub(super) struct AssetUser {
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct AssetOrg {
    pub(super) name: String,
    pub(super) legal_name: String,
    pub(super) legal_number: String,
    pub(super) legal_country: String,
    pub(super) legal_form: String,
    pub(super) legal_sector: String,
    pub(super) legal_address: String,
    pub(super) locale: String,
    pub(super) membership_role: String,
    /// Qonto's check of the company (KYB): an IBAN certificate is refused until it is accepted.
    #[serde(default = "accepted")]
    pub(super) kyb_status: String,
    pub(super) accounts: Vec<AssetAccount>,
}

fn accepted() -> String {
    "accepted".into()
}

#[derive(Debug, Deserialize)]
pub(super) struct AssetAccount {
    pub(super) name: String,
    pub(super) opening_balance_cents: i64,
    pub(super) transactions: usize,
}

/// Someone the books deal with, and the shape of their transactions.
#[derive(Debug, Deserialize)]
pub struct Counterparty {
    pub name: String,
    pub category: String,
    pub operation_type: String,
    pub side: Side,
    pub(super) min_cents: i64,
    pub(super) max_cents: i64,
    pub(super) weight: u32,
    /// Their account, as a transfer names it.
    #[serde(default)]
    pub iban: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct AssetPeople {
    pub(super) first_names: Vec<String>,
    pub(super) last_names: Vec<String>,
    pub(super) roles: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct AssetLabels {
    pub(super) parents: Vec<String>,
    pub(super) children: Vec<String>,
}
