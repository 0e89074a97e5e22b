//! Receipts: matching 1,000 receipts (their text already read) against 1,000,000 transactions
//! missing one; reading a receipt's text on this machine: `pdftotext` per PDF, and a scanned
//! page rendered at 300 dpi then read by `tesseract`; and uploading 100 receipts through the
//! journal with the real binary against the sandbox at L = 100 ms.

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use qonto_books::matching::{Candidate, Matcher, Proposal, read};

use super::{L, env_for, login, ms, row};
use qonto_sandbox::data::TxStatus;
use qonto_sandbox::{DataOptions, Faults};
use qonto_testkit::app::{Home, output_within};

const MERCHANTS: [&str; 10] = [
    "URSSAF",
    "EDF Entreprises",
    "OVHcloud",
    "Metro Cash Carry",
    "Alan Assurance",
    "Malt",
    "Amazon Web Services",
    "Leroy Merlin",
    "SNCF Connect",
    "Orange Business",
];

fn candidate(i: usize) -> Candidate {
    // A cheap, deterministic spread of amounts and days.
    let mix = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()
        + chrono::Duration::days((mix % 700) as i64);
    Candidate {
        id: format!("t{i}"),
        org_id: format!("org{}", i % 200),
        org_name: format!("Company {}", i % 200),
        amount_cents: 1_000 + (mix >> 20) as i64 % 500_000,
        currency: "EUR".into(),
        local_amount_cents: None,
        local_currency: None,
        emitted_on: Some(day),
        counterparty: MERCHANTS[(mix >> 40) as usize % MERCHANTS.len()].into(),
        card_last_digits: None,
        counterparty_iban: None,
        reference: None,
    }
}

