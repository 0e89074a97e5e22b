//! A firm's books on one PostgreSQL at scale (run through `scripts/with-postgres`, which starts
//! one and names it in QONTO_TEST_POSTGRES): 500 organizations × 25,000 transactions, filled
//! in the server by SQL (the rows as the service writes them: folded words, Qonto's values);
//! then staff members, each granted 50 organizations, search it as themselves, one alone and
//! ten at once; and the service's pass over 500 of the sandbox's organizations with nothing
//! new, counted against the least requests there are.

use super::*;
// The searches are the MCP row's: whole queries, as a person or an assistant sends them.
use super::mcp::QUERIES;
use qonto_books::firm::{Firm, search, sync};
use qonto_books::query;

/// Organizations and transactions each (QONTO_BENCH_FIRM_ORGS, QONTO_BENCH_FIRM_PER_ORG
/// change them, to try the section at a smaller size).
const ORGS: usize = 500;
const PER_ORG: usize = 25_000;
/// Organizations granted to each staff member, and staff members.
const GRANTED: usize = 50;
const STAFF: usize = 10;
const ROUNDS: usize = 20;

fn sized(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Counterparty names, folded as the service folds them into `words`.
const NAMES: [&str; 24] = [
    "URSSAF",
    "Loyer Bureau Lyon",
    "EDF",
    "Amazon Web Services",
    "OVHcloud",
    "SNCF",
    "Air France",
    "Free Pro",
    "Orange Business",
    "Déjeuner d'équipe",
    "Métro Cash & Carry",
    "DGFiP",
    "Malakoff Humanis",
    "Alan",
    "Qonto",
    "Google Workspace",
    "Slack",
    "Figma",
    "Boulangerie Müller",
    "Leroy Merlin",
    "Total Energies",
    "Uber",
    "Indy",
    "Pennylane",
];

pub async fn firm_books() {
    let Ok(base) = std::env::var("QONTO_TEST_POSTGRES") else {
        row(
            "firm's books on PostgreSQL",
            "not run: no PostgreSQL named (run it as `scripts/with-postgres cargo bench --bench perf -- firm`)".into(),
            "—",
        );
        return;
    };
    let (orgs, per_org) = (
        sized("QONTO_BENCH_FIRM_ORGS", ORGS),
        sized("QONTO_BENCH_FIRM_PER_ORG", PER_ORG),
    );
    let name = format!(
        "firm_bench_{}",
        qonto_client::random::random_hex(3).unwrap()
    );
    let admin = Firm::connect(&base).await.unwrap();
    admin
        .client()
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{base} dbname={name}");
    let mut firm = Firm::connect(&url).await.unwrap();
    firm.init().await.unwrap();
    let t = Instant::now();
    fill(&firm, orgs, per_org).await;
    let filled = t.elapsed();
    let size: i64 = firm
        .client()
        .query_one("SELECT pg_database_size(current_database())", &[])
        .await
        .unwrap()
        .get(0);
    let stored = (orgs * per_org) as f64;
    row(
        &format!(
            "firm's books: {orgs} organizations × {per_org} transactions filled in PostgreSQL (SQL in the server, indexes built after)"
        ),
        format!(
            "{:.0} s; {:.1} GB, {:.0} B per transaction with indexes",
            filled.as_secs_f64(),
            size as f64 / 1e9,
            size as f64 / stored
        ),
        "—",
    );

    // Staff members, each granted 50 organizations.
    let suffix = &name["firm_bench_".len()..];
    let mut staff = Vec::new();
    for s in 0..STAFF {
        let role = format!("bench_{suffix}_{s}");
        firm.add_staff(&role).await.unwrap();
        let granted: Vec<String> = (0..GRANTED)
            .map(|i| format!("org-{}", (s * GRANTED + i) % orgs))
            .collect();
        firm.grant(&role, &granted).await.unwrap();
        staff.push(role);
    }
    firm.client().batch_execute("ANALYZE").await.unwrap();

    let each = by_query(&url, &staff[0], ROUNDS).await;
    let alone: Vec<Duration> = each.iter().flat_map(|(_, t)| t.clone()).collect();
    for (text, times) in &each {
        row(
            &format!("firm search `{text}` alone, one staff member ({GRANTED} organizations)"),
            summary(times.clone()),
            "—",
        );
    }
    row(
        &format!(
            "firm search, one staff member granted {GRANTED} of {orgs} organizations ({:.1} M stored): query → rows (limit 50), {} queries × {ROUNDS}",
            stored / 1e6,
            QUERIES.len()
        ),
        summary(alone),
        "p99 < 16 ms",
    );
    let mut together = Vec::new();
    let sessions: Vec<_> = staff
        .iter()
        .map(|role| {
            let (url, role) = (url.clone(), role.clone());
            tokio::spawn(async move { searches(&url, &role, ROUNDS / 2).await })
        })
        .collect();
    for s in sessions {
        together.extend(s.await.unwrap());
    }
    row(
        &format!(
            "firm search, {STAFF} staff sessions searching at once (each {GRANTED} organizations): query → rows, every query of every session"
        ),
        summary(together),
        "—",
    );
    drop(firm);
    let _ = admin
        .client()
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    for role in &staff {
        let _ = admin
            .client()
            .batch_execute(&format!("DROP ROLE IF EXISTS {role}"))
            .await;
    }
    incremental_pass(&base).await;
}

/// p50 / p99 / max of `samples`, and how many.
fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {} / p99 {} / max {} over {} queries",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
        samples.len()
    )
}

