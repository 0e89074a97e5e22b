//! Running the real binary against a sandbox the test started: settings in the environment,
//! private XDG directories, a `BROWSER` script that answers the consent page.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

use qonto_sandbox::Sandbox;

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A private home for one test: config, data, state and cache dirs, a log file.
pub struct Home {
    pub dir: PathBuf,
}

impl Home {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "qonto-tui-test-{name}-{}",
            qonto_client::random::random_hex(6).unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    pub fn log(&self) -> PathBuf {
        self.dir.join("state/test.log")
    }

    /// A `BROWSER` script that ticks `orgs` (all when empty) on the consent page.
    pub fn browser_script(&self, orgs: &[String]) -> PathBuf {
        let orgs_arg = if orgs.is_empty() {
            String::new()
        } else {
            format!("--orgs {}", orgs.join(","))
        };
        self.script(
            "browser.sh",
            &format!(
                "exec '{}' simulate-browser {orgs_arg} \"$1\"",
                crate::binary("qonto-tui").display()
            ),
        )
    }

    /// An executable `sh` script named `name` in the home, running `body`.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        path
    }

    /// Every file under the home, with its contents (lossy), except the browser script.
    pub fn all_files(&self) -> Vec<(PathBuf, String)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    let bytes = std::fs::read(&p).unwrap_or_default();
                    out.push((p, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir, &mut out);
        out
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The binary with the sandbox's settings and the private home.
pub fn app(sb: &Sandbox, home: &Home) -> Command {
    let mut c = Command::new(crate::binary("qonto-tui"));
    for line in sb.env_lines() {
        let (k, v) = line.split_once('=').unwrap();
        c.env(k, v);
    }
    c.env("XDG_CONFIG_HOME", home.dir.join("config"))
        .env("XDG_DATA_HOME", home.dir.join("data"))
        .env("XDG_STATE_HOME", home.dir.join("state"))
        .env("XDG_CACHE_HOME", home.dir.join("cache"))
        .env("QONTO_TUI_CONFIG", home.dir.join("config/none.toml"))
        .env("QONTO_TUI_LOG", home.log())
        .env("QONTO_TUI_LOG_LEVEL", "trace")
        .env_remove("BROWSER")
        .env_remove("QONTO_TOKEN_STORE")
        .stdin(std::process::Stdio::null());
    c
}

/// The environment that points the binary at `sb`: the sandbox's settings, a private home, the
/// file token store, and a BROWSER that allows every organization.
pub fn app_env(sb: &Sandbox, home: &Home) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = sb
        .env_lines()
        .into_iter()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.into(), v.into())))
        .collect();
    for (k, sub) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ] {
        env.push((k.into(), home.dir.join(sub).display().to_string()));
    }
    env.push((
        "QONTO_TUI_CONFIG".into(),
        home.dir.join("none.toml").display().to_string(),
    ));
    env.push(("QONTO_TOKEN_STORE".into(), "file".into()));
    env.push((
        "BROWSER".into(),
        home.browser_script(&[]).display().to_string(),
    ));
    env
}

pub fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Reads `pipe` to its end on a thread of its own, so that a full pipe never blocks the child.
fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = pipe.read_to_end(&mut v);
        v
    })
}

/// Waits for `child`, killing it (and failing the test) after `limit`.
fn wait_within(child: &mut std::process::Child, limit: std::time::Duration) -> ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the command did not finish within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs `cmd` to the end, killing it (and failing) after `limit`.
pub fn output_within(mut cmd: Command, limit: std::time::Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let status = wait_within(&mut child, limit);
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Runs `cmd` with its standard output as the caller set it (a pipe whose reader left, say),
/// killing it (and failing) after `limit`: its exit code and standard error.
pub fn stderr_within(mut cmd: Command, limit: std::time::Duration) -> (Option<i32>, String) {
    let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let stderr = drain(child.stderr.take().unwrap());
    let status = wait_within(&mut child, limit);
    let text = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
    (status.code(), text)
}

/// Runs `cmd` with `input` on its standard input, then closed: what it printed.
pub fn output_with_input(mut cmd: Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// A number field of `/proc/<pid>/status` (kB for the memory fields; 0 when unreadable).
pub fn proc_status(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Every regular file under `dir`, however deep (links not followed), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                todo.push(entry.path());
            } else if meta.is_file() {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}
