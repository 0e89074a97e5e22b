//! Cash-flow categories in the local copy: each organization's tree as Qonto last listed it,
//! the leaf a category name stands for there, where each transaction is filed now, and a
//! change of category written at once after Qonto took it (the next sync brings the same).

use rusqlite::params;

use super::{Books, BooksError};
use crate::query::fold;

/// A category (no parent) or a subcategory of an organization's tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CategoryNode {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub inflow: bool,
    pub vat_rate: Option<String>,
}

/// Where a transaction is filed: a category, and a subcategory of it when it has some. Ids
/// and names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Leaf {
    pub category_id: String,
    pub category: String,
    pub subcategory_id: Option<String>,
    pub subcategory: Option<String>,
}

impl Leaf {
    /// The id Qonto assigns: the subcategory's, else the category's.
    pub fn id(&self) -> &str {
        self.subcategory_id.as_deref().unwrap_or(&self.category_id)
    }

    /// `Operations / Software`, or `Bank fees`.
    pub fn words(&self) -> String {
        match &self.subcategory {
            Some(sub) => format!("{} / {sub}", self.category),
            None => self.category.clone(),
        }
    }
}

/// A transaction and where it is filed now (`None`: uncategorized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub id: String,
    pub org_id: String,
    pub category: Option<String>,
    pub subcategory: Option<String>,
}

/// Why a name does not stand for one leaf of a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    #[error("no category {0:?} here")]
    Unknown(String),
    #[error("{name:?} has subcategories; name one: {choices}")]
    HasSubcategories { name: String, choices: String },
    #[error("{name:?} is several categories here: {choices}")]
    Ambiguous { name: String, choices: String },
}