fn receipt_text(c: &Candidate) -> String {
    let cents = c.amount_cents;
    format!(
        "{}\nFacture n F-{}\nDate : {}\nTotal TTC : {},{:02} EUR\n",
        c.counterparty,
        c.id,
        c.emitted_on
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        cents / 100,
        cents % 100
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub async fn receipts() {
    let candidates: Vec<Candidate> = (0..1_000_000).map(candidate).collect();
    let started = Instant::now();
    let matcher = Matcher::new(candidates.clone());
    let built = started.elapsed();
    let picked: Vec<&Candidate> = candidates.iter().step_by(1_000).collect();
    let facts: Vec<_> = picked.iter().map(|c| read(&receipt_text(c))).collect();
    let started = Instant::now();
    let proposals: Vec<Proposal> = facts.iter().map(|f| matcher.propose(f)).collect();
    let matched = started.elapsed();
    let mut right = 0;
    let mut wrong = 0;
    for (c, p) in picked.iter().zip(&proposals) {
        if let Proposal::Confident(best) = p {
            if best.candidate.id == c.id {
                right += 1;
            } else {
                wrong += 1;
            }
        }
    }
    row(
        "match 1,000 receipts (text read) against 1,000,000 transactions missing one",
        format!(
            "{} ({:.2} ms a receipt; index built in {}); {right} proposed confidently, {wrong} wrongly",
            ms(matched),
            matched.as_secs_f64() * 1000.0 / 1000.0,
            ms(built)
        ),
        "—, 0 wrong",
    );

    // Reading: a receipt the sandbox makes, as a PDF with text and as a 300 dpi scan.
    let sb = qonto_sandbox::Sandbox::start(qonto_sandbox::SandboxOptions::default())
        .await
        .unwrap();
    let made = sb.inbox(1, 0);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("receipt.pdf");
    std::fs::write(&pdf, &made[0].bytes).unwrap();
    let run = |cmd: &mut Command| -> Option<Duration> {
        let started = Instant::now();
        let ok = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then(|| started.elapsed())
    };
    let text: Option<Vec<Duration>> = (0..10)
        .map(|_| {
            run(Command::new("pdftotext")
                .args(["-layout"])
                .arg(&pdf)
                .arg("-"))
        })
        .collect();
    let page = dir.path().join("page");
    let render: Option<Vec<Duration>> = (0..3)
        .map(|_| {
            run(Command::new("pdftoppm")
                .args(["-r", "300", "-gray", "-png", "-singlefile"])
                .arg(&pdf)
                .arg(&page))
        })
        .collect();
    let png = dir.path().join("page.png");
    let ocr: Option<Vec<Duration>> = (0..3)
        .map(|_| {
            run(Command::new("tesseract").arg(&png).arg("stdout").args([
                "-l",
                "fra+deu+eng",
                "--psm",
                "6",
            ]))
        })
        .collect();
    match (text, render, ocr) {
        (Some(text), Some(render), Some(ocr)) => row(
            "read a receipt's text: pdftotext per PDF; a scanned page (pdftoppm 300 dpi, then tesseract fra+deu+eng)",
            format!(
                "pdftotext median {}; scan: render {} + OCR {} a page",
                ms(median(text)),
                ms(median(render)),
                ms(median(ocr))
            ),
            "—",
        ),
        _ => row(
            "read a receipt's text",
            "not measured: poppler-utils or tesseract-ocr is not installed".into(),
            "—",
        ),
    }
    sb.stop().await;
}

/// `qonto-tui attach TX FILE×100` at L = 100 ms: each receipt is journaled, sent under its key,
/// and looked for, one after another, as the app's write lane does. Its floors: the latency of
/// one request per upload sent one at a time (100 × L), and Qonto's rate (100 uploads fit in
/// one 10 s budget: no wait).
pub async fn uploads() {
    const FILES: usize = 100;
    let sb = super::sandbox(DataOptions::default(), Duration::from_secs(3600)).await;
    let home = Home::new("bench-uploads");
    let mut env = env_for(&sb, &home, true);
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let env_login = env.clone();
    super::blocking(move || login(&env_login)).await;
    let run = |args: Vec<String>, env: Vec<(String, String)>| {
        super::blocking(move || {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_qonto-tui"));
            c.args(&args).envs(env).stdin(std::process::Stdio::null());
            output_within(c, Duration::from_secs(600))
        })
    };
    let synced = run(vec!["sync".into()], env.clone()).await;
    assert!(synced.status.success());
    let org = &sb.data().orgs[0];
    let tx = sb
        .ledger_now(&org.accounts[0])
        .transactions
        .iter()
        .find(|t| t.status == TxStatus::Completed && sb.misses_receipt(t))
        .cloned()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["attach".to_string(), tx.id.clone()];
    for n in 0..FILES {
        let path = dir.path().join(format!("receipt-{n:03}.pdf"));
        std::fs::write(&path, format!("%PDF-1.4\n% receipt {n}\n%%EOF\n")).unwrap();
        args.push(path.display().to_string());
    }
    sb.set_faults(Faults {
        latency: L,
        ..Faults::default()
    });
    let before = sb.stats();
    let started = Instant::now();
    let out = run(args, env).await;
    let took = started.elapsed();
    let after = sb.stats();
    let requests = after.api_requests - before.api_requests;
    let uploads = sb.uploads_of(&tx.id).len();
    let floor = L * FILES as u32;
    row(
        &format!(
            "upload {FILES} receipts through the journal (`attach`), L = {} ms",
            L.as_millis()
        ),
        format!(
            "{:.1} s, {requests} requests ({:.1} a receipt: list before, upload, look after), {} × 429, {uploads} uploads at Qonto{}; latency floor {:.0} s → {:.2}×; rate floor 0 s",
            took.as_secs_f64(),
            requests as f64 / FILES as f64,
            after.rate_limited - before.rate_limited,
            if out.status.success() {
                ""
            } else {
                " (the command failed)"
            },
            floor.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64()
        ),
        "—",
    );
    sb.stop().await;
}
