//! The real binary in a pseudo-terminal, its screen parsed as a terminal would show it.

use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct PtyApp {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the app wrote, for tests that inspect escape sequences.
    pub raw: Arc<Mutex<Vec<u8>>>,
    output: Arc<(Mutex<Output>, Condvar)>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

/// A pseudo-terminal of `cols` × `rows`.
fn open(cols: u16, rows: u16) -> portable_pty::PtyPair {
    native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pty")
}

impl PtyApp {
    pub fn spawn(args: &[&str], env: &[(String, String)], cols: u16, rows: u16) -> Self {
        let program = crate::binary("qonto-tui");
        Self::spawn_program(&program.to_string_lossy(), args, env, cols, rows)
    }

    pub fn spawn_program(
        program: &str,
        args: &[&str],
        env: &[(String, String)],
        cols: u16,
        rows: u16,
    ) -> Self {
        let pty = open(cols, rows);
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("BROWSER");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        Self::around(pty.master, child, cols, rows)
    }

    /// The app as [`PtyApp::spawn`] starts it, but through `posix_spawn` (`setsid --ctty`
    /// making the pty its controlling terminal) instead of a fork of this process: a fork copies
    /// the page tables of everything this process holds, and the child's exec then frees them
    /// again (about 60 ms for 4 GB, most of it after the spawn returns), which a benchmark
    /// holding a sandbox of millions of transactions would time as the app's start.
    pub fn spawn_unforked(args: &[&str], env: &[(String, String)], cols: u16, rows: u16) -> Self {
        let pty = open(cols, rows);
        let tty = pty.master.tty_name().expect("the pty's name");
        let side = || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&tty)
                .expect("the pty's terminal side")
        };
        // An absolute program and no pre-exec closure: what lets the standard library spawn
        // with `posix_spawn` (a vfork, no copy) rather than fork.
        let mut cmd = std::process::Command::new("/usr/bin/setsid");
        cmd.arg("--ctty")
            .arg(crate::binary("qonto-tui"))
            .args(args)
            .env("TERM", "xterm-256color")
            .env_remove("BROWSER")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(side())
            .stdout(side())
            .stderr(side());
        let child = cmd.spawn().expect("spawn through setsid");
        drop(pty.slave);
        Self::around(pty.master, Box::new(child), cols, rows)
    }

    /// Reads what the app behind `master` writes into a parsed screen.
    fn around(
        master: Box<dyn MasterPty + Send>,
        child: Box<dyn Child + Send + Sync>,
        cols: u16,
        rows: u16,
    ) -> Self {
        let mut reader = master.try_clone_reader().expect("reader");
        let writer = master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let output = Arc::new((
            Mutex::new(Output {
                chunks: 0,
                last_at: Instant::now(),
                ended: None,
            }),
            Condvar::new(),
        ));
        let (p, r, o) = (parser.clone(), raw.clone(), output.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    // A signal landing on this thread is not the end of the output.
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        o.0.lock().unwrap().ended = Some(e.to_string());
                        break;
                    }
                };
                let at = Instant::now();
                // The count moves while the parser is still held, so a screen read never holds
                // a chunk the count does not (and `wait_for` never reports too early a time).
                let mut parser = p.lock().unwrap();
                parser.process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
                let (lock, arrived) = &*o;
                let mut out = lock.lock().unwrap();
                out.chunks += 1;
                out.last_at = at;
                drop(parser);
                arrived.notify_all();
            }
            let mut out = o.0.lock().unwrap();
            out.ended.get_or_insert_with(|| "end of file".to_string());
            drop(out);
            o.1.notify_all();
        });
        Self {
            parser,
            raw,
            output,
            writer,
            child,
            _master: master,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until the screen satisfies `pred`; panics with the screen after `timeout`. Returns
    /// how long after the call the bytes that made it true reached the terminal (checked after
    /// every chunk the app writes, so the figure is not rounded up to a polling interval).
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> Duration {
        let start = Instant::now();
        let (lock, arrived) = &*self.output;
        loop {
            let screen = self.screen();
            // Read after the screen: the screen holds at most these chunks, so the time of the
            // last one is never earlier than the moment the screen became true.
            let (chunks, last_at) = {
                let out = lock.lock().unwrap();
                (out.chunks, out.last_at)
            };
            if pred(&screen) {
                return last_at.saturating_duration_since(start);
            }
            let left = timeout.checked_sub(start.elapsed());
            assert!(
                left.is_some(),
                "timed out waiting for {what}; screen:\n{screen}\n{}",
                self.last_bytes()
            );
            let out = lock.lock().unwrap();
            let _ = arrived
                .wait_timeout_while(
                    out,
                    left.unwrap_or_default().min(Duration::from_millis(50)),
                    |o| o.chunks == chunks,
                )
                .unwrap();
        }
    }

    pub fn wait_text(&self, text: &str, timeout: Duration) -> Duration {
        self.wait_for(text, timeout, |s| s.contains(text))
    }

    /// The line of the screen holding the selection marker of the organizations pane.
    pub fn selected_line(&self) -> Option<String> {
        self.screen()
            .lines()
            .find(|l| l.contains('▸'))
            .map(String::from)
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> Option<portable_pty::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.drain();
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl PtyApp {
    /// What a timeout reports beside the screen: whether the output had ended (and how), and
    /// the last bytes read, escaped, so that a stray mode or a cut sequence can be seen.
    fn last_bytes(&self) -> String {
        let ended = self.output.0.lock().unwrap().ended.clone();
        let raw = self.raw.lock().unwrap();
        let tail = &raw[raw.len().saturating_sub(400)..];
        format!(
            "output {}; its last {} bytes: {}",
            ended.map_or("still open".to_string(), |e| format!("ended ({e})")),
            tail.len(),
            tail.escape_ascii()
        )
    }

    /// After the app exited: waits until its last bytes are read (no new chunk for 100 ms, 2 s
    /// at most), so that checks of what it wrote last do not race the reader thread.
    fn drain(&self) {
        let (lock, arrived) = &*self.output;
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut out = lock.lock().unwrap();
        while Instant::now() < deadline {
            let seen = out.chunks;
            let (next, _) = arrived
                .wait_timeout(out, Duration::from_millis(100))
                .unwrap();
            out = next;
            if out.chunks == seen {
                return;
            }
        }
    }
}

/// What the reader thread has seen of the app's output.
struct Output {
    chunks: u64,
    /// When the latest chunk was read from the pty.
    last_at: Instant,
    /// Why the reader stopped (end of file, an error), once it has.
    ended: Option<String>,
}

impl Drop for PtyApp {
    /// Kills the app and waits for it, so that it writes nothing more (a log line, its state)
    /// into a test home about to be removed.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const DOWN: &[u8] = b"\x1b[B";
pub const UP: &[u8] = b"\x1b[A";
