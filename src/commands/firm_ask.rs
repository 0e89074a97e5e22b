//! A staff member's writes, on the firm's books: `qonto-tui attach` with `books` set asks the
//! firm's service to do it (an intent in the actions table, which PostgreSQL accepts only for
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
/// Exit code when the transaction is not among the staff member's organizations.
const EXIT_USAGE: u8 = 2;

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
