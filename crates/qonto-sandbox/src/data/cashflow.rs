//! Cash-flow categories: each organization's two-level tree (inflow and outflow, a VAT rate on
//! some), the same names in every demo organization with ids of its own, and the category the
//! demo books' transactions carry: most are filed by their counterparty's kind, about one in
//! five is left for the user to categorize.

use crate::rng::SeededRng;

/// A category of an organization's tree.
#[derive(Debug, Clone)]
pub struct CashflowCategory {
    pub id: String,
    pub name: String,
    /// Inflow (money in) or outflow.
    pub inflow: bool,
    /// Qonto writes it as a string (`"20"`, `"5.5"`).
    pub vat_rate: Option<String>,
    pub subcategories: Vec<CashflowSubcategory>,
}

#[derive(Debug, Clone)]
pub struct CashflowSubcategory {
    pub id: String,
    pub name: String,
    pub vat_rate: Option<String>,
}

type Node = (&'static str, Option<&'static str>);

/// The seeded tree: (category, inflow, VAT rate, subcategories).
const TREE: &[(&str, bool, Option<&str>, &[Node])] = &[
    (
        "Revenue",
        true,
        None,
        &[("Sales", Some("20")), ("Services", Some("20"))],
    ),
    (
        "Financing",
        true,
        None,
        &[("Refunds", None), ("Capital", None)],
    ),
    (
        "Operations",
        false,
        None,
        &[
            ("Software", Some("20")),
            ("Telecom", Some("20")),
            ("Utilities", Some("20")),
            ("Rent", Some("20")),
            ("Supplies", Some("20")),
            ("Insurance", None),
        ],
    ),
    (
        "People",
        false,
        None,
        &[("Salaries", None), ("Freelancers", Some("20"))],
    ),
    (
        "Taxes",
        false,
        None,
        &[("VAT", None), ("Social charges", None)],
    ),
    (
        "Travel & meals",
        false,
        None,
        &[
            ("Travel", Some("10")),
            ("Meals", Some("10")),
            ("Fuel", Some("20")),
        ],
    ),
    (
        "Professional services",
        false,
        None,
        &[("Accounting", Some("20"))],
    ),
    // A category without subcategories: it is a leaf itself.
    ("Bank fees", false, Some("20"), &[]),
];

/// Where a counterparty's kind of spending or income is filed: (category, subcategory).
fn filed_under(kind: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match kind {
        "sales" => ("Revenue", Some("Sales")),
        "refund" => ("Financing", Some("Refunds")),
        "fees" => ("Bank fees", None),
        "accounting" => ("Professional services", Some("Accounting")),
        "freelance" => ("People", Some("Freelancers")),
        "salary" => ("People", Some("Salaries")),
        "insurance" => ("Operations", Some("Insurance")),
        "real_estate" => ("Operations", Some("Rent")),
        "telecom" => ("Operations", Some("Telecom")),
        "utility" => ("Operations", Some("Utilities")),
        "supplies" => ("Operations", Some("Supplies")),
        "online_service" => ("Operations", Some("Software")),
        "gas_station" => ("Travel & meals", Some("Fuel")),
        "restaurant_and_bar" => ("Travel & meals", Some("Meals")),
        "transport" | "travel" => ("Travel & meals", Some("Travel")),
        "tax" => ("Taxes", Some("VAT")),
        _ => return None,
    })
}

/// The tree of the organization `org_id`, its ids drawn from `seed`.
pub fn seeded_tree(seed: u64, org_id: &str) -> Vec<CashflowCategory> {
    let mut rng = SeededRng::derive(seed, &format!("cashflow-{org_id}"));
    TREE.iter()
        .map(|(name, inflow, vat_rate, subs)| CashflowCategory {
            id: rng.uuid(),
            name: (*name).to_string(),
            inflow: *inflow,
            vat_rate: vat_rate.map(String::from),
            subcategories: subs
                .iter()
                .map(|(name, vat_rate)| CashflowSubcategory {
                    id: rng.uuid(),
                    name: (*name).to_string(),
                    vat_rate: vat_rate.map(String::from),
                })
                .collect(),
        })
        .collect()
}

/// The category and subcategory transaction `tx_id` of a counterparty of kind `kind` carries
/// in `tree`, if it is filed: about one in five is not, nor is a kind the tree has no place for.
pub fn filed<'a>(
    seed: u64,
    tree: &'a [CashflowCategory],
    tx_id: &str,
    kind: &str,
) -> Option<(&'a CashflowCategory, Option<&'a CashflowSubcategory>)> {
    let (category, sub) = filed_under(kind)?;
    if SeededRng::derive(seed, &format!("filed-{tx_id}")).chance(20) {
        return None;
    }
    let category = tree.iter().find(|c| c.name == category)?;
    let sub = sub.and_then(|s| category.subcategories.iter().find(|c| c.name == s));
    Some((category, sub))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_filed_is_a_leaf_of_the_tree() {
        let tree = seeded_tree(42, "org");
        for kind in [
            "sales",
            "refund",
            "fees",
            "accounting",
            "freelance",
            "salary",
            "insurance",
            "real_estate",
            "telecom",
            "utility",
            "supplies",
            "online_service",
            "gas_station",
            "restaurant_and_bar",
            "transport",
            "travel",
            "tax",
        ] {
            let (category, sub) = (0..50)
                .find_map(|n| filed(42, &tree, &format!("t{n}"), kind))
                .expect(kind);
            assert_eq!(sub.is_none(), category.subcategories.is_empty(), "{kind}");
        }
        assert!(filed(42, &tree, "t", "internal").is_none());
        // Ids are the organization's own.
        assert_ne!(seeded_tree(42, "other")[0].id, tree[0].id);
    }
}
