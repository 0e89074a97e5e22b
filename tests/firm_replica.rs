//! A staff member's reads can go to a streaming replica of the firm's books (`books_replica`):
//! `scripts/test` starts one beside the test PostgreSQL (`scripts/with-postgres`,
//! QONTO_PG_REPLICA=1). Once the replica has replayed the service's writes, a search as the
//! staff member there gives what the primary gives, row-level security included; with the
//! primary out of reach it still answers (the reads are the replica's); a pull from it fills a
//! copy as one from the primary does; and asking the service through it is refused in words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::firm::{TwoStaff, firm_staff_machine};
use qonto_books::firm::{Firm, actions, pull};

/// The test replica's address (as its superuser), from `scripts/with-postgres`.
fn replica_url() -> String {
    std::env::var("QONTO_TEST_POSTGRES_REPLICA").expect(
        "QONTO_TEST_POSTGRES_REPLICA names the replica: run the tests through scripts/test, which starts one",
    )
}

/// Waits (a bounded while) until the replica has replayed everything the primary wrote.
async fn replayed(primary: &Firm, replica: &Firm) {
    let lsn: String = primary
        .client()
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .await
        .unwrap()
        .get(0);
    let start = Instant::now();
    loop {
        let caught_up: bool = replica
            .client()
            .query_one(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, false)",
                &[&lsn],
            )
            .await
            .unwrap()
            .get(0);
        if caught_up {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the replica did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The transaction ids `search ""` lists, in order, with `env`.
async fn all_found(
    sb: &qonto_sandbox::Sandbox,
    home: &common::app::Home,
    env: &[(String, String)],
) -> Vec<String> {
    let (code, out, err) =
        common::run_app(sb, home, env, &["search", "", "--json", "--limit", "0"]).await;
    assert_eq!(code, 0, "{err}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    found
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_reads_go_to_the_replica_and_asks_to_the_primary() {
    let sb = common::sandbox_for_the_app().await;
    let firm = TwoStaff::set_up(&sb, "firm_replica").await;
    let primary = Firm::connect(&firm.url).await.unwrap();
    let on_replica = |url: &str| format!("{} dbname={}", url, firm.database);
    let replica = Firm::connect(&on_replica(&replica_url())).await.unwrap();
    replayed(&primary, &replica).await;

    let (home, env) = firm_staff_machine(&sb, "firm-replica-alice", &firm.url, &firm.alice);
    let from_primary = all_found(&sb, &home, &env).await;
    let org_rows = common::sandbox_transactions(&sb)
        .iter()
        .filter(|(org, _)| *org == firm.org)
        .count();
    assert_eq!(from_primary.len(), org_rows, "her organization, whole");
    // The same, from the replica, with the primary out of reach.
    let replica_as_alice = format!("{} user={}", on_replica(&replica_url()), firm.alice);
    let mut config = format!(
        "books = \"host=127.0.0.1 port=1 dbname=x user={}\"\n",
        firm.alice
    );
    config.push_str(&format!("books_replica = \"{replica_as_alice}\"\n"));
    std::fs::write(home.dir.join("none.toml"), config).unwrap();
    let from_replica = all_found(&sb, &home, &env).await;
    assert_eq!(from_replica, from_primary);

    // A pull from the replica, as her, fills a copy as one from the primary does.
    let dir = tempfile::tempdir().unwrap();
    let key = qonto_client::Secret::new("ef".repeat(32));
    let mut pulled = Vec::new();
    for (i, url) in [
        format!("{} user={}", firm.url, firm.alice),
        replica_as_alice.clone(),
    ]
    .iter()
    .enumerate()
    {
        let path = dir.path().join(format!("copy-{i}.db"));
        let copy = qonto_books::BooksHandle::open_async(path, key.clone(), false)
            .await
            .unwrap()
            .books;
        let staff = Firm::connect(url).await.unwrap();
        pulled.push(pull::pull(staff.client(), &copy).await.unwrap());
        copy.close().await;
    }
    assert_eq!(pulled[0], pulled[1]);
    assert_eq!(pulled[0].added, org_rows);

    // Asking the service goes to the primary: the replica refuses it.
    let staff = Firm::connect(&replica_as_alice).await.unwrap();
    let refused = actions::ask_attach(staff.client(), &firm.org, "tx", "r.pdf", b"%PDF-1.4")
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("read-only"), "{refused}");
    drop((staff, primary, replica));
    firm.tear_down().await;
}
