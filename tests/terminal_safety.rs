//! Every way out leaves the terminal as it was: SIGINT, SIGTERM, SIGHUP and a panic, checked in a
//! pseudo-terminal (alternate screen left, cursor shown, and `stty` back in canonical mode with echo).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::pty::PtyApp;

/// Runs the demo under `sh`, which prints the terminal modes once it has ended.
fn demo_under_sh(extra_env: &[(String, String)]) -> PtyApp {
    let script = format!(
        "'{}' --demo; echo \"EXIT=$?\"; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo MODES-DONE",
        env!("CARGO_BIN_EXE_qonto-tui")
    );
    let home = std::env::temp_dir().join(format!(
        "qonto-tui-safety-{}",
        qonto_client::random::random_hex(6).unwrap()
    ));
    let mut env = vec![(
        "XDG_STATE_HOME".to_string(),
        home.join("state").display().to_string(),
    )];
    env.extend_from_slice(extra_env);
    PtyApp::spawn_program("sh", &["-c", &script], &env, 100, 30)
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

fn signal_test(signal: &str) {
    let app = demo_under_sh(&[]);
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
fn a_panic_restores_the_terminal_and_says_what_happened() {
    let mut app = demo_under_sh(&[("QONTO_TUI_TEST_PANIC".into(), "1".into())]);
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
