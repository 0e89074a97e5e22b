//! Receipts that are images: a scan (PNG) of a sandbox receipt is read by the real `tesseract`
//! and matched to its transaction; an OCR past its time limit is stopped and said; a missing
//! tool is named with the package that brings it, and the file is still read by its name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::app::{Home, app, app_env, output_within};
use serde_json::Value;

/// Renders a PDF's first page to a PNG, as a scanner would hand it over.
fn scan(pdf: &Path, png_stem: &Path, dpi: u32) {
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
        .arg(pdf)
        .arg(png_stem)
        .status()
        .expect("pdftoppm runs (scripts/test installs poppler-utils)");
    assert!(status.success());
}

async fn match_json(
    sb: &qonto_sandbox::Sandbox,
    home: &Home,
    env: &[(String, String)],
    extra: &[(&str, String)],
    dir: &Path,
) -> Value {
    let mut c = app(sb, home);
    c.envs(env.iter().cloned())
        .args(["receipts", "match", "--json"])
        .arg(dir);
    for (k, v) in extra {
        c.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(300)))
        .await
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_is_read_by_ocr_bounded_in_time_and_a_missing_tool_is_named() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("ocr");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"], &["sync"]]).await;
    let made = sb.inbox(12, 0);
    let receipt = made
        .iter()
        .find(|f| f.name.starts_with("urssaf") || f.name.starts_with("edf"))
        .unwrap_or(&made[0]);
    let work = tempfile::tempdir().unwrap();
    let pdf = work.path().join("receipt.pdf");
    std::fs::write(&pdf, &receipt.bytes).unwrap();
    let inbox = work.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    scan(&pdf, &inbox.join("scan"), 200);

    // Read by tesseract, matched to its transaction.
    let answer = match_json(&sb, &home, &env, &[], &inbox).await;
    let file = &answer["files"][0];
    assert_eq!(file["read_by"], "ocr", "{answer}");
    assert_eq!(file["proposal"]["kind"], "confident", "{answer}");
    assert_eq!(
        file["proposal"]["candidate"]["id"].as_str(),
        receipt.transaction.as_deref(),
        "{answer}"
    );

    // Tools that misbehave, on a PATH of stand-ins: a tesseract that never ends, then none.
    let bin = work.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let slow = bin.join("tesseract");
    std::fs::write(&slow, "#!/bin/sh\nsleep 60\n").unwrap();
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Other scans (the first one's text is kept by its digest, so it is not read again).
    let other = work.path().join("other");
    std::fs::create_dir(&other).unwrap();
    scan(&pdf, &other.join("scan-again"), 150);
    std::fs::write(other.join("noise.png"), {
        let mut png = std::fs::read(other.join("scan-again.png")).unwrap();
        png.extend_from_slice(b"different bytes, a different file");
        png
    })
    .unwrap();
    let started = std::time::Instant::now();
    let answer = match_json(
        &sb,
        &home,
        &env,
        &[("PATH", path), ("QONTO_TUI_OCR_SECS", "2".into())],
        &other,
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "each OCR was stopped at its limit"
    );
    for file in answer["files"].as_array().unwrap() {
        assert!(
            file["note"]
                .as_str()
                .is_some_and(|n| n.contains("tesseract took longer than 2 s")),
            "{file}"
        );
        assert_eq!(
            file["proposal"]["kind"], "candidates",
            "nothing proposed on nothing read"
        );
    }
    let empty = work.path().join("nothing");
    std::fs::create_dir(&empty).unwrap();
    let answer = match_json(
        &sb,
        &home,
        &env,
        &[("PATH", empty.display().to_string())],
        &other,
    )
    .await;
    let note = answer["files"][0]["note"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(note.contains("apt install tesseract-ocr"), "{answer}");
}
