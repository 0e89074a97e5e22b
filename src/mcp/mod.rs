//! `qonto-tui mcp`: a Model Context Protocol server on standard input and output, answering an
//! assistant's questions from the local, encrypted copy of every organization's books.
//! Read-only by construction: the copy is opened to read (SQLite `query_only`), the process
//! builds no Qonto client and reads no token, and makes no network connection. What it shows is
//! limited by `[mcp]` in the config file (organizations, masking); every call is logged locally.

mod answers;
mod args;
mod call_log;
mod mask;
mod orgs;
mod reads;
mod server;

pub use call_log::CallLog;
pub use server::BooksServer;

use std::io::IsTerminal;

use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::{RoleServer, ServiceExt};

use crate::config::Config;

/// The longest message read from the client.
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Exit code when started on a terminal instead of by an MCP client.
pub const EXIT_NOT_A_CLIENT: u8 = 2;

/// How to connect it, said when it is started by hand.
const HOW_TO_CONNECT: &str = "qonto-tui mcp speaks the Model Context Protocol on its standard input and output: an MCP client starts it. \
For example, in Claude Desktop's claude_desktop_config.json or a project's .mcp.json:\n  \
{\"mcpServers\": {\"qonto\": {\"command\": \"qonto-tui\", \"args\": [\"mcp\"]}}}\n\
or with Claude Code: claude mcp add qonto -- qonto-tui mcp";

/// Serves until the client closes the connection.
pub async fn run(config: &Config) -> anyhow::Result<u8> {
    if std::io::stdin().is_terminal() {
        eprintln!("{HOW_TO_CONNECT}");
        return Ok(EXIT_NOT_A_CLIENT);
    }
    let books = crate::local_copy::open_to_read(config).await?;
    let log_path = CallLog::default_path();
    let log = CallLog::open(&log_path).map_err(|e| {
        anyhow::anyhow!(
            "the MCP call log {} cannot be written: {e}",
            log_path.display()
        )
    })?;
    let shown = match &config.mcp.organizations {
        None => "every organization".to_string(),
        Some(list) => format!("the {} organizations [mcp] names", list.len()),
    };
    // Standard error is the client's log; standard output is the protocol's.
    eprintln!(
        "qonto-tui mcp: serving {shown} read-only from the local copy{}; calls logged to {}",
        if config.mcp.mask {
            ", IBANs and card digits masked"
        } else {
            ""
        },
        log_path.display()
    );
    tracing::info!(masked = config.mcp.mask, "MCP server started");
    let server = BooksServer::new(books.clone(), config.mcp.clone(), log);
    // A message longer than `MAX_MESSAGE_BYTES` is dropped unread (rmcp's default is 16 MiB;
    // a tool's arguments are a few hundred bytes).
    let (stdin, stdout) = rmcp::transport::stdio();
    let transport = AsyncRwTransport::<RoleServer, _, _>::new(stdin, stdout)
        .with_max_line_length(MAX_MESSAGE_BYTES);
    let running = server
        .serve(transport)
        .await
        .map_err(|e| anyhow::anyhow!("the MCP client did not start a session: {e}"))?;
    let ended = running.waiting().await;
    books.close().await;
    tracing::info!("MCP server stopped: {ended:?}");
    Ok(0)
}
