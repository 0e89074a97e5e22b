//! How the screens behave under keys, failures and time: real sandbox data, fetched by the real
//! client, fed through `update` as the event loop would, drawn on ratatui's TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use common::tui::Harness;
use crossterm::event::KeyCode;
use qonto_tui::app::{App, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Qonto lists completed transactions only unless asked: the app asks for pending ones too, and
/// for declined ones only while the toggle is on.
#[tokio::test]
async fn pending_transactions_are_listed_and_declined_ones_only_with_the_toggle() {
    let mut h = Harness::signed_in().await;
    let every = ["pending", "completed", "declined"];
    let mut found = None;
    'search: for (o, org) in h.sb.data().orgs.iter().enumerate() {
        for (a, account) in org.accounts.iter().enumerate() {
            let page = h
                .api
                .transactions(&org.id, &account.id, &every, 1, 100)
                .await
                .unwrap();
            let has = |s: &str| {
                page.transactions
                    .iter()
                    .any(|t| t.status.as_ref().map(|v| v.as_str()) == Some(s))
            };
            if has("pending") && has("declined") {
                found = Some((o, a, org.id.clone(), account.id.clone()));
                break 'search;
            }
        }
    }
    let (o, a, org, account) = found.expect("the demo books have an account with both on page 1");
    for _ in 0..o {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Char('2')).await;
    for _ in 0..a {
        h.key(KeyCode::Char(']')).await;
    }
    let statuses = |h: &Harness| -> Vec<String> {
        h.app.data[&org].transactions[&account]
            .items
            .iter()
            .filter_map(|t| t.status().map(|v| v.as_str().to_string()))
            .collect()
    };
    let listed = statuses(&h);
    assert!(listed.iter().any(|s| s == "pending"), "{listed:?}");
    assert!(!listed.iter().any(|s| s == "declined"), "{listed:?}");
    assert!(h.render(140, 30).contains("d show declined"));

    h.key(KeyCode::Char('d')).await;
    let listed = statuses(&h);
    assert!(listed.iter().any(|s| s == "declined"), "{listed:?}");
    assert!(listed.iter().any(|s| s == "pending"), "{listed:?}");
    assert!(h.render(140, 30).contains("d hide declined"));

    h.key(KeyCode::Char('d')).await;
    assert!(!statuses(&h).iter().any(|s| s == "declined"));
}

#[tokio::test]
async fn failed_background_loads_are_retried_by_themselves_wherever_the_selection_is() {
    use qonto_sandbox::{FaultScope, Faults};
    use qonto_tui::app::state::Load;
    let mut h = Harness::signed_in().await;
    let ids: Vec<String> = h.app.org_list().iter().map(|o| o.id.clone()).collect();
    assert!(ids.len() >= 3);
    // The second organization is asked for while Qonto fails; the user moves back up, so its
    // failed load is now in the background.
    for id in &ids[1..] {
        h.app.data.remove(id);
    }
    h.sb.set_faults(Faults {
        server_error_percent: 100,
        scope: FaultScope::ApiOnly,
        ..Faults::default()
    });
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Up).await;
    let failed = |h: &Harness| {
        ids.iter()
            .filter(|id| {
                matches!(
                    h.app.data.get(*id).map(|d| &d.overview),
                    Some(Load::Failed { .. })
                )
            })
            .count()
    };
    assert_eq!(failed(&h), 1, "the second organization's load failed");
    assert_eq!(h.app.selected_org_id().as_deref(), Some(ids[0].as_str()));

    // Qonto is back; the retry timer fires with the selection where it is.
    h.sb.set_faults(Faults::default());
    h.app.now = Instant::now() + std::time::Duration::from_secs(6);
    h.send(Msg::Tick).await;
    assert_eq!(failed(&h), 0, "every failed overview was asked again");
    for id in &ids[..2] {
        assert!(
            matches!(
                h.app.data.get(id).map(|d| &d.overview),
                Some(Load::Ready { .. })
            ),
            "{id} loaded"
        );
    }
}

