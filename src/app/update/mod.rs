//! `update(state, message) -> commands`: every state change happens here, synchronously; the
//! network and the keyring are only reached through the commands it returns. This file only
//! routes each message to the module whose job it is.

mod board;
mod copying;
mod firm;
mod inbox;
mod input;
mod loading;
mod marks;
mod mouse;
mod navigation;
mod palette;
mod results;
mod review;
mod rules;
mod search;
mod search_views;
mod sign_in;
mod sources;
mod stored;
mod transactions_tab;
mod writing;

use crossterm::event::KeyEventKind;

use super::msg::{Cmd, Effect, Job, Msg};
use super::state::{App, Tone};

fn is_suspend(key: &crossterm::event::KeyEvent) -> bool {
    key.code == crossterm::event::KeyCode::Char('z')
        && key.modifiers == crossterm::event::KeyModifiers::CONTROL
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    let is_answer = msg.is_answer();
    let cmds = route(app, msg);
    if is_answer {
        results::settle_status(app);
    }
    cmds
}

fn route(app: &mut App, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Tick => results::tick(app),
        Msg::Resize(width, height) => navigation::resize(app, width, height),
        Msg::Terminate => navigation::quit(app),
        Msg::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        // Raw mode turns the terminal's own Ctrl-Z into a key; it keeps its meaning everywhere.
        Msg::Key(key) if is_suspend(&key) => vec![Effect::Suspend.into()],
        Msg::Key(key) => input::on_key(app, key),
        Msg::Mouse(mouse) => mouse::on_mouse(app, mouse),
        Msg::Paste(text) => input::on_paste(app, text),
        Msg::SessionChecked { signed_in, problem } => {
            sign_in::session_checked(app, signed_in, problem)
        }
        Msg::OrgsLoaded {
            generation,
            result,
            user_flow_ended,
        } => {
            if user_flow_ended {
                app.banner = Some(super::state::Banner::SignInEnded);
            }
            results::orgs_loaded(app, generation, result)
        }
        Msg::OverviewLoaded {
            org,
            generation,
            result,
        } => results::overview_loaded(app, &org, generation, result),
        Msg::TransactionsLoaded {
            org,
            account,
            page,
            generation,
            result,
        } => results::transactions_loaded(app, &org, &account, page, generation, result),
        Msg::MembersLoaded {
            org,
            generation,
            result,
        } => results::list_loaded(app, &org, generation, result, |d| &mut d.members),
        Msg::LabelsLoaded {
            org,
            generation,
            result,
        } => results::list_loaded(app, &org, generation, result, |d| &mut d.labels),
        Msg::FetchAbandoned(fetch) => results::abandoned(app, fetch),
        Msg::SignInWaiting { url, browser } => sign_in::waiting(app, url, browser),
        Msg::BrowserOpened(browser) => sign_in::browser_opened(app, browser),
        Msg::LinkOpened { said, result } => {
            match result {
                Ok(()) => navigation::set_status(app, super::state::Notice::Text(said), Tone::Info),
                Err(why) => navigation::set_status(
                    app,
                    super::state::Notice::Text(format!("No browser opened: {why}")),
                    Tone::Error,
                ),
            }
            Vec::new()
        }
        Msg::SignInFailed(error) => sign_in::failed(app, error),
        Msg::PasteRejected(error) => sign_in::paste_rejected(app, error),
        Msg::StoreHealth(problem) => sign_in::store_health(app, problem),
        Msg::SignedIn => sign_in::signed_in(app),
        Msg::Stored(what) => stored::stored(app, what),
        Msg::SearchAnswered { generation, result } => search::answered(app, generation, result),
        Msg::DetailLoaded { id, result } => search::detail_loaded(app, &id, result),
        Msg::Exported(result) => {
            let (text, tone) = match result {
                Ok((path, n)) => (
                    format!("exported {n} transactions to {path}"),
                    super::state::Tone::Success,
                ),
                Err(why) => (
                    super::text::local_copy_error(&why),
                    super::state::Tone::Error,
                ),
            };
            navigation::set_status(app, super::state::Notice::Text(text), tone);
            Vec::new()
        }
        Msg::ReceiptsPlaced(result) => {
            if let Some(view) = app.search.as_mut() {
                view.receipts = Some(Some(result));
            }
            Vec::new()
        }
        Msg::CashLoaded(result) => {
            if let Some(view) = app.cash.as_mut() {
                view.state = match result {
                    Ok(cash) => super::cash_view::CashState::Ready(cash),
                    Err(why) => super::cash_view::CashState::Failed(why),
                };
            }
            Vec::new()
        }
        Msg::MonthEndRead { generation, rows } => board::read(app, generation, rows),
        Msg::ViewSaved(result) => {
            let (words, tone) = match result {
                Ok((view, path)) => {
                    let words = format!(
                        "Saved the view {} in {path} (^N ^P step through the views)",
                        view.name
                    );
                    app.saved_views.push(view);
                    app.saved_views.sort_by(|a, b| a.name.cmp(&b.name));
                    (words, super::state::Tone::Success)
                }
                Err(why) => (why, super::state::Tone::Error),
            };
            navigation::set_status(app, super::state::Notice::Text(words), tone);
            Vec::new()
        }
        Msg::AccountFilled { org, account, rows } => {
            navigation::account_filled(app, &org, &account, rows)
        }
        Msg::SearchHistory(history) => {
            // Searches run since the copy was asked stay first.
            for query in history {
                if !app.search_history.contains(&query) {
                    app.search_history.push(query);
                }
            }
            palette::history_came(app);
            Vec::new()
        }
        Msg::ReceiptsCounted(counts) => {
            app.missing_receipts = counts.into_iter().collect();
            Vec::new()
        }
        Msg::Synced(super::sync_view::SyncNews::Arrived { org, count }) => arrived(app, org, count),
        Msg::Synced(news) => {
            let pass_ended = matches!(news, super::sync_view::SyncNews::Finished { .. });
            app.sync.apply(news, app.now);
            let mut cmds = Vec::new();
            if pass_ended {
                // What the rules propose moved with the pass (new, uncategorized arrivals).
                cmds.push(Job::ProposeRules.into());
                // What the group's cash shows moved with it too.
                if app.cash.is_some() {
                    cmds.push(Job::Cash.into());
                }
                cmds.extend(board::ask(app));
            }
            cmds
        }
        Msg::SourceAdded(result) => sources::added(app, result),
        Msg::SourceRemoved(result) => sources::removed(app, result),
        Msg::InboxProgress {
            generation,
            read,
            of,
        } => inbox::progress(app, generation, read, of),
        Msg::InboxRead { generation, result } => inbox::read(app, generation, result),
        Msg::Written { ask, result } => writing::written(app, &ask, result),
        Msg::FirmPulled { result } => firm::pulled(app, result),
        Msg::IntentAsked { ask, result } => firm::asked(app, &ask, result),
        Msg::WriteConfirmed { write } => writing::confirmed(app, write),
        Msg::CategoriesListed { ticket, result } => {
            marks::listed(app, ticket, result);
            Vec::new()
        }
        Msg::Categorized { ask, result } => {
            rules::filed(app, &ask);
            let mut cmds = marks::categorized(app, &ask, result);
            // What the rules propose moved with it.
            cmds.push(Job::ProposeRules.into());
            cmds
        }
        Msg::SearchTotalled { generation, totals } => {
            search::totalled(app, generation, totals);
            Vec::new()
        }
        Msg::RulesProposed(result) => {
            rules::proposed_now(app, result);
            Vec::new()
        }
        Msg::ReviewLoaded { generation, result } => {
            review::loaded(app, generation, result);
            Vec::new()
        }
        Msg::Reviewed { ask, result } => {
            review::reviewed(app, &ask, result);
            Vec::new()
        }
        Msg::AllMatched { generation, result } => {
            marks::all_matched(app, generation, result);
            Vec::new()
        }
        Msg::EarlierWrites { finished, failed } => {
            writing::earlier(app, finished, failed);
            Vec::new()
        }
        Msg::PathCompleted {
            asked,
            completed,
            choices,
        } => {
            writing::completed(app, &asked, completed, choices);
            Vec::new()
        }
    }
}

