//! The firm's books on a real PostgreSQL 15 (started on loopback by `scripts/test`, its admin
//! address in QONTO_TEST_POSTGRES): connecting as each of several staff roles, with grants
//! drawn at random, no `SELECT *` over any table or view of the schema returns a row of an
//! organization that role was not granted, and no action can be asked for one; staff change
//! nothing else. The check itself is shown to catch a table left without its policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use qonto_books::BooksReads;
use qonto_books::firm::schema::{MIGRATIONS, ORGANIZATION_TABLES};
use qonto_books::firm::{Firm, PgBooks};
use qonto_books::query;
use tokio_postgres::NoTls;

const ORGS: usize = 5;
const STAFF: usize = 3;

fn admin_url() -> String {
    std::env::var("QONTO_TEST_POSTGRES").expect(
        "QONTO_TEST_POSTGRES names a PostgreSQL to test against: run the tests through scripts/test, which starts one",
    )
}

/// A database of its own for one test, set up with the firm's schema, `STAFF` staff roles
/// (names unique to this run: roles are the cluster's), and `ORGS` organizations, each with
/// an account, transactions, a request waiting and an action.
struct Books {
    url: String,
    database: String,
    staff: Vec<String>,
    orgs: Vec<String>,
    runtime: tokio::runtime::Runtime,
}

impl Books {
    fn new() -> Books {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let tag = qonto_client::random::random_hex(4).unwrap();
        let database = format!("firm_{tag}");
        let base = admin_url();
        let url = runtime.block_on(async {
            let admin = Firm::connect(&base).await.unwrap();
            admin
                .client()
                .batch_execute(&format!("CREATE DATABASE {database}"))
                .await
                .unwrap();
            let cfg: tokio_postgres::Config = base.parse().unwrap();
            let mut cfg = cfg;
            cfg.dbname(&database);
            format!(
                "host=127.0.0.1 port={} user={} dbname={database}",
                cfg.get_ports().first().copied().unwrap_or(5432),
                cfg.get_user().unwrap_or("postgres")
            )
        });
        let staff: Vec<String> = (0..STAFF).map(|i| format!("staff{i}_{tag}")).collect();
        let orgs: Vec<String> = (0..ORGS).map(|i| format!("org-{i}")).collect();
        runtime.block_on(async {
            let mut firm = Firm::connect(&url).await.unwrap();
            let current = MIGRATIONS.len() as u32;
            assert_eq!(firm.init().await.unwrap(), current);
            // Again: nothing to do, the same version.
            assert_eq!(firm.init().await.unwrap(), current);
            for s in &staff {
                firm.add_staff(s).await.unwrap();
            }
            let c = firm.client();
            for (i, org) in orgs.iter().enumerate() {
                c.execute(
                    "INSERT INTO qonto.organizations (id, name) VALUES ($1, $2)",
                    &[org, &format!("Organization {i}")],
                )
                .await
                .unwrap();
                c.execute(
                    "INSERT INTO qonto.accounts (id, org_id, iban) VALUES ($1, $2, 'FR76…')",
                    &[&format!("acc-{i}"), org],
                )
                .await
                .unwrap();
                for t in 0..3 {
                    c.execute(
                        "INSERT INTO qonto.transactions (id, org_id, account_id, amount_cents)
                         VALUES ($1, $2, $3, 100)",
                        &[&format!("tx-{i}-{t}"), org, &format!("acc-{i}")],
                    )
                    .await
                    .unwrap();
                }
                c.execute(
                    "INSERT INTO qonto.review_items (org_id, kind, id, status, body, synced_at)
                     VALUES ($1, 'request', $2, 'pending', '{}', 0)",
                    &[org, &format!("req-{i}")],
                )
                .await
                .unwrap();
                c.execute(
                    "INSERT INTO qonto.actions (org_id, staff, kind, payload, file, file_name)
                     VALUES ($1, 'someone', 'attach', '{\"transaction\": \"tx\"}', '%PDF', 'r.pdf')",
                    &[org],
                )
                .await
                .unwrap();
            }
        });
        Books {
            url,
            database,
            staff,
            orgs,
            runtime,
        }
    }

    fn admin(&self) -> Firm {
        self.runtime.block_on(Firm::connect(&self.url)).unwrap()
    }

    /// Grants exactly `matrix[s][o]`.
    fn set_grants(&self, matrix: &[Vec<bool>]) {
        self.runtime.block_on(async {
            let firm = Firm::connect(&self.url).await.unwrap();
            firm.client()
                .execute("DELETE FROM qonto.grants", &[])
                .await
                .unwrap();
            for (s, row) in matrix.iter().enumerate() {
                let granted: Vec<String> = row
                    .iter()
                    .zip(&self.orgs)
                    .filter(|(g, _)| **g)
                    .map(|(_, o)| o.clone())
                    .collect();
                firm.grant(&self.staff[s], &granted).await.unwrap();
            }
        });
    }

