//! A staff member's writes, on the firm's books: `qonto-tui attach`, `categorize` and
//! `decline` with `books` set ask the firm's service to do them (an intent in the actions table, which PostgreSQL accepts only for
//! an organization granted to them) instead of calling Qonto: staff machines hold no Qonto
//! token. `qonto-tui serve act` carries it out with their own credential there.

use serde_json::json;

use qonto_books::firm::Firm;
use qonto_books::firm::actions;

use super::reach::clean;
use super::writes::AttachArgs;
use crate::writes::receipts::read_receipt;

/// Exit code when some file could not be asked.
const EXIT_FAILED: u8 = 1;
/// Exit code when the transaction is not among the staff member's organizations, or a query
/// finds too many.
const EXIT_USAGE: u8 = 2;
/// Exit code when a query finds nothing.
const EXIT_NONE: u8 = 3;
/// Transactions one `categorize` run asks to file at most (as on one's own copy).
const MAX_CATEGORIZED_RUN: usize = 50_000;

/// Asks the service to attach each file of `args`; says the intents' numbers.
pub async fn attach(url: &str, args: &AttachArgs) -> anyhow::Result<u8> {
    let firm = Firm::connect(url).await?;
    let shown_tx = clean(&args.transaction);
    let Some(org_id) = actions::organization_of(firm.client(), &args.transaction).await? else {
        eprintln!(
            "qonto-tui attach: no transaction {shown_tx} among your organizations in the firm's books"
        );
        return Ok(EXIT_USAGE);
    };
    let mut failed = 0;
    let mut results = Vec::new();
    for path in &args.files {
        let shown = clean(&path.display().to_string());
        let asked = match read_receipt(path).await {
            Ok(file) => actions::ask_attach(
                firm.client(),
                &org_id,
                &args.transaction,
                &file.name,
                &file.bytes,
            )
            .await
            .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match &asked {
            Ok(id) => {
                if !args.json {
                    crate::say!(
                        "Asked the firm's service to attach {shown} to {shown_tx} (intent #{id}); it does so with your own Qonto credential."
                    )?;
                }
                results.push(json!({ "file": shown, "intent": id, "error": null }));
            }
            Err(e) => {
                failed += 1;
                eprintln!("{shown}: {e}");
                results.push(json!({ "file": shown, "intent": null, "error": e }));
            }
        }
    }
    if args.json {
        crate::say!(
            "{}",
            json!({ "transaction": shown_tx, "organization": clean(&org_id), "results": results })
        )?;
    }
    Ok(if failed > 0 { EXIT_FAILED } else { 0 })
}

/// What `categorize` asks of the firm's service: the transactions `query` finds among the
/// staff member's organizations in the firm's books, per organization, filed under the
/// category `name` (`None`: none). A dry run says what would be asked unless `apply`; then
/// one intent per organization and hundred transactions. The service looks the name up in
/// each organization's own tree and leaves alone those already there.
pub async fn categorize(
    url: &str,
    query: &qonto_books::query::Query,
    name: Option<&str>,
    apply: bool,
    json: bool,
) -> anyhow::Result<u8> {
    let firm = Firm::connect(url).await?;
    let found =
        qonto_books::firm::search::search(firm.client(), query, MAX_CATEGORIZED_RUN + 1).await?;
    if found.len() > MAX_CATEGORIZED_RUN {
        eprintln!(
            "qonto-tui categorize: the query finds more than {MAX_CATEGORIZED_RUN} transactions; narrow it (a period, org:NAME, uncategorized)"
        );
        return Ok(EXIT_USAGE);
    }
    if found.is_empty() {
        eprintln!(
            "qonto-tui categorize: no transaction among your organizations in the firm's books matches"
        );
        return Ok(EXIT_NONE);
    }
    let mut by_org: std::collections::BTreeMap<String, (String, Vec<String>)> = Default::default();
    for f in found {
        let entry = by_org.entry(f.tx.org_id.clone()).or_insert_with(|| {
            (
                clean(f.org_name.as_deref().unwrap_or(&f.tx.org_id)),
                Vec::new(),
            )
        });
        entry.1.push(f.tx.id);
    }
    let to = name.map_or_else(|| "no category".to_string(), clean);
    let mut failed = 0;
    let mut per_org = Vec::new();
    for (org_id, (org_name, ids)) in &by_org {
        let mut intents = Vec::new();
        let mut errors = Vec::new();
        if apply {
            for chunk in ids.chunks(actions::MAX_CATEGORIZED) {
                match actions::ask_categorize(firm.client(), org_id, chunk, name).await {
                    Ok(id) => intents.push(id),
                    Err(e) => {
                        failed += 1;
                        errors.push(e.to_string());
                    }
                }
            }
        }
        if !json {
            let asked = match (apply, intents.as_slice()) {
                (false, _) => "would be asked".to_string(),
                (true, []) => "not asked".to_string(),
                (true, [one]) => format!("asked (intent #{one})"),
                (true, [first, .., last]) => format!("asked (intents #{first} to #{last})"),
            };
            crate::say!("{org_name}: {} transactions {asked}", ids.len())?;
            for e in &errors {
                eprintln!("{org_name}: {e}");
            }
        }
        per_org.push(json!({
            "org_id": clean(org_id), "org": org_name, "transactions": ids.len(),
            "intents": intents, "errors": errors,
        }));
    }
    let matched: usize = by_org.values().map(|(_, ids)| ids.len()).sum();
    if json {
        crate::say!(
            "{}",
            json!({ "matched": matched, "to": to, "applied": apply, "calls": per_org })
        )?;
    } else if apply {
        crate::say!(
            "Asked the firm's service to file {matched} transactions under {to}; it looks the name up in each organization's tree and does it with your own Qonto credential."
        )?;
    } else {
        crate::say!(
            "Dry run: with --apply, the firm's service is asked to file these {matched} transactions under {to}."
        )?;
    }
    Ok(if failed > 0 { EXIT_FAILED } else { 0 })
}

/// What `decline` asks of the firm's service: request `request_id`, found among what waits for
/// a decision in the staff member's organizations (as the service last listed it), declined
/// with `note` once they said yes to a question naming its organization, counterparty and
/// amount (Qonto cannot take a decline back); the service reads it again from Qonto and
/// declines it only if it is still pending.
pub async fn decline(
    url: &str,
    request_id: &str,
    note: &str,
    yes: bool,
    json: bool,
) -> anyhow::Result<u8> {
    let firm = Firm::connect(url).await?;
    let row = firm
        .client()
        .query_opt(
            "SELECT r.org_id, coalesce(o.name, r.org_id), r.body FROM qonto.review_items r
             LEFT JOIN qonto.organizations o ON o.id = r.org_id
             WHERE r.kind = 'request' AND r.id = $1",
            &[&request_id],
        )
        .await?;
    let found = row.and_then(|r| {
        let request: qonto_client::api::requests::Request =
            serde_json::from_value(r.get::<_, serde_json::Value>(2)).ok()?;
        Some(crate::outcome::OrgRequest {
            org_id: r.get(0),
            org_name: clean(&r.get::<_, String>(1)),
            request,
            requester: None,
        })
    });
    let Some(found) = found else {
        eprintln!(
            "qonto-tui decline: no request {} among your organizations in the firm's books",
            clean(request_id)
        );
        return Ok(EXIT_USAGE);
    };
    if found.request.status != "pending" {
        eprintln!(
            "qonto-tui decline: {} is {} in the firm's books, not pending",
            super::requests::words(&found),
            clean(&found.request.status)
        );
        return Ok(EXIT_FAILED);
    }
    let named = super::requests::words(&found);
    if !yes
        && !super::writes::asked(
            &format!("Decline {named}? Qonto cannot take a decline back. [y/N] "),
            "declining a request",
        )?
    {
        eprintln!("Nothing was asked.");
        return Ok(EXIT_USAGE);
    }
    let id = actions::ask_decline(firm.client(), &found.org_id, &found.request.id, note).await?;
    if json {
        crate::say!("{}", json!({ "request": clean(request_id), "intent": id }))?;
    } else {
        crate::say!(
            "Asked the firm's service to decline {named} (intent #{id}); it reads the request again from Qonto and declines it with your own credential if it is still pending."
        )?;
    }
    Ok(0)
}
