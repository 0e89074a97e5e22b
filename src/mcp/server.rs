//! The MCP server's tools (rmcp's router): each one reads the local copy on the books' reader
//! thread through `reads`, and every call is noted in the call log. The server holds the books
//! opened to read and nothing else: no Qonto client, no token, no way to write.

use std::sync::Arc;
use std::time::Instant;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use serde_json::Value;

use super::answers::Writer;
use super::args::{CashArgs, ListArgs, OrganizationArgs, SearchArgs, TransactionArgs};
use super::call_log::{CallLog, Ended};
use super::orgs::{ShownOrg, shown};
use super::reads::{self, Answer};
use crate::config::McpSettings;
use qonto_books::{Books, BooksHandle};

/// What the server tells an assistant about itself when it connects.
const INSTRUCTIONS: &str = "Read-only access to the user's Qonto books: a local, encrypted copy \
of every organization they reach (several companies at once), kept up to date by qonto-tui. \
Nothing here can change anything at Qonto. Start with list_organizations; search_transactions \
answers across every organization at once. Amounts are decimals in the account's currency, money \
out negative. IBANs and card digits may be masked. The copy is as fresh as each organization's \
last_synced_at.";

/// The MCP server over the local copy.
#[derive(Clone)]
pub struct BooksServer {
    books: BooksHandle,
    settings: Arc<McpSettings>,
    log: Arc<CallLog>,
    tool_router: ToolRouter<Self>,
}

impl BooksServer {
    pub fn new(books: BooksHandle, settings: McpSettings, log: CallLog) -> Self {
        Self {
            books,
            settings: Arc::new(settings),
            log: Arc::new(log),
            tool_router: Self::tool_router(),
        }
    }

    /// Runs `work` on the reader thread with the organizations shown, notes the call, and
    /// turns a refusal into a tool error in words (the assistant sees it and can correct).
    async fn answer<F>(
        &self,
        tool: &str,
        arguments: Value,
        work: F,
    ) -> Result<CallToolResult, ErrorData>
    where
        F: FnOnce(&Books, &[ShownOrg], Writer) -> Answer + Send + 'static,
    {
        let started = Instant::now();
        let settings = Arc::clone(&self.settings);
        let writer = Writer {
            mask: settings.mask,
        };
        let outcome = self
            .books
            .read(move |books| {
                let shown = shown(books, &settings)
                    .map_err(|e| format!("the local copy could not be read: {e}"))?;
                work(books, &shown, writer)
            })
            .await
            .unwrap_or_else(|e| Err(format!("the local copy could not be read: {e}")));
        let (result, ended) = match outcome {
            Ok((value, count)) => (CallToolResult::structured(value), Ended::Answered(count)),
            Err(why) => (
                CallToolResult::error(vec![ContentBlock::text(why)]),
                Ended::Refused,
            ),
        };
        self.log.note(tool, &arguments, &ended, started.elapsed());
        Ok(result)
    }
}

#[tool_router]
impl BooksServer {
    #[tool(
        description = "The organizations whose books this server shows: id, name, how the user reaches it (user sign-in, membership, API key), their role, and when its local copy was last synced.",
        annotations(
            title = "List organizations",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn list_organizations(&self) -> Result<CallToolResult, ErrorData> {
        self.answer("list_organizations", Value::Null, |_, shown, w| {
            reads::list_organizations(shown, w)
        })
        .await
    }

    #[tool(
        description = "Search the transactions of every organization at once (or one), newest first, with qonto-tui's search language: words, amounts, periods and filters such as missing:receipt or side:credit. Gives each transaction's id, organization, date, signed amount, counterparty, status, category and whether its receipt is missing.",
        annotations(
            title = "Search transactions",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn search_transactions(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"query": args.query, "organization": args.organization, "limit": args.limit});
        self.answer("search_transactions", logged, move |b, shown, w| {
            reads::search(b, shown, w, &args)
        })
        .await
    }

    #[tool(
        description = "One transaction in full, by id: dates, amounts (VAT, local currency), counterparty and its bank details, labels, category, card, initiator, receipts attached and whether one is missing.",
        annotations(
            title = "Get a transaction",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn get_transaction(
        &self,
        Parameters(args): Parameters<TransactionArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"id": args.id});
        self.answer("get_transaction", logged, move |b, shown, w| {
            reads::transaction(b, shown, w, args.id.trim())
        })
        .await
    }

    #[tool(
        description = "Transactions that need a receipt and have none attached: how many per organization, and the newest of them.",
        annotations(
            title = "Missing receipts",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn missing_receipts(
        &self,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"organization": args.organization, "limit": args.limit});
        self.answer("missing_receipts", logged, move |b, shown, w| {
            reads::missing_receipts(b, shown, w, &args)
        })
        .await
    }

    #[tool(
        description = "Each organization's bank accounts and balances as of its last sync, totals per currency, and the group's totals.",
        annotations(title = "Balances", read_only_hint = true, open_world_hint = false)
    )]
    async fn balances(
        &self,
        Parameters(args): Parameters<OrganizationArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"organization": args.organization});
        self.answer("balances", logged, move |b, shown, w| {
            reads::balances(b, shown, w, args.organization.as_deref())
        })
        .await
    }

    #[tool(
        description = "Money in, out and net over a period, per organization and currency and in total, with transfers between the user's own accounts set apart (internal_in, internal_out).",
        annotations(title = "Cash summary", read_only_hint = true, open_world_hint = false)
    )]
    async fn cash_summary(
        &self,
        Parameters(args): Parameters<CashArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"period": args.period, "organization": args.organization});
        self.answer("cash_summary", logged, move |b, shown, w| {
            reads::cash_summary(b, shown, w, &args)
        })
        .await
    }

    #[tool(
        description = "Each organization's cash-flow categories (as last read from Qonto), with their parent and whether money goes in or out.",
        annotations(title = "Categories", read_only_hint = true, open_world_hint = false)
    )]
    async fn categories(
        &self,
        Parameters(args): Parameters<OrganizationArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"organization": args.organization});
        self.answer("categories", logged, move |b, shown, w| {
            reads::categories(b, shown, w, args.organization.as_deref())
        })
        .await
    }

    #[tool(
        description = "Requests waiting for an approver (transfers, cards) in every organization, newest first, as of each organization's last sync.",
        annotations(
            title = "Requests to review",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn requests_to_review(
        &self,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"organization": args.organization, "limit": args.limit});
        self.answer("requests_to_review", logged, move |b, shown, w| {
            reads::requests(b, shown, w, &args)
        })
        .await
    }

    #[tool(
        description = "Supplier invoices waiting on someone (to review, to approve, awaiting payment), overdue first, as of each organization's last sync.",
        annotations(
            title = "Supplier invoices to review",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn supplier_invoices_to_review(
        &self,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let logged = serde_json::json!({"organization": args.organization, "limit": args.limit});
        self.answer("supplier_invoices_to_review", logged, move |b, shown, w| {
            reads::supplier_invoices(b, shown, w, &args)
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for BooksServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("qonto-tui", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS.to_string())
    }
}
