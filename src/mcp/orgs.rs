//! The organizations the MCP server may show: those of the local copy that `[mcp]
//! organizations` allows, read again on each call (a sync may add some while it runs), and
//! which of them a tool's `organization` argument names.

use qonto_books::Books;
use qonto_books::query::fold;

use crate::config::McpSettings;

/// One organization the server may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownOrg {
    pub id: String,
    pub name: String,
    pub legal_name: Option<String>,
    /// How the user reaches it: `user sign-in`, `membership`, `API key`.
    pub reached_through: &'static str,
    pub role: Option<String>,
    /// Unix seconds of its last sync.
    pub synced_at: Option<i64>,
}

/// The organizations of `books` that `settings` allows, in the copy's order.
pub fn shown(
    books: &Books,
    settings: &McpSettings,
) -> Result<Vec<ShownOrg>, qonto_books::BooksError> {
    Ok(books
        .organizations()?
        .into_iter()
        .filter_map(|(org, synced_at)| {
            let id = org.id.clone();
            let name = org.display_name().to_string();
            settings.shows(&id, &name).then(|| ShownOrg {
                reached_through: match org.via {
                    qonto_client::api::Via::User => "user sign-in",
                    qonto_client::api::Via::Membership => "membership",
                    qonto_client::api::Via::ApiKey => "API key",
                },
                role: org.membership_role.clone(),
                legal_name: org.legal_name.clone(),
                id,
                name,
                synced_at,
            })
        })
        .collect())
}

/// The organizations `asked` names among `shown` (all of them when nothing is asked): an id, a
/// name, or a name's beginning that only one has (case and accents ignored). What names none,
/// or an organization not shown, gets the same answer: the server never says what it hides.
pub fn pick<'a>(shown: &'a [ShownOrg], asked: Option<&str>) -> Result<Vec<&'a ShownOrg>, String> {
    let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(shown.iter().collect());
    };
    if let Some(org) = shown.iter().find(|o| o.id == asked) {
        return Ok(vec![org]);
    }
    let wanted = fold(asked);
    let named = |o: &&ShownOrg| {
        [Some(&o.name), o.legal_name.as_ref()]
            .into_iter()
            .flatten()
            .any(|n| fold(n) == wanted)
    };
    if let Some(org) = shown.iter().find(named) {
        return Ok(vec![org]);
    }
    let beginning: Vec<&ShownOrg> = shown
        .iter()
        .filter(|o| fold(&o.name).starts_with(&wanted))
        .collect();
    match beginning.len() {
        1 => Ok(beginning),
        0 => Err(format!(
            "no organization matches {:?} among the {} this server may show; list_organizations gives their ids and names",
            qonto_client::printable::printable(asked, 80),
            shown.len()
        )),
        n => Err(format!(
            "{:?} begins the names of {n} organizations ({}); give one's id or whole name",
            qonto_client::printable::printable(asked, 80),
            beginning
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str, name: &str) -> ShownOrg {
        ShownOrg {
            id: id.into(),
            name: name.into(),
            legal_name: None,
            reached_through: "user sign-in",
            role: None,
            synced_at: None,
        }
    }

    #[test]
    fn an_organization_is_named_by_id_name_or_a_beginning_only_one_has() {
        let shown = [
            org("o-1", "Brasserie Léon"),
            org("o-2", "Brasserie du Port"),
            org("o-3", "Holding"),
        ];
        assert_eq!(pick(&shown, None).unwrap().len(), 3);
        assert_eq!(pick(&shown, Some("o-2")).unwrap()[0].id, "o-2");
        assert_eq!(pick(&shown, Some("brasserie leon")).unwrap()[0].id, "o-1");
        assert_eq!(pick(&shown, Some("hold")).unwrap()[0].id, "o-3");
        let both = pick(&shown, Some("brass")).unwrap_err();
        assert!(both.contains("2 organizations"), "{both}");
        let unknown = pick(&shown, Some("o-9")).unwrap_err();
        assert!(unknown.contains("no organization matches"), "{unknown}");
    }
}
