//! The search language gives the same answers on both backends: the sandbox's books synced
//! into the encrypted SQLite copy (as `qonto-tui sync` does) and into a real PostgreSQL (as the
//! firm's service does, `qonto_books::firm::sync`), then every query of a list asked of both,
//! the ids compared in order. Then a staff member's connection, granted some organizations,
//! gets exactly the SQLite answers kept to those organizations: the search needs no filter of
//! its own, row-level security does it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use qonto_books::firm::{Firm, PgBooks, search, sync};
use qonto_books::query;
use qonto_books::{Books, BooksReads};

fn admin_url() -> String {
    common::firm::postgres_url()
}

/// A fresh database on the test PostgreSQL, set up: its admin address.
async fn database() -> (String, String) {
    common::firm::firm_database("firm_search").await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_query_answers_the_same_on_sqlite_and_postgresql() {
    let sb = common::sandbox().await;
    let (api, sqlite) = common::synced_books(&sb).await;
    let (url, name) = database().await;
    let mut pg = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .map(|(client, conn)| {
            tokio::spawn(conn);
            client
        })
        .unwrap();
    let orgs = api.user_organizations().await.unwrap();
    let mut stored = 0;
    for org in &orgs {
        stored += sync::sync_org(&api, &mut pg, org).await.unwrap();
    }
    assert_eq!(stored as i64, sqlite.total_transactions().unwrap());

    // Words from the sandbox's own counterparties, whole and begun, with accents and without.
    let data = sb.data();
    let names: Vec<String> = data
        .counterparties
        .iter()
        .take(12)
        .map(|c| c.name.clone())
        .collect();
    let month = common::last_whole_month(&sb);
    let mut queries: Vec<String> = vec![
        "".into(),
        "urssaf".into(),
        "ur".into(),
        "u".into(),
        "side:credit".into(),
        "status:pending".into(),
        "status:declined".into(),
        "type:card".into(),
        ">1000".into(),
        "<50".into(),
        "100..250".into(),
        month.clone(),
        format!("{month} side:debit >100"),
        "missing:receipt".into(),
        "missing:receipt >1000 sort:amount".into(),
        "org:brass".into(),
        "-org:brass side:credit".into(),
        "account:main".into(),
        "-side:credit".into(),
        "-urssaf type:transfer".into(),
        "urssaf OR loyer".into(),
        "sort:amount".into(),
        "sort:org".into(),
        "sort:amount side:debit".into(),
        "sort:org missing:receipt".into(),
        "-status:completed -type:card".into(),
        "déjeuner".into(),
        "DEJ".into(),
        "uncategorized".into(),
        "-uncategorized side:debit".into(),
    ];
    // Each category and subcategory of the sandbox's trees, begun, and left out.
    for category in data.orgs.iter().flat_map(|o| o.cashflow.iter()).take(6) {
        let first: String = category.name.chars().take(4).collect();
        queries.push(format!("category:{first}"));
        queries.push(format!("-category:{first} >100"));
        for sub in category.subcategories.iter().take(2) {
            queries.push(format!("category:\"{}\"", sub.name.to_uppercase()));
        }
    }
    for name in &names {
        let first = name.split_whitespace().next().unwrap_or(name);
        queries.push(first.to_string());
        queries.push(first.chars().take(3).collect());
        queries.push(format!("{} sort:amount", name.to_lowercase()));
    }
    let mut compared = 0;
    for text in &queries {
        let q = query::parse(text).unwrap();
        let (on_sqlite, _) = sqlite.search(&q, 100_000, 100_001).unwrap();
        let on_pg = search::search(&pg, &q, 100_000).await.unwrap();
        let a: Vec<&str> = on_sqlite.iter().map(|f| f.tx.id.as_str()).collect();
        let b: Vec<&str> = on_pg.iter().map(|f| f.tx.id.as_str()).collect();
        assert_eq!(
            a.len(),
            b.len(),
            "{text:?}: {} on SQLite, {} on PostgreSQL",
            a.len(),
            b.len()
        );
        assert_eq!(a, b, "{text:?}: the same transactions in the same order");
        // And every field a result shows: amounts, names, category, labels, receipts.
        for (x, y) in on_sqlite.iter().zip(&on_pg) {
            assert_eq!(x, y, "{text:?}");
        }
        compared += a.len();
    }
    assert!(compared > 10_000, "the queries found something: {compared}");
    let pg = PgBooks::new(pg);
    the_other_reads_answer_the_same(&sqlite, &pg, &queries).await;

    // A staff member granted two organizations: the SQLite answers kept to those two.
    let firm = Firm::connect(&url).await.unwrap();
    let staff = format!("staff_{}", qonto_client::random::random_hex(4).unwrap());
    firm.add_staff(&staff).await.unwrap();
    let granted: Vec<String> = orgs.iter().take(2).map(|o| o.id.clone()).collect();
    firm.grant(&staff, &granted).await.unwrap();
    let (as_staff, conn) =
        tokio_postgres::connect(&format!("{url} user={staff}"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(conn);
    for text in ["", "urssaf", "sort:amount", "org:brass", "missing:receipt"] {
        let mut q = query::parse(text).unwrap();
        let on_pg = search::search(&as_staff, &q, 100_000).await.unwrap();
        q.only_orgs = Some(granted.clone());
        let (on_sqlite, _) = sqlite.search(&q, 100_000, 100_001).unwrap();
        assert_eq!(on_sqlite, on_pg, "{text:?} as a staff member");
        assert!(on_pg.iter().all(|f| granted.contains(&f.tx.org_id)));
    }
    drop(as_staff);
    drop(pg);
    let admin = Firm::connect(&admin_url()).await.unwrap();
    let _ = admin
        .client()
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE); DROP ROLE IF EXISTS \"{staff}\""
        ))
        .await;
}

