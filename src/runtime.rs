//! The event loop: terminal events, worker results and signals become messages; `update` turns
//! them into state and commands; the screen is redrawn as soon as something changed (at most
//! 100 frames a second), inside a synchronized update. The HTTP client and the stored tokens are
//! got ready while the terminal is set up.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::app::{App, Cmd, Effect, Job, Msg, update};
use crate::config::Config;
use crate::jobs::Worker;
use crate::tui;
use qonto_client::http::PendingClient;
use qonto_client::oauth::session::Session;
use qonto_client::secret::Secret;
use qonto_client::store::{StoreError, StoredTokens, TokenStore};

/// One frame per FRAME_INTERVAL on average (100 frames a second under a key-repeat storm), with
/// bursts of up to FRAME_BURST at once: a frame never waits behind the one drawn just before it
/// (a spinner step, say), and after a burst the next waits one interval, not a whole window.
/// Four: the start draws four quick frames (the first, the session checked, the organizations
/// and then the accounts from the local copy); with three the fourth waited an interval.
const FRAME_BURST: u32 = 4;
const FRAME_INTERVAL: Duration = Duration::from_millis(10);
const TICK: Duration = Duration::from_millis(100);

/// What the TUI starts from. The HTTP client and the stored tokens are not ready yet: they are
/// built and read while the terminal is set up and the first frame drawn.
pub struct Launch {
    pub config: Config,
    pub store: Arc<dyn TokenStore>,
    pub client_secret: Secret,
    pub http: PendingClient,
    pub demo: bool,
    /// The demo sandbox's API keys (organization id, `login:secret`), offered in the add
    /// dialog so the demo can show every kind of source.
    pub demo_api_keys: Vec<(String, String)>,
}

