//! The cash view's and the month-end board's figures (issue 32): worked out from encrypted
//! books of many organizations, two years of transactions each, as the TUI asks for them.

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use qonto_books::Books;
use qonto_client::api::models::{BankAccount, Transaction, UserOrganization};
use serde_json::json;

use super::{median, ms, row};

/// Organizations × transactions each (one account), over the last 730 days.
const SIZES: [(usize, usize); 1] = [(20, 10_000)];

fn iban(org: usize) -> String {
    format!("FR76300040000{org:014}")
}

/// Books of `orgs` organizations of `per_org` transactions: one in twenty is a transfer to
/// another of them (internal), one in fifty still pending.
fn fill(path: &std::path::Path, key: &qonto_client::Secret, orgs: usize, per_org: usize) {
    let mut books = Books::open(path, key).unwrap().books;
    let now = Utc::now();
    for o in 0..orgs {
        let org: UserOrganization = serde_json::from_value(
            json!({ "id": format!("org-{o}"), "name": format!("Organization {o:03}"), "membership_role": "owner" }),
        )
        .unwrap();
        books.put_organization(&org, now.timestamp()).unwrap();
        let account: BankAccount = serde_json::from_value(json!({
            "id": format!("acc-{o}"), "name": "Main", "iban": iban(o), "currency": "EUR",
            "balance_cents": 1_000_000 + o as i64, "main": true,
        }))
        .unwrap();
        books.put_accounts(&org.id, &[account]).unwrap();
        let all: Vec<usize> = (0..per_org).collect();
        for chunk in all.chunks(5_000) {
            let page: Vec<Transaction> = chunk
                .iter()
                .map(|&i| {
                    let at = now - chrono::Duration::minutes((i * 730 * 24 * 60 / per_org) as i64);
                    let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                    let internal = i % 20 == 0;
                    let pending = i % 50 == 1;
                    serde_json::from_value(json!({
                        "id": format!("tx-{o}-{i}"), "amount_cents": 1_000 + (i * 7919 % 500_000),
                        "currency": "EUR", "side": if i % 3 == 0 { "credit" } else { "debit" },
                        "status": if pending { "pending" } else { "completed" },
                        "operation_type": "transfer",
                        "clean_counterparty_name": format!("Supplier {}", i % 97),
                        "emitted_at": stamp, "settled_at": if pending { None } else { Some(&stamp) },
                        "updated_at": stamp,
                        "transfer": if internal {
                            json!({ "counterparty_account_number": iban((o + 1) % orgs) })
                        } else {
                            json!({ "counterparty_account_number": format!("DE89370400440532{i:06}") })
                        },
                    }))
                    .unwrap()
                })
                .collect();
            books
                .put_transactions(&org.id, &format!("acc-{o}"), &page)
                .unwrap();
        }
    }
}

pub fn cash() {
    for (orgs, per_org) in SIZES {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.db");
        let key = qonto_client::Secret::new(qonto_client::random::random_hex(32).unwrap());
        fill(&path, &key, orgs, per_org);
        let stored = orgs * per_org;
        // Each organization's transfers to the next were written before the next's IBAN was
        // known: the sums are stale, and worked out again where a sync pass ends.
        let mut writer = Books::open(&path, &key).unwrap().books;
        let t = Instant::now();
        assert!(
            writer.bring_cash_up_to_date().unwrap(),
            "stale after the fill"
        );
        row(
            &format!(
                "the cash view's sums worked out again from {stored} stored (an own IBAN appeared)"
            ),
            ms(t.elapsed()),
            "report (once, where a sync pass ends)",
        );
        drop(writer);
        // Read as the TUI reads them: through a read-only connection to the file.
        let books = Books::open_to_read(&path, &key).unwrap();
        let time = |f: &dyn Fn()| -> Vec<Duration> {
            (0..7)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed()
                })
                .collect()
        };
        let now = Utc::now();
        let cash = time(&|| {
            books.group_cash(now).unwrap();
        });
        let from_rows = time(&|| {
            books.group_cash_from_rows(now).unwrap();
        });
        let month = now.date_naive().with_day(1).unwrap();
        let board = time(&|| {
            books.month_end(month).unwrap();
        });
        for (what, times) in [
            ("the cash view", cash),
            (
                "the cash view read from the rows (while the sums are stale)",
                from_rows,
            ),
            ("the month-end board", board),
        ] {
            row(
                &format!(
                    "{what} worked out from the books, {stored} stored in {orgs} organizations (2 years)"
                ),
                format!(
                    "median {} / max {} over {} runs",
                    ms(median(times.clone())),
                    ms(*times.iter().max().unwrap()),
                    times.len()
                ),
                "< 50 ms",
            );
        }
    }
}
