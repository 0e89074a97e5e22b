//! What each MCP tool reads from the books, on the books' reader thread: plain functions from
//! the shown organizations and the checked arguments to a JSON answer and its result count, or
//! an error in words for the assistant. Every list is bounded, in items and in bytes, and says
//! when it was cut.

use qonto_books::Books;
use qonto_books::month_end::INVOICES_WAITING;
use qonto_books::query::{self, FILTERS, Query};
use serde_json::{Value, json};

use super::answers::{Writer, decimal};
use super::args::{self, CashArgs, ListArgs, SearchArgs};
use super::orgs::{ShownOrg, pick};

/// The most bytes of listed items one answer carries (an assistant's context is not free).
const MAX_LIST_BYTES: usize = 200_000;

/// A tool's answer and how many results it holds, or why it was refused.
pub type Answer = Result<(Value, usize), String>;

fn unreadable(e: qonto_books::BooksError) -> String {
    format!("the local copy could not be read: {e}")
}

/// Items as JSON until `MAX_LIST_BYTES`: the list and whether it was cut for size.
fn bounded(items: impl Iterator<Item = Value>) -> (Vec<Value>, bool) {
    let (mut out, mut bytes) = (Vec::new(), 0);
    for item in items {
        bytes += item.to_string().len();
        if bytes > MAX_LIST_BYTES {
            return (out, true);
        }
        out.push(item);
    }
    (out, false)
}

fn ids(orgs: &[&ShownOrg]) -> Vec<String> {
    orgs.iter().map(|o| o.id.clone()).collect()
}

pub fn list_organizations(shown: &[ShownOrg], w: Writer) -> Answer {
    let orgs: Vec<Value> = shown.iter().map(|o| w.organization(o)).collect();
    let n = orgs.len();
    Ok((json!({ "organizations": orgs }), n))
}

pub fn search(books: &Books, shown: &[ShownOrg], w: Writer, a: &SearchArgs) -> Answer {
    let limit = args::limit(a.limit)?;
    if a.query.chars().count() > args::MAX_QUERY_CHARS {
        return Err(format!(
            "the query is longer than {} characters",
            args::MAX_QUERY_CHARS
        ));
    }
    let mut query = query::parse(&a.query).map_err(|e| {
        format!(
            "the query could not be read: {e}. Filters: {FILTERS}; amounts >1000, <50, 100..250; periods 2026-10, 2026-10-01..2026-10-15"
        )
    })?;
    let orgs = pick(shown, a.organization.as_deref())?;
    query.only_orgs = Some(ids(&orgs));
    let (found, total) = books.search(&query, limit, limit + 1).map_err(unreadable)?;
    let (transactions, cut) = bounded(found.iter().map(|f| w.found(f)));
    let n = transactions.len();
    Ok((
        json!({
            "query": w.text(Some(&a.query)),
            "organizations_searched": orgs.len(),
            "returned": n,
            "more_match": total > n,
            "cut_for_size": cut,
            "note": (total > n).then_some(
                "more transactions match than were returned: narrow the query (a period, an amount, org:NAME), or raise limit (at most 200)"
            ),
            "transactions": transactions,
        }),
        n,
    ))
}

pub fn transaction(books: &Books, shown: &[ShownOrg], w: Writer, id: &str) -> Answer {
    let not_found = || {
        format!(
            "no transaction with id {:?} in the organizations this server may show",
            qonto_client::printable::printable(id, 80)
        )
    };
    if id.is_empty() || id.chars().count() > 200 {
        return Err(not_found());
    }
    let detail = books.transaction_detail(id).map_err(unreadable)?;
    // One outside the allowed organizations is answered as one that does not exist.
    match detail {
        Some(d) if shown.iter().any(|o| o.id == d.tx.org_id) => {
            Ok((json!({ "transaction": w.detail(&d) }), 1))
        }
        _ => Err(not_found()),
    }
}

