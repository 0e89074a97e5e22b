//! The search view's keys and answers: typing asks again at once (the latest query wins),
//! arrows move through the results, Enter opens one, Esc closes what is open.

use crate::app::local_error::LocalCopyError;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::super::msg::{Cmd, Job};
use super::super::search_view::{DetailView, FIRST_RESULTS, SearchView};
use super::super::state::App;
use super::navigation::quit;
use crate::app::search_form::{Field, Form};
use qonto_books::query::{self, Sort};
use qonto_books::{Detail, Found};

/// The query of the missing-receipts list: grouped by organization, newest first in each.
pub(super) const MISSING_RECEIPTS: &str = "missing:receipt sort:org ";

/// Opens the search (kept as it was if it is open already, unless `preset` replaces its
/// query) and asks for what it shows.
pub(super) fn open(app: &mut App, preset: Option<&str>) -> Vec<Cmd> {
    let view = app.search.get_or_insert_with(SearchView::default);
    if let Some(text) = preset {
        view.input = Input::new(text.to_string());
        view.cursor = 0;
        view.detail = None;
    }
    let mut cmds = load_history(app);
    cmds.extend(ask(app));
    cmds
}

/// Reads the searches run before from the copy, once a run.
pub(super) fn load_history(app: &mut App) -> Vec<Cmd> {
    if app.history_loaded {
        return Vec::new();
    }
    app.history_loaded = true;
    vec![Job::LoadSearchHistory.into()]
}

/// `text` with its `sort:` tokens replaced by `sort` (none for the default, newest first).
fn with_sort(text: &str, sort: Sort) -> String {
    let mut kept = String::new();
    let mut quoted = false;
    let mut token = String::new();
    let flush = |token: &mut String, kept: &mut String| {
        let is_sort = token
            .get(..5)
            .is_some_and(|head| head.eq_ignore_ascii_case("sort:"));
        if !token.is_empty() && !is_sort {
            if !kept.is_empty() {
                kept.push(' ');
            }
            kept.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            flush(&mut token, &mut kept);
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut kept);
    if sort != Sort::Date {
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(sort.token());
    }
    kept.push(' ');
    kept
}

/// Asks for the current query's first results, unless it cannot be read (then says why).
fn ask(app: &mut App) -> Vec<Cmd> {
    ask_for(app, FIRST_RESULTS)
}

/// Asks for `limit` of the current query's results, unless it cannot be read (then says why).
fn ask_for(app: &mut App, limit: usize) -> Vec<Cmd> {
    let generation = app.next_generation();
    let now = app.now;
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let text = view.input.value().to_string();
    view.generation = generation;
    match query::parse(&text) {
        Ok(q) => {
            view.grouped = q.by_org();
            view.sort = q.sort;
        }
        Err(e) => {
            view.answered(generation, Err(LocalCopyError::Query(e)));
            return Vec::new();
        }
    }
    view.waiting_since = Some(now);
    view.asked = limit;
    view.asking_more = false;
    vec![
        Job::Search {
            text,
            generation,
            limit,
        }
        .into(),
    ]
}

/// Asks for more results of the query on screen when the cursor nears the last read (or the
/// screen has room for more) and more match.
pub(super) fn more_if_near_the_end(app: &mut App) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let Some(limit) = view.more_wanted() else {
        return Vec::new();
    };
    view.asked = limit;
    view.asking_more = true;
    vec![
        Job::Search {
            text: view.input.value().to_string(),
            generation: view.generation,
            limit,
        }
        .into(),
    ]
}

/// Asks for the current query's results again (a write changed what matches): as many as
/// were listed, so that the cursor keeps its row however far down the list it was.
pub(super) fn ask_again(app: &mut App) -> Vec<Cmd> {
    let Some(view) = app.search.as_ref() else {
        return Vec::new();
    };
    let listed = view.asked.max(FIRST_RESULTS);
    ask_for(app, listed)
}

/// Asks for another query's first results (one from the history, a saved view).
pub(super) fn ask_anew(app: &mut App) -> Vec<Cmd> {
    if app.search.is_none() {
        return Vec::new();
    }
    ask(app)
}

