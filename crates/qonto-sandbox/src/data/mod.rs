//! The sandbox's demo books: organizations, accounts, members, labels and transaction ledgers,
//! built from `assets/demo-data.toml` and a seed so that every run with the same seed is identical.
//!
//! Ledgers are generated on first use per account, so a 100,000-transaction account costs
//! nothing until someone asks for it.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde::Deserialize;

use crate::rng::SeededRng;

mod asset;
mod cashflow;
mod internal;
mod ledger;
mod living;
mod vat;

pub use asset::Counterparty;
use asset::{Asset, AssetOrg, DEMO_ASSET};
pub use cashflow::{CashflowCategory, CashflowSubcategory, filed as filed_cashflow};
use ledger::{build_ledger, make_iban, slugify};
pub use ledger::{fixed_anchor, statement_periods};
pub use living::LivingBooks;
pub use vat::{MEAL, Vat, VatLine, VatShare};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Credit,
    Debit,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Credit => "credit",
            Side::Debit => "debit",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    Pending,
    Declined,
    Completed,
}

impl TxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::Pending => "pending",
            TxStatus::Declined => "declined",
            TxStatus::Completed => "completed",
        }
    }
}

/// What shapes the generated books.
#[derive(Debug, Clone)]
pub struct DataOptions {
    pub seed: u64,
    /// "Today" for the books: the newest transactions are just before it.
    pub anchor: DateTime<Utc>,
    /// Organizations generated beyond the ones in the asset (for big-list benchmarks).
    pub extra_orgs: usize,
    /// Overrides every account's transaction count: each holds exactly that many (the
    /// monthly fees between the demo's own organizations are left out then).
    pub transactions_per_account: Option<usize>,
    /// Overrides the number of accounts per organization (1..=N, repeating the asset's names).
    pub accounts_per_org: Option<usize>,
    /// Names given to the first organizations in turn, in place of the asset's: for names that
    /// clash once made file names ("Acme" and "ACME"), or hostile ones.
    pub org_names: Vec<String>,
    /// The first organization's first account's IBAN in place of a generated one: a hostile
    /// server's, say, with characters outside ASCII.
    pub first_iban: Option<String>,
}

impl Default for DataOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            anchor: Utc::now(),
            extra_orgs: 0,
            transactions_per_account: None,
            accounts_per_org: None,
            org_names: Vec::new(),
            first_iban: None,
        }
    }
}

#[derive(Debug)]
pub struct DemoUser {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

#[derive(Debug)]
pub struct Org {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub legal_name: String,
    pub legal_number: String,
    pub legal_country: String,
    pub legal_form: String,
    pub legal_sector: String,
    pub legal_address: String,
    pub legal_registration_date: String,
    pub legal_share_capital: i64,
    pub locale: String,
    pub contract_signed_at: String,
    /// The demo user's role in this organization.
    pub membership_role: String,
    /// `accepted` or `pending`: until Qonto accepts the company, no IBAN certificate.
    pub kyb_status: String,
    /// Its cash-flow categories, a two-level tree.
    pub cashflow: Vec<CashflowCategory>,
    pub accounts: Vec<Account>,
    pub members: Vec<Member>,
    pub labels: Vec<Label>,
}

impl Org {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }
}

#[derive(Debug)]
pub struct Account {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub org_id: String,
    pub iban: String,
    pub bic: String,
    pub main: bool,
    opening_balance_cents: i64,
    transaction_count: usize,
    seed: u64,
    anchor: DateTime<Utc>,
    label_ids: Vec<String>,
    ledger: OnceLock<Arc<Ledger>>,
}

#[derive(Debug)]
pub struct Member {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Option<String>,
    pub status: String,
    pub residence_country: String,
    pub nationality: String,
    pub birth_country: String,
    pub birthdate: String,
    pub ubo: bool,
    pub team_id: Option<String>,
}

#[derive(Debug)]
pub struct Label {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
}

/// One account's history, oldest first, with the balances it adds up to.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub transactions: Vec<Tx>,
    pub balance_cents: i64,
    pub authorized_balance_cents: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Tx {
    pub id: String,
    pub number: u32,
    pub counterparty: usize,
    pub amount_cents: i64,
    pub side: Side,
    pub status: TxStatus,
    pub emitted_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub settled_balance_cents: Option<i64>,
    pub label_id: Option<String>,
    pub card_last_digits: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub vat: Vat,
}

#[derive(Debug)]
pub struct DemoData {
    pub user: DemoUser,
    pub orgs: Vec<Org>,
    /// The pool transactions are drawn from (the first `pool_size`), then one per organization:
    /// the other side of transfers between the user's own organizations.
    pub counterparties: Vec<Counterparty>,
    pub pool_size: usize,
    /// Organizations of the first round (one per template), among which the holding bills the
    /// others.
    pub first_round: usize,
    pub options: DataOptions,
}

/// Roles Qonto hides balances from (only owners and admins are documented to see every field;
/// accountants and reporting members read the books, managers and employees do not).
pub fn role_sees_balances(role: &str) -> bool {
    !matches!(role, "manager" | "employee")
}

