//! `--org` means one thing in every command: an id or its beginning, an API key's login, or a
//! name's beginning; `logout --org` takes the same (a key's organization by name); and the
//! shell completes `--org` with the organizations' names from the local copy (real bash, the
//! generated script sourced), not with file names.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::{Home, app, app_env, output_with_input, text};

#[tokio::test(flavor = "multi_thread")]
async fn org_is_an_id_its_beginning_a_login_or_a_names_beginning_everywhere() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("org-names");
    let env = app_env(&sb, &home);
    // Signed in, and one organization also reached by its API key.
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let keyed = &sb.data().orgs[4];
    let secret = sb.api_keys()[0].secret.clone();
    let mut add = app(&sb, &home);
    add.envs(env.iter().cloned())
        .args(["key", "add", &keyed.slug]);
    let out = tokio::task::spawn_blocking(move || output_with_input(add, &format!("{secret}\n")))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    common::run_ok(&sb, &home, &env, &[&["sync"]]).await;

    let first = &sb.data().orgs[0];
    let id_start: String = first.id.chars().take(8).collect();
    let name_start: String = first.name.chars().take(7).collect();
    for (wanted, who) in [
        (first.id.clone(), first),
        (id_start, first),
        (name_start.to_uppercase(), first),
        (keyed.slug.clone(), keyed),
    ] {
        let (code, out, err) = common::run_app(
            &sb,
            &home,
            &env,
            &["export", "--org", &wanted, "--month", "2026-11"],
        )
        .await;
        assert_eq!(code, 0, "--org {wanted}: {err}");
        assert!(
            out.lines().skip(1).all(|l| l.contains(&who.name)) && out.lines().count() > 1,
            "--org {wanted} is {}:\n{out}",
            who.name
        );
    }
    let (code, _, err) = common::run_app(
        &sb,
        &home,
        &env,
        &["export", "--org", "zzz-nobody", "--month", "2026-11"],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no organization is"), "{err}");

    // Real bash completes --org with the copy's names, not file names.
    let bin_dir = qonto_testkit::binary("qonto-tui")
        .parent()
        .unwrap()
        .to_path_buf();
    let (_, script, _) = common::run_app(&sb, &home, &env, &["completions", "bash"]).await;
    let script_path = home.dir.join("complete.bash");
    std::fs::write(&script_path, script).unwrap();
    std::fs::write(
        home.dir.join("Brochure.pdf"),
        b"a file the shell must not offer",
    )
    .unwrap();
    let start: String = keyed.name.chars().take(3).collect();
    let probe = format!(
        "source {script}; COMP_WORDS=(qonto-tui export --org {start}); COMP_CWORD=3; \
         _qonto__tui qonto-tui {start} --org; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script = script_path.display()
    );
    let mut bash = std::process::Command::new("bash");
    bash.arg("-c").arg(&probe).current_dir(&home.dir);
    for (k, v) in &env {
        bash.env(k, v);
    }
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    bash.env("PATH", path);
    let out = tokio::task::spawn_blocking(move || bash.output())
        .await
        .unwrap()
        .unwrap();
    let offered = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        offered.lines().any(|l| l == keyed.name),
        "the name whole, spaces and all: {offered:?} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!offered.contains("Brochure.pdf"), "{offered:?}");

    // logout --org by the beginning of a name forgets that organization's key.
    let keyed_start: String = keyed.name.chars().take(6).collect();
    let (code, out, err) =
        common::run_app(&sb, &home, &env, &["logout", "--org", &keyed_start]).await;
    assert_eq!(code, 0, "{out}{err}");
    let (_, orgs, _) = common::run_app(&sb, &home, &env, &["orgs", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_str(&orgs).unwrap();
    let sources: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["id"] == keyed.id.as_str())
        .map(|o| o["via"].to_string())
        .collect();
    assert!(!sources.iter().any(|v| v.contains("key")), "{orgs}");
}
