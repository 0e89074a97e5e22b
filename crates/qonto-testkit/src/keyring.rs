//! A Secret Service of a test's own: a private D-Bus daemon with an unlocked gnome-keyring on
//! it, which the test may freeze (SIGSTOP) without disturbing the other tests' keyring.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateKeyring {
    bus: Child,
    daemon: Child,
    address: String,
    dir: PathBuf,
}

impl PrivateKeyring {
    /// Starts the bus and the keyring and waits until the keyring answers on it.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "qonto-tui-keyring-{}",
            qonto_client::random::random_hex(6).unwrap()
        ));
        std::fs::create_dir_all(dir.join("run")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.join("run"), std::fs::Permissions::from_mode(0o700))
                .unwrap();
        }
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed (scripts/test installs it)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--foreground"])
            .envs(Self::env_for(&address, &dir))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring is installed (scripts/test installs it)");
        let mut stdin = daemon.stdin.take().unwrap();
        stdin.write_all(b"private-test-keyring\n").unwrap();
        drop(stdin);
        let keyring = Self {
            bus,
            daemon,
            address,
            dir,
        };
        keyring.wait_until_served();
        keyring
    }

    fn env_for(address: &str, dir: &std::path::Path) -> Vec<(String, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), address.into()),
            (
                "XDG_RUNTIME_DIR".into(),
                dir.join("run").display().to_string(),
            ),
            (
                "XDG_DATA_HOME".into(),
                dir.join("data").display().to_string(),
            ),
        ]
    }

    /// The variables that point a process at this keyring (XDG_DATA_HOME is the keyring's own;
    /// set the app's after these to override it).
    pub fn env(&self) -> Vec<(String, String)> {
        Self::env_for(&self.address, &self.dir)
            .into_iter()
            .filter(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
            .collect()
    }

    /// Polls until the secrets service name has an owner on the bus (10 s at most).
    fn wait_until_served(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
                .unwrap_or(false);
            if owned {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("gnome-keyring did not come up on the private bus");
    }

    /// Stops the keyring daemon (SIGSTOP): calls to it now hang instead of failing.
    pub fn freeze(&self) {
        assert!(signal(self.daemon.id(), "STOP"), "SIGSTOP the keyring");
    }

    pub fn thaw(&self) {
        assert!(signal(self.daemon.id(), "CONT"), "SIGCONT the keyring");
    }
}

fn signal(pid: u32, name: &str) -> bool {
    Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        signal(self.daemon.id(), "CONT");
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
