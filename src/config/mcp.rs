//! What `qonto-tui mcp` may show an assistant: `[mcp]` in the config file. Every organization
//! of the local copy unless `organizations` names some (ids, or names with case and accents
//! ignored); IBANs and card digits masked unless `mask = false`.

use serde::Deserialize;

/// `[mcp]` as the config file gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpFileSetting {
    pub organizations: Option<Vec<String>>,
    pub mask: Option<bool>,
}

/// The MCP server's limits, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpSettings {
    /// `None`: every organization of the local copy.
    pub organizations: Option<Vec<String>>,
    /// IBANs and card digits masked in every answer.
    pub mask: bool,
}

impl Default for McpSettings {
    fn default() -> Self {
        Self {
            organizations: None,
            mask: true,
        }
    }
}

impl McpSettings {
    pub fn from_file(file: Option<&McpFileSetting>) -> Self {
        let Some(file) = file else {
            return Self::default();
        };
        Self {
            organizations: file.organizations.clone(),
            mask: file.mask.unwrap_or(true),
        }
    }

    /// Whether the organization `id` named `name` may be shown. An empty list shows none (the
    /// user wrote a list, and it names nothing).
    pub fn shows(&self, id: &str, name: &str) -> bool {
        match &self.organizations {
            None => true,
            Some(names) => names.iter().any(|n| {
                n == id || qonto_books::query::fold(n.trim()) == qonto_books::query::fold(name)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_organization_and_masked_unless_the_file_says_otherwise() {
        let all = McpSettings::from_file(None);
        assert!(all.mask && all.shows("org-1", "Anything"));
        let file: McpFileSetting =
            toml::from_str("organizations = [\"Brasserie Léon\", \"org-9\"]\nmask = false")
                .unwrap();
        let some = McpSettings::from_file(Some(&file));
        assert!(!some.mask);
        assert!(some.shows("org-1", "BRASSERIE LEON"));
        assert!(some.shows("org-9", "Holding"));
        assert!(!some.shows("org-2", "Brasserie"));
        let none = McpSettings::from_file(Some(&McpFileSetting {
            organizations: Some(Vec::new()),
            mask: None,
        }));
        assert!(none.mask && !none.shows("org-1", "x"));
        assert!(toml::from_str::<McpFileSetting>("allow = []").is_err());
    }
}