impl Books {
    /// Replaces `org`'s tree with `nodes` (categories before their subcategories, in order).
    pub fn put_categories(&self, org: &str, nodes: &[CategoryNode]) -> Result<(), BooksError> {
        let tx = self.db.unchecked_transaction()?;
        tx.execute("DELETE FROM cashflow_categories WHERE org_id = ?1", [org])?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO cashflow_categories
                     (org_id, id, name, parent_id, inflow, vat_rate, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (position, n) in nodes.iter().enumerate() {
                put.execute(params![
                    org,
                    n.id,
                    n.name,
                    n.parent_id,
                    n.inflow,
                    n.vat_rate,
                    position as i64
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// `org`'s tree as last listed, in Qonto's order (empty: never listed).
    pub fn categories(&self, org: &str) -> Result<Vec<CategoryNode>, BooksError> {
        let mut q = self.db.prepare_cached(
            "SELECT id, name, parent_id, inflow, vat_rate FROM cashflow_categories
             WHERE org_id = ?1 ORDER BY position",
        )?;
        let rows = q.query_map([org], |r| {
            Ok(CategoryNode {
                id: r.get(0)?,
                name: r.get(1)?,
                parent_id: r.get(2)?,
                inflow: r.get(3)?,
                vat_rate: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The leaves the transactions of `org_ids` are filed under, as a person names them
    /// (`Category / Subcategory`, or `Category`), sorted: what a picker can offer where no
    /// tree can be read from Qonto (a staff member's machine of a firm).
    pub fn leaves_in_use(&self, org_ids: &[String]) -> Result<Vec<String>, BooksError> {
        let mut q = self.db.prepare_cached(concat!(
            "SELECT DISTINCT cashflow_category, cashflow_subcategory FROM transactions
             WHERE org_key = ",
            key_of!("?1"),
            " AND cashflow_category IS NOT NULL"
        ))?;
        let mut names = std::collections::BTreeSet::new();
        for org in org_ids {
            let rows = q.query_map([org], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            for row in rows {
                names.insert(match row? {
                    (main, Some(sub)) => format!("{main} / {sub}"),
                    (main, None) => main,
                });
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Where each of `ids` is filed now (ids not in the copy are left out).
    pub fn filed(&self, ids: &[String]) -> Result<Vec<Filed>, BooksError> {
        let mut q = self.db.prepare_cached(concat!(
            "SELECT id, ",
            id_of!("org_key"),
            ", cashflow_category, cashflow_subcategory FROM transactions WHERE ",
            crate::id_hash::by_id!("id", "?1")
        ))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let found = q.query_row([id], |r| {
                Ok(Filed {
                    id: r.get(0)?,
                    org_id: r.get(1)?,
                    category: r.get(2)?,
                    subcategory: r.get(3)?,
                })
            });
            match found {
                Ok(f) => out.push(f),
                Err(rusqlite::Error::QueryReturnedNoRows) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// Every organization's id and name, as the copy knows them.
    pub fn organization_names(&self) -> Result<Vec<(String, String)>, BooksError> {
        let mut q = self
            .db
            .prepare_cached("SELECT id, coalesce(name, legal_name, id) FROM organizations")?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Files `ids` under `leaf` (`None`: uncategorized) in the copy, as Qonto now has them.
    pub fn file_locally(&self, ids: &[String], leaf: Option<&Leaf>) -> Result<(), BooksError> {
        let tx = self.db.unchecked_transaction()?;
        {
            let mut set = tx.prepare_cached(concat!(
                "UPDATE transactions SET cashflow_category = ?2, cashflow_subcategory = ?3
                 WHERE ",
                crate::id_hash::by_id!("id", "?1")
            ))?;
            for id in ids {
                set.execute(params![
                    id,
                    leaf.map(|l| l.category.as_str()),
                    leaf.and_then(|l| l.subcategory.as_deref())
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// The leaf `name` stands for in `tree`: `Category / Subcategory`, a subcategory's name alone
/// when it is one category's only, or a category without subcategories. Case and accents
/// are ignored.
pub fn leaf_named(tree: &[CategoryNode], name: &str) -> Result<Leaf, LeafError> {
    let (parent_name, child_name) = match name.split_once('/') {
        Some((p, c)) => (Some(fold(p.trim())), fold(c.trim())),
        None => (None, fold(name.trim())),
    };
    let category = |id: &str| tree.iter().find(|n| n.id == id && n.parent_id.is_none());
    let children = |id: &str| {
        tree.iter()
            .filter(|n| n.parent_id.as_deref() == Some(id))
            .collect::<Vec<_>>()
    };
    let leaf_of = |node: &CategoryNode| -> Option<Leaf> {
        match &node.parent_id {
            Some(parent) => category(parent).map(|c| Leaf {
                category_id: c.id.clone(),
                category: c.name.clone(),
                subcategory_id: Some(node.id.clone()),
                subcategory: Some(node.name.clone()),
            }),
            None => Some(Leaf {
                category_id: node.id.clone(),
                category: node.name.clone(),
                subcategory_id: None,
                subcategory: None,
            }),
        }
    };
    let matches: Vec<&CategoryNode> = tree
        .iter()
        .filter(|n| fold(&n.name) == child_name)
        .filter(|n| match (&parent_name, &n.parent_id) {
            (Some(p), Some(parent)) => category(parent).is_some_and(|c| fold(&c.name) == *p),
            (Some(_), None) => false,
            (None, _) => true,
        })
        .collect();
    // A category named alone that has subcategories is no leaf.
    let leaves: Vec<&CategoryNode> = matches
        .iter()
        .copied()
        .filter(|n| n.parent_id.is_some() || children(&n.id).is_empty())
        .collect();
    match leaves.as_slice() {
        [one] => leaf_of(one).ok_or_else(|| LeafError::Unknown(name.to_string())),
        [] => match matches.first() {
            Some(parent) => Err(LeafError::HasSubcategories {
                name: parent.name.clone(),
                choices: children(&parent.id)
                    .iter()
                    .map(|c| format!("{} / {}", parent.name, c.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            None => Err(LeafError::Unknown(name.to_string())),
        },
        many => Err(LeafError::Ambiguous {
            name: name.to_string(),
            choices: many
                .iter()
                .filter_map(|n| leaf_of(n))
                .map(|l| l.words())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The leaf a transaction filed under `category` / `subcategory` (names) sits on in `tree`.
pub fn leaf_of_names(
    tree: &[CategoryNode],
    category: Option<&str>,
    subcategory: Option<&str>,
) -> Option<Leaf> {
    let category = category?;
    let name = match subcategory {
        Some(sub) => format!("{category}/{sub}"),
        None => category.to_string(),
    };
    leaf_named(tree, &name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, name: &str, parent: Option<&str>) -> CategoryNode {
        CategoryNode {
            id: id.into(),
            name: name.into(),
            parent_id: parent.map(String::from),
            inflow: false,
            vat_rate: None,
        }
    }

    fn tree() -> Vec<CategoryNode> {
        vec![
            node("ops", "Operations", None),
            node("sw", "Software", Some("ops")),
            node("tel", "Télécom", Some("ops")),
            node("fees", "Bank fees", None),
            node("ppl", "People", None),
            node("fr", "Freelancers", Some("ppl")),
            node("mk", "Marketing", None),
            node("mksw", "Software", Some("mk")),
        ]
    }

    #[test]
    fn a_name_stands_for_one_leaf_or_says_why_not() {
        let t = tree();
        assert_eq!(leaf_named(&t, "bank fees").unwrap().id(), "fees");
        assert_eq!(leaf_named(&t, "telecom").unwrap().id(), "tel");
        assert_eq!(leaf_named(&t, "Operations / Software").unwrap().id(), "sw");
        assert_eq!(
            leaf_named(&t, "Operations / Software").unwrap().words(),
            "Operations / Software"
        );
        assert!(matches!(
            leaf_named(&t, "software"),
            Err(LeafError::Ambiguous { .. })
        ));
        assert!(matches!(
            leaf_named(&t, "operations"),
            Err(LeafError::HasSubcategories { choices, .. }) if choices.contains("Operations / Software")
        ));
        assert!(matches!(leaf_named(&t, "rent"), Err(LeafError::Unknown(_))));
        assert_eq!(
            leaf_of_names(&t, Some("People"), Some("Freelancers")).map(|l| l.id().to_string()),
            Some("fr".into())
        );
        assert_eq!(leaf_of_names(&t, None, None), None);
    }

    #[test]
    fn trees_are_kept_per_organization_and_a_change_is_written_at_once() {
        let books = Books::in_memory().unwrap();
        books.put_categories("org", &tree()).unwrap();
        books.put_categories("other", &tree()[..2]).unwrap();
        assert_eq!(books.categories("org").unwrap(), tree());
        books.put_categories("org", &tree()[3..4]).unwrap();
        assert_eq!(books.categories("org").unwrap().len(), 1, "replaced");
        assert_eq!(books.categories("other").unwrap().len(), 2);
        assert!(books.filed(&["nope".into()]).unwrap().is_empty());
    }
}
