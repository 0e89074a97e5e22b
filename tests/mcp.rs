//! `qonto-tui mcp` driven by an MCP client that is not ours: the official Python SDK (`mcp` on
//! PyPI, in the environment `scripts/test` makes, MCP_PYTHON) starts the real binary over stdio
//! against a copy synced from the sandbox, lists the tools and calls each one. The answers are
//! checked against the sandbox's own truth; hostile arguments get errors in words; the running
//! server is looked at from outside (/proc): no token in its environment, no token file open,
//! no network socket; the allow-list keeps other organizations out of every answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use common::app::{Home, app_env};
use qonto_sandbox::Sandbox;
use qonto_sandbox::data::{Side, TxStatus};
use serde_json::{Value, json};

/// What the client saw, and what the test saw of the running server.
struct Session {
    seen: Value,
    environ: String,
    open_files: Vec<String>,
    /// How the copy's file is open (`O_ACCMODE` of its descriptor: 0 is read-only).
    copy_access: Vec<u32>,
    network_sockets: usize,
    stderr: String,
}

impl Session {
    fn call(&self, i: usize) -> &Value {
        &self.seen["calls"][i]
    }

    fn answer(&self, i: usize) -> &Value {
        let call = self.call(i);
        assert_eq!(call["is_error"], false, "call {i}: {call}");
        &call["structured"]
    }

    /// The words of a refused call (a tool error or a JSON-RPC error).
    fn refusal(&self, i: usize) -> String {
        let call = self.call(i);
        if let Some(words) = call["protocol_error"].as_str() {
            return words.to_string();
        }
        assert_eq!(call["is_error"], true, "call {i} should be refused: {call}");
        call["text"].as_str().unwrap().to_string()
    }
}

/// The inodes of every TCP and UDP socket of this network namespace.
fn network_inodes() -> BTreeSet<String> {
    let mut inodes = BTreeSet::new();
    for table in ["tcp", "tcp6", "udp", "udp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/net/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            if let Some(inode) = line.split_whitespace().nth(9) {
                inodes.insert(inode.to_string());
            }
        }
    }
    inodes
}

/// Starts `qonto-tui mcp` through the Python client with `config` as the config file, makes
/// `calls`, and looks at the server while the session is still open.
fn drive(sb: &Sandbox, home: &Home, config: &str, calls: &[Value]) -> Session {
    let python = std::env::var_os("MCP_PYTHON").expect(
        "MCP_PYTHON names a Python with the mcp package: run the tests through scripts/test",
    );
    let config_path = home.dir.join("mcp-config.toml");
    std::fs::write(&config_path, config).unwrap();
    // The server's whole environment: where the copy is, and nothing that reaches Qonto (no
    // client secret, no staging token, no token).
    let mut env = BTreeMap::new();
    for (key, sub) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ] {
        env.insert(key.to_string(), home.dir.join(sub).display().to_string());
    }
    env.insert("QONTO_TOKEN_STORE".into(), "file".into());
    env.insert("QONTO_API_BASE_URL".into(), sb.base_url());
    env.insert("QONTO_TUI_CONFIG".into(), config_path.display().to_string());
    env.insert("QONTO_TUI_LOG".into(), home.log().display().to_string());
    let plan = json!({
        "command": qonto_testkit::binary("qonto-tui").display().to_string(),
        "args": ["mcp"],
        "env": env,
        "calls": calls,
    });
    let plan_path = home.dir.join("mcp-plan.json");
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mcp_client.py");
    let stderr_path = home.dir.join("mcp-client.err");
    let mut client = Command::new(python)
        .arg(script)
        .arg(&plan_path)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("the Python MCP client starts");
    let mut line = String::new();
    // The client prints one line when its calls are done (or nothing if it failed).
    let read = BufReader::new(client.stdout.take().unwrap()).read_line(&mut line);
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        read.is_ok() && !line.trim().is_empty(),
        "the client said nothing; its stderr: {stderr}"
    );
    let seen: Value = serde_json::from_str(&line).expect("the client's JSON");
    let pids = seen["server_pid"].as_array().unwrap().clone();
    assert_eq!(pids.len(), 1, "one server process: {pids:?}");
    let pid = pids[0].as_u64().unwrap();
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let environ = String::from_utf8_lossy(&environ).replace('\0', "\n");
    let mut open_files = Vec::new();
    let mut sockets = Vec::new();
    let mut copy_access = Vec::new();
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
    {
        if let Ok(target) = std::fs::read_link(fd.path()) {
            let target = target.display().to_string();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|t| t.strip_suffix(']'))
            {
                sockets.push(inode.to_string());
            }
            if target.ends_with(".db") {
                let info = std::fs::read_to_string(format!(
                    "/proc/{pid}/fdinfo/{}",
                    fd.file_name().to_string_lossy()
                ))
                .unwrap();
                let flags = info
                    .lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .map(|f| u32::from_str_radix(f.trim(), 8).unwrap())
                    .unwrap();
                copy_access.push(flags & 0o3);
            }
            open_files.push(target);
        }
    }
    let network = network_inodes();
    let network_sockets = sockets.iter().filter(|s| network.contains(*s)).count();
    // Let the client close the session; the server ends with it.
    let mut stdin = client.stdin.take().unwrap();
    stdin.write_all(b"done\n").unwrap();
    drop(stdin);
    let status = client.wait().unwrap();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(status.success(), "the client failed: {stderr}");
    Session {
        seen,
        environ,
        open_files,
        copy_access,
        network_sockets,
        stderr,
    }
}

