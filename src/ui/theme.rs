//! Colours that read on dark and light terminals (the terminal's own palette, no fixed
//! backgrounds), overridable in the config file's `[theme]`, and a monochrome variant for
//! `NO_COLOR`, which always wins.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::Block;

use crate::palette::Palette;

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
    /// A pane's frame. The focused one is unmistakable without colour too: a thick border and a
    /// marker before its title (colour alone fails under NO_COLOR and many themes).
    pub fn pane<'a>(&self, title: String, focused: bool) -> Block<'a> {
        if focused {
            Block::bordered()
                .border_type(ratatui::widgets::BorderType::Thick)
                .title(Span::styled(format!("▶{title}"), self.title()))
                .border_style(self.border_focused())
        } else {
            Block::bordered()
                .title(Span::styled(title, self.header()))
                .border_style(self.border())
        }
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
    fn no_color_wins_over_any_palette() {
        let palette = Palette {
            accent: Color::Magenta,
            ..Palette::default()
        };
        assert_eq!(Theme::new(true, palette).title().fg, None);
        assert_eq!(Theme::new(false, palette).title().fg, Some(Color::Magenta));
    }
}
