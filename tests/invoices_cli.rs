//! Supplier invoices from the command line, against the sandbox over loopback with the real
//! binary: every organization's invoices listed overdue first; marked paid and taken back
//! through the journal; a rejection refused without a confirmation or with writes off, and
//! Qonto's refusal of a forbidden transition said in words; the sandbox agreeing each time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::{Home, app_env};
use serde_json::Value;

use common::run_app as run;

#[tokio::test(flavor = "multi_thread")]
async fn invoices_are_listed_marked_paid_taken_back_and_rejected_only_when_confirmed() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("invoices");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let mut writes = env.clone();
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));

    let (code, out, err) = run(&sb, &home, &env, &["invoices", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let listed: Vec<Value> = serde_json::from_str(&out).unwrap();
    let truth: usize = sb.data().orgs.iter().map(|o| sb.invoices_of(o).len()).sum();
    assert_eq!(listed.len(), truth, "every organization's invoices");
    let status_of = |id: &str| {
        sb.data()
            .orgs
            .iter()
            .flat_map(|o| sb.invoices_of(o))
            .find(|i| i.id == id)
            .map(|i| (i.status, i.payment_date.map(|d| d.to_string())))
            .unwrap()
    };
    let awaiting = listed
        .iter()
        .find(|i| i["invoice"]["status"] == "awaiting_payment")
        .unwrap()["invoice"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Writes off: refused, nothing changed.
    let (code, _, err) = run(&sb, &home, &env, &["invoices", "mark-paid", &awaiting]).await;
    assert_eq!(code, 1);
    assert!(err.contains("writes to Qonto are off"), "{err}");
    assert_eq!(status_of(&awaiting).0, "awaiting_payment");

    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &["invoices", "mark-paid", &awaiting, "--date", "2026-11-30"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&awaiting), ("paid", Some("2026-11-30".into())));
    // Paid twice is Qonto's refusal, in words.
    let (code, _, err) = run(&sb, &home, &writes, &["invoices", "mark-paid", &awaiting]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("not available for an invoice that is paid"),
        "{err}"
    );
    // Taken back through the journal.
    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    let marked = journal
        .iter()
        .find(|w| {
            w["kind"] == "invoice" && w["state"] == "confirmed" && w["subject"] == "mark_paid"
        })
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let (code, out, err) = run(&sb, &home, &writes, &["journal", "--undo", &marked]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&awaiting), ("awaiting_payment", None));

    // A rejection: asked first (no terminal: --yes needed), then done.
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["invoices", "reject", &awaiting, "--note", "Wrong amount"],
    )
    .await;
    assert_ne!(code, 0);
    assert!(err.contains("needs a confirmation"), "{err}");
    assert_eq!(status_of(&awaiting).0, "awaiting_payment");
    let org_of = |id: &str| {
        sb.data()
            .orgs
            .iter()
            .find(|o| sb.invoices_of(o).iter().any(|i| i.id == id))
            .unwrap()
    };
    let org = org_of(&awaiting);
    let einvoice = sb
        .invoices_of(org)
        .iter()
        .any(|i| i.id == awaiting && i.is_einvoice);
    let mut args = vec![
        "invoices",
        "reject",
        awaiting.as_str(),
        "--note",
        "Wrong amount",
        "--yes",
    ];
    if einvoice && org.legal_country == "FR" {
        args.extend(["--reason", "DIF"]);
    }
    let (code, out, err) = run(&sb, &home, &writes, &args).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&awaiting).0, "rejected");
    let (code, _, _) = run(
        &sb,
        &home,
        &writes,
        &["invoices", "unmark", "no-such-invoice"],
    )
    .await;
    assert_eq!(code, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_lost_after_qonto_acted_is_not_acted_on_twice() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("invoices-lost");
    let mut writes = app_env(&sb, &home);
    common::run_ok(&sb, &home, &writes, &[&["login"]]).await;
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let (org, invoice) = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| sb.invoices_of(o).into_iter().map(move |i| (o, i)))
        .find(|(o, i)| {
            i.status == "awaiting_payment" && !(i.is_einvoice && o.legal_country == "FR")
        })
        .unwrap();
    let id = invoice.id.clone();
    let status = || {
        sb.invoices_of(org)
            .into_iter()
            .find(|i| i.id == id)
            .unwrap()
            .status
    };
    let acts = |what: &str| {
        sb.acted()
            .iter()
            .filter(|a| a.target == id && a.what == what)
            .count()
    };

    for (args, what, then) in [
        (vec!["invoices", "mark-paid", &id], "mark_paid", "paid"),
        (
            vec!["invoices", "unmark", &id],
            "unmark_paid",
            "awaiting_payment",
        ),
        (
            vec!["invoices", "reject", &id, "--note", "Sent twice", "--yes"],
            "reject",
            "rejected",
        ),
    ] {
        sb.drop_next_write_answers(1);
        let (code, out, err) = run(&sb, &home, &writes, &args).await;
        assert_eq!(code, 0, "{what}: the lost yes is found again: {out}{err}");
        assert_eq!(status(), then);
        assert_eq!(acts(what), 1, "{what} made once: {:?}", sb.acted());
    }
    let (code, out, _) = run(&sb, &home, &writes, &["journal", "--json"]).await;
    assert_eq!(code, 0);
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    let ours: Vec<&Value> = journal
        .iter()
        .filter(|w| w["target"] == id.as_str())
        .collect();
    assert_eq!(
        ours.len(),
        3,
        "one write each, not one per attempt: {ours:?}"
    );
    assert!(ours.iter().all(|w| w["state"] == "confirmed"), "{ours:?}");
}