#[tokio::test]
async fn a_failed_save_stays_in_sight_until_a_save_succeeds() {
    let mut h = Harness::signed_in().await;
    h.send(Msg::StoreHealth(Some(
        "could not save the refreshed tokens: the secret store did not answer within 10 s".into(),
    )))
    .await;
    assert!(h.render(120, 32).contains("Signed in until you quit only"));
    // Other notices come and go, and time passes: the mark stays.
    h.key(KeyCode::Char('d')).await;
    h.app.now = Instant::now() + std::time::Duration::from_secs(60);
    h.send(Msg::Tick).await;
    let screen = h.render(120, 32);
    assert!(screen.contains("sign-in not saved"), "{screen}");
    h.send(Msg::StoreHealth(None)).await;
    let screen = h.render(120, 32);
    assert!(!screen.contains("sign-in not saved"), "{screen}");
    assert!(screen.contains("The sign-in is saved again"), "{screen}");
}

#[tokio::test]
async fn enter_keeps_the_filter_and_gives_the_keys_back_and_esc_clears_it() {
    let mut h = Harness::signed_in().await;
    let target = h.app.org_list()[4].display_name().to_string();
    let typed: String = target.chars().take(3).collect::<String>().to_lowercase();
    h.key(KeyCode::Char('/')).await;
    for c in typed.chars() {
        h.key(KeyCode::Char(c)).await;
    }
    h.key(KeyCode::Enter).await;
    assert!(!h.app.filter_editing);
    // Keys act again: `2` opens the Transactions tab, `q` would quit; nothing is typed.
    h.key(KeyCode::Char('2')).await;
    assert_eq!(h.app.tab, qonto_tui::app::state::Tab::Transactions);
    assert_eq!(h.app.filter.as_ref().unwrap().value(), typed);
    let screen = h.render(120, 32);
    assert!(
        screen.contains(&format!("/{typed}  Esc clears")),
        "{screen}"
    );
    // Esc clears the kept filter: every organization shows again.
    h.key(KeyCode::Esc).await;
    assert!(h.app.filter.is_none());
    assert_eq!(h.app.visible.len(), h.app.org_list().len());
}

#[tokio::test]
async fn refreshing_ends_with_the_refresh_whether_it_worked_or_not() {
    let mut h = Harness::signed_in().await;
    h.key(KeyCode::Char('r')).await;
    let screen = h.render(120, 32);
    assert!(
        !screen.contains("Refreshing"),
        "fresh data, no lingering notice:\n{screen}"
    );
    h.sb.set_faults(qonto_sandbox::Faults {
        server_error_percent: 100,
        scope: qonto_sandbox::FaultScope::ApiOnly,
        ..qonto_sandbox::Faults::default()
    });
    h.key(KeyCode::Char('r')).await;
    let screen = h.render(120, 32);
    assert!(!screen.contains("Refreshing"), "{screen}");
    assert!(
        screen.contains("503"),
        "the failure says what happened:\n{screen}"
    );
}

#[tokio::test]
async fn focus_is_marked_without_colour_and_digits_do_not_move_it() {
    use qonto_tui::app::state::Focus;
    let mut h = Harness::signed_in().await;
    h.app.no_color = true;
    let org = h.app.org_list()[0].display_name().to_string();
    h.key(KeyCode::Char('2')).await;
    assert_eq!(
        h.app.focus,
        Focus::Orgs,
        "a digit shows a tab, the focus stays"
    );
    let screen = h.render(120, 32);
    assert!(screen.contains("┏▶ Organizations"), "{screen}");
    assert!(!screen.contains(&format!("▶ {org}")), "{screen}");
    h.key(KeyCode::Tab).await;
    let screen = h.render(120, 32);
    assert!(screen.contains(&format!("┏▶ {org}")), "{screen}");
    assert!(screen.contains("┌ Organizations"), "{screen}");
}