/// `2026-10-05T12:34:56.000Z`, as Qonto writes times (milliseconds, `Z`).
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl DemoData {
    pub fn generate(options: DataOptions) -> Result<Self, String> {
        let asset: Asset =
            toml::from_str(DEMO_ASSET).map_err(|e| format!("demo data asset is invalid: {e}"))?;
        let seed = options.seed;
        let mut id_rng = SeededRng::derive(seed, "ids");
        let user = DemoUser {
            id: id_rng.uuid(),
            first_name: asset.user.first_name.clone(),
            last_name: asset.user.last_name.clone(),
            email: asset.user.email.clone(),
        };
        let mut orgs = Vec::new();
        let total = asset.organizations.len() + options.extra_orgs;
        for index in 0..total {
            let template = &asset.organizations[index % asset.organizations.len()];
            let mut org = build_org(&asset, template, index, &options, &user);
            if let Some(name) = options.org_names.get(index) {
                org.name.clone_from(name);
            }
            if let (0, Some(iban), Some(account)) =
                (index, &options.first_iban, org.accounts.first_mut())
            {
                account.iban.clone_from(iban);
            }
            orgs.push(org);
        }
        let first_round = asset.organizations.len();
        let mut counterparties = asset.counterparties;
        for cp in &mut counterparties {
            // Its own stream, so the ledgers drawn from the seed stay as they were.
            let mut rng = SeededRng::derive(seed, &format!("counterparty-{}", cp.name));
            cp.iban = Some(make_iban("FR", &mut rng).0);
        }
        let pool_size = counterparties.len();
        counterparties.extend(orgs.iter().map(|org| Counterparty {
            name: org.name.clone(),
            category: "transfer".into(),
            operation_type: "transfer".into(),
            side: Side::Debit,
            min_cents: 0,
            max_cents: 0,
            weight: 0,
            iban: org.accounts.first().map(|a| a.iban.clone()),
        }));
        Ok(Self {
            user,
            orgs,
            counterparties,
            pool_size,
            first_round,
            options,
        })
    }

    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.id == id)
    }

    pub fn org_by_slug(&self, slug: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.slug == slug)
    }

    pub fn ledger(&self, account: &Account) -> Arc<Ledger> {
        account
            .ledger
            .get_or_init(|| {
                let legs = self.internal_legs(account);
                Arc::new(build_ledger(account, &self.counterparties, legs))
            })
            .clone()
    }
}

