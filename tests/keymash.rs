//! Random keys, mouse events, pastes, ticks and resizes (down to 1×1) through `update` and
//! `draw`: no panic, and the selection invariants hold after every event.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use proptest::prelude::*;
use qonto_client::api::models::{Organization, TransactionsPage, UserOrganization};
use qonto_tui::app::state::Screen;
use qonto_tui::app::{App, Cmd, Effect, Fetch, Job, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn org(i: usize) -> UserOrganization {
    serde_json::from_value(serde_json::json!({"id": format!("org-{i}"), "name": format!("Org {i}"), "membership_role": "owner"})).unwrap()
}

/// Answers the app's commands with canned data, as a fast and faultless worker would.
fn answer(app: &mut App, cmds: Vec<Cmd>, depth: usize) {
    if depth > 4 {
        return;
    }
    for cmd in cmds {
        let msg = match cmd {
            Cmd::Job(Job::Fetch(Fetch::Orgs { generation })) => Msg::OrgsLoaded {
                generation,
                result: Ok((0..7).map(org).collect()),
                user_flow_ended: false,
            },
            Cmd::Job(Job::Fetch(Fetch::Overview { org, generation })) => {
                let o: Organization =
                    serde_json::from_value(serde_json::json!({"id": org, "bank_accounts": [
                    {"id": format!("{org}-a"), "name": "Main", "balance_cents": 100},
                    {"id": format!("{org}-b"), "name": "Second"}]}))
                    .unwrap();
                Msg::OverviewLoaded {
                    org,
                    generation,
                    result: Ok(o),
                }
            }
            Cmd::Job(Job::Fetch(Fetch::Transactions {
                org,
                account,
                page,
                generation,
                ..
            })) => {
                let items: Vec<serde_json::Value> =
                    (0..100).map(|i| serde_json::json!({"id": format!("{page}-{i}"), "amount_cents": i, "side": "debit"})).collect();
                let next = if page < 3 {
                    serde_json::json!(page + 1)
                } else {
                    serde_json::Value::Null
                };
                let p: TransactionsPage = serde_json::from_value(serde_json::json!({"transactions": items, "meta": {"next_page": next, "total_count": 300}})).unwrap();
                Msg::TransactionsLoaded {
                    org,
                    account,
                    page,
                    generation,
                    result: Ok(p),
                }
            }
            Cmd::Job(Job::Fetch(Fetch::Members { org, generation })) => Msg::MembersLoaded {
                org,
                generation,
                result: Ok(vec![]),
            },
            Cmd::Job(Job::Fetch(Fetch::Labels { org, generation })) => Msg::LabelsLoaded {
                org,
                generation,
                result: Ok(vec![]),
            },
            _ => continue,
        };
        let more = update(app, msg);
        answer(app, more, depth + 1);
    }
}

fn key_strategy() -> impl Strategy<Value = Msg> {
    let codes = prop_oneof![
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Home),
        Just(KeyCode::End),
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Esc),
        Just(KeyCode::Enter),
        Just(KeyCode::Backspace),
        proptest::char::range(' ', '~').prop_map(KeyCode::Char),
        Just(KeyCode::Char('é')),
    ];
    let mods = prop_oneof![
        Just(KeyModifiers::NONE),
        Just(KeyModifiers::SHIFT),
        Just(KeyModifiers::ALT)
    ];
    (codes, mods)
        .prop_filter("q and Ctrl-C end the session", |(c, m)| {
            !(*c == KeyCode::Char('q')
                || (*c == KeyCode::Char('c') && m.contains(KeyModifiers::CONTROL)))
        })
        .prop_map(|(c, m)| Msg::Key(KeyEvent::new(c, m)))
}

fn event_strategy() -> impl Strategy<Value = Msg> {
    let mouse = (0u16..260, 0u16..90, 0u8..4).prop_map(|(column, row, kind)| {
        let kind = match kind {
            0 => MouseEventKind::Down(MouseButton::Left),
            1 => MouseEventKind::ScrollDown,
            2 => MouseEventKind::ScrollUp,
            _ => MouseEventKind::Moved,
        };
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    });
    prop_oneof![
        6 => key_strategy(),
        2 => mouse,
        1 => (1u16..260, 1u16..90).prop_map(|(w, h)| Msg::Resize(w, h)),
        1 => (1u16..4, 1u16..4).prop_map(|(w, h)| Msg::Resize(w, h)),
        1 => "[ -~]{0,40}".prop_map(Msg::Paste),
        1 => Just(Msg::Tick),
    ]
}

fn check_invariants(app: &App) {
    assert!(
        app.selected < app.visible.len().max(1),
        "selection {} of {}",
        app.selected,
        app.visible.len()
    );
    if !app.visible.is_empty() {
        assert!(
            app.selected_org().is_some(),
            "exactly one org is selected when any are visible"
        );
    }
    assert!(app.visible.iter().all(|&i| i < app.org_list().len()));
    if let Some(org) = app.selected_org_id() {
        let c = app.cursors_for(&org);
        let accounts = app
            .org_data(&org)
            .and_then(|d| d.overview.value())
            .map(|(o, _)| o.bank_accounts.len())
            .unwrap_or(0);
        assert!(c.account <= accounts.max(1), "account cursor in range");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_events_never_panic_and_keep_the_selection_valid(events in proptest::collection::vec(event_strategy(), 1..120)) {
        let start = Instant::now();
        let mut app = App::new(true, None, start);
        update(&mut app, Msg::Resize(120, 40));
        let cmds = update(&mut app, Msg::SessionChecked { signed_in: true, problem: None });
        answer(&mut app, cmds, 0);
        prop_assert_eq!(app.screen, Screen::Main);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        for (i, event) in events.into_iter().enumerate() {
            app.now = start + Duration::from_millis(i as u64 * 37);
            let cmds = update(&mut app, event);
            prop_assert!(!cmds.contains(&Cmd::Effect(Effect::Quit)));
            answer(&mut app, cmds, 0);
            check_invariants(&app);
            let (w, h) = app.size;
            terminal.backend_mut().resize(w, h);
            terminal.resize(ratatui::layout::Rect::new(0, 0, w, h)).unwrap();
            terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
        }
    }
}
