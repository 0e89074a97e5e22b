//! What the TUI does with the firm's books on a staff member's machine: a pull that brought
//! something refreshes what is on screen (the list, the search, the detail open), and an intent
//! asked of the firm's service is said.

use super::super::msg::{Cmd, WriteAsk};
use super::super::review_view::RowState;
use super::super::search_view::DetailView;
use super::super::state::{App, Notice, Tone};
use super::navigation::{refresh_quietly, set_status};

/// A pull ended.
pub(super) fn pulled(app: &mut App, result: Result<(usize, usize), String>) -> Vec<Cmd> {
    match result {
        Ok((0, 0)) => Vec::new(),
        Ok((added, changed)) => {
            let n = added + changed;
            set_status(
                app,
                Notice::Text(format!(
                    "{n} transaction{} new or changed in the firm's books",
                    if n == 1 { "" } else { "s" }
                )),
                Tone::Info,
            );
            // The list of organizations first (a grant may have come or gone), then what is
            // on screen.
            let mut cmds = super::loading::load_orgs(app);
            cmds.extend(refresh_quietly(app));
            let open = match app.search.as_ref().and_then(|v| v.detail.as_ref()) {
                Some(DetailView::Ready(d)) => Some(d.tx.id.clone()),
                _ => None,
            };
            if let Some(id) = open {
                cmds.extend(super::writing::reread(app, &id));
            } else {
                cmds.extend(super::search::ask_again(app));
            }
            cmds
        }
        Err(why) => {
            set_status(
                app,
                Notice::Text(format!("the firm's books could not be read: {why}")),
                Tone::Error,
            );
            Vec::new()
        }
    }
}

/// An intent was asked of the firm's service, or could not be.
pub(super) fn asked(app: &mut App, ask: &WriteAsk, result: Result<String, String>) -> Vec<Cmd> {
    // A decline asked from the review: its row says it was asked (or why not).
    if matches!(ask, WriteAsk::Decline { .. })
        && let Some(row) = app
            .review
            .as_mut()
            .and_then(|v| v.row_for_ticket(ask.ticket()))
    {
        row.state = match &result {
            Ok(words) => RowState::Done(words.clone()),
            Err(why) => RowState::Failed(crate::outcome::WriteError::NotHere(why.clone())),
        };
    }
    match result {
        Ok(words) => {
            // The marked rows were asked for: the marks have done their work.
            if matches!(ask, WriteAsk::Categorize { .. }) {
                if let Some(view) = app.search.as_mut() {
                    view.marked.clear();
                } else {
                    app.tx_marks.clear();
                }
            }
            set_status(app, Notice::Text(words), Tone::Success)
        }
        Err(why) => set_status(
            app,
            Notice::Text(format!("not asked of the firm's service: {why}")),
            Tone::Error,
        ),
    }
    Vec::new()
}