fn build_org(
    asset: &Asset,
    template: &AssetOrg,
    index: usize,
    options: &DataOptions,
    user: &DemoUser,
) -> Org {
    let mut rng = SeededRng::derive(options.seed, &format!("org-{index}"));
    let round = index / asset.organizations.len();
    let name = if round == 0 {
        template.name.clone()
    } else {
        format!("{} {}", template.name, round + 1)
    };
    let legal_name = if round == 0 {
        template.legal_name.clone()
    } else {
        format!("{} {}", template.legal_name, round + 1)
    };
    let id = rng.uuid();
    let slug = format!("{}-{}", slugify(&name), rng.range(1000, 9999));
    let years_ago = rng.range(2, 12);
    let registered = options.anchor - Duration::days(365 * years_ago + rng.range(0, 300));
    let contract = registered + Duration::days(rng.range(10, 90));

    let mut labels = Vec::new();
    let mut label_rng = SeededRng::derive(options.seed, &format!("labels-{index}"));
    for (p, parent) in asset.labels.parents.iter().enumerate() {
        let parent_id = label_rng.uuid();
        labels.push(Label {
            id: parent_id.clone(),
            name: parent.clone(),
            parent_id: None,
        });
        for child in asset.labels.children.iter().skip(p * 2).take(2) {
            labels.push(Label {
                id: label_rng.uuid(),
                name: child.clone(),
                parent_id: Some(parent_id.clone()),
            });
        }
    }
    let label_ids: Vec<String> = labels.iter().map(|l| l.id.clone()).collect();

    let account_count = options
        .accounts_per_org
        .unwrap_or(template.accounts.len())
        .max(1);
    let mut accounts = Vec::new();
    for a in 0..account_count {
        let t = &template.accounts[a % template.accounts.len()];
        let acc_name = if a < template.accounts.len() {
            t.name.clone()
        } else {
            format!("{} {}", t.name, a + 1)
        };
        let acc_id = rng.uuid();
        let (iban, bic) = make_iban(&template.legal_country, &mut rng);
        accounts.push(Account {
            slug: format!("{}-bank-account-{}", slug, a + 1),
            id: acc_id,
            name: acc_name,
            org_id: id.clone(),
            iban,
            bic,
            main: a == 0,
            opening_balance_cents: t.opening_balance_cents,
            transaction_count: options.transactions_per_account.unwrap_or(t.transactions),
            seed: rng.next_u64(),
            anchor: options.anchor,
            label_ids: label_ids.clone(),
            ledger: OnceLock::new(),
        });
    }

    let mut members = vec![Member {
        id: rng.uuid(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        role: Some(template.membership_role.clone()),
        status: "active".into(),
        residence_country: template.legal_country.clone(),
        nationality: "FR".into(),
        birth_country: "FR".into(),
        birthdate: "1986-04-17".into(),
        ubo: matches!(template.membership_role.as_str(), "owner" | "admin"),
        team_id: None,
    }];
    let team_id = rng.uuid();
    let extra_members = rng.range(3, 8);
    for m in 0..extra_members {
        let first = rng
            .pick(&asset.people.first_names)
            .cloned()
            .unwrap_or_default();
        let last = rng
            .pick(&asset.people.last_names)
            .cloned()
            .unwrap_or_default();
        let invited = m == extra_members - 1 && rng.chance(50);
        let role = rng.pick(&asset.people.roles).cloned();
        let country = if rng.chance(80) {
            template.legal_country.clone()
        } else {
            "BE".to_string()
        };
        members.push(Member {
            id: rng.uuid(),
            first_name: first,
            last_name: last,
            role: if invited { None } else { role },
            status: if invited {
                "invitable".into()
            } else {
                "active".into()
            },
            residence_country: country.clone(),
            nationality: country.clone(),
            birth_country: country,
            birthdate: format!(
                "{}-{:02}-{:02}",
                rng.range(1962, 2001),
                rng.range(1, 12),
                rng.range(1, 28)
            ),
            ubo: false,
            team_id: if invited { None } else { Some(team_id.clone()) },
        });
    }

    Org {
        cashflow: cashflow::seeded_tree(options.seed, &id),
        id,
        slug,
        name,
        legal_name,
        legal_number: template.legal_number.clone(),
        legal_country: template.legal_country.clone(),
        legal_form: template.legal_form.clone(),
        legal_sector: template.legal_sector.clone(),
        legal_address: template.legal_address.clone(),
        legal_registration_date: registered.format("%Y-%m-%d").to_string(),
        legal_share_capital: [1000, 5000, 10000, 50000][(rng.next_u64() % 4) as usize],
        locale: template.locale.clone(),
        contract_signed_at: contract.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
        membership_role: template.membership_role.clone(),
        kyb_status: template.kyb_status.clone(),
        accounts,
        members,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> DemoData {
        let mut opts = DataOptions {
            anchor: fixed_anchor(),
            ..Default::default()
        };
        opts.seed = 42;
        DemoData::generate(opts).unwrap()
    }

    #[test]
    fn five_orgs_with_distinct_roles() {
        let d = data();
        assert_eq!(d.orgs.len(), 5);
        let mut roles: Vec<_> = d.orgs.iter().map(|o| o.membership_role.as_str()).collect();
        roles.sort();
        roles.dedup();
        assert_eq!(roles.len(), 5);
        assert!(d.orgs.iter().all(|o| (1..=3).contains(&o.accounts.len())));
    }

    #[test]
    fn balances_add_up_to_the_history() {
        let d = data();
        for org in &d.orgs {
            for acc in &org.accounts {
                let ledger = d.ledger(acc);
                let last_settled = ledger
                    .transactions
                    .iter()
                    .rev()
                    .find_map(|t| t.settled_balance_cents);
                assert_eq!(last_settled, Some(ledger.balance_cents));
                assert!(
                    ledger
                        .transactions
                        .iter()
                        .all(|t| t.settled_balance_cents.is_none_or(|b| b >= 0))
                );
                let statuses: Vec<_> = ledger.transactions.iter().map(|t| t.status).collect();
                assert!(statuses.contains(&TxStatus::Completed));
            }
        }
    }

    #[test]
    fn same_seed_same_books_other_seed_other_books() {
        let a = data();
        let b = data();
        assert_eq!(a.orgs[0].id, b.orgs[0].id);
        assert_eq!(
            a.ledger(&a.orgs[0].accounts[0]).transactions[5].id,
            b.ledger(&b.orgs[0].accounts[0]).transactions[5].id
        );
        let c = DemoData::generate(DataOptions {
            seed: 43,
            anchor: fixed_anchor(),
            ..Default::default()
        })
        .unwrap();
        assert_ne!(a.orgs[0].id, c.orgs[0].id);
    }

    #[test]
    fn ibans_have_valid_check_digits() {
        let d = data();
        for org in &d.orgs {
            for acc in &org.accounts {
                let iban = &acc.iban;
                let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
                let mut rem = 0u32;
                for c in rearranged.chars() {
                    let v = if c.is_ascii_digit() {
                        c as u32 - 48
                    } else {
                        c as u32 - 55
                    };
                    rem = if v >= 10 {
                        (rem * 100 + v) % 97
                    } else {
                        (rem * 10 + v) % 97
                    };
                }
                assert_eq!(rem, 1, "{iban}");
            }
        }
    }

    #[test]
    fn big_books_on_demand() {
        let d = DemoData::generate(DataOptions {
            anchor: fixed_anchor(),
            transactions_per_account: Some(100_000),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(d.ledger(&d.orgs[0].accounts[0]).transactions.len(), 100_000);
    }
}
