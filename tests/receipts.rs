//! A receipt, from the transaction opened in the search: the real binary fetches it from the
//! sandbox over loopback, hands it to the opener (a `BROWSER` stand-in that keeps a copy), and
//! saves it to the download folder named after the transaction; the bytes are the sandbox's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::app::{Home, app_env};
use common::pty::PtyApp;
use qonto_sandbox::data::TxStatus;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_opens_through_the_opener_and_saves_to_downloads() {
    let sb = common::sandbox_for_the_app().await;
    let api = common::signed_in_api(&sb).await;
    // A completed transaction with a receipt, and the receipt's bytes as the sandbox serves them.
    let org = &sb.data().orgs[0];
    let ledger = sb.ledger_now(&org.accounts[0]);
    let mut chosen = None;
    for tx in ledger.transactions.iter().rev().filter(|t| {
        t.status == TxStatus::Completed && sb.data().counterparties[t.counterparty].name != "Uber"
    }) {
        let files = api.transaction_attachments(&org.id, &tx.id).await.unwrap();
        if let Some(url) = files.first().and_then(|f| f.url.clone()) {
            chosen = Some((tx.clone(), api.download(&url, 1 << 20).await.unwrap()));
            break;
        }
    }
    let (tx, bytes) = chosen.expect("the sandbox seeds receipts");
    assert!(bytes.starts_with(b"%PDF"), "a real PDF");
    let name = sb.data().counterparties[tx.counterparty].name.clone();
    let cents = tx.amount_cents.abs();
    let query = format!(
        "{} {1}.{2:02}..{1}.{2:02}",
        name.split_whitespace().next().unwrap(),
        cents / 100,
        cents % 100
    );

    let home = Home::new("receipts");
    let opened = home.dir.join("opened.pdf");
    let downloads = home.dir.join("Downloads");
    std::fs::create_dir_all(home.dir.join("config")).unwrap();
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::write(
        home.dir.join("config/user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .unwrap();
    let browser = home.script(
        "opener.sh",
        &format!(
            "case \"$1\" in http*) exec '{}' simulate-browser \"$1\";; *) cp \"$1\" '{}';; esac",
            qonto_testkit::binary("qonto-tui").display(),
            opened.display()
        ),
    );
    let mut env = app_env(&sb, &home);
    env.retain(|(k, _)| k != "BROWSER");
    env.push(("BROWSER".into(), browser.display().to_string()));
    env.push(("HOME".into(), home.dir.display().to_string()));

    let mut tui = tokio::task::spawn_blocking(move || PtyApp::spawn(&[], &env, 160, 45))
        .await
        .unwrap();
    let tui = tokio::task::spawn_blocking(move || {
        tui.wait_for("the books synced", 2 * WAIT, |s| s.contains("· synced "));
        tui.send(b"s");
        tui.send(query.as_bytes());
        tui.wait_text("1 found", WAIT);
        tui.send(b"\r");
        // The transaction read in full (the hint alone shows while it is still being read).
        tui.wait_text("Initiated by", WAIT);
        tui.send(b"o");
        tui.wait_text("opened 1 receipt", WAIT);
        tui.send(b"w");
        tui.wait_text("saved 1 receipt", WAIT);
        tui.send(b"\x1b");
        tui.send(b"\x1b");
        tui.send(b"q");
        tui.wait_exit(Duration::from_secs(5));
        tui
    })
    .await
    .unwrap();
    drop(tui);
    // The opener runs on its own: give its copy a moment.
    for _ in 0..50 {
        if opened.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(std::fs::read(&opened).unwrap(), bytes);
    let saved: Vec<_> = std::fs::read_dir(&downloads)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let file = saved[0].file_name().unwrap().to_string_lossy().to_string();
    let day = tx.settled_at.unwrap().format("%Y-%m-%d").to_string();
    assert!(file.starts_with(&format!("{day} {name}")), "{file}");
    assert_eq!(std::fs::read(&saved[0]).unwrap(), bytes);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&saved[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a bank document is the user's alone");
}