/// Money out negative, as the server writes amounts.
fn signed(tx: &qonto_sandbox::data::Tx) -> i64 {
    match tx.side {
        Side::Credit => tx.amount_cents.abs(),
        Side::Debit => -tx.amount_cents.abs(),
    }
}

fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

async fn synced(name: &str) -> (Sandbox, Home) {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new(name);
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    (sb, home)
}

const TOOLS: [&str; 9] = [
    "balances",
    "cash_summary",
    "categories",
    "get_transaction",
    "list_organizations",
    "missing_receipts",
    "requests_to_review",
    "search_transactions",
    "supplier_invoices_to_review",
];

#[tokio::test(flavor = "multi_thread")]
async fn an_assistant_gets_the_sandboxs_answers_and_the_server_holds_no_token() {
    let (sb, home) = synced("mcp").await;
    let data = sb.data();
    let consented: BTreeSet<String> = sb.consented_orgs().into_iter().collect();
    let orgs: Vec<_> = data
        .orgs
        .iter()
        .filter(|o| consented.contains(&o.id))
        .collect();
    assert!(orgs.len() >= 3, "{consented:?}");
    // The first organization's credits (at most 200, all on one page), searched alone.
    let org_a = orgs[0];
    let credits_of_a: Vec<_> = org_a
        .accounts
        .iter()
        .flat_map(|a| sb.ledger_now(a).transactions.clone())
        .filter(|t| t.side == Side::Credit)
        .collect();
    assert!(!credits_of_a.is_empty() && credits_of_a.len() <= 200);
    let one = &org_a.accounts[0];
    // A card payment: its digits are masked too.
    let one_tx = sb
        .ledger_now(one)
        .transactions
        .iter()
        .find(|t| t.card_last_digits.is_some())
        .expect("a card payment")
        .clone();
    let month = common::last_whole_month(&sb);
    let calls = vec![
        json!({"tool": "list_organizations", "arguments": {}}),
        json!({"tool": "search_transactions", "arguments": {"query": "side:credit", "organization": org_a.id, "limit": 200}}),
        json!({"tool": "missing_receipts", "arguments": {"limit": 200}}),
        json!({"tool": "balances", "arguments": {}}),
        json!({"tool": "get_transaction", "arguments": {"id": one_tx.id}}),
        json!({"tool": "cash_summary", "arguments": {"period": month}}),
        json!({"tool": "categories", "arguments": {}}),
        json!({"tool": "requests_to_review", "arguments": {"limit": 200}}),
        json!({"tool": "supplier_invoices_to_review", "arguments": {"limit": 200}}),
        // Hostile or mistaken arguments, from 9 on.
        json!({"tool": "search_transactions", "arguments": {"query": "x", "limit": 1_000_000_000_000u64}}),
        json!({"tool": "search_transactions", "arguments": {"query": "status:maybe"}}),
        json!({"tool": "search_transactions", "arguments": {"query": "", "organization": "no-such-organization"}}),
        json!({"tool": "get_transaction", "arguments": {"id": "../../etc/passwd"}}),
        json!({"tool": "search_transactions", "arguments": {"query": "a".repeat(5_000)}}),
        json!({"tool": "cash_summary", "arguments": {"period": "yesterday; DROP TABLE transactions"}}),
        json!({"tool": "search_transactions", "arguments": {"query": "x", "limit": -1}}),
        json!({"tool": "delete_everything", "arguments": {}}),
        // Still answering after all that.
        json!({"tool": "list_organizations", "arguments": {}}),
    ];
    let s = drive(&sb, &home, "", &calls);

    // The tools, each described, read-only, with an object schema.
    assert_eq!(s.seen["server"], "qonto-tui");
    let tools = s.seen["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, TOOLS);
    for t in tools {
        assert!(t["description"].as_str().unwrap().len() > 40, "{t}");
        assert_eq!(t["read_only"], true, "{t}");
        assert_eq!(t["input_schema"]["type"], "object", "{t}");
    }

    // Organizations: those the user consented to.
    let listed: BTreeSet<String> = s.answer(0)["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, consented);

    // One organization's credits: every one, newest first, with its signed amount.
    let search = s.answer(1);
    let found = search["transactions"].as_array().unwrap();
    let ids: BTreeSet<&str> = found.iter().map(|t| t["id"].as_str().unwrap()).collect();
    let truth: BTreeSet<&str> = credits_of_a.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, truth);
    assert_eq!(search["more_match"], false);
    let dates: Vec<&str> = found.iter().map(|t| t["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    for t in found {
        let tx = credits_of_a.iter().find(|c| c.id == t["id"]).unwrap();
        assert_eq!(t["amount_cents"], signed(tx));
        assert_eq!(t["organization_id"], org_a.id.as_str());
    }

    // Missing receipts: the sandbox's count per organization, and the newest of them.
    let missing = s.answer(2);
    let mut truth_ids = BTreeSet::new();
    for org in &orgs {
        let of_org: Vec<_> = org
            .accounts
            .iter()
            .flat_map(|a| sb.ledger_now(a).transactions.clone())
            .filter(|t| sb.misses_receipt(t))
            .collect();
        let row = missing["missing_by_organization"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["organization_id"] == org.id.as_str())
            .unwrap();
        assert_eq!(row["missing"], of_org.len(), "{}", org.name);
        truth_ids.extend(of_org.into_iter().map(|t| t.id));
    }
    assert_eq!(missing["total_missing"], truth_ids.len());
    let listed = missing["transactions"].as_array().unwrap();
    assert_eq!(listed.len(), truth_ids.len().min(200));
    assert!(
        listed
            .iter()
            .all(|t| truth_ids.contains(t["id"].as_str().unwrap()) && t["missing_receipt"] == true)
    );

    // Balances: each account's as the sandbox holds it, hidden where the role hides it; the
    // IBAN masked.
    let balances = s.answer(3);
    for org in &orgs {
        let row = balances["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["organization_id"] == org.id.as_str())
            .unwrap();
        for account in &org.accounts {
            let shown = row["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["id"] == account.id.as_str())
                .unwrap();
            let want = qonto_sandbox::data::role_sees_balances(&org.membership_role)
                .then(|| decimal(sb.ledger_now(account).balance_cents));
            assert_eq!(shown["balance"], json!(want), "{}", account.name);
            let iban = shown["iban"].as_str().unwrap();
            assert!(
                iban.contains("••••") && !account.iban.contains(iban),
                "{iban}"
            );
        }
    }

    // One transaction in full.
    let detail = &s.answer(4)["transaction"];
    assert_eq!(detail["id"], one_tx.id.as_str());
    assert_eq!(detail["amount_cents"], signed(&one_tx));
    assert_eq!(
        detail["counterparty"],
        data.counterparties[one_tx.counterparty].name.as_str()
    );
    assert!(
        !detail["account_iban"]
            .as_str()
            .unwrap()
            .contains(&one.iban[4..12])
    );
    assert_eq!(detail["card_last_digits"], "••••");

    // A month's cash: what came in and went out, internal transfers apart, adds up to the
    // sandbox's credits and debits of that month.
    let cash = s.answer(5);
    let mut internal = 0;
    for org in &orgs {
        let (mut credits, mut debits) = (0, 0);
        for account in &org.accounts {
            for t in &sb.ledger_now(account).transactions {
                let day = t
                    .settled_at
                    .unwrap_or(t.emitted_at)
                    .format("%Y-%m")
                    .to_string();
                if day != month || t.status == TxStatus::Declined {
                    continue;
                }
                match t.side {
                    Side::Credit => credits += t.amount_cents.abs(),
                    Side::Debit => debits += t.amount_cents.abs(),
                }
            }
        }
        let row = cash["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["organization_id"] == org.id.as_str());
        let Some(row) = row else {
            assert_eq!((credits, debits), (0, 0), "{}", org.name);
            continue;
        };
        let cents = |k: &str| -> i64 {
            (row[k].as_str().unwrap().parse::<f64>().unwrap() * 100.0).round() as i64
        };
        assert_eq!(cents("in") + cents("internal_in"), credits, "{}", org.name);
        assert_eq!(cents("out") + cents("internal_out"), debits, "{}", org.name);
        internal += row["internal_transactions"].as_u64().unwrap();
    }
    assert!(
        internal > 0,
        "the sandbox's own transfers are set apart: {cash}"
    );

    // Categories (none kept until `categories` reads them), requests and invoices waiting.
    assert_eq!(
        s.answer(6)["organizations"].as_array().unwrap().len(),
        orgs.len()
    );
    let pending: usize = orgs
        .iter()
        .map(|o| {
            sb.requests_of(o)
                .iter()
                .filter(|r| r.status == "pending")
                .count()
        })
        .sum();
    assert!(pending > 0);
    assert_eq!(s.answer(7)["waiting"], pending);
    let waiting: usize = orgs
        .iter()
        .map(|o| {
            sb.invoices_of(o)
                .iter()
                .filter(|i| qonto_books::month_end::INVOICES_WAITING.contains(&i.status))
                .count()
        })
        .sum();
    assert!(waiting > 0);
    assert_eq!(s.answer(8)["waiting"], waiting);

    // Hostile arguments: refused in words, and the server goes on.
    for (i, words) in [
        (9, "from 1 to 200"),
        (10, "could not be read"),
        (11, "no organization matches"),
        (12, "no transaction with id"),
        (13, "longer than 1000 characters"),
        (14, "could not be read"),
        (15, "-1"),
        (16, "not found"),
    ] {
        let said = s.refusal(i);
        assert!(said.contains(words), "call {i}: {said}");
    }
    assert_eq!(
        s.answer(17)["organizations"].as_array().unwrap().len(),
        orgs.len()
    );

    // The server from outside: no secret in its environment, no token file or key file open,
    // no network socket.
    for secret in sb.issued_secrets() {
        assert!(
            !s.environ.contains(&secret),
            "a secret in the server's environment"
        );
        assert!(!s.stderr.contains(&secret));
    }
    assert!(!s.environ.contains("QONTO_CLIENT_SECRET"));
    for file in &s.open_files {
        assert!(
            !file.contains("token") && !file.contains("books-key"),
            "the server holds {file} open"
        );
    }
    assert_eq!(s.copy_access, [0], "the copy open once, read-only");
    assert_eq!(s.network_sockets, 0, "{:?}", s.open_files);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_allow_list_keeps_other_organizations_out_of_every_answer() {
    let (sb, home) = synced("mcp-allow").await;
    let data = sb.data();
    let consented: BTreeSet<String> = sb.consented_orgs().into_iter().collect();
    let orgs: Vec<_> = data
        .orgs
        .iter()
        .filter(|o| consented.contains(&o.id))
        .collect();
    let (a, b, hidden) = (orgs[0], orgs[1], orgs[2]);
    let allowed: BTreeSet<&str> = [a.id.as_str(), b.id.as_str()].into();
    let hidden_tx = sb.ledger_now(&hidden.accounts[0]).transactions[0].clone();
    // One named by its name (another case), one by its id; IBANs shown.
    let config = format!(
        "[mcp]\norganizations = [\"{}\", \"{}\"]\nmask = false\n",
        a.name.to_uppercase(),
        b.id
    );
    let calls = vec![
        json!({"tool": "list_organizations", "arguments": {}}),
        json!({"tool": "search_transactions", "arguments": {"query": "", "limit": 200}}),
        json!({"tool": "search_transactions", "arguments": {"query": "", "organization": hidden.id}}),
        json!({"tool": "search_transactions", "arguments": {"query": format!("org:{}", hidden.name)}}),
        json!({"tool": "get_transaction", "arguments": {"id": hidden_tx.id}}),
        json!({"tool": "missing_receipts", "arguments": {"limit": 200}}),
        json!({"tool": "balances", "arguments": {}}),
        json!({"tool": "cash_summary", "arguments": {"period": common::last_whole_month(&sb)}}),
        json!({"tool": "requests_to_review", "arguments": {"limit": 200}}),
        json!({"tool": "supplier_invoices_to_review", "arguments": {"limit": 200}}),
        json!({"tool": "categories", "arguments": {}}),
    ];
    let s = drive(&sb, &home, &config, &calls);
    let org_ids = |v: &Value, list: &str, key: &str| -> BTreeSet<String> {
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x[key].as_str().unwrap().to_string())
            .collect()
    };
    let allowed_owned: BTreeSet<String> = allowed.iter().map(|s| s.to_string()).collect();
    assert_eq!(org_ids(s.answer(0), "organizations", "id"), allowed_owned);
    let everything = org_ids(s.answer(1), "transactions", "organization_id");
    assert!(everything.is_subset(&allowed_owned) && !everything.is_empty());
    assert!(s.refusal(2).contains("no organization matches"));
    assert_eq!(s.answer(3)["returned"], 0);
    assert!(s.refusal(4).contains("no transaction with id"));
    let missing = s.answer(5);
    assert_eq!(
        org_ids(missing, "missing_by_organization", "organization_id"),
        allowed_owned
    );
    assert!(org_ids(missing, "transactions", "organization_id").is_subset(&allowed_owned));
    let balances = s.answer(6);
    assert_eq!(
        org_ids(balances, "organizations", "organization_id"),
        allowed_owned
    );
    // Unmasked, as the config asks: the sandbox's IBAN whole.
    let first = &balances["organizations"][0]["accounts"][0];
    let account = orgs
        .iter()
        .flat_map(|o| o.accounts.iter())
        .find(|x| first["id"] == x.id.as_str())
        .unwrap();
    assert_eq!(first["iban"], account.iban.as_str());
    assert!(org_ids(s.answer(7), "organizations", "organization_id").is_subset(&allowed_owned));
    assert!(org_ids(s.answer(8), "requests", "organization_id").is_subset(&allowed_owned));
    assert!(org_ids(s.answer(9), "supplier_invoices", "organization_id").is_subset(&allowed_owned));
    assert_eq!(
        org_ids(s.answer(10), "organizations", "organization_id"),
        allowed_owned
    );
    // No answer names the hidden organization (refusals echo what was asked, nothing more).
    let everything_said: String = s.seen["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["structured"].to_string())
        .collect();
    assert!(!everything_said.contains(&hidden.id));
    assert!(!everything_said.contains(&hidden_tx.id));

    // The call log: one line a call, with its tool and result count, none of the data.
    let log_path = home.dir.join("state/qonto-tui/mcp-calls.log");
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), calls.len());
    for (line, call) in lines.iter().zip(&calls) {
        assert_eq!(line["tool"], call["tool"]);
        assert!(line["ms"].as_f64().is_some());
    }
    assert_eq!(lines[1]["results"], s.answer(1)["returned"]);
    assert_eq!(lines[2]["refused"], true);
    assert!(!log.contains(&account.iban) && !log.contains(&a.name));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&log_path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_too_long_is_dropped_and_the_session_goes_on() {
    let (sb, home) = synced("mcp-long").await;
    let mut c = common::app::app(&sb, &home);
    for (k, v) in app_env(&sb, &home) {
        c.env(k, v);
    }
    c.arg("mcp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut server = c.spawn().unwrap();
    let mut to = server.stdin.take().unwrap();
    let lines = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        // Three megabytes of query: over the 1 MiB the server reads of one message.
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "search_transactions", "arguments": {"query": "a".repeat(3_000_000)}}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "list_organizations", "arguments": {}}}),
    ];
    for line in lines {
        writeln!(to, "{line}").unwrap();
    }
    to.flush().unwrap();
    let mut from = BufReader::new(server.stdout.take().unwrap());
    let mut answers = Vec::new();
    for _ in 0..2 {
        let mut line = String::new();
        from.read_line(&mut line).unwrap();
        answers.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    drop(to);
    assert!(server.wait().unwrap().success());
    assert_eq!(answers[0]["id"], 1);
    assert_eq!(answers[1]["id"], 3, "{}", answers[1]);
    assert!(
        answers[1]["result"]["structuredContent"]["organizations"]
            .as_array()
            .is_some_and(|o| !o.is_empty())
    );
}
