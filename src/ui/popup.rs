//! The popups' frame: centred in the area, what is under them cleared, bordered with the
//! focused colour and titled; and how many rows wrapped lines take, to size one to its text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};

use super::theme::Theme;

/// Draws a `width`×`height` popup centred in `area` (both at most the area's), titled `title`;
/// its inside.
pub fn framed(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    (width, height): (u16, u16),
    title: impl Into<String>,
) -> Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused())
        .title(Span::styled(title.into(), theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    inner
}

/// Rows `lines` take when wrapped at `width` columns (an empty line takes one).
pub fn wrapped_rows(lines: &[Line], width: usize) -> u16 {
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(width.max(1)).max(1))
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}
