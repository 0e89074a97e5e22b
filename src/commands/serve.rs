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
    /// `host=… user=… dbname=…` (default: `books` in the config file, QONTO_TUI_BOOKS). Only a
    /// server on this machine so far.
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
                for s in &status.staff {
                    crate::say!("  {}: {}", s.staff, s.organizations.join(", "))?;
                }
            }
        }
    }
    Ok(0)
}