/// `rounds` × `QUERIES` searches as `role`, each timed.
async fn searches(url: &str, role: &str, rounds: usize) -> Vec<Duration> {
    by_query(url, role, rounds)
        .await
        .into_iter()
        .flat_map(|(_, samples)| samples)
        .collect()
}

/// The same, each query's times apart.
async fn by_query(url: &str, role: &str, rounds: usize) -> Vec<(&'static str, Vec<Duration>)> {
    let as_staff = Firm::connect(&format!("{url} user={role}")).await.unwrap();
    let mut samples: Vec<(&str, Vec<Duration>)> =
        QUERIES.iter().map(|q| (*q, Vec::new())).collect();
    for _ in 0..rounds {
        for (text, times) in &mut samples {
            let q = query::parse(text).unwrap();
            let t = Instant::now();
            let found = search::search(as_staff.client(), &q, 50).await.unwrap();
            times.push(t.elapsed());
            assert!(found.len() <= 50);
        }
    }
    samples
}

/// Organizations, accounts and transactions made by SQL in the server, the secondary indexes
/// dropped first and built after (as a restore does), then analysed.
async fn fill(firm: &Firm, orgs: usize, per_org: usize) {
    let c = firm.client();
    let names: Vec<String> = NAMES
        .iter()
        .map(|n| format!("'{}'", n.replace('\'', "''")))
        .collect();
    let folded: Vec<String> = NAMES
        .iter()
        .map(|n| format!("'{}'", qonto_books::firm::write::words([Some(*n)])))
        .collect();
    c.batch_execute(&format!(
        "DROP INDEX qonto.transactions_by_org, qonto.transactions_by_date,
             qonto.transactions_search, qonto.transactions_changed, qonto.transactions_by_size;
         INSERT INTO qonto.organizations (id, name, synced_at)
             SELECT 'org-' || o, 'Organization ' || o, 0 FROM generate_series(0, {last}) o;
         INSERT INTO qonto.accounts (id, org_id, name, currency, balance_cents, main, position)
             SELECT 'acc-' || o, 'org-' || o, 'Main account', 'EUR', 100000, true, 0
             FROM generate_series(0, {last}) o;
         INSERT INTO qonto.transactions (id, org_id, account_id, amount_cents, currency, side,
                 status, operation_type, counterparty, label, reference, emitted_at, settled_at,
                 updated_at, sort_at, missing_receipt, words)
             SELECT 'tx-' || o || '-' || n, 'org-' || o, 'acc-' || o,
                 100 + (n * 7919 + o * 104729) % 500000, 'EUR',
                 CASE WHEN n % 5 = 0 THEN 'credit' ELSE 'debit' END,
                 CASE WHEN n % 50 = 0 THEN 'pending' ELSE 'completed' END,
                 (ARRAY['card', 'transfer', 'direct_debit'])[1 + n % 3],
                 (ARRAY[{names}])[1 + (n * 31 + o) % {count}],
                 (ARRAY[{names}])[1 + (n * 31 + o) % {count}],
                 'FAC-' || n, d, d, d, d, n % 7 = 0,
                 (ARRAY[{folded}])[1 + (n * 31 + o) % {count}] || ' fac ' || n
             FROM generate_series(0, {last}) o, generate_series(1, {per_org}) n,
                 LATERAL (SELECT to_char(timestamp '2020-01-01' + n * interval '90 minutes',
                     'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS d) day;
         CREATE INDEX transactions_by_org
             ON qonto.transactions(org_id, sort_at DESC NULLS LAST, id DESC);
         CREATE INDEX transactions_by_date ON qonto.transactions(sort_at DESC NULLS LAST, id DESC);
         CREATE INDEX transactions_by_size ON qonto.transactions(
             (abs(amount_cents)) DESC NULLS LAST, sort_at DESC NULLS LAST, id DESC);
         CREATE INDEX transactions_search ON qonto.transactions USING GIN (search);
         CREATE INDEX transactions_changed
             ON qonto.transactions(account_id, (coalesce(updated_at, '')), id);
         ANALYZE;",
        last = orgs - 1,
        names = names.join(", "),
        folded = folded.join(", "),
        count = NAMES.len(),
    ))
    .await
    .unwrap();
}

/// One pass, one organization after the other, as `serve sync` makes it.
async fn pass(
    api: &qonto_client::ApiClient,
    listed: &[qonto_client::api::models::UserOrganization],
    firm: &mut Firm,
) {
    for org in listed {
        sync::sync_org(api, firm.client_mut(), org).await.unwrap();
    }
}

/// The service's pass over 500 of the sandbox's organizations (one account, 100 transactions
/// each), once whole, then again with nothing new: its requests against the least there are
/// (the organization, one page per account, its requests and supplier invoices).
async fn incremental_pass(base: &str) {
    let orgs = sized("QONTO_BENCH_FIRM_ORGS", ORGS);
    let sb = sandbox(
        DataOptions {
            extra_orgs: orgs.saturating_sub(5),
            accounts_per_org: Some(1),
            transactions_per_account: Some(100),
            ..DataOptions::default()
        },
        Duration::from_secs(3600),
    )
    .await;
    let api = qonto_testkit::fixtures::signed_in_api(&sb).await;
    let listed = api.user_organizations().await.unwrap();
    let name = format!("firm_pass_{}", qonto_client::random::random_hex(3).unwrap());
    let admin = Firm::connect(base).await.unwrap();
    admin
        .client()
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let mut firm = Firm::connect(&format!("{base} dbname={name}"))
        .await
        .unwrap();
    firm.init().await.unwrap();
    let before = sb.stats().api_requests;
    let t = Instant::now();
    pass(&api, &listed, &mut firm).await;
    let (first, first_took) = (sb.stats().api_requests - before, t.elapsed());
    let before = sb.stats().api_requests;
    let t = Instant::now();
    pass(&api, &listed, &mut firm).await;
    let (again, again_took) = (sb.stats().api_requests - before, t.elapsed());
    let least: u64 = sb
        .data()
        .orgs
        .iter()
        .filter(|o| listed.iter().any(|l| l.id == o.id))
        .map(|o| 1 + o.accounts.len() as u64 + 2)
        .sum();
    row(
        &format!(
            "the service's pass over {} organizations (the sandbox's, 100 transactions each): the first, whole; then again with nothing new",
            listed.len()
        ),
        format!(
            "first {first} requests in {:.1} s; again {again} requests in {:.1} s = {:.2} × the least ({least})",
            first_took.as_secs_f64(),
            again_took.as_secs_f64(),
            again as f64 / least as f64
        ),
        "requests/minimum = 1.0",
    );
    drop(firm);
    let _ = admin
        .client()
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
}
