//! A firm for the tests: a fresh database of the firm's books on the test PostgreSQL, a
//! service machine holding two staff members' own sign-ins, and staff machines that hold
//! none.
#![allow(dead_code)]

use std::path::Path;

use qonto_books::firm::Firm;
use qonto_sandbox::Sandbox;

use super::app::{self, Home};

/// The test PostgreSQL's address, as its superuser (`scripts/test` starts one).
pub fn postgres_url() -> String {
    std::env::var("QONTO_TEST_POSTGRES").expect(
        "QONTO_TEST_POSTGRES names a PostgreSQL to test against: run the tests through scripts/test, which starts one",
    )
}

/// A fresh database for a firm's books on the test PostgreSQL, its schema set up: its admin
/// address and its name (`prefix_` and random letters).
pub async fn firm_database(prefix: &str) -> (String, String) {
    let base = postgres_url();
    let name = format!("{prefix}_{}", qonto_client::random::random_hex(4).unwrap());
    let admin = Firm::connect(&base).await.unwrap();
    admin
        .client()
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base} dbname={name}");
    Firm::connect(&url).await.unwrap().init().await.unwrap();
    (url, name)
}

/// A staff member's machine of a firm: no Qonto credential, the firm's books (`url`) as
/// `role` in its config file.
pub fn firm_staff_machine(
    sb: &qonto_sandbox::Sandbox,
    name: &str,
    url: &str,
    role: &str,
) -> (Home, Vec<(String, String)>) {
    let home = Home::new(name);
    let env = app::app_env(sb, &home);
    std::fs::write(
        home.dir.join("none.toml"),
        format!("books = \"{url} user={role}\"\n"),
    )
    .expect("the staff member's config");
    (home, env)
}

/// The firm's books set up and synced by its service, with two staff members (their sign-ins
/// on the service machine) granted the first organization the sandbox consents to.
pub struct TwoStaff {
    pub url: String,
    pub database: String,
    pub service: Home,
    pub service_env: Vec<(String, String)>,
    pub alice: String,
    pub bob: String,
    /// The sandbox's token family of each one's sign-in (an upload's `by` is `user#FAMILY`).
    pub alices_sign_in: u64,
    pub bobs_sign_in: u64,
    /// The organization granted to both.
    pub org: String,
}

impl TwoStaff {
    pub async fn set_up(sb: &Sandbox, prefix: &str) -> TwoStaff {
        let (url, database) = firm_database(prefix).await;
        let suffix = database[prefix.len() + 1..].to_string();
        let (alice, bob) = (format!("alice_{suffix}"), format!("bob_{suffix}"));
        let service = Home::new(&format!("{prefix}-service"));
        let mut service_env = app::app_env(sb, &service);
        service_env.push(("QONTO_TUI_BOOKS".into(), url.clone()));
        super::run_ok(sb, &service, &service_env, &[&["--staff", &alice, "login"]]).await;
        let alices_sign_in = *sb.user_flow_families().last().expect("alice signed in");
        super::run_ok(sb, &service, &service_env, &[&["--staff", &bob, "login"]]).await;
        let bobs_sign_in = *sb.user_flow_families().last().expect("bob signed in");
        assert_ne!(alices_sign_in, bobs_sign_in);
        let org = sb.consented_orgs()[0].clone();
        for args in [
            vec!["serve", "add-staff", &alice],
            vec!["serve", "add-staff", &bob],
            vec!["serve", "grant", &alice, &org],
            vec!["serve", "grant", &bob, &org],
        ] {
            let (code, out, err) = super::run_app(sb, &service, &service_env, &args).await;
            assert_eq!(code, 0, "{args:?}: {out}{err}");
        }
        let firm = TwoStaff {
            url,
            database,
            service,
            service_env,
            alice,
            bob,
            alices_sign_in,
            bobs_sign_in,
            org,
        };
        let (code, out, err) = firm.serve(sb, &["sync"], false).await;
        assert_eq!(code, 0, "{out}{err}");
        firm
    }

    /// `qonto-tui serve ARGS` on the service machine, with writes on if `writes`.
    pub async fn serve(&self, sb: &Sandbox, args: &[&str], writes: bool) -> (i32, String, String) {
        let mut env = self.service_env.clone();
        if writes {
            env.push(("QONTO_TUI_WRITES".into(), "on".into()));
        }
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        super::run_app(sb, &self.service, &env, &all).await
    }

    /// Drops the database and the staff roles.
    pub async fn tear_down(&self) {
        let admin = Firm::connect(&postgres_url())
            .await
            .expect("the test PostgreSQL");
        let _ = admin
            .client()
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE); DROP ROLE IF EXISTS {}; DROP ROLE IF EXISTS {}",
                self.database, self.alice, self.bob
            ))
            .await;
    }
}

/// Every file's name under `dir`, at any depth.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            names.extend(files_under(&path));
        } else {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names
}

/// The ids `qonto-tui search QUERY --json --limit 0` lists on a machine (a staff member's: from
/// the firm's books, as their role).
pub async fn search_ids(
    sb: &Sandbox,
    home: &Home,
    env: &[(String, String)],
    query: &str,
) -> Vec<String> {
    let (code, out, err) =
        super::run_app(sb, home, env, &["search", query, "--json", "--limit", "0"]).await;
    assert_eq!(code, 0, "search {query}: {err}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&out).expect("search's JSON");
    found
        .iter()
        .map(|t| t["id"].as_str().expect("an id").to_string())
        .collect()
}
