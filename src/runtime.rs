//! The event loop: terminal events, worker results and signals become messages; `update` turns
//! them into state and commands; the screen is redrawn only when something changed, at most
//! once per 10 ms, inside a synchronized update.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::api::ApiClient;
use crate::app::{App, Cmd, Msg, update};
use crate::auth::session::Session;
use crate::config::Config;
use crate::tui;
use crate::worker::Worker;

const FRAME_INTERVAL: Duration = Duration::from_millis(10);
const TICK: Duration = Duration::from_millis(100);

pub struct Launch {
    pub config: Config,
    pub session: Arc<Session>,
    pub demo: bool,
}

pub async fn run(launch: Launch) -> anyhow::Result<()> {
    let api = Arc::new(ApiClient::new(
        &launch.config.api_base_url,
        launch.session.clone(),
        launch.config.staging_token.clone(),
    )?);
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel::<Msg>();
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel::<Cmd>();
    let worker = Worker::new(
        api,
        launch.session.clone(),
        launch.config.clone(),
        msg_tx.clone(),
    );
    let worker_task = tokio::spawn(worker.run(cmd_rx));
    // Read the stored session while the terminal is being set up.
    let _ = cmd_tx.send(Cmd::CheckSession);

    let (mut terminal, guard) = tui::enter()?;
    let mut app = App::new(launch.demo, crate::state_file::last_org(), Instant::now());
    app.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if let Ok(size) = terminal.size() {
        for cmd in update(&mut app, Msg::Resize(size.width, size.height)) {
            let _ = cmd_tx.send(cmd);
        }
    }
    draw(&mut terminal, &app)?;
    tracing::debug!("first frame drawn");

    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut signals = Signals::new();
    let mut dirty = false;
    let mut last_draw = Instant::now();
    let mut ticks: u64 = 0;
    'outer: loop {
        let next_draw = tokio::time::Instant::from_std(last_draw + FRAME_INTERVAL);
        let first = tokio::select! {
            biased;
            event = events.next() => match event {
                Some(Ok(event)) => to_msg(event),
                Some(Err(_)) | None => Some(Msg::Terminate),
            },
            Some(msg) = msg_rx.recv() => Some(msg),
            _ = signals.recv() => Some(Msg::Terminate),
            _ = tokio::time::sleep_until(next_draw), if dirty => None,
            _ = ticker.tick() => {
                ticks += 1;
                // Spinners move every tick; "updated N s ago" and retries once a second.
                if app.is_animating() || ticks.is_multiple_of(10) { Some(Msg::Tick) } else { None }
            }
        };
        let mut batch: Vec<Msg> = first.into_iter().collect();
        // Take every worker result already waiting. (The event stream is not drained here:
        // polling it without the task's waker would leave the next keypress unnoticed until the
        // tick. Key bursts still coalesce: drawing waits for the frame interval.)
        while let Ok(msg) = msg_rx.try_recv() {
            batch.push(msg);
        }
        for msg in batch {
            #[cfg(debug_assertions)]
            injected_panic(&msg);
            app.now = Instant::now();
            dirty = true;
            for cmd in update(&mut app, msg) {
                match cmd {
                    Cmd::Quit => break 'outer,
                    Cmd::MouseCapture(on) => tui::set_mouse_capture(on),
                    other => {
                        let _ = cmd_tx.send(other);
                    }
                }
            }
        }
        if dirty && last_draw.elapsed() >= FRAME_INTERVAL {
            app.now = Instant::now();
            draw(&mut terminal, &app)?;
            last_draw = Instant::now();
            dirty = false;
        }
    }
    // Let the worker write the remembered organization before leaving.
    let _ = cmd_tx.send(Cmd::Quit);
    let _ = tokio::time::timeout(Duration::from_millis(500), worker_task).await;
    drop(terminal);
    drop(guard);
    Ok(())
}

/// Debug builds only: F12 panics when QONTO_TUI_TEST_PANIC=1, to prove the terminal is restored.
#[cfg(debug_assertions)]
fn injected_panic(msg: &Msg) {
    if let Msg::Key(k) = msg
        && k.code == crossterm::event::KeyCode::F(12)
        && std::env::var("QONTO_TUI_TEST_PANIC").is_ok_and(|v| v == "1")
    {
        panic!("injected panic (QONTO_TUI_TEST_PANIC)");
    }
}

fn draw(terminal: &mut tui::Term, app: &App) -> std::io::Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|frame| crate::ui::draw(frame, app))?;
    crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Paste(p) => Some(Msg::Paste(p)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// SIGTERM, SIGHUP and SIGINT end the app cleanly (in raw mode Ctrl-C arrives as a key).
struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = [
                SignalKind::terminate(),
                SignalKind::hangup(),
                SignalKind::interrupt(),
            ]
            .into_iter()
            .filter_map(|k| signal(k).ok())
            .collect();
            Self { streams }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let futures = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures_util::future::select_all(futures).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
