//! Every way out leaves the terminal as it was: SIGINT, SIGTERM, SIGHUP, SIGQUIT and a panic, a
//! TERM in the first milliseconds, and a Ctrl-Z suspension and resume, checked in a
//! pseudo-terminal (alternate screen left, cursor shown, and `stty` back in canonical mode with echo).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::Home;
use common::pty::PtyApp;

const PRINT_MODES: &str = "echo \"EXIT=$?\"; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo MODES-DONE";

/// Runs the demo under `sh`, which prints the terminal modes once it has ended.
fn demo_under_sh(extra_env: &[(String, String)]) -> (PtyApp, Home) {
    let script = format!(
        "'{}' --demo; {PRINT_MODES}",
        env!("CARGO_BIN_EXE_qonto-tui")
    );
    under_sh("sh", &script, extra_env)
}

/// The app under `shell` in a pty, with a private home that is removed once both are dropped
/// (the app first: the tuple drops in order). The shell stays open after the script (until the
/// drop kills it): on Linux, a pty's last bytes can be lost to the reader when the slave side
/// closes right after writing them, and the last line is the one each test waits for.
fn under_sh(shell: &str, script: &str, extra_env: &[(String, String)]) -> (PtyApp, Home) {
    let script = format!("{script}; sleep 60");
    let home = Home::new("safety");
    let mut env = vec![(
        "XDG_STATE_HOME".to_string(),
        home.dir.join("state").display().to_string(),
    )];
    env.extend_from_slice(extra_env);
    let app = PtyApp::spawn_program(shell, &["-c", &script], &env, 100, 30);
    (app, home)
}

fn app_pid(sh_pid: u32) -> String {
    for _ in 0..200 {
        let out = std::process::Command::new("pgrep")
            .args(["-P", &sh_pid.to_string()])
            .output()
            .unwrap();
        let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !pid.is_empty() {
            return pid.lines().next().unwrap().to_string();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the app did not start");
}

fn assert_restored(app: &PtyApp) {
    app.wait_text("MODES-DONE", Duration::from_secs(10));
    let screen = app.screen();
    let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(
        raw.rfind("\x1b[?25h") > raw.rfind("\x1b[?25l"),
        "the cursor is shown at the end"
    );
    assert!(
        raw.contains("\x1b[?1000l") || raw.contains("\x1b[?1003l"),
        "mouse capture off"
    );
    assert!(
        screen.contains(" icanon ") || screen.contains("icanon"),
        "{screen}"
    );
    assert!(
        !screen.contains("-icanon") && !screen.contains("-echo"),
        "raw mode is off: {screen}"
    );
}

/// Whatever the app turned on, it turned off again after, and the line discipline is back.
fn assert_left_as_it_was(app: &PtyApp, context: &str) {
    app.wait_text("MODES-DONE", Duration::from_secs(10));
    let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
    for (on, off, what) in [
        ("\x1b[?1049h", "\x1b[?1049l", "alternate screen"),
        ("\x1b[?25l", "\x1b[?25h", "hidden cursor"),
        ("\x1b[?1000h", "\x1b[?1000l", "mouse capture"),
        ("\x1b[?2004h", "\x1b[?2004l", "bracketed paste"),
    ] {
        if let Some(turned_on) = raw.rfind(on) {
            assert!(
                raw.rfind(off)
                    .is_some_and(|turned_off| turned_off > turned_on),
                "{context}: {what} left on"
            );
        }
    }
    let screen = app.screen();
    assert!(
        !screen.contains("-icanon") && !screen.contains("-echo") && screen.contains("icanon"),
        "{context}: raw mode is off: {screen}"
    );
}

#[test]
fn term_in_the_first_twenty_milliseconds_leaves_the_terminal_as_it_was() {
    for i in 0..50u32 {
        let delay_ms = f64::from(i) * 20.0 / 49.0;
        let script = format!(
            "'{}' --demo & pid=$!; sleep {:.4}; kill -TERM $pid; wait $pid; {PRINT_MODES}",
            env!("CARGO_BIN_EXE_qonto-tui"),
            delay_ms / 1000.0
        );
        let (app, _home) = under_sh("sh", &script, &[]);
        assert_left_as_it_was(&app, &format!("TERM {delay_ms:.1} ms after launch"));
    }
}

#[test]
fn ctrl_z_suspends_with_the_terminal_restored_and_fg_redraws() {
    // Job control (`set -m`) so that the shell reports the stop and `fg` resumes the app; the
    // shell waits for a line between the two.
    let script = format!(
        "set -m; '{}' --demo; {PRINT_MODES}; read line; fg; echo \"RESUMED-EXIT=$?\"",
        env!("CARGO_BIN_EXE_qonto-tui")
    );
    let (mut app, _home) = under_sh("bash", &script, &[]);
    app.wait_text("Sign in to Qonto", Duration::from_secs(20));
    app.send(b"\x1a"); // Ctrl-Z
    assert_left_as_it_was(&app, "suspended");
    assert!(
        app.screen().contains("Stopped"),
        "a stopped job: {}",
        app.screen()
    );
    app.send(b"\n");
    app.wait_for(
        "the app drawn again after fg",
        Duration::from_secs(10),
        |s| s.contains("Sign in to Qonto") && !s.contains("MODES-DONE"),
    );
    app.send(b"q");
    app.wait_text("RESUMED-EXIT=0", Duration::from_secs(10));
}

fn signal_test(signal: &str) {
    let (app, _home) = demo_under_sh(&[]);
    app.wait_text("Sign in to Qonto", Duration::from_secs(20));
    let pid = app_pid(app.child.process_id().unwrap());
    assert!(
        std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success()
    );
    assert_restored(&app);
    assert!(
        app.screen().contains("EXIT=0"),
        "{signal} ends cleanly:\n{}",
        app.screen()
    );
}

#[test]
fn sigint_restores_the_terminal() {
    signal_test("INT");
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_test("TERM");
}

#[test]
fn sighup_restores_the_terminal() {
    signal_test("HUP");
}

#[test]
fn sigquit_restores_the_terminal() {
    signal_test("QUIT");
}

#[test]
fn a_panic_restores_the_terminal_and_says_what_happened() {
    let (mut app, _home) = demo_under_sh(&[("QONTO_TUI_TEST_PANIC".into(), "1".into())]);
    app.wait_text("Sign in to Qonto", Duration::from_secs(20));
    app.send(b"\x1b[24~"); // F12
    assert_restored(&app);
    let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).to_string();
    let restored_at = raw.find("\x1b[?1049l").unwrap();
    let message_at = raw
        .find("injected panic")
        .expect("the panic message is shown");
    assert!(
        message_at > restored_at,
        "the message comes after the terminal was restored, so it is readable"
    );
    assert!(app.screen().contains("EXIT=101"), "{}", app.screen());
}