pub fn missing_receipts(books: &Books, shown: &[ShownOrg], w: Writer, a: &ListArgs) -> Answer {
    let limit = args::limit(a.limit)?;
    let orgs = pick(shown, a.organization.as_deref())?;
    let counts = books.missing_receipts().map_err(unreadable)?;
    let by_org: Vec<Value> = orgs
        .iter()
        .map(|o| {
            let missing = counts
                .iter()
                .find(|(id, _)| *id == o.id)
                .map_or(0, |(_, n)| *n);
            json!({ "organization_id": w.text(Some(&o.id)), "organization": w.text(Some(&o.name)), "missing": missing })
        })
        .collect();
    let total: i64 = by_org.iter().filter_map(|o| o["missing"].as_i64()).sum();
    let query = Query {
        missing_receipt: true,
        only_orgs: Some(ids(&orgs)),
        ..Query::default()
    };
    let (found, _) = books.search(&query, limit, limit + 1).map_err(unreadable)?;
    let (transactions, cut) = bounded(found.iter().map(|f| w.found(f)));
    let n = transactions.len();
    Ok((
        json!({
            "total_missing": total,
            "missing_by_organization": by_org,
            "returned": n,
            "more_missing": (n as i64) < total,
            "cut_for_size": cut,
            "transactions": transactions,
        }),
        n,
    ))
}

pub fn balances(books: &Books, shown: &[ShownOrg], w: Writer, asked: Option<&str>) -> Answer {
    let orgs = pick(shown, asked)?;
    let mut group: std::collections::BTreeMap<String, i64> = Default::default();
    let mut out = Vec::new();
    let mut accounts_seen = 0;
    for org in &orgs {
        let accounts = books.bank_accounts(&org.id).map_err(unreadable)?;
        let mut totals: std::collections::BTreeMap<String, i64> = Default::default();
        let mut hidden = 0;
        for a in &accounts {
            let currency = a.currency.clone().unwrap_or_else(|| "EUR".into());
            match a.balance_in_cents() {
                Some(cents) => {
                    *totals.entry(currency.clone()).or_default() += cents;
                    *group.entry(currency).or_default() += cents;
                }
                None => hidden += 1,
            }
        }
        accounts_seen += accounts.len();
        out.push(json!({
            "organization_id": w.text(Some(&org.id)),
            "organization": w.text(Some(&org.name)),
            "last_synced_at": w.organization(org)["last_synced_at"],
            "accounts": accounts.iter().map(|a| w.account(a)).collect::<Vec<_>>(),
            "totals": money_map(&totals),
            "accounts_whose_balance_the_role_hides": hidden,
        }));
    }
    Ok((
        json!({ "organizations": out, "group_totals": money_map(&group) }),
        accounts_seen,
    ))
}