/// Every key while the search is open, but Ctrl-C (which quits).
pub(super) fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return quit(app);
    }
    if let Some(cmds) = super::search_views::on_key(app, key) {
        return cmds;
    }
    // ^E: every match written as CSV (typing takes the plain letters).
    if key.modifiers.contains(KeyModifiers::CONTROL)
        && key.code == KeyCode::Char('e')
        && let Some(view) = app.search.as_ref()
    {
        let text = view.input.value().to_string();
        super::navigation::set_status(
            app,
            super::super::state::Notice::Text("exporting…".into()),
            super::super::state::Tone::Info,
        );
        let mut cmds = super::search_views::remember(app);
        cmds.push(Job::Export(super::super::msg::ExportWhat::Search { text }).into());
        return cmds;
    }
    // ^O: the next order (date, amount, organization), written into the query.
    if key.modifiers.contains(KeyModifiers::CONTROL)
        && key.code == KeyCode::Char('o')
        && let Some(view) = app.search.as_mut()
        && view.detail.is_none()
        && view.form.is_none()
    {
        let next = Sort::ALL
            .iter()
            .cycle()
            .skip_while(|s| **s != view.sort)
            .nth(1)
            .copied()
            .unwrap_or_default();
        let text = with_sort(view.input.value(), next);
        view.input = Input::new(text);
        view.cursor = 0;
        return ask(app);
    }
    let page = app.page_rows.max(1) as isize;
    // After `y`, the key that says what to copy; else a question about the detail (removing a
    // receipt, attaching a file) takes its keys first, then the detail's own keys.
    let copying = app.search.as_ref().is_some_and(|v| v.copying);
    if copying && let Some(cmds) = super::copying::detail_key(app, key) {
        return cmds;
    }
    if let Some(cmds) = super::writing::detail_key(app, key) {
        return cmds;
    }
    if let Some(cmds) = super::copying::detail_key(app, key) {
        return cmds;
    }
    if let Some(cmds) = super::marks::on_key(app, key) {
        return cmds;
    }
    let detail_open = app.search.as_ref().is_some_and(|v| v.detail.is_some());
    if detail_open && key.code == KeyCode::Char('i') {
        app.reveal_ibans = !app.reveal_ibans;
        return Vec::new();
    }
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    if let Some(DetailView::Ready(detail)) = &view.detail
        && let KeyCode::Char(c @ ('o' | 'w')) = key.code
    {
        let date = detail
            .tx
            .settled_at
            .as_deref()
            .or(detail.tx.emitted_at.as_deref())
            .and_then(|d| d.get(..10))
            .unwrap_or("");
        let stem = format!("{date} {}", detail.tx.counterparty.as_deref().unwrap_or(""));
        let job = Job::Receipts {
            org: detail.tx.org_id.clone(),
            transaction: detail.tx.id.clone(),
            stem: stem.trim().to_string(),
            save: c == 'w',
        };
        view.receipts = Some(None);
        return vec![job.into()];
    }
    if view.form.is_some() {
        return on_form_key(app, key);
    }
    if view.detail.is_none() && key.code == KeyCode::Tab {
        if let Some(form) = Form::from_text(view.input.value()) {
            view.form = Some((form, 0));
        }
        return Vec::new();
    }
    // A detail taller than the screen scrolls (its rows are about twenty).
    if view.detail.is_some() && matches!(key.code, KeyCode::PageDown | KeyCode::PageUp) {
        view.detail_scroll = if key.code == KeyCode::PageDown {
            (view.detail_scroll + page.unsigned_abs()).min(DETAIL_ROWS)
        } else {
            view.detail_scroll.saturating_sub(page.unsigned_abs())
        };
        return Vec::new();
    }
    if view.detail.is_some() && view.from_tab {
        // Opened from the Transactions tab: back to it, or to its next row's detail.
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Backspace | KeyCode::Char('q') => {
                app.search = None;
            }
            KeyCode::Up | KeyCode::Down => {
                app.search = None;
                let mut cmds =
                    super::navigation::move_by(app, if key.code == KeyCode::Up { -1 } else { 1 });
                cmds.extend(super::transactions_tab::open_detail(app));
                return cmds;
            }
            _ => {}
        }
        return Vec::new();
    }
    if view.detail.is_some() {
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Backspace | KeyCode::Char('q') => {
                view.detail = None;
            }
            KeyCode::Up | KeyCode::Down => {
                view.move_by(if key.code == KeyCode::Up { -1 } else { 1 });
                let mut cmds = open_detail(app);
                cmds.extend(more_if_near_the_end(app));
                return cmds;
            }
            _ => {}
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc => {
            let cmds = super::search_views::remember(app);
            app.search = None;
            cmds
        }
        KeyCode::Enter => {
            let mut cmds = super::search_views::remember(app);
            cmds.extend(open_detail(app));
            cmds
        }
        KeyCode::Up => {
            view.move_by(-1);
            Vec::new()
        }
        KeyCode::Down => {
            view.move_by(1);
            more_if_near_the_end(app)
        }
        KeyCode::PageUp => {
            view.move_by(-page);
            Vec::new()
        }
        KeyCode::PageDown => {
            view.move_by(page);
            more_if_near_the_end(app)
        }
        _ => {
            let before = view.input.value().to_string();
            view.input.handle_event(&Event::Key(*key));
            if view.input.value() == before {
                return Vec::new();
            }
            view.cursor = 0;
            ask(app)
        }
    }
}

