//! What `--org` means, in every command: an organization's id, the beginning of its id (four
//! characters or more), the login of the API key that reaches it, or the beginning of its name
//! (case and accents ignored); a word naming several is refused with the list.

use qonto_books::query::fold;

use super::local::Usage;
use crate::config::Config;

/// The organizations `asked` names, or all of them; as (id, name).
pub fn choose_orgs(
    known: Vec<(String, String)>,
    asked: &[String],
    all: bool,
) -> Result<Vec<(String, String)>, Usage> {
    choose_orgs_reached(known, &[], asked, all)
}

/// The API keys' logins, by organization id (`[]` when the list cannot be read: names and ids
/// still work).
pub fn logins(config: &Config) -> Vec<(String, String)> {
    crate::sources::Sources::for_config(config)
        .list()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| Some((s.org_id, s.login?)))
        .collect()
}

/// As [`choose_orgs`], a login of `logins` (organization id, login) naming its organization too.
pub fn choose_orgs_reached(
    known: Vec<(String, String)>,
    logins: &[(String, String)],
    asked: &[String],
    all: bool,
) -> Result<Vec<(String, String)>, Usage> {
    let listing = || {
        known
            .iter()
            .map(|(id, name)| {
                format!(
                    "  {}  {}",
                    super::reach::clean(id),
                    super::reach::clean(name)
                )
            })
            .collect::<Vec<_>>()
            .join("\\n")
    };
    if all {
        return Ok(known);
    }
    if asked.is_empty() {
        return Err(Usage(format!(
            "name the organizations with --org (an id, a name's beginning or an API key's login; repeatable), or take them all with --all. They are:\\n{}",
            listing()
        )));
    }
    let mut chosen = Vec::new();
    for wanted in asked {
        let found = match resolve(&known, logins, wanted) {
            Named::One(org) => org.clone(),
            Named::None => {
                return Err(Usage(format!(
                    "no organization is {:?}. They are:\\n{}",
                    super::reach::clean(wanted),
                    listing()
                )));
            }
            Named::Several(n) => {
                return Err(Usage(format!(
                    "{:?} names {n} organizations: give more of its name, or its id. They are:\\n{}",
                    super::reach::clean(wanted),
                    listing()
                )));
            }
        };
        if !chosen.contains(&found) {
            chosen.push(found);
        }
    }
    Ok(chosen)
}

/// What one `--org` word names.
pub enum Named<'a> {
    One(&'a (String, String)),
    None,
    Several(usize),
}

/// The organization of `known` (id, name) that `wanted` names: by id, by login, by the
/// beginning of the id (four characters or more), then by the beginning of the name.
pub fn resolve<'a>(
    known: &'a [(String, String)],
    logins: &[(String, String)],
    wanted: &str,
) -> Named<'a> {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return Named::None;
    }
    if let Some(org) = known.iter().find(|(id, _)| id == wanted) {
        return Named::One(org);
    }
    let by_login: Vec<&String> = logins
        .iter()
        .filter(|(_, login)| login == wanted)
        .map(|(id, _)| id)
        .collect();
    if let [id] = by_login.as_slice()
        && let Some(org) = known.iter().find(|(known_id, _)| known_id == *id)
    {
        return Named::One(org);
    }
    let one_of = |found: Vec<&'a (String, String)>| match found.as_slice() {
        [] => Named::None,
        [one] => Named::One(one),
        many => Named::Several(many.len()),
    };
    if wanted.chars().count() >= 4 {
        let by_id: Vec<_> = known
            .iter()
            .filter(|(id, _)| id.starts_with(wanted))
            .collect();
        if !by_id.is_empty() {
            return one_of(by_id);
        }
    }
    let prefix = fold(wanted);
    one_of(
        known
            .iter()
            .filter(|(_, name)| fold(name).starts_with(&prefix))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<(String, String)> {
        [
            ("a3350024-d37f", "Atelier Laurent"),
            ("96163d4a-aaaa", "Laurent Holding"),
            ("dad3a89e-bbbb", "Brasserie du Canal"),
            ("dad3ffff-cccc", "Brasserie Nord"),
        ]
        .iter()
        .map(|(i, n)| (i.to_string(), n.to_string()))
        .collect()
    }

    #[test]
    fn an_org_is_named_by_id_id_prefix_login_or_name_prefix() {
        let known = known();
        let logins = [(
            "96163d4a-aaaa".to_string(),
            "laurent-holding-1234".to_string(),
        )];
        let id = |wanted: &str| match resolve(&known, &logins, wanted) {
            Named::One((id, _)) => Some(id.clone()),
            Named::None => None,
            Named::Several(n) => Some(format!("{n} of them")),
        };
        assert_eq!(id("a3350024-d37f").as_deref(), Some("a3350024-d37f"));
        assert_eq!(id("a335").as_deref(), Some("a3350024-d37f"));
        assert_eq!(id("laurent-holding-1234").as_deref(), Some("96163d4a-aaaa"));
        assert_eq!(id("brasserie du").as_deref(), Some("dad3a89e-bbbb"));
        assert_eq!(id("ÂTELIER").as_deref(), Some("a3350024-d37f"));
        assert_eq!(id("brasserie").as_deref(), Some("2 of them"));
        assert_eq!(id("dad3").as_deref(), Some("2 of them"));
        // Three characters are a name's beginning, not an id's.
        assert_eq!(id("a33"), None);
        assert_eq!(id("nobody"), None);
        assert_eq!(id(" "), None);
        let err = choose_orgs(known.clone(), &["brasserie".into()], false).unwrap_err();
        assert!(err.0.contains("names 2 organizations"), "{}", err.0);
    }
}