/// The sandbox's books asked the rest of the read set on both engines: each query's totals,
/// the missing receipts per organization, a month's cash, and every transaction in full (but
/// for what the firm's books do not hold yet: members, to name an initiator, and labels' names).
async fn the_other_reads_answer_the_same(sqlite: &Books, pg: &PgBooks, queries: &[String]) {
    for text in queries {
        let q = query::parse(text).unwrap();
        assert_eq!(
            BooksReads::totals(sqlite, &q).await.unwrap(),
            pg.totals(&q).await.unwrap(),
            "{text:?}: totals"
        );
    }
    let missing = sqlite.missing_receipt_counts().await.unwrap();
    assert!(!missing.is_empty());
    assert_eq!(missing, pg.missing_receipt_counts().await.unwrap());
    let orgs: Vec<String> = sqlite
        .organizations_by_name()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        sqlite.organizations_by_name().await.unwrap(),
        pg.organizations_by_name().await.unwrap()
    );
    let (first, last) = (
        chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap(),
    );
    let cash = sqlite.cash(first, last, &orgs).await.unwrap();
    assert_eq!(cash.len(), pg.cash(first, last, &orgs).await.unwrap().len());
    assert_eq!(cash, pg.cash(first, last, &orgs).await.unwrap());
    let every = sqlite
        .find(&query::Query::default(), 1_000_000)
        .await
        .unwrap();
    let mut named_initiators = 0;
    for f in &every {
        let mut on_sqlite = sqlite.detail(&f.tx.id).await.unwrap().unwrap();
        let on_pg = pg.detail(&f.tx.id).await.unwrap().unwrap();
        named_initiators += usize::from(on_sqlite.initiator.take().is_some());
        on_sqlite.labels = f.label_ids.clone();
        assert_eq!(on_sqlite, on_pg, "{}", f.tx.id);
    }
    assert!(every.len() > 1_000 && named_initiators > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_sets_the_books_up_syncs_them_and_says_where_they_stand() {
    let sb = common::sandbox_for_the_app().await;
    let home = common::app::Home::new("serve");
    let env = common::app::app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let (url, name) = database().await;
    // Set up and synced in one run; then as a staff member granted one organization.
    let (code, out, err) = common::run_app(
        &sb,
        &home,
        &env,
        &["serve", "--books", &url, "--init", "sync"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains(&format!(
            "schema {}",
            qonto_books::firm::schema::MIGRATIONS.len()
        )),
        "{err}"
    );
    let truth = common::sandbox_transactions(&sb);
    let consented = sb.consented_orgs();
    let in_consented = truth
        .iter()
        .filter(|(org, _)| consented.contains(org))
        .count();
    assert!(
        err.contains(&format!(
            "{in_consented} transactions of {} organizations",
            consented.len()
        )),
        "{err}"
    );
    // Nothing new: the next pass asks Qonto only what changed since each account's newest
    // change, the least there is (the list, then each organization, one page per account, and
    // what waits for a decision: its requests and supplier invoices, listed whole).
    let before = sb.stats().api_requests;
    let (code, out, err) =
        common::run_app(&sb, &home, &env, &["serve", "--books", &url, "sync"]).await;
    assert_eq!(code, 0, "{out}{err}");
    let asked = sb.stats().api_requests - before;
    let least: u64 = 1 + sb
        .data()
        .orgs
        .iter()
        .filter(|o| consented.contains(&o.id))
        .map(|o| 1 + o.accounts.len() as u64 + 2)
        .sum::<u64>();
    assert_eq!(asked, least, "requests of a pass with nothing new");
    for args in [
        vec!["serve", "--books", &url, "add-staff", "alice_firm"],
        vec![
            "serve",
            "--books",
            &url,
            "grant",
            "alice_firm",
            &consented[0],
        ],
    ] {
        let (code, out, err) = common::run_app(&sb, &home, &env, &args).await;
        assert_eq!(code, 0, "{args:?}: {out}{err}");
    }
    let (code, out, _) = common::run_app(
        &sb,
        &home,
        &env,
        &["serve", "--books", &url, "status", "--json"],
    )
    .await;
    assert_eq!(code, 0);
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["transactions"], in_consented);
    assert_eq!(status["organizations"], consented.len());
    // These books' staff alone, though roles are the cluster's (other tests make theirs).
    assert_eq!(
        status["staff"],
        serde_json::json!([{"staff": "alice_firm", "organizations": [consented[0]]}])
    );
    assert_eq!(status["intents_waiting"], 0);
    // alice searches the firm's books from her own machine's config, as herself: only the
    // organization granted to her, every one of its transactions.
    let alice = format!("{url} user=alice_firm");
    std::fs::write(home.dir.join("none.toml"), format!("books = \"{alice}\"\n")).unwrap();
    let (code, out, err) =
        common::run_app(&sb, &home, &env, &["search", "", "--json", "--limit", "0"]).await;
    assert_eq!(code, 0, "{err}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let hers = truth.iter().filter(|(org, _)| *org == consented[0]).count();
    assert_eq!(found.len(), hers);
    assert!(found.iter().all(|t| t["org_id"] == consented[0].as_str()));
    std::fs::write(home.dir.join("none.toml"), "").unwrap();

    // Mistakes said in words, with the usage code.
    let (code, _, err) = common::run_app(&sb, &home, &env, &["serve"]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--books"), "{err}");
    let (code, _, err) = common::run_app(
        &sb,
        &home,
        &env,
        &["serve", "--books", "postgres://a@192.0.2.1/db", "status"],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("only with sslmode=verify-full"), "{err}");
    let admin = Firm::connect(&admin_url()).await.unwrap();
    let _ = admin
        .client()
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE); DROP ROLE IF EXISTS alice_firm"
        ))
        .await;
}