#[tokio::test]
async fn help_scrolls_at_80x24_and_hides_nothing() {
    let mut h = Harness::signed_in().await;
    h.send(Msg::Resize(80, 24)).await;
    h.key(KeyCode::Char('?')).await;
    let mut seen = String::new();
    let first = h.render(80, 24);
    assert!(
        first.contains("scroll · 1–"),
        "it says it scrolls:\n{first}"
    );
    seen.push_str(&first);
    for _ in 0..40 {
        h.key(KeyCode::Down).await;
        seen.push_str(&h.render(80, 24));
    }
    let last = h.render(80, 24);
    assert!(
        last.contains("Mouse: click selects"),
        "the end is reachable:\n{last}"
    );
    for section in [
        qonto_tui::app::keymap::Section::Lists,
        qonto_tui::app::keymap::Section::DataPane,
        qonto_tui::app::keymap::Section::Everywhere,
    ] {
        for b in h.app.keys.in_section(section) {
            assert!(seen.contains(b.help), "{:?} shown whole", b.help);
        }
    }
    h.key(KeyCode::Esc).await;
    assert!(!h.app.help);
}

/// Selects the account with the most transactions and shows them, focused.
async fn deepest_account(h: &mut Harness) -> (String, String) {
    let data = h.sb.data();
    let (o, a) = data
        .orgs
        .iter()
        .enumerate()
        .flat_map(|(o, org)| {
            org.accounts
                .iter()
                .enumerate()
                .map(move |(a, acc)| (o, a, data.ledger(acc).transactions.len()))
        })
        .max_by_key(|(_, _, n)| *n)
        .map(|(o, a, _)| (o, a))
        .unwrap();
    let org_id = data.orgs[o].id.clone();
    let account_id = data.orgs[o].accounts[a].id.clone();
    for _ in 0..o {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Char('2')).await;
    for _ in 0..a {
        h.key(KeyCode::Char(']')).await;
    }
    h.key(KeyCode::Tab).await;
    (org_id, account_id)
}

#[tokio::test]
async fn r_keeps_the_place_in_a_deep_list_and_capital_r_refreshes_everyone() {
    let mut h = Harness::signed_in().await;
    let (org, account) = deepest_account(&mut h).await;
    for _ in 0..150 {
        h.key(KeyCode::Down).await;
    }
    let at = |h: &Harness| {
        let list = &h.app.data[&org].transactions[&account];
        let cursor = h.app.cursors_for(&org).transaction;
        (
            cursor,
            list.items[cursor].id().map(str::to_string),
            list.items.len(),
        )
    };
    let (cursor, id, loaded) = at(&h);
    assert!(
        cursor >= 150 && loaded >= 200,
        "deep in a list of several pages: {cursor}/{loaded}"
    );
    h.key(KeyCode::Char('r')).await;
    let (cursor_after, id_after, loaded_after) = at(&h);
    assert_eq!(id_after, id, "the same transaction is selected");
    assert_eq!(cursor_after, cursor);
    assert!(
        loaded_after >= loaded,
        "what was loaded stays: {loaded_after} < {loaded}"
    );

    // R: the list of organizations and every organization's overview are asked again.
    let known = h.app.data.len() as u64;
    let before = h.sb.stats().api_requests;
    h.key(KeyCode::Char('R')).await;
    let asked = h.sb.stats().api_requests - before;
    assert!(asked > known, "{asked} requests for {known} organizations");
}

#[tokio::test]
async fn the_selected_organization_refreshes_by_itself_once_its_data_is_old() {
    let mut h = Harness::signed_in().await;
    h.app.refresh_every = Some(std::time::Duration::from_secs(60));
    let before = h.sb.stats().api_requests;
    h.app.now = Instant::now() + std::time::Duration::from_secs(30);
    h.send(Msg::Tick).await;
    assert_eq!(h.sb.stats().api_requests, before, "not yet");
    h.app.now = Instant::now() + std::time::Duration::from_secs(61);
    h.send(Msg::Tick).await;
    assert!(h.sb.stats().api_requests > before, "refreshed");
    let org = h.app.selected_org_id().unwrap();
    assert!(matches!(
        &h.app.data[&org].overview,
        qonto_tui::app::state::Load::Ready { at, .. } if *at == h.app.now
    ));
    assert!(!h.render(120, 32).contains("Refreshing"), "quietly");
}