pub async fn run(launch: Launch) -> anyhow::Result<()> {
    let Launch {
        config,
        store,
        client_secret,
        http,
        demo,
        demo_api_keys,
    } = launch;
    // On a staff member's machine of a firm no Qonto token is read at all.
    let stored = config.firm_books().is_none().then(|| {
        let store = store.clone();
        tokio::spawn(async move { qonto_client::store::blocking(move || store.load()).await })
    });

    // Before the terminal changes: a signal from here on ends the loop, which restores it.
    let mut signals = Signals::new();
    let (mut terminal, guard) = tui::enter()?;
    let mut mouse_on = true;
    let mut app = App::new(demo, crate::state_file::last_org(), Instant::now());
    app.demo_api_keys = demo_api_keys;
    app.no_color = config.preferences.no_color;
    app.keys = config.preferences.keys.clone();
    app.palette = config.preferences.palette;
    app.notify = config.preferences.notify;
    app.server = config.server_label();
    app.writes = config.writes.words();
    app.receipts_inbox = config.receipts_inbox.clone();
    app.app_url = config.app_url.clone();
    app.saved_views = config.preferences.views.clone();
    app.config_path = Some(config.config_path.clone());
    app.refresh_every = config.preferences.refresh_every;
    app.locale = config.preferences.locale;
    app.plain_token_file = config.token_store == crate::config::TokenStoreKind::File;
    if config.firm_books().is_some() {
        app.server = "the firm's books".into();
        app.writes = "writes through the firm's service".into();
        // No Qonto token is kept on a staff member's machine.
        app.plain_token_file = false;
    }
    #[cfg(debug_assertions)]
    let test_panic = config.preferences.test_panic;
    let mut early_cmds = Vec::new();
    if let Ok(size) = terminal.size() {
        early_cmds.extend(update(&mut app, Msg::Resize(size.width, size.height)));
    }
    draw(&mut terminal, &app)?;
    tracing::debug!(at = ?crate::logging::since_start(), "first frame drawn");

    let client = crate::auth::oauth_client_with(&config, client_secret, http.get().await?);
    let session = Arc::new(Session::new(client, store, None));
    let api = Arc::new(crate::auth::api_client(&config, session.clone())?);
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel::<Msg>();
    let (job_tx, job_rx) = mpsc::unbounded_channel::<Job>();
    let sources = crate::sources::Sources::for_config(&config);
    let cache = crate::jobs::cache::CacheSlot::default();
    // Pulled from the replica when one is named; intents go to the primary (the worker's).
    let (firm, cache_for_pull, sync_every) = (
        config.firm_reads().cloned(),
        cache.clone(),
        config.preferences.sync_every,
    );
    tokio::spawn(crate::jobs::cache::open_into(
        config.clone(),
        cache.clone(),
        msg_tx.clone(),
    ));
    // The newest search answer drawn: the worker reads ahead for the next key only once the
    // screen has it.
    let (search_drawn, search_drawn_rx) = tokio::sync::watch::channel(0u64);
    let worker = Worker::new(
        api,
        sources.clone(),
        cache,
        session.clone(),
        config,
        msg_tx.clone(),
        search_drawn_rx,
    );
    let worker_task = tokio::spawn(worker.run(job_rx));
    for cmd in early_cmds {
        if let Cmd::Job(job) = cmd {
            let _ = job_tx.send(job);
        }
    }
    match (firm, stored) {
        // A staff member's machine of a firm: no Qonto token is read; the firm's books are
        // pulled into the copy, now and at each sync interval.
        (Some(url), _) => {
            tokio::spawn(crate::jobs::firm::keep_pulled(
                url,
                cache_for_pull,
                sync_every,
                msg_tx.clone(),
            ));
        }
        (None, Some(stored)) => {
            tokio::spawn(check_session(session, stored, sources, msg_tx.clone()));
        }
        (None, None) => {}
    }
    tokio::task::spawn_blocking(crate::jobs::receipt_folder::sweep_stale);

    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = false;
    let mut pacer = FramePacer::default();
    pacer.drawn(Instant::now());
    let mut ticks: u64 = 0;
    'outer: loop {
        let next_draw = tokio::time::Instant::from_std(pacer.next_allowed(Instant::now()));
        let first = tokio::select! {
            biased;
            event = events.next() => match event {
                Some(Ok(event)) => to_msg(event),
                Some(Err(_)) | None => Some(Msg::Terminate),
            },
            Some(msg) = msg_rx.recv() => Some(msg),
            signal = signals.recv() => match signal {
                SignalAction::Terminate => Some(Msg::Terminate),
                SignalAction::Suspend => {
                    suspend(&mut terminal, mouse_on)?;
                    dirty = true;
                    None
                }
                SignalAction::Redraw => {
                    tui::repaint_all(&mut terminal)?;
                    dirty = true;
                    None
                }
            },
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
            injected_panic(&msg, test_panic);
            app.now = Instant::now();
            dirty = true;
            for cmd in update(&mut app, msg) {
                match cmd {
                    Cmd::Effect(Effect::Quit) => break 'outer,
                    Cmd::Effect(Effect::MouseCapture(on)) => {
                        mouse_on = on;
                        tui::set_mouse_capture(on);
                    }
                    Cmd::Effect(Effect::Suspend) => suspend(&mut terminal, mouse_on)?,
                    Cmd::Effect(Effect::CopyToClipboard(text)) => tui::copy_to_clipboard(&text),
                    Cmd::Effect(Effect::Notify(how, text)) => tui::notify(how, &text),
                    Cmd::Job(job) => {
                        let _ = job_tx.send(job);
                    }
                }
            }
        }
        let now = Instant::now();
        if dirty && pacer.next_allowed(now) <= now {
            app.now = now;
            draw(&mut terminal, &app)?;
            pacer.drawn(Instant::now());
            dirty = false;
            if let Some(shown) = app.search.as_ref().and_then(|s| s.answered_generation()) {
                search_drawn.send_if_modified(|drawn| std::mem::replace(drawn, shown) != shown);
            }
        }
    }
    // The worker ends when its channel closes, after writing the remembered organization.
    drop(job_tx);
    let _ = tokio::time::timeout(Duration::from_millis(500), worker_task).await;
    drop(terminal);
    drop(guard);
    crate::jobs::receipt_folder::tidy_own();
    Ok(())
}

/// Reads the stored tokens into the session (the read started before the terminal was set up)
/// and tells the app whether someone is signed in.
async fn check_session(
    session: Arc<Session>,
    stored: tokio::task::JoinHandle<Result<Option<StoredTokens>, StoreError>>,
    sources: Arc<crate::sources::Sources>,
    to_app: mpsc::UnboundedSender<Msg>,
) {
    let read = stored
        .await
        .unwrap_or_else(|e| Err(StoreError::Failed(format!("the store read failed: {e}"))));
    tracing::debug!(at = ?crate::logging::since_start(), "stored session read");
    let msg = match session.adopt(read).await {
        Ok(signed_in) => {
            // API keys and membership consents reach organizations without the User flow.
            let others = signed_in
                || qonto_client::store::blocking(move || sources.list())
                    .await
                    .is_ok_and(|list| !list.is_empty());
            Msg::SessionChecked {
                signed_in: signed_in || others,
                problem: None,
            }
        }
        Err(e) => Msg::SessionChecked {
            signed_in: false,
            problem: Some(e.to_string()),
        },
    };
    let _ = to_app.send(msg);
}

