//! The rules' proposals, over whatever is shown: each rule's words and category, how many
//! uncategorized transactions it proposes and in which organizations, its state; the question
//! before anything is filed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::format::fit;
use super::theme::Theme;
use crate::app::App;
use crate::app::rules_view::{RuleState, RulesView};

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &RulesView) {
    let width = area.width.saturating_sub(4).min(100);
    let wanted = 2 * view.rows.len() as u16 + 6;
    let height = area.height.saturating_sub(2).min(wanted.max(8));
    if width < 30 || height < 6 {
        return;
    }
    let inner = super::popup::framed(
        frame,
        theme,
        area,
        (width, height),
        " What your categorization rules propose ",
    );
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    if view.rows.is_empty() {
        lines.push(Line::styled(
            "Nothing left to file: every transaction your rules match has its category.",
            theme.dim(),
        ));
    }
    for (i, (p, state)) in view.rows.iter().enumerate() {
        let chosen = i == view.cursor;
        let n = p.transactions.len();
        let head = format!(
            "{} {:?} → {} · {} transaction{}",
            if chosen { "▶" } else { " " },
            p.counterparty,
            p.category,
            app.locale.count(n as i64),
            if n == 1 { "" } else { "s" },
        );
        let style = if chosen {
            theme.title()
        } else {
            ratatui::style::Style::new()
        };
        let (state_words, state_style) = match state {
            RuleState::Open => (String::new(), theme.dim()),
            RuleState::Asking => (String::new(), theme.warning()),
            RuleState::Sending(_) => ("  filing…".to_string(), theme.warning()),
        };
        lines.push(Line::from(vec![
            Span::styled(
                fit(&head, w.saturating_sub(state_words.chars().count())),
                style,
            ),
            Span::styled(state_words, state_style),
        ]));
        let second = if *state == RuleState::Asking {
            Line::styled(
                fit(
                    &format!(
                        "  File these {n} under {} in {}? y files · any other key: no",
                        p.category,
                        p.orgs.join(", ")
                    ),
                    w,
                ),
                theme.warning(),
            )
        } else {
            Line::styled(fit(&format!("  in {}", p.orgs.join(", ")), w), theme.dim())
        };
        lines.push(second);
    }
    let hint_at = inner.height.saturating_sub(1);
    let body = Rect::new(inner.x, inner.y, inner.width, hint_at);
    frame.render_widget(Paragraph::new(lines), body);
    frame.render_widget(
        Paragraph::new(Line::styled(
            fit(
                "↑↓ choose · Enter file (asks first) · ^R take the last filing back · Esc close",
                w,
            ),
            theme.key(),
        )),
        Rect::new(inner.x, inner.y + hint_at, inner.width, 1),
    );
}