/// A PDF as Qonto tells one: by its first bytes.
fn pdf(n: usize) -> Vec<u8> {
    format!("%PDF-1.4\n% supplier invoice {n}\n%%EOF\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_of_pdfs_is_uploaded_twenty_to_a_request_once_each_even_when_an_answer_is_lost() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("invoices-upload");
    let env = app_env(&sb, &home);
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let mut writes = env.clone();
    writes.push(("QONTO_TUI_WRITES".into(), "on".into()));
    let org = &sb.data().orgs[1];
    let before = sb.invoices_of(org).len();
    let folder = home.dir.join("invoices");
    std::fs::create_dir(&folder).unwrap();
    for n in 0..23 {
        std::fs::write(folder.join(format!("facture-{n:02}.pdf")), pdf(n)).unwrap();
    }
    std::fs::write(folder.join("notes.txt"), "not an invoice").unwrap();
    let fake = home.dir.join("fake.pdf");
    std::fs::write(&fake, "a text file named like a PDF").unwrap();
    let folder_arg = folder.display().to_string();
    let fake_arg = fake.display().to_string();

    // Writes off: refused before anything is sent.
    let (code, _, err) = run(
        &sb,
        &home,
        &env,
        &["invoices", "upload", "--org", &org.id, &folder_arg],
    )
    .await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("writes to Qonto are off"), "{err}");
    assert_eq!(sb.invoices_of(org).len(), before);

    // The first request's answer is lost after Qonto made its twenty: sent again under the
    // same keys, nothing is made twice.
    sb.drop_next_write_answers(1);
    let (code, out, err) = run(
        &sb,
        &home,
        &writes,
        &[
            "invoices",
            "upload",
            "--org",
            &org.name,
            &folder_arg,
            &fake_arg,
            "--json",
        ],
    )
    .await;
    assert_eq!(code, 1, "the fake PDF is not taken: {out}{err}");
    let said: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(said.len(), 24, "{said:?}");
    let fake_said = said
        .iter()
        .find(|o| o["file"].as_str().unwrap().ends_with("fake.pdf"));
    assert!(
        fake_said.unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("is not a PDF"),
        "{said:?}"
    );
    let made: Vec<&str> = said.iter().filter_map(|o| o["invoice"].as_str()).collect();
    assert_eq!(made.len(), 23);
    let now = sb.invoices_of(org);
    assert_eq!(now.len(), before + 23, "each PDF made once");
    for id in &made {
        assert!(now.iter().any(|i| i.id == *id), "{id} is at Qonto");
    }
    let uploads = sb.acted().iter().filter(|a| a.what == "upload").count();
    assert_eq!(uploads, 23);
    // Two requests of twenty and three, the first sent twice after its answer was lost.
    let bulk: Vec<String> = sb
        .writes_asked()
        .into_iter()
        .filter(|w| w == "POST /v2/supplier_invoices/bulk")
        .collect();
    assert_eq!(bulk.len(), 3, "{bulk:?}");

    // The journal says each, and an upload cannot be taken back through the API.
    let (_, out, _) = run(&sb, &home, &env, &["journal", "--json"]).await;
    let journal: Vec<Value> = serde_json::from_str(&out).unwrap();
    let ups: Vec<&Value> = journal
        .iter()
        .filter(|w| w["kind"] == "invoice_upload")
        .collect();
    assert_eq!(ups.len(), 23);
    assert!(ups.iter().all(|w| w["state"] == "confirmed"));
    let one = ups[0]["id"].as_i64().unwrap().to_string();
    let (code, _, err) = run(&sb, &home, &writes, &["journal", "--undo", &one]).await;
    assert_ne!(code, 0);
    assert!(err.contains("cannot delete one"), "{err}");

    // An organization named by too little is asked for more.
    let (code, _, err) = run(
        &sb,
        &home,
        &writes,
        &["invoices", "upload", "--org", "zzz-nobody", &folder_arg],
    )
    .await;
    assert_eq!(code, 2, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_review_scopes_each_action_names_the_scope_missing_and_sends_nothing() {
    let sb = common::sandbox_for_the_app().await;
    let home = Home::new("review-scopes");
    let mut env = app_env(&sb, &home);
    env.push((
        "QONTO_SCOPES".into(),
        "offline_access user_organization.read organization.read supplier_invoice.read".into(),
    ));
    env.push(("QONTO_TUI_WRITES".into(), "on".into()));
    common::run_ok(&sb, &home, &env, &[&["login"]]).await;
    let (org, invoice) = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| sb.invoices_of(o).into_iter().map(move |i| (o, i)))
        .find(|(_, i)| i.status == "awaiting_payment")
        .unwrap();
    let request = sb
        .data()
        .orgs
        .iter()
        .flat_map(|o| sb.requests_of(o))
        .find(|r| r.status == "pending")
        .unwrap();
    let file = home.dir.join("one.pdf");
    std::fs::write(&file, pdf(1)).unwrap();
    let file = file.display().to_string();

    for (args, scope) in [
        (
            vec!["invoices", "mark-paid", invoice.id.as_str()],
            "supplier_invoice.write",
        ),
        (
            vec![
                "invoices",
                "upload",
                "--org",
                org.id.as_str(),
                file.as_str(),
            ],
            "supplier_invoice.write",
        ),
        (
            vec!["decline", request.id.as_str(), "--note", "No", "--yes"],
            "request_review.write",
        ),
    ] {
        let (code, out, err) = run(&sb, &home, &env, &args).await;
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains(scope), "{args:?}: {err}");
        assert!(err.contains("sign in again"), "{args:?}: {err}");
    }
    assert_eq!(sb.acted(), vec![], "nothing was made");
}