#[tokio::test]
async fn z_hides_the_organizations_pane_and_the_selected_row_has_no_coloured_blocks() {
    let mut h = Harness::signed_in().await;
    h.key(KeyCode::Char('2')).await;
    h.key(KeyCode::Char('z')).await;
    assert!(h.app.zoomed);
    assert_eq!(h.app.focus, qonto_tui::app::state::Focus::Data);
    let screen = h.render(60, 20);
    assert!(!screen.contains("Organizations"), "{screen}");
    assert!(
        screen.contains("Settled"),
        "the date column fits at 60 columns:\n{screen}"
    );
    // The selected row is drawn reversed as a whole: no cell of it carries a colour of its own.
    let mut terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
    terminal.draw(|f| qonto_tui::ui::draw(f, &h.app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let row = (0..20)
        .find(|&y| {
            // The table row: reversed across (nearly) the whole width, unlike the tab bar's tab.
            (0..60)
                .filter(|&x| {
                    buffer[(x, y)]
                        .modifier
                        .contains(ratatui::style::Modifier::REVERSED)
                })
                .count()
                > 40
        })
        .expect("a selected row");
    for x in 0..60 {
        let cell = &buffer[(x, row)];
        if cell.modifier.contains(ratatui::style::Modifier::REVERSED) {
            assert_eq!(cell.fg, ratatui::style::Color::Reset, "cell {x} coloured");
        }
    }
    // Tab brings the organizations back.
    h.key(KeyCode::Tab).await;
    assert!(!h.app.zoomed);
    assert!(h.render(60, 20).contains("Organizations"));
}

#[tokio::test]
async fn slash_in_the_data_pane_filters_its_rows_not_the_organizations() {
    let mut h = Harness::signed_in().await;
    let (org, account) = deepest_account(&mut h).await;
    let items = h.app.data[&org].transactions[&account].items.clone();
    let needle = items[7].counterparty().to_string();
    let expected: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.counterparty()
                .to_lowercase()
                .contains(&needle.to_lowercase())
        })
        .map(|(i, _)| i)
        .collect();
    assert!(expected.len() >= 2 && expected.len() < items.len());
    h.key(KeyCode::Char('/')).await;
    for c in needle.to_lowercase().chars() {
        h.key(KeyCode::Char(c)).await;
    }
    assert_eq!(
        h.app.visible.len(),
        h.app.org_list().len(),
        "organizations untouched"
    );
    let screen = h.render(120, 32);
    assert!(
        screen.contains(&format!("/{}", needle.to_lowercase())),
        "{screen}"
    );
    assert!(!screen.contains("No organization matches"), "{screen}");
    h.key(KeyCode::Enter).await;
    // Down moves among the matching rows only.
    let cursor = |h: &Harness| h.app.cursors_for(&org).transaction;
    assert_eq!(cursor(&h), expected[0]);
    h.key(KeyCode::Down).await;
    assert_eq!(cursor(&h), expected[1]);
    let screen = h.render(120, 32);
    for line in screen.lines().skip(8).take(expected.len().min(10)) {
        if line.contains('€') {
            assert!(line.contains(&needle), "only matching rows: {line}");
        }
    }
    h.key(KeyCode::Esc).await;
    assert!(h.app.row_filter.is_none());
}

#[tokio::test]
async fn end_goes_to_the_true_last_transaction_loading_older_pages_on_the_way() {
    let mut h = Harness::signed_in().await;
    let (org, account) = deepest_account(&mut h).await;
    let list = |h: &Harness| h.app.data[&org].transactions[&account].clone();
    assert!(
        list(&h).next_page.is_some(),
        "older pages are not loaded yet"
    );
    h.key(KeyCode::End).await;
    let after = list(&h);
    assert_eq!(after.next_page, None, "every page was fetched");
    assert_eq!(Some(after.items.len() as i64), after.total);
    assert_eq!(h.app.cursors_for(&org).transaction, after.items.len() - 1);
    assert!(h.app.seeking_end.is_none());
}

