//! The colours the app draws with: defaults that read on dark and light terminals, and the
//! config file's `[theme]` overrides. Only data; `ui::theme` turns it into styles.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::Color;

/// The five colours everything is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Titles, keys, the focused border.
    pub accent: Color,
    /// Credits and good news.
    pub positive: Color,
    pub warning: Color,
    pub error: Color,
    /// Secondary text and idle borders.
    pub muted: Color,
}

impl Default for Palette {
    fn default() -> Self {
        Self {
            accent: Color::Cyan,
            positive: Color::Green,
            warning: Color::Yellow,
            error: Color::Red,
            muted: Color::DarkGray,
        }
    }
}

/// Why the `[theme]` table of the config file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaletteError {
    #[error("[theme] {}: {:?} is not a colour", shown(.slot), shown(.value))]
    NotAColour { slot: String, value: String },
    #[error(
        "[theme]: {:?} is not a colour of the theme (accent, positive, warning, error, muted)",
        shown(.0)
    )]
    UnknownSlot(String),
}

/// A name from the config file as an error shows it: short, no control characters.
fn shown(text: &str) -> String {
    qonto_client::printable::printable(text, 40)
}

impl Palette {
    /// The defaults with the `[theme]` table applied: `accent = "magenta"`, `muted = "#808080"`,
    /// `error = "9"` (any colour name, `#rrggbb` or a 256-colour index).
    pub fn with_overrides(table: &BTreeMap<String, String>) -> Result<Self, PaletteError> {
        let mut palette = Self::default();
        for (name, value) in table {
            let color = Color::from_str(value).map_err(|_| PaletteError::NotAColour {
                slot: name.clone(),
                value: value.clone(),
            })?;
            let slot = match name.as_str() {
                "accent" => &mut palette.accent,
                "positive" => &mut palette.positive,
                "warning" => &mut palette.warning,
                "error" => &mut palette.error,
                "muted" => &mut palette.muted,
                other => return Err(PaletteError::UnknownSlot(other.to_string())),
            };
            *slot = color;
        }
        Ok(palette)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_take_names_hex_and_indexes_and_refuse_the_rest() {
        let table = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let p = Palette::with_overrides(&table(&[
            ("accent", "magenta"),
            ("muted", "#808080"),
            ("error", "9"),
        ]))
        .unwrap();
        assert_eq!(p.accent, Color::Magenta);
        assert_eq!(p.muted, Color::Rgb(128, 128, 128));
        assert_eq!(p.error, Color::Indexed(9));
        assert_eq!(p.positive, Color::Green);
        assert!(Palette::with_overrides(&table(&[("accent", "mauve-ish")])).is_err());
        assert!(Palette::with_overrides(&table(&[("sparkle", "red")])).is_err());
    }
}