    /// What `staff` could see or do beyond `granted`, in words (empty: nothing).
    fn leaks(&self, staff: &str, granted: &BTreeSet<String>) -> Vec<String> {
        self.runtime.block_on(async {
            let url = format!("{} user={staff}", self.url);
            let (c, conn) = tokio_postgres::connect(&url, NoTls).await.unwrap();
            let conn = tokio::spawn(conn);
            let mut leaks = Vec::new();
            // Every table and view of the schema, read whole.
            let relations = c
                .query(
                    "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'qonto' AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
                     ORDER BY 1",
                    &[],
                )
                .await
                .unwrap();
            for relation in relations {
                let name: String = relation.get(0);
                let rows = match c
                    .query(&format!("SELECT to_jsonb(r) FROM qonto.{name} r"), &[])
                    .await
                {
                    Ok(rows) => rows,
                    // No privilege at all: nothing seen.
                    Err(_) => continue,
                };
                let column = ORGANIZATION_TABLES
                    .iter()
                    .find(|(t, _)| *t == name)
                    .map(|(_, c)| *c)
                    .or((name == "grants").then_some("org_id"));
                for row in rows {
                    let row: serde_json::Value = row.get(0);
                    match column {
                        Some(column) => {
                            let org = row[column].as_str().unwrap_or_default().to_string();
                            if !granted.contains(&org) {
                                leaks.push(format!("{staff} read {name} of {org}"));
                            }
                            if name == "grants" && row["staff"] != staff {
                                leaks.push(format!("{staff} read another's grant"));
                            }
                        }
                        None if name == "schema_version" => {}
                        None => leaks.push(format!(
                            "{name} is not known to hold no organization's data: list it in ORGANIZATION_TABLES"
                        )),
                    }
                }
            }
            leaks.extend(app_reads(&url, staff, &self.orgs, granted).await);
            // Actions: asked for a granted organization only, in one's own name.
            for org in &self.orgs {
                let asked = c
                    .execute(
                        "INSERT INTO qonto.actions (org_id, kind, payload, file, file_name)
                         VALUES ($1, 'attach', '{\"transaction\": \"tx\"}', '%PDF', 'r.pdf')",
                        &[org],
                    )
                    .await;
                if asked.is_ok() != granted.contains(org) {
                    leaks.push(format!("{staff} asking an action for {org}: {asked:?}"));
                }
            }
            for (what, sql) in [
                ("an action in another's name", "INSERT INTO qonto.actions (org_id, staff, kind, payload, file, file_name) SELECT org_id, 'someone', 'attach', '{\"transaction\": \"tx\"}', '%PDF', 'r.pdf' FROM qonto.grants LIMIT 1"),
                ("an action as already done", "INSERT INTO qonto.actions (org_id, kind, state, payload, file, file_name) SELECT org_id, 'attach', 'done', '{\"transaction\": \"tx\"}', '%PDF', 'r.pdf' FROM qonto.grants LIMIT 1"),
                ("an action's outcome forged", "INSERT INTO qonto.actions (org_id, kind, outcome, payload, file, file_name) SELECT org_id, 'attach', 'attached', '{\"transaction\": \"tx\"}', '%PDF', 'r.pdf' FROM qonto.grants LIMIT 1"),
                ("a grant", "INSERT INTO qonto.grants (staff, org_id) VALUES (current_user, 'org-0')"),
                ("a grant removed", "DELETE FROM qonto.grants"),
                ("a transaction changed", "UPDATE qonto.transactions SET amount_cents = 0"),
                ("a transaction deleted", "DELETE FROM qonto.transactions"),
                ("an action changed", "UPDATE qonto.actions SET state = 'done'"),
                ("the policy dropped", "ALTER TABLE qonto.transactions DISABLE ROW LEVEL SECURITY"),
            ] {
                let done = c.batch_execute(sql).await;
                // An INSERT … SELECT over no granted row inserts nothing: not a leak.
                let inserted_nothing = sql.contains("LIMIT 1") && granted.is_empty();
                if done.is_ok() && !inserted_nothing {
                    leaks.push(format!("{staff} could do this: {what}"));
                }
            }
            drop(c);
            let _ = conn.await;
            leaks
        })
    }
}

impl Drop for Books {
    fn drop(&mut self) {
        let base = admin_url();
        let (database, staff) = (self.database.clone(), self.staff.clone());
        self.runtime.block_on(async move {
            let Ok(admin) = Firm::connect(&base).await else {
                return;
            };
            let _ = admin
                .client()
                .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .await;
            for s in staff {
                let _ = admin
                    .client()
                    .batch_execute(&format!("DROP ROLE IF EXISTS \"{s}\""))
                    .await;
            }
        });
    }
}

