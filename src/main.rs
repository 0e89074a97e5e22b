//! The `qonto-tui` command line: parses arguments and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use qonto_client::http::PendingClient;
use qonto_tui::commands;
use qonto_tui::config::{Config, TokenStoreKind};
use qonto_tui::runtime::{self, Launch};

// The embedded fake Qonto: `--demo`, `sandbox` and `simulate-browser` (the default `demo`
// feature; a build without it has none of them).
#[cfg(feature = "demo")]
use qonto_sandbox::browser::{Tick, complete_consent};
#[cfg(feature = "demo")]
use qonto_sandbox::cli::{self as sandbox_cli, SandboxArgs};

/// A terminal app for the books of several Qonto organizations, signed in once through
/// Qonto's User OAuth flow.
#[derive(Debug, Parser)]
#[command(name = "qonto-tui", version, about, long_about = None, after_help = AFTER_HELP)]
struct Cli {
    /// Run against the embedded sandbox (no account, works offline); tokens stay in memory.
    #[cfg(feature = "demo")]
    #[arg(long)]
    demo: bool,
    /// Where to keep tokens: the platform secret store, or (your explicit choice) a 0600 file.
    #[arg(long, global = true, value_enum)]
    token_store: Option<TokenStoreKind>,
    /// Log file (default: qonto-tui.log in the state dir). Also QONTO_TUI_LOG.
    #[arg(long, global = true)]
    log_file: Option<PathBuf>,
    /// Log level: error, warn, info, debug or trace. Also QONTO_TUI_LOG_LEVEL.
    #[arg(long, global = true)]
    log_level: Option<String>,
    /// Keep nothing on disk but the sign-in: no local copy of the books (also `cache = false`
    /// in the config file, or QONTO_TUI_CACHE=off).
    #[arg(long, global = true)]
    no_cache: bool,
    /// Never write to Qonto, whatever the config file says (`writes`, QONTO_TUI_WRITES).
    #[arg(long, global = true)]
    read_only: bool,
    /// On the firm's service machine: use STAFF's own Qonto credentials, kept apart from
    /// everyone else's (`qonto-tui --staff alice login`, `key add`, `membership add`, `orgs`);
    /// `serve act` carries out their intents with them.
    #[arg(long, global = true, value_name = "STAFF")]
    staff: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

const AFTER_HELP: &str = "Settings come from the environment (QONTO_CLIENT_ID, QONTO_CLIENT_SECRET, QONTO_REDIRECT_URI, \
QONTO_ENVIRONMENT=production|sandbox, QONTO_AUTH_URL, QONTO_TOKEN_URL, QONTO_API_BASE_URL, QONTO_STAGING_TOKEN, \
QONTO_SCOPES) or the TOML file at QONTO_TUI_CONFIG (default: config.toml in the platform config dir).
Exit codes: 0 ok, 1 error (statements, receipts: some files could not be fetched), 2 usage \
(a query, date or option that cannot be read), 3 partly done (sync) or nothing found (search, \
export, statements, receipts), 4 not signed in (status, orgs, watch).";

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in through the browser (Qonto User OAuth flow) without the TUI.
    Login {
        /// Also keep the configured client secret in the secret store for later runs.
        #[arg(long)]
        save_client_secret: bool,
        /// The membership flow instead: add one organization per consent, with its own tokens.
        #[arg(long)]
        membership: bool,
    },
    /// Forget every source (revoking tokens at Qonto where possible), or one organization's.
    Logout {
        /// Forget only this organization's API key or membership consent (its id or id's
        /// beginning, its key's login, or its name's beginning).
        #[arg(long, value_name = "ORG")]
        org: Option<String>,
        /// Do not ask before signing out of every organization (asked on a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Organizations reached with their API key (`login:secret-key`).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Bring the local, encrypted copy of every organization up to date.
    Sync {
        /// Machine-readable output: one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Search every organization's transactions in the local copy: words (all must match,
    /// case and accents ignored), amounts `>1000` `<50` `100..250`, periods `2026-10`
    /// `2026-10-01..2026-10-15`, and `side:` `status:` `org:` `account:` `label:` `type:`
    /// `missing:receipt`. Exits 3 when nothing matched, 2 when the query cannot be read.
    Search {
        /// The query, e.g. `urssaf >1000 2026-10 missing:receipt org:brasserie`.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Machine-readable output: a JSON array of transactions, each with its `id` and
        /// `org_id`.
        #[arg(long)]
        json: bool,
        /// At most this many, newest first (0: all).
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Transactions of a period from the local copy, as CSV (for a spreadsheet), JSON lines,
    /// OFX or camt.053 (for accounting software). Exits 3 when the period holds none.
    Export(commands::export::ExportArgs),
    /// Every chosen organization's monthly statement PDFs for a period, fetched from Qonto.
    /// Exits 3 when there are none, 1 when some could not be fetched (the others are saved).
    Statements(commands::files::FilesArgs),
    /// The receipts attached to the transactions of a period (the local copy says which),
    /// fetched from Qonto; exits as `statements` does. `receipts match` matches a folder of
    /// receipts to the transactions missing one.
    Receipts(ReceiptsArgs),
    /// Attach receipts (PDF, JPEG, PNG) to a transaction. Needs writes turned on (`writes =
    /// true` in the config file); each write is journaled before it is sent and never done
    /// twice. Exits 1 when a file was refused, 2 when the transaction is unknown.
    Attach(commands::writes::AttachArgs),
    /// Remove a receipt from a transaction, after a confirmation (or --yes).
    Detach(commands::writes::DetachArgs),
    /// What was written to Qonto, and how far each write came; --finish completes what an
    /// earlier run left unfinished; --undo N takes one back.
    Journal(commands::writes::JournalArgs),
    /// Each organization's cash-flow categories, read from Qonto (and kept in the local copy).
    Categories(commands::categorize::CategoriesArgs),
    /// File the transactions a search finds under a cash-flow category, in each of their
    /// organizations (a dry run unless --apply). Needs writes turned on. Exits 1 when a call
    /// failed or no organization has the category, 3 when nothing matches.
    Categorize(commands::categorize::CategorizeArgs),
    /// Every organization's requests waiting for an approver (transfers, cards), newest first.
    Requests(commands::requests::RequestsArgs),
    /// Every organization's supplier invoices, overdue first; mark-paid, unmark and reject
    /// them (a rejection asks first). Changes need writes turned on.
    Invoices(commands::invoices::InvoicesArgs),
    /// Decline a request with a note, after a confirmation (or --yes); it cannot be taken back.
    /// Needs writes turned on. Exits 1 when Qonto refused it, 2 when the request is unknown.
    Decline(commands::requests::DeclineArgs),
    /// New and changed transactions of every organization as they appear (NDJSON with
    /// --json), until stopped; a network loss is waited out.
    Watch(commands::watch::WatchArgs),
    /// Every organization you reach, however (User flow, membership flow, API keys).
    Orgs {
        /// Machine-readable output: a JSON array.
        #[arg(long)]
        json: bool,
        /// The local copy's organization names, one per line, for shell completion.
        #[arg(long, hide = true)]
        complete: bool,
    },
    /// Who is signed in, token expiry, shared organizations and the token store in use.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Serve the local copy to an AI assistant over MCP (stdio), read-only: no Qonto token in
    /// the process, no network. `[mcp] organizations` and `mask` in the config limit what it
    /// shows; calls are logged to mcp-calls.log in the state folder.
    Mcp,
    /// A firm's shared books on PostgreSQL, administered (`--init`, `add-staff`, `grant`,
    /// `revoke`, `status`); staff see only the organizations granted to them, enforced by
    /// PostgreSQL's row-level security.
    Serve(commands::serve::ServeArgs),
    /// Print a shell completion script: `qonto-tui completions bash > ~/.local/share/bash-completion/completions/qonto-tui`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `qonto-tui man > ~/.local/share/man/man1/qonto-tui.1`.
    Man,
    /// Run the embedded Qonto sandbox standalone and print the settings that point qonto-tui at it.
    #[cfg(feature = "demo")]
    Sandbox(SandboxArgs),
    /// Answer the embedded sandbox's consent page like a browser would (for `BROWSER` in scripts).
    #[cfg(feature = "demo")]
    #[command(hide = true)]
    SimulateBrowser {
        /// Organization ids to tick, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        orgs: Vec<String>,
        /// Press Deny instead of Allow.
        #[arg(long)]
        deny: bool,
        /// The consent URL the app opened.
        url: String,
    },
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
struct ReceiptsArgs {
    #[command(subcommand)]
    action: Option<ReceiptsAction>,
    #[command(flatten)]
    files: commands::files::FilesArgs,
}

#[derive(Debug, Subcommand)]
enum ReceiptsAction {
    /// Match a folder of receipts (PDF, JPEG, PNG) to the transactions of every organization
    /// that miss one: a dry run unless --apply, which attaches the confident matches only and
    /// moves each attached file to attached/ORGANIZATION/ in its folder. Exits 3 when nothing
    /// matched.
    Match(commands::receipt_match::MatchArgs),
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Add an organization by its API key: the secret is read from standard input when piped,
    /// else prompted for without echo, and checked with Qonto before it is stored.
    Add {
        /// The login shown beside the secret key in the organization's settings.
        login: String,
    },
    /// Forget an organization's API key.
    Remove { login: String },
    /// The stored API keys' logins and organizations (never the secrets).
    List,
}

fn main() -> ExitCode {
    qonto_tui::logging::mark_start();
    let mut cli = Cli::parse();
    // The TUI's HTTP client is built on its own thread while everything else starts.
    let http = cli.command.is_none().then(PendingClient::start);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("qonto-tui: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.take() {
            #[cfg(feature = "demo")]
            Some(Command::SimulateBrowser { orgs, deny, url }) => {
                let tick = if orgs.is_empty() {
                    Tick::All
                } else {
                    Tick::Only(orgs)
                };
                complete_consent(&url, &tick, !deny)
                    .await
                    .map(|()| ExitCode::SUCCESS)
            }
            Some(Command::Completions { shell }) => {
                let mut command = <Cli as clap::CommandFactory>::command();
                print_all(&qonto_tui::completions::script(shell, &mut command))
            }
            Some(Command::Man) => {
                let mut page = Vec::new();
                clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                    .render(&mut page)?;
                print_all(&page)
            }
            #[cfg(feature = "demo")]
            Some(Command::Sandbox(args)) => {
                sandbox_cli::init_stderr_log();
                sandbox_cli::run(args).await.map(|()| ExitCode::SUCCESS)
            }
            Some(Command::Login {
                save_client_secret,
                membership,
            }) => {
                let (config, _) = configure(&cli)?;
                commands::login(&config, save_client_secret, membership)
                    .await
                    .map(|()| ExitCode::SUCCESS)
            }
            Some(Command::Logout { org, yes }) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::logout(&config, org.as_deref(), yes)
                    .await
                    .map(|()| ExitCode::SUCCESS)
            }
            Some(Command::Key(key)) => {
                let (config, _) = configure_for_keys(&cli)?;
                match key {
                    KeyCommand::Add { login } => commands::key::add(&config, &login).await,
                    KeyCommand::Remove { login } => commands::key::remove(&config, &login).await,
                    KeyCommand::List => commands::key::list(&config).await,
                }
                .map(|()| ExitCode::SUCCESS)
            }
            Some(Command::Sync { json }) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::sync(&config, json).await.map(ExitCode::from)
            }
            Some(Command::Search { query, json, limit }) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::search(&config, &query, json, limit)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Export(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::run_export(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Statements(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::statements::run(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Receipts(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                match args.action {
                    Some(ReceiptsAction::Match(m)) => {
                        commands::receipt_match::run(&config, m).await
                    }
                    None => commands::receipts::run(&config, args.files).await,
                }
                .map(ExitCode::from)
            }
            Some(Command::Attach(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::writes::attach(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Detach(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::writes::detach(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Journal(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::writes::journal(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Categories(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::categorize::categories(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Categorize(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::categorize::categorize(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Invoices(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::invoices::run(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Requests(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::requests::requests(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Decline(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::requests::decline(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Watch(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::watch::run(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Mcp) => {
                let (mut config, _) = configure_for_keys(&cli)?;
                // Nothing here talks to Qonto: the OAuth client's secrets are dropped unread.
                config.client_secret = None;
                config.staging_token = None;
                qonto_tui::mcp::run(&config).await.map(ExitCode::from)
            }
            Some(Command::Serve(args)) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::serve::run(&config, args)
                    .await
                    .map(ExitCode::from)
            }
            Some(Command::Orgs { complete: true, .. }) => {
                // For shell completion: names from the copy, quietly (nothing when it fails).
                let Ok((config, _)) = configure_for_keys(&cli) else {
                    return Ok(ExitCode::SUCCESS);
                };
                let names = qonto_tui::completions::org_names(&config).await;
                print_all(names.join("\n").as_bytes())
            }
            Some(Command::Orgs { json, .. }) => {
                let (config, _) = configure_for_keys(&cli)?;
                commands::orgs(&config, json).await.map(ExitCode::from)
            }
            Some(Command::Status { json }) => {
                let (config, log) = configure_for_keys(&cli)?;
                commands::status(&config, json, log.as_deref())
                    .await
                    .map(ExitCode::from)
            }
            #[cfg(feature = "demo")]
            None if cli.demo => qonto_tui::demo::run(
                http.unwrap_or_else(PendingClient::start),
                &cli.log_file,
                &cli.log_level,
            )
            .await
            .map(|()| ExitCode::SUCCESS),
            None => {
                let (mut config, _) = configure_for_keys(&cli)?;
                // Without an OAuth client the app still shows what API keys reach.
                let has_sources = qonto_tui::sources::Sources::for_config(&config)
                    .list()
                    .is_ok_and(|l| !l.is_empty());
                // A staff member's machine of a firm needs no Qonto sign-in or OAuth client.
                let firm = config.firm_books().is_some();
                if !has_sources && !firm && config.require_client().is_err() {
                    // The first run without a way in: the welcome, not a one-line error.
                    return welcome(&config, &cli, http).await;
                }
                let store = qonto_tui::auth::store_for(&config)?;
                let client_secret = match qonto_tui::auth::client_secret(&config).await {
                    _ if firm => qonto_client::Secret::new(""),
                    Ok(secret) => secret,
                    Err(e) if has_sources => {
                        config.oauth_unavailable.get_or_insert(format!("{e:#}"));
                        qonto_client::Secret::new("")
                    }
                    Err(e) => return Err(e),
                };
                runtime::run(Launch {
                    config,
                    store,
                    client_secret,
                    http: http.unwrap_or_else(PendingClient::start),
                    demo: false,
                    demo_api_keys: Vec::new(),
                })
                .await
                .map(|()| ExitCode::SUCCESS)
            }
        }
    });
    // Every database this run opened is closed and its threads joined while the runtime still
    // stands: no thread is left inside SQLCipher, or holding OpenSSL's per-thread state, when
    // exit() runs OpenSSL's cleanup (that race was the 'double free or corruption' seen at the
    // end of `sync` and `export --bundle`).
    qonto_books::close_all();
    // A store call stuck on a frozen secret store must not keep the process alive: its thread
    // is abandoned, not joined.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        // `| head` had what it wanted: the command ends quietly.
        Err(e) if qonto_tui::commands::out::reader_left(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qonto-tui: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Writes generated text to stdout; a reader that stopped early (`| head`) is not an error.
fn print_all(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The welcome (a screen on a terminal, the same words printed without one); `d` there starts
/// the demo.
async fn welcome(
    config: &qonto_tui::config::Config,
    cli: &Cli,
    http: Option<PendingClient>,
) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive {
        eprintln!("{}", qonto_tui::welcome::words(&config.config_path));
        return Ok(ExitCode::from(1));
    }
    match qonto_tui::welcome::show(&config.config_path)? {
        #[cfg(feature = "demo")]
        qonto_tui::welcome::Choice::Demo => qonto_tui::demo::run(
            http.unwrap_or_else(PendingClient::start),
            &cli.log_file,
            &cli.log_level,
        )
        .await
        .map(|()| ExitCode::SUCCESS),
        _ => {
            let _ = (cli, http);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads the settings, applies the global options, and starts the log file.
fn configure(cli: &Cli) -> anyhow::Result<(Config, Option<PathBuf>)> {
    configure_with(Config::load()?, cli)
}

/// As [`configure`], for what works without an OAuth client (API keys).
fn configure_for_keys(cli: &Cli) -> anyhow::Result<(Config, Option<PathBuf>)> {
    configure_with(Config::load_without_client()?, cli)
}

fn configure_with(mut config: Config, cli: &Cli) -> anyhow::Result<(Config, Option<PathBuf>)> {
    if let Some(kind) = &cli.token_store {
        config.token_store = *kind;
    }
    if cli.no_cache {
        config.cache = false;
    }
    if cli.read_only {
        config.writes = qonto_tui::config::WritePolicy::Off;
    }
    if let Some(staff) = &cli.staff {
        anyhow::ensure!(
            qonto_books::firm::is_role_name(staff),
            "--staff {}: a staff member's name is their PostgreSQL role: lower-case letters, digits and _",
            qonto_client::printable::printable(staff, 80)
        );
        config.staff = Some(staff.clone());
    }
    let (log_file, log_level) = (&cli.log_file, &cli.log_level);
    let log = qonto_tui::logging::start(&config, log_file, log_level);
    if let Some(secret) = &config.client_secret {
        qonto_client::redact::register_secret(secret.expose());
    }
    Ok((config, log))
}