#[tokio::test]
async fn scrolling_past_the_bottom_keeps_rows_of_context_instead_of_flipping_a_page() {
    let mut h = Harness::signed_in().await;
    let (org, account) = deepest_account(&mut h).await;
    let items = h.app.data[&org].transactions[&account].items.clone();
    let rows_on_screen = |h: &Harness| -> Vec<usize> {
        let screen = h.render(120, 32);
        items
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                let amount = h
                    .app
                    .locale
                    .signed_money(t.signed_cents().unwrap_or(0), "EUR");
                screen
                    .lines()
                    .any(|l| l.contains(t.counterparty()) && l.contains(&amount))
            })
            .map(|(i, _)| i)
            .collect()
    };
    // Just past the bottom of the first screen: where a page flip would show only later rows.
    let rows = h.app.page_rows;
    h.render(120, 32);
    for _ in 0..rows {
        h.key(KeyCode::Down).await;
        h.render(120, 32);
    }
    let cursor = h.app.cursors_for(&org).transaction;
    assert_eq!(cursor, rows);
    let shown = rows_on_screen(&h);
    // The cursor sits three rows above the bottom, and the rows just before it are still shown.
    assert!(
        shown.contains(&(cursor + 3)),
        "context below the cursor: {shown:?}"
    );
    assert!(shown.contains(&(cursor - 1)), "no page flip: {shown:?}");
}

#[tokio::test]
async fn at_70x18_the_sign_in_url_and_every_key_still_show_whole() {
    let mut app = App::new(true, None, Instant::now());
    update(&mut app, Msg::Resize(70, 18));
    update(
        &mut app,
        Msg::SessionChecked {
            signed_in: false,
            problem: None,
        },
    );
    let url = "http://127.0.0.1:18920/oauth2/auth?response_type=code&client_id=qonto-tui-sandbox&redirect_uri=http%3A%2F%2F127.0.0.1%3A18921%2Fcallback&scope=offline_access+user_organization.read+organization.read&state=fixed-state-for-the-small-screen-test&identity_type=user&code_challenge=t8diE0aiEuyQIXg5rf78nCvQCBCkklpxypilcNJvcSQ&code_challenge_method=S256";
    update(
        &mut app,
        Msg::SignInWaiting {
            url: url.into(),
            browser: Err(qonto_tui::app::msg::BrowserError::System(
                "no opener".into(),
            )),
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(70, 18)).unwrap();
    terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
    let screen = terminal.backend().to_string();
    // The URL's rows, joined, give it back whole: nothing cut, no frame character in between.
    let joined: String = screen
        .lines()
        .map(|l| l.trim_matches('"').trim_end())
        .filter(|l| {
            l.starts_with("http") || (!l.contains(' ') && !l.is_empty() && !l.contains('─'))
        })
        .collect();
    assert!(joined.contains(url), "{joined}\n{screen}");
    assert!(screen.contains("^C quit"), "{screen}");
}

#[tokio::test]
async fn on_the_way_to_the_end_the_pages_left_are_shown() {
    let mut h = Harness::signed_in().await;
    let (org, account) = deepest_account(&mut h).await;
    // As the screen is between two pages of an End: page 3 on its way, out of the total.
    h.app.seeking_end = Some((org.clone(), account.clone()));
    let list = h
        .app
        .data
        .get_mut(&org)
        .unwrap()
        .transactions
        .get_mut(&account)
        .unwrap();
    list.loading = Some((3, 999));
    let pages = list.total_pages.unwrap();
    let screen = h.render(140, 32);
    assert!(
        screen.contains(&format!("loading older… page 3 of {pages}")),
        "{screen}"
    );
}

#[tokio::test]
async fn a_revoked_api_key_shows_on_its_organization_alone() {
    let mut h = Harness::signed_in_with_keys(1).await;
    let keys = h.sb.api_keys();
    h.sb.revoke_api_key(&keys[4].login);
    for _ in 0..4 {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Char('r')).await;
    h.freeze();
    let screen = h.render(160, 16);
    assert!(
        screen.contains("refused this organization's API key"),
        "{screen}"
    );
    assert!(screen.contains("Press a to add a valid key"), "{screen}");
    assert!(h.app.banner.is_none());
    // The others still answer.
    h.key(KeyCode::Up).await;
    h.key(KeyCode::Char('r')).await;
    let org = h.app.selected_org_id().unwrap();
    assert!(matches!(
        h.app.data[&org].overview,
        qonto_tui::app::state::Load::Ready { .. }
    ));
}
