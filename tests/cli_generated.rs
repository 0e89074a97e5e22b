//! What the command line generates from its own definition: shell completions and a man page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_qonto-tui"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bash_completion_loads_in_bash_and_knows_the_commands() {
    let script = run(&["completions", "bash"]);
    for command in ["login", "logout", "status", "sandbox", "completions", "man"] {
        assert!(script.contains(command), "{command} completes");
    }
    let dir = std::env::temp_dir().join(format!(
        "qonto-tui-completion-{}",
        qonto_client::random::random_hex(6).unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("qonto-tui.bash");
    std::fs::write(&file, &script).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p qonto-tui",
            file.display()
        ))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("qonto-tui"),
        "{out:?}"
    );
    for shell in ["zsh", "fish"] {
        assert!(run(&["completions", shell]).contains("status"), "{shell}");
    }
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let page = run(&["man"]);
    assert!(page.contains(".TH qonto-tui 1"), "{page}");
    for command in ["login", "logout", "status"] {
        assert!(page.contains(command), "{command} in the man page");
    }
}
