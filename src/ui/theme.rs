//! Colours that read on dark and light terminals (the terminal's own palette, no fixed
//! backgrounds), overridable in the config file's `[theme]`, and a monochrome variant for
//! `NO_COLOR`, which always wins.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::Block;

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

impl Palette {
    /// The defaults with the `[theme]` table applied: `accent = "magenta"`, `muted = "#808080"`,
    /// `error = "9"` (any colour name, `#rrggbb` or a 256-colour index).
    pub fn with_overrides(table: &BTreeMap<String, String>) -> Result<Self, String> {
        let mut palette = Self::default();
        for (name, value) in table {
            let color = Color::from_str(value)
                .map_err(|_| format!("[theme] {name}: {value:?} is not a colour"))?;
            let slot = match name.as_str() {
                "accent" => &mut palette.accent,
                "positive" => &mut palette.positive,
                "warning" => &mut palette.warning,
                "error" => &mut palette.error,
                "muted" => &mut palette.muted,
                other => {
                    return Err(format!(
                        "[theme]: {other:?} is not a colour of the theme (accent, positive, warning, error, muted)"
                    ));
                }
            };
            *slot = color;
        }
        Ok(palette)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
    palette: Palette,
}

impl Theme {
    pub fn new(no_color: bool, palette: Palette) -> Self {
        Self {
            color: !no_color,
            palette,
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(self.palette.muted)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn selected_unfocused(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn border_focused(&self) -> Style {
        self.fg(self.palette.accent)
    }
    pub fn border(&self) -> Style {
        self.dim()
    }
    pub fn credit(&self) -> Style {
        self.fg(self.palette.positive)
    }
    pub fn debit(&self) -> Style {
        Style::new()
    }
    pub fn warning(&self) -> Style {
        self.fg(self.palette.warning).add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.fg(self.palette.error).add_modifier(Modifier::BOLD)
    }
    pub fn success(&self) -> Style {
        self.fg(self.palette.positive)
    }
    pub fn banner(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(self.palette.error)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn key(&self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }
    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// A pane's frame: title and border stand out when it has the focus.
    pub fn pane<'a>(&self, title: String, focused: bool) -> Block<'a> {
        let (title_style, border) = if focused {
            (self.title(), self.border_focused())
        } else {
            (self.header(), self.border())
        };
        Block::bordered()
            .title(Span::styled(title, title_style))
            .border_style(border)
    }

    /// A list or table row: reversed when selected in the focused pane, underlined otherwise.
    pub fn row(&self, selected: bool, focused: bool) -> Style {
        match (selected, focused) {
            (true, true) => self.selected(),
            (true, false) => self.selected_unfocused(),
            _ => Style::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_overrides_take_names_hex_and_indexes_and_refuse_the_rest() {
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
        // NO_COLOR wins over any palette.
        let mono = Theme::new(true, p);
        assert_eq!(mono.title().fg, None);
        assert_eq!(Theme::new(false, p).title().fg, Some(Color::Magenta));
    }
}