fn money_map(sums: &std::collections::BTreeMap<String, i64>) -> Value {
    sums.iter()
        .map(|(currency, cents)| (currency.clone(), Value::String(decimal(*cents))))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

pub fn cash_summary(books: &Books, shown: &[ShownOrg], w: Writer, a: &CashArgs) -> Answer {
    let bad = || {
        format!(
            "the period {:?} could not be read: give a month 2026-10, a day 2026-10-15, or days 2026-07-01..2026-09-30",
            qonto_client::printable::printable(&a.period, 80)
        )
    };
    let mut parsed = query::parse(&a.period).map_err(|_| bad())?;
    let Some((first, last)) = parsed.period.take() else {
        return Err(bad());
    };
    if !parsed.is_empty() {
        return Err(bad());
    }
    let orgs = pick(shown, a.organization.as_deref())?;
    let rows = books
        .cash_between(first, last, &ids(&orgs))
        .map_err(unreadable)?;
    let mut totals: std::collections::BTreeMap<String, [i64; 4]> = Default::default();
    let per_org: Vec<Value> = rows
        .iter()
        .map(|r| {
            let t = totals.entry(r.currency.clone()).or_default();
            t[0] += r.in_cents;
            t[1] += r.out_cents;
            t[2] += r.internal_in_cents;
            t[3] += r.internal_out_cents;
            json!({
                "organization_id": w.text(Some(&r.org_id)),
                "organization": w.text(Some(&r.org_name)),
                "currency": w.text(Some(&r.currency)),
                "in": decimal(r.in_cents),
                "out": decimal(r.out_cents),
                "net": decimal(r.net_cents()),
                "transactions": r.transactions,
                "internal_in": decimal(r.internal_in_cents),
                "internal_out": decimal(r.internal_out_cents),
                "internal_transactions": r.internal_transactions,
            })
        })
        .collect();
    let totals: serde_json::Map<String, Value> = totals
        .into_iter()
        .map(|(currency, [i, o, ii, io])| {
            (
                currency,
                json!({ "in": decimal(i), "out": decimal(o), "net": decimal(i - o),
                        "internal_in": decimal(ii), "internal_out": decimal(io) }),
            )
        })
        .collect();
    let n = per_org.len();
    Ok((
        json!({
            "from": first.to_string(),
            "to": last.to_string(),
            "organizations": per_org,
            "totals": totals,
            "note": "in, out and net leave out transfers between the user's own accounts (the counterparty's IBAN is an account in the local copy), given apart as internal_in and internal_out; pending transactions count, declined ones do not",
        }),
        n,
    ))
}

pub fn categories(books: &Books, shown: &[ShownOrg], w: Writer, asked: Option<&str>) -> Answer {
    let orgs = pick(shown, asked)?;
    let mut out = Vec::new();
    let mut count = 0;
    for org in &orgs {
        let nodes = books.categories(&org.id).map_err(unreadable)?;
        count += nodes.len();
        let name_of = |id: &str| nodes.iter().find(|n| n.id == id).map(|n| n.name.clone());
        out.push(json!({
            "organization_id": w.text(Some(&org.id)),
            "organization": w.text(Some(&org.name)),
            "categories": nodes.iter().map(|n| json!({
                "id": w.text(Some(&n.id)),
                "name": w.text(Some(&n.name)),
                "parent": w.text(n.parent_id.as_deref().and_then(name_of).as_deref()),
                "money": if n.inflow { "in" } else { "out" },
            })).collect::<Vec<_>>(),
            "note": nodes.is_empty().then_some("none kept: `qonto-tui categories` reads them from Qonto"),
        }));
    }
    Ok((json!({ "organizations": out }), count))
}

pub fn requests(books: &Books, shown: &[ShownOrg], w: Writer, a: &ListArgs) -> Answer {
    let limit = args::limit(a.limit)?;
    let orgs = pick(shown, a.organization.as_deref())?;
    let mut all = Vec::new();
    for org in &orgs {
        let kept = books.requests(&org.id).map_err(unreadable)?;
        for r in kept.items.into_iter().filter(|r| r.status == "pending") {
            all.push((org, r));
        }
    }
    all.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at));
    let waiting = all.len();
    let (items, cut) = bounded(all.iter().take(limit).map(|(org, r)| {
        json!({
            "id": w.text(Some(&r.id)),
            "organization_id": w.text(Some(&org.id)),
            "organization": w.text(Some(&org.name)),
            "type": w.text(Some(&r.request_type)),
            "for": w.text(Some(r.counterparty())),
            "amount": w.text(r.amount.as_deref().or(r.total_transfers_amount.as_deref())),
            "currency": w.text(r.currency.as_deref()),
            "note": w.text(r.note.as_deref()),
            "created_at": w.text(r.created_at.as_deref()),
        })
    }));
    let n = items.len();
    Ok((
        json!({ "waiting": waiting, "returned": n, "cut_for_size": cut, "requests": items,
                "note": "as of each organization's last sync; approving or declining is done in qonto-tui or Qonto, never here" }),
        n,
    ))
}

pub fn supplier_invoices(books: &Books, shown: &[ShownOrg], w: Writer, a: &ListArgs) -> Answer {
    let limit = args::limit(a.limit)?;
    let orgs = pick(shown, a.organization.as_deref())?;
    let today = chrono::Utc::now().date_naive().to_string();
    let mut all = Vec::new();
    for org in &orgs {
        let kept = books.supplier_invoices(&org.id).map_err(unreadable)?;
        for i in kept
            .items
            .into_iter()
            .filter(|i| INVOICES_WAITING.contains(&i.status.as_str()))
        {
            all.push((org, i));
        }
    }
    let overdue = |due: &Option<String>| due.as_deref().is_some_and(|d| d < today.as_str());
    // Overdue first, then by due date (none last).
    all.sort_by(|a, b| {
        overdue(&b.1.due_date)
            .cmp(&overdue(&a.1.due_date))
            .then_with(|| a.1.due_date.is_none().cmp(&b.1.due_date.is_none()))
            .then_with(|| a.1.due_date.cmp(&b.1.due_date))
    });
    let waiting = all.len();
    let (items, cut) = bounded(all.iter().take(limit).map(|(org, i)| {
        json!({
            "id": w.text(Some(&i.id)),
            "organization_id": w.text(Some(&org.id)),
            "organization": w.text(Some(&org.name)),
            "supplier": w.text(i.supplier_name.as_deref()),
            "invoice_number": w.text(i.invoice_number.as_deref()),
            "amount": w.text(i.total_amount.value.as_deref()),
            "currency": w.text(i.total_amount.currency.as_deref()),
            "status": w.text(Some(&i.status)),
            "due_date": w.text(i.due_date.as_deref()),
            "overdue": overdue(&i.due_date),
        })
    }));
    let n = items.len();
    Ok((
        json!({ "waiting": waiting, "returned": n, "cut_for_size": cut, "supplier_invoices": items }),
        n,
    ))
}
