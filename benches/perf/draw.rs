//! In-process figures: drawing cost at ledger sizes, and bytes written per move.

use super::*;

fn app_with_transactions(n: usize, width: u16, height: u16) -> App {
    let mut app = App::new(false, None, Instant::now());
    update(&mut app, Msg::Resize(width, height));
    let cmds = update(
        &mut app,
        Msg::SessionChecked {
            signed_in: true,
            problem: None,
        },
    );
    let Some(Cmd::Job(Job::Fetch(Fetch::Orgs { generation }))) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    let org: UserOrganization = serde_json::from_value(serde_json::json!({
        "id": "org-1", "name": "Atelier Laurent", "legal_name": "Atelier Laurent SAS", "legal_number": "85234567800017",
        "legal_country": "FR", "membership_role": "owner"
    }))
    .unwrap();
    let cmds = update(
        &mut app,
        Msg::OrgsLoaded {
            generation,
            result: Ok(vec![org]),
            user_flow_ended: false,
        },
    );
    let Some(Cmd::Job(Job::Fetch(Fetch::Overview { generation, .. }))) = cmds.first().cloned()
    else {
        panic!("{cmds:?}")
    };
    let overview: Organization = serde_json::from_value(serde_json::json!({
        "id": "org-1", "legal_name": "Atelier Laurent SAS",
        "bank_accounts": [{"id": "acc-1", "name": "Main account", "iban": "FR7616798000010000005663951", "currency": "EUR",
            "balance_cents": 21979912, "authorized_balance_cents": 21952715, "status": "active", "main": true}]
    }))
    .unwrap();
    update(
        &mut app,
        Msg::OverviewLoaded {
            org: "org-1".into(),
            generation,
            result: Ok(overview),
        },
    );
    let cmds = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE)),
    );
    let Some(Cmd::Job(Job::Fetch(Fetch::Transactions { generation, .. }))) = cmds.first().cloned()
    else {
        panic!("{cmds:?}")
    };
    let counterparties = [
        "Stripe Payments Europe",
        "URSSAF",
        "OVHcloud",
        "Maison Dubois",
        "Le Petit Bistrot",
    ];
    let transactions: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("tx-{i}"), "amount_cents": 1000 + (i * 37 % 90000), "currency": "EUR",
                "side": if i % 3 == 0 { "credit" } else { "debit" }, "status": if i % 17 == 0 { "pending" } else { "completed" },
                "operation_type": "card", "label": counterparties[i % 5], "settled_at": "2026-11-19T14:02:11.000Z"
            })
        })
        .collect();
    let page: TransactionsPage = serde_json::from_value(serde_json::json!({
        "transactions": transactions, "meta": {"current_page": 1, "next_page": null, "total_count": n}
    }))
    .unwrap();
    update(
        &mut app,
        Msg::TransactionsLoaded {
            org: "org-1".into(),
            account: "acc-1".into(),
            page: 1,
            generation,
            result: Ok(page),
        },
    );
    // Into the data pane, where Down scrolls the transactions.
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
    );
    app
}

/// p99 and median draw times at 200×60 for each ledger size. Frames of the sizes alternate, so
/// whatever else the machine does in the meantime falls on all of them alike.
pub fn draw_times(sizes: &[usize]) -> Vec<(Duration, Duration)> {
    let mut apps: Vec<App> = sizes
        .iter()
        .map(|&n| app_with_transactions(n, 200, 60))
        .collect();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut times = vec![Vec::with_capacity(1000); sizes.len()];
    for i in 0..1100 {
        for (app, times) in apps.iter_mut().zip(times.iter_mut()) {
            // Scroll as a user would, so frames differ.
            update(
                app,
                Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
            );
            let start = Instant::now();
            terminal.draw(|f| qonto_tui::ui::draw(f, app)).unwrap();
            if i >= 100 {
                times.push(start.elapsed());
            }
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort();
            (t[t.len() * 99 / 100], t[t.len() / 2])
        })
        .collect()
}

#[derive(Clone, Default)]
struct Counting(Arc<Mutex<usize>>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0.lock().unwrap() += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn bytes_per_move() -> usize {
    let mut app = app_with_transactions(100_000, 200, 60);
    let counter = Counting::default();
    let backend = CrosstermBackend::new(counter.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 200, 60)),
        },
    )
    .unwrap();
    terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
    );
    let before = *counter.0.lock().unwrap();
    terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
    *counter.0.lock().unwrap() - before
}

/// p99 and median of a keystroke in the data pane's `/` filter over an account of `n` loaded
/// transactions, at 200×60: the key's update and the frame it draws (the match count, the
/// matching rows). Words typed and erased letter by letter, 400 keystrokes.
pub fn filter_times(n: usize) -> (Duration, Duration) {
    let mut app = app_with_transactions(n, 200, 60);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let key = |app: &mut App, code: KeyCode| {
        update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    };
    key(&mut app, KeyCode::Char('/'));
    let mut times = Vec::with_capacity(400);
    for round in 0..50 {
        for word in ["urssaf", "bistrot"] {
            let letters = if round % 2 == 0 { word } else { &word[..3] };
            for c in letters.chars() {
                let start = Instant::now();
                key(&mut app, KeyCode::Char(c));
                terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
                times.push(start.elapsed());
            }
            for _ in letters.chars() {
                let start = Instant::now();
                key(&mut app, KeyCode::Backspace);
                terminal.draw(|f| qonto_tui::ui::draw(f, &app)).unwrap();
                times.push(start.elapsed());
            }
        }
    }
    times.sort();
    (times[times.len() * 99 / 100], times[times.len() / 2])
}