/// When the next frame may be drawn: a token bucket kept as the time its drawing would be paid
/// off (the generic cell rate algorithm). A sliding window of three frames per 30 ms made the
/// fourth of the start's quick frames (the organizations, then their accounts from the local
/// copy) wait 30 ms behind the first: 28 of the 43 ms from process start to the accounts.
#[derive(Default)]
struct FramePacer {
    /// When every frame drawn so far is paid for at one per FRAME_INTERVAL.
    paid_off: Option<Instant>,
}

impl FramePacer {
    fn next_allowed(&self, now: Instant) -> Instant {
        match self.paid_off {
            // A frame may be drawn while at most FRAME_BURST - 1 intervals are owed.
            Some(paid_off) => paid_off
                .checked_sub(FRAME_INTERVAL * (FRAME_BURST - 1))
                .map_or(now, |at| at.max(now)),
            None => now,
        }
    }

    fn drawn(&mut self, at: Instant) {
        let from = self.paid_off.map_or(at, |p| p.max(at));
        self.paid_off = Some(from + FRAME_INTERVAL);
    }
}

/// Debug builds only: F12 panics when QONTO_TUI_TEST_PANIC=1, to prove the terminal is restored.
#[cfg(debug_assertions)]
fn injected_panic(msg: &Msg, enabled: bool) {
    if let Msg::Key(k) = msg
        && k.code == crossterm::event::KeyCode::F(12)
        && enabled
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

/// Gives the terminal back, stops the process as a shell job stops, and takes the terminal again
/// once continued (`fg`), redrawing everything.
fn suspend(terminal: &mut tui::Term, mouse_on: bool) -> std::io::Result<()> {
    tui::restore();
    #[cfg(unix)]
    {
        use rustix::process::{Signal, getpid, kill_process};
        // SIGSTOP, not SIGTSTP: this process handles SIGTSTP itself (it is how it got here).
        if let Err(e) = kill_process(getpid(), Signal::STOP) {
            tracing::warn!("could not suspend: {e}");
        }
    }
    tui::resume(mouse_on)?;
    tui::repaint_all(terminal)
}

/// What a signal asks of the loop.
#[derive(Clone, Copy)]
enum SignalAction {
    Terminate,
    Suspend,
    Redraw,
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT end the app cleanly (in raw mode Ctrl-C arrives as a
/// key); SIGTSTP suspends it like Ctrl-Z; SIGCONT (after any stop) redraws the screen.
struct Signals {
    #[cfg(unix)]
    streams: Vec<(SignalAction, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = [
                (SignalAction::Terminate, SignalKind::terminate()),
                (SignalAction::Terminate, SignalKind::hangup()),
                (SignalAction::Terminate, SignalKind::interrupt()),
                (SignalAction::Terminate, SignalKind::quit()),
                (SignalAction::Suspend, SignalKind::from_raw(SIGTSTP)),
                (SignalAction::Redraw, SignalKind::from_raw(SIGCONT)),
            ]
            .into_iter()
            .filter_map(|(action, kind)| signal(kind).ok().map(|s| (action, s)))
            .collect();
            Self { streams }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn recv(&mut self) -> SignalAction {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let futures = self.streams.iter_mut().map(|(_, s)| Box::pin(s.recv()));
            let (_, index, _) = futures_util::future::select_all(futures).await;
            self.streams[index].0
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            SignalAction::Terminate
        }
    }
}

#[cfg(unix)]
const SIGTSTP: i32 = rustix::process::Signal::TSTP.as_raw();
#[cfg(unix)]
const SIGCONT: i32 = rustix::process::Signal::CONT.as_raw();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_drawn_at_once_then_one_frame_per_interval() {
        let t0 = Instant::now();
        let mut pacer = FramePacer::default();
        for i in 0..FRAME_BURST {
            assert_eq!(pacer.next_allowed(t0), t0, "frame {i} of a burst waits");
            pacer.drawn(t0);
        }
        // The next waits one interval, not a window of the burst's size.
        assert_eq!(pacer.next_allowed(t0), t0 + FRAME_INTERVAL);
        // After a quiet while the whole burst is back, and no more than it.
        let later = t0 + FRAME_INTERVAL * 100;
        for _ in 0..FRAME_BURST {
            assert_eq!(pacer.next_allowed(later), later);
            pacer.drawn(later);
        }
        assert!(pacer.next_allowed(later) > later);
        // Sustained drawing as fast as allowed: one frame per interval, after the burst.
        let mut now = later;
        let mut frames = 0;
        while now < later + FRAME_INTERVAL * 100 && frames < 1_000 {
            now = pacer.next_allowed(now);
            pacer.drawn(now);
            frames += 1;
        }
        assert!(
            (100..=101).contains(&frames),
            "{frames} frames in 100 intervals"
        );
    }
}
