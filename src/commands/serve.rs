//! `qonto-tui serve`: the firm's books on PostgreSQL, administered: `--init` sets the schema,
//! roles and row-level security up (or brings them to the current version), `add-staff`,
//! `grant` and `revoke` open organizations to staff, `status` says where things stand. The
//! address is `--books URL`, or `books` in the config file (QONTO_TUI_BOOKS), connecting as
//! the firm's admin.

use qonto_books::firm::Firm;

use crate::config::Config;

/// `serve`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The firm's PostgreSQL, as its admin: `postgres://admin@127.0.0.1/books` or
    /// `host=… user=… dbname=…` (default: `books` in the config file, QONTO_TUI_BOOKS). A server
    /// off this machine needs `sslmode=verify-full` and `sslrootcert=CA.pem`.
    #[arg(long, global = true)]
    books: Option<String>,
    /// Create the schema, the staff group, the tables and their row-level security (or bring
    /// them to this version).
    #[arg(long)]
    init: bool,
    #[command(subcommand)]
    action: Option<ServeAction>,
}

#[derive(Debug, clap::Subcommand)]
enum ServeAction {
    /// Make NAME a staff member: a PostgreSQL login role in the staff group (its password or
    /// authentication is set as for any role: `\password NAME`, pg_hba.conf).
    AddStaff { name: String },
    /// Open organizations (ids) to a staff member.
    Grant {
        staff: String,
        #[arg(required = true, num_args = 1..)]
        orgs: Vec<String>,
    },
    /// Close organizations (ids) to a staff member.
    Revoke {
        staff: String,
        #[arg(required = true, num_args = 1..)]
        orgs: Vec<String>,
    },
    /// Bring every organization this machine reaches (your sign-in, membership consents, API
    /// keys) into the firm's books from Qonto, one after the other. Exits 3 when some could
    /// not be synced.
    Sync,
    /// Carry out what staff asked (receipts to attach), each with the asking staff member's
    /// own Qonto credentials on this machine (`qonto-tui --staff NAME login`) and their own
    /// write journal. Exits 3 when some could not be done (said on each).
    Act,
    /// The schema's version, what the books hold, how old the oldest sync is, and each staff
    /// member's organizations.
    Status {
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Exit code when the arguments say nothing to do.
const EXIT_USAGE: u8 = 2;
/// Exit code when some organization could not be synced (the others were).
const EXIT_PARTIAL: u8 = 3;

pub async fn run(config: &Config, args: ServeArgs) -> anyhow::Result<u8> {
    let url = args
        .books
        .clone()
        .or_else(|| config.books.as_ref().map(|b| b.expose().to_string()));
    let Some(url) = url.as_deref() else {
        eprintln!(
            "qonto-tui serve: say which PostgreSQL holds the firm's books: --books postgres://ADMIN@127.0.0.1/DB (or QONTO_TUI_BOOKS)"
        );
        return Ok(EXIT_USAGE);
    };
    let mut firm = Firm::connect(url).await?;
    if args.init {
        let version = firm.init().await?;
        eprintln!(
            "The firm's books are at schema {version}: tables, the staff group and row-level security in place."
        );
    }
    match args.action {
        None if args.init => {}
        None => {
            eprintln!(
                "qonto-tui serve: nothing to do: --init, add-staff NAME, grant STAFF ORG…, revoke STAFF ORG… or status"
            );
            return Ok(EXIT_USAGE);
        }
        Some(ServeAction::AddStaff { name }) => {
            firm.add_staff(&name).await?;
            eprintln!(
                "{name} is a staff member; `qonto-tui serve grant {name} ORG…` opens organizations to them."
            );
        }
        Some(ServeAction::Grant { staff, orgs }) => {
            let added = firm.grant(&staff, &orgs).await?;
            eprintln!("{added} organization(s) newly granted to {staff}.");
        }
        Some(ServeAction::Revoke { staff, orgs }) => {
            let removed = firm.revoke(&staff, &orgs).await?;
            eprintln!("{removed} organization(s) no longer granted to {staff}.");
        }
        Some(ServeAction::Sync) => return sync_all(config, &mut firm).await,
        Some(ServeAction::Act) => {
            let pass = super::serve_act::act(config, &firm).await?;
            eprintln!(
                "{} intent(s) done, {} not done, {} waiting for Qonto's answer.",
                pass.done, pass.failed, pass.waiting
            );
            return Ok(if pass.failed > 0 { EXIT_PARTIAL } else { 0 });
        }
        Some(ServeAction::Status { json }) => {
            let status = firm.status().await?;
            if json {
                let staff: Vec<serde_json::Value> = status
                    .staff
                    .iter()
                    .map(
                        |s| serde_json::json!({"staff": s.staff, "organizations": s.organizations}),
                    )
                    .collect();
                crate::say!(
                    "{}",
                    serde_json::json!({
                        "schema_version": status.schema_version,
                        "organizations": status.organizations,
                        "transactions": status.transactions,
                        "oldest_sync": status.oldest_sync,
                        "intents_waiting": status.intents_waiting,
                        "oldest_waiting_secs": status.oldest_waiting_secs,
                        "intents_failed_today": status.intents_failed_today,
                        "staff": staff,
                    })
                )?;
            } else {
                crate::say!(
                    "schema {}, {} organizations, {} transactions; oldest sync: {}",
                    status.schema_version,
                    status.organizations,
                    status.transactions,
                    status
                        .oldest_sync
                        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                        .map_or_else(|| "never".to_string(), |t| t.to_rfc3339())
                )?;
                crate::say!(
                    "intents: {} waiting{}, {} failed in the last day",
                    status.intents_waiting,
                    status
                        .oldest_waiting_secs
                        .map_or_else(String::new, |s| format!(" (the oldest asked {s} s ago)")),
                    status.intents_failed_today
                )?;
                crate::say!("staff ({}):", status.staff.len())?;
                for s in &status.staff {
                    let granted = if s.organizations.is_empty() {
                        "no organization granted".to_string()
                    } else {
                        s.organizations.join(", ")
                    };
                    crate::say!("  {}: {granted}", s.staff)?;
                }
            }
        }
    }
    Ok(0)
}

/// Every organization reached from this machine, synced into the firm's books once: with this
/// machine's own credentials first, then each staff member's (`qonto-tui --staff NAME login`),
/// an organization two of them reach taken with the first.
async fn sync_all(config: &Config, firm: &mut Firm) -> anyhow::Result<u8> {
    let mut whose: Vec<Option<String>> = vec![None];
    whose.extend(
        firm.status()
            .await?
            .staff
            .into_iter()
            .map(|s| Some(s.staff)),
    );
    let mut seen = std::collections::HashSet::new();
    let (mut failed, mut total, mut synced) = (0, 0, 0);
    for staff in whose {
        let mut config = config.clone();
        config.staff = staff.clone();
        let by = staff
            .as_deref()
            .map_or_else(|| "this machine".into(), |s| format!("{s}'s"));
        let reach = match super::reach::Reach::open(&config).await {
            Ok(reach) => reach,
            Err(e) => {
                eprintln!("{by} credentials: not read: {e}");
                continue;
            }
        };
        let listing = match crate::sources::listing::list(&reach.api, &reach.sources).await {
            Ok(listing) => listing,
            Err(e) => {
                eprintln!("{by} credentials: not read: {}", crate::auth::explain(e));
                continue;
            }
        };
        for org in listing.orgs.iter().filter(|o| seen.insert(o.id.clone())) {
            let name = super::reach::clean(org.display_name());
            match qonto_books::firm::sync::sync_org(&reach.api, firm.client_mut(), org).await {
                Ok(stored) => {
                    total += stored;
                    synced += 1;
                    crate::say!("{name}: {stored} transactions")?;
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{name}: not synced: {e}");
                }
            }
        }
    }
    if seen.is_empty() {
        eprintln!(
            "No organizations to sync: sign in with `qonto-tui login` (or `qonto-tui --staff NAME login` for a staff member's credentials) or add one with `qonto-tui key add LOGIN`."
        );
        return Ok(super::EXIT_NOT_SIGNED_IN);
    }
    eprintln!("{total} transactions of {synced} organizations in the firm's books.");
    Ok(if failed > 0 { EXIT_PARTIAL } else { 0 })
}