/// The form's keys: ↑↓ between lines, typing fills a text line, ←→ or Space steps a choice,
/// Tab, Enter or Esc go back to the query line (which says what the form does). Every change
/// asks again, as typing the query does.
fn on_form_key(app: &mut App, key: &KeyEvent) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let Some((form, line)) = view.form.as_mut() else {
        return Vec::new();
    };
    let field = Field::ALL[(*line).min(Field::ALL.len() - 1)];
    let index = (*line).min(Field::ALL.len() - 1);
    match key.code {
        KeyCode::Tab | KeyCode::Enter | KeyCode::Esc => {
            view.form = None;
            return Vec::new();
        }
        KeyCode::Up => {
            *line = line.saturating_sub(1);
            return Vec::new();
        }
        KeyCode::Down => {
            *line = (*line + 1).min(Field::ALL.len() - 1);
            return Vec::new();
        }
        KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if field.choices().is_some() => {
            form.step(field, key.code != KeyCode::Left);
        }
        KeyCode::Backspace if field.choices().is_none() => {
            form.values[index].pop();
        }
        KeyCode::Char(c) if field.choices().is_none() && !c.is_control() => {
            form.values[index].push(c);
        }
        _ => return Vec::new(),
    }
    let text = form.to_text();
    view.input = Input::new(text);
    view.cursor = 0;
    ask(app)
}

/// Pasted text joins the query.
pub(super) fn on_paste(app: &mut App, text: &str) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let joined = format!("{}{}", view.input.value(), text.replace(['\n', '\r'], " "));
    view.input = Input::new(joined);
    ask(app)
}

/// Rows a transaction's detail has at most (what it can be scrolled by).
const DETAIL_ROWS: usize = 24;

fn open_detail(app: &mut App) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let Some(id) = view.selected().map(|f| f.tx.id.clone()) else {
        return Vec::new();
    };
    view.detail = Some(DetailView::Loading { id: id.clone() });
    view.detail_scroll = 0;
    view.receipts = None;
    view.action = None;
    vec![Job::Detail { id }.into()]
}

pub(super) fn answered(
    app: &mut App,
    generation: u64,
    result: Result<(Vec<Found>, usize), LocalCopyError>,
) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    let more = view.asking_more && view.generation == generation;
    view.answered(generation, result);
    // Every match counted and added up, once this query's results are on screen (more of
    // them keep the totals already asked for).
    let mut cmds = Vec::new();
    if !more && view.generation == generation && view.error.is_none() && !view.results.is_empty() {
        let text = view.input.value().to_string();
        cmds.push(Job::SearchTotals { text, generation }.into());
    }
    cmds.extend(more_if_near_the_end(app));
    cmds
}

pub(super) fn totalled(app: &mut App, generation: u64, totals: qonto_books::Totals) {
    if let Some(view) = app.search.as_mut()
        && view.generation == generation
    {
        view.totals = Some(totals);
    }
}

pub(super) fn detail_loaded(
    app: &mut App,
    id: &str,
    result: Result<Box<Detail>, LocalCopyError>,
) -> Vec<Cmd> {
    let Some(view) = app.search.as_mut() else {
        return Vec::new();
    };
    // Only the one still awaited.
    if !matches!(&view.detail, Some(DetailView::Loading { id: awaited }) if awaited == id) {
        return Vec::new();
    }
    view.detail = Some(match result {
        Ok(detail) => DetailView::Ready(detail),
        Err(why) => DetailView::Failed(why),
    });
    Vec::new()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use tui_input::Input;

    use super::super::super::msg::{Cmd, Job};
    use super::super::super::search_view::{FIRST_RESULTS, SearchView};
    use super::super::super::state::App;

    /// How many results the search asked for.
    fn limit(cmds: &[Cmd]) -> Option<usize> {
        cmds.iter().find_map(|c| match c {
            Cmd::Job(Job::Search { limit, .. }) => Some(*limit),
            _ => None,
        })
    }

    #[test]
    fn asked_again_after_a_write_it_reads_as_many_as_listed_a_new_query_a_screenful() {
        let mut app = App::new(false, None, Instant::now());
        app.search = Some(SearchView {
            input: Input::new("side:debit".into()),
            asked: 256,
            ..SearchView::default()
        });
        assert_eq!(limit(&super::ask_again(&mut app)), Some(256));
        assert_eq!(limit(&super::ask_anew(&mut app)), Some(FIRST_RESULTS));
        app.search.as_mut().unwrap().asked = 0;
        assert_eq!(limit(&super::ask_again(&mut app)), Some(FIRST_RESULTS));
    }
}