/// New transactions arrived on `org` (the background sync found them): marked on its row
/// until it is looked at, said on the status line, and told to the terminal if asked. On the
/// organization on screen, its data is fetched again so they show.
fn arrived(app: &mut App, org: String, count: usize) -> Vec<Cmd> {
    let name = app
        .org_list()
        .iter()
        .find(|o| o.id == org)
        .map(|o| qonto_client::printable::printable(o.display_name(), 60))
        .unwrap_or_else(|| "an organization".into());
    let text = if count == 1 {
        format!("1 new transaction in {name}")
    } else {
        format!("{count} new transactions in {name}")
    };
    // A fresh word of more weight (an export done, an error) is not covered by this one.
    let weightier = app.status.as_ref().is_some_and(|s| {
        s.tone != super::state::Tone::Info
            && app.now.saturating_duration_since(s.at) < std::time::Duration::from_secs(5)
    });
    if !weightier {
        navigation::set_status(
            app,
            super::state::Notice::Text(text.clone()),
            super::state::Tone::Info,
        );
    }
    let mut cmds = Vec::new();
    if let Some(how) = app.notify {
        cmds.push(super::msg::Effect::Notify(how, format!("qonto-tui: {text}")).into());
    }
    if app.selected_org_id().as_deref() == Some(org.as_str()) {
        cmds.extend(navigation::refresh_quietly(app));
    } else {
        *app.arrivals.entry(org).or_default() += count;
    }
    cmds
}
