//! OFX text from Qonto with accents reaches every reader: UTF-8 for libofx and ofxtools, folded
//! to ASCII (`--ofx-ascii`) for Odoo's ofxparse, which takes an OFX 2 file as ASCII.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::readers::python_json;

/// Qonto's text with accents: OFX in UTF-8 keeps it (ofxtools reads it exactly); with
/// `--ofx-ascii` the file is ASCII and Odoo's reader (ofxparse), which takes an OFX 2 file as
/// ASCII, reads the words without their accents.
#[test]
fn ofx_text_reaches_every_reader() {
    use qonto_books::export::{CsvStyle, Format, OfxText, sink};
    use qonto_books::values::{OperationType, Side, Status};
    use qonto_books::{AccountHead, ExportRow, Period};
    let head = AccountHead {
        org_id: "o".into(),
        org_name: "Atelier".into(),
        org_legal_name: None,
        account_id: "a".into(),
        account_name: "Compte courant".into(),
        iban: Some("FR7616958000011234567890123".into()),
        currency: "EUR".into(),
        closing_cents: Some(100_000),
        opening_cents: Some(104_250),
    };
    let row = ExportRow {
        id: "tx-1".into(),
        amount_cents: -4_250,
        currency: "EUR".into(),
        side: Side::Debit,
        status: Status::Completed,
        operation_type: Some(OperationType::Card),
        counterparty: Some("Café Lumière".into()),
        counterparty_iban: None,
        counterparty_bic: None,
        label: None,
        reference: Some("FACT-1".into()),
        note: Some("Dîner d’équipe".into()),
        category: None,
        emitted_at: Some("2026-10-05T12:00:00.000Z".into()),
        settled_at: Some("2026-10-06T08:00:00.000Z".into()),
        vat_amount_cents: None,
        vat_rate: None,
        cashflow_category: None,
        cashflow_subcategory: None,
        vat_lines: Vec::new(),
        card_last_digits: None,
        initiator: None,
        labels: Vec::new(),
        attachments: 0,
        missing_receipt: false,
        receipt_files: Vec::new(),
    };
    let period = Period {
        from: Some("2026-10-01".into()),
        until: Some("2026-11-01".into()),
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |text: OfxText, name: &str| {
        let path = dir.path().join(name);
        let mut bytes = Vec::new();
        {
            let mut out = sink(
                Format::Ofx(text),
                CsvStyle::for_decimal('.', false),
                Box::new(&mut bytes),
                chrono::Utc::now(),
            )
            .unwrap();
            out.account(&head, &period).unwrap();
            out.row(&head, &row).unwrap();
            out.end_account(&head, &period).unwrap();
            out.finish().unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let names = |parser: &str| match parser {
        "ofxparse" => {
            "import sys, json\n\
             from ofxparse import OfxParser\n\
             ofx = OfxParser.parse(open(sys.argv[1], 'rb'))\n\
             print(json.dumps({t.id: [t.payee, t.memo] for a in ofx.accounts for t in a.statement.transactions}))\n"
        }
        _ => {
            "import sys, json\n\
             from ofxtools.Parser import OFXTree\n\
             tree = OFXTree()\n\
             tree.parse(sys.argv[1])\n\
             ofx = tree.convert()\n\
             print(json.dumps({t.fitid: [t.name, t.memo] for s in ofx.statements for t in s.transactions}))\n"
        }
    };
    let utf8 = write(OfxText::Utf8, "utf8.ofx");
    let read: BTreeMap<String, [String; 2]> = python_json(names("ofxtools"), &utf8);
    assert_eq!(
        read["tx-1"],
        [
            "Café Lumière".to_string(),
            "FACT-1 - Dîner d’équipe".to_string()
        ]
    );
    let ascii = write(OfxText::Ascii, "ascii.ofx");
    assert!(std::fs::read(&ascii).unwrap().is_ascii());
    for parser in ["ofxparse", "ofxtools"] {
        let read: BTreeMap<String, [String; 2]> = python_json(names(parser), &ascii);
        assert_eq!(
            read["tx-1"],
            [
                "Cafe Lumiere".to_string(),
                "FACT-1 - Diner d'equipe".to_string()
            ],
            "{parser}"
        );
    }
}
