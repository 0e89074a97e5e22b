//! `qonto-tui mcp` over large books: the real binary over pipes, as an assistant's host runs it,
//! answering `search_transactions` calls (JSON-RPC line written → answer line read).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use super::*;

/// The searches an assistant sends, each a whole query (not typed a key at a time).
pub(super) const QUERIES: [&str; 6] = [
    "urssaf",
    "ur",
    "missing:receipt >1000",
    "side:credit sort:amount",
    "",
    "loyer -edf type:transfer",
];
/// Rounds over `QUERIES`.
const ROUNDS: usize = 20;

/// Times `ROUNDS` × `QUERIES` search calls (limit 50) of an MCP session over the books `env`
/// points at, and prints the row.
pub fn search_calls(env: &[(String, String)], stored: i64) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qonto-tui"));
    c.arg("mcp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    let mut to = child.stdin.take().unwrap();
    let mut from = BufReader::new(child.stdout.take().unwrap());
    let mut ask = |message: serde_json::Value, answered: bool| -> Option<serde_json::Value> {
        writeln!(to, "{message}").unwrap();
        to.flush().unwrap();
        answered.then(|| {
            let mut line = String::new();
            from.read_line(&mut line).unwrap();
            serde_json::from_str(&line).unwrap()
        })
    };
    ask(
        serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"}}}),
        true,
    );
    ask(
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        false,
    );
    let mut samples = Vec::new();
    let mut slowest = (Duration::ZERO, "");
    for round in 0..ROUNDS {
        for (i, query) in QUERIES.iter().enumerate() {
            let id = round * QUERIES.len() + i + 1;
            let t = Instant::now();
            let answer = ask(
                serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
                    "name": "search_transactions", "arguments": {"query": query, "limit": 50}}}),
                true,
            )
            .unwrap();
            let took = t.elapsed();
            assert_eq!(answer["result"]["isError"], false, "{answer}");
            samples.push(took);
            if took > slowest.0 {
                slowest = (took, query);
            }
        }
    }
    drop(to);
    child.wait().unwrap();
    let mut sorted = samples.clone();
    sorted.sort();
    let p99 = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)];
    row(
        &format!(
            "MCP search_transactions call (limit 50) → answer read, {stored} stored, the real binary over pipes ({} queries × {ROUNDS})",
            QUERIES.len()
        ),
        format!(
            "p50 {} / p99 {} / max {} over {} calls; slowest: {:?}",
            ms(median(samples)),
            ms(p99),
            ms(slowest.0),
            sorted.len(),
            slowest.1
        ),
        "report (a person's keystroke: p99 < 16 ms)",
    );
}