/// What the app's own reads of the firm's books ([`PgBooks`], what the staff TUI and the
/// commands ask) answer `staff` beyond `granted`, in words: searches, their totals, missing
/// receipts, a period's cash, the organizations, and every transaction's detail.
async fn app_reads(
    url: &str,
    staff: &str,
    orgs: &[String],
    granted: &BTreeSet<String>,
) -> Vec<String> {
    let (c, conn) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(conn);
    let books = PgBooks::new(c);
    let mut leaks = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for text in [
        "",
        "sort:amount",
        "sort:org",
        "org:organization",
        "missing:receipt",
        ">0",
    ] {
        let q = query::parse(text).unwrap();
        for f in books.find(&q, 10_000).await.unwrap() {
            seen.push((format!("search {text:?}"), f.tx.org_id));
        }
        for o in books.totals(&q).await.unwrap().by_org {
            seen.push((format!("totals of {text:?}"), o.org_id));
        }
    }
    for (org, _) in books.missing_receipt_counts().await.unwrap() {
        seen.push(("missing receipts".into(), org));
    }
    for (org, _) in books.organizations_by_name().await.unwrap() {
        seen.push(("organizations".into(), org));
    }
    let (first, last) = (
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
    );
    for p in books.cash(first, last, orgs).await.unwrap() {
        seen.push(("cash".into(), p.org_id));
    }
    for i in 0..orgs.len() {
        for t in 0..3 {
            if let Some(d) = books.detail(&format!("tx-{i}-{t}")).await.unwrap() {
                seen.push(("detail".into(), d.tx.org_id));
            }
        }
    }
    for (what, org) in seen {
        if !granted.contains(&org) {
            leaks.push(format!("{staff}'s {what} answered from {org}"));
        }
    }
    leaks
}

fn granted(books: &Books, matrix: &[Vec<bool>], s: usize) -> BTreeSet<String> {
    matrix[s]
        .iter()
        .zip(&books.orgs)
        .filter(|(g, _)| **g)
        .map(|(_, o)| o.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_staff_role_reads_or_asks_for_an_organization_not_granted(
        matrix in proptest::collection::vec(proptest::collection::vec(any::<bool>(), ORGS), STAFF)
    ) {
        thread_local! {
            static BOOKS: Books = Books::new();
        }
        BOOKS.with(|books| {
            books.set_grants(&matrix);
            for (s, staff) in books.staff.iter().enumerate() {
                let leaks = books.leaks(staff, &granted(books, &matrix, s));
                prop_assert!(leaks.is_empty(), "{leaks:#?}");
            }
            Ok(())
        })?;
    }
}

#[test]
fn a_table_left_without_row_level_security_is_caught() {
    let books = Books::new();
    let matrix = vec![vec![true, false, false, false, false]; STAFF];
    books.set_grants(&matrix);
    assert!(
        books
            .leaks(&books.staff[0], &granted(&books, &matrix, 0))
            .is_empty()
    );
    let admin = books.admin();
    books
        .runtime
        .block_on(
            admin
                .client()
                .batch_execute("ALTER TABLE qonto.transactions DISABLE ROW LEVEL SECURITY"),
        )
        .unwrap();
    let leaks = books.leaks(&books.staff[0], &granted(&books, &matrix, 0));
    assert!(
        leaks
            .iter()
            .any(|l| l.contains("read transactions of org-1")),
        "{leaks:#?}"
    );
}

#[test]
fn grants_and_status_are_the_admins_words_for_the_same_thing() {
    let books = Books::new();
    let admin = books.admin();
    let (s0, s1) = (books.staff[0].clone(), books.staff[1].clone());
    let status = books.runtime.block_on(async {
        assert_eq!(admin.grant(&s0, &books.orgs[..2]).await.unwrap(), 2);
        assert_eq!(admin.grant(&s0, &books.orgs[1..3]).await.unwrap(), 1);
        assert_eq!(admin.revoke(&s0, &books.orgs[..1]).await.unwrap(), 1);
        let not_staff = admin
            .grant("nobody_here", &books.orgs[..1])
            .await
            .unwrap_err();
        assert!(
            not_staff.to_string().contains("not a staff member"),
            "{not_staff}"
        );
        let hostile = admin
            .add_staff("x\"; DROP ROLE postgres; --")
            .await
            .unwrap_err();
        assert!(
            hostile.to_string().contains("cannot be a staff member"),
            "{hostile}"
        );
        admin.status().await.unwrap()
    });
    assert_eq!(status.schema_version, MIGRATIONS.len() as u32);
    assert_eq!(
        (status.organizations, status.transactions),
        (ORGS as i64, 3 * ORGS as i64)
    );
    let of = |name: &str| {
        status
            .staff
            .iter()
            .find(|s| s.staff == name)
            .map(|s| s.organizations.clone())
    };
    assert_eq!(of(&s0).unwrap(), ["org-1", "org-2"]);
    assert_eq!(of(&s1).unwrap(), Vec::<String>::new());
    // These books' staff only, though roles are the cluster's: another database's staff
    // member is not listed.
    let elsewhere = Books::new();
    let other_admin = elsewhere.admin();
    let status = elsewhere.runtime.block_on(other_admin.status()).unwrap();
    let names: Vec<&str> = status.staff.iter().map(|s| s.staff.as_str()).collect();
    assert_eq!(names.len(), STAFF, "{names:?}");
    assert!(!names.contains(&s0.as_str()), "{names:?}");
    // Each organization has an action asked (by 'someone'), none carried out yet.
    assert_eq!(status.intents_waiting, ORGS as i64);
    assert!(status.oldest_waiting_secs.is_some_and(|s| s >= 0));
    assert_eq!(status.intents_failed_today, 0);
}
