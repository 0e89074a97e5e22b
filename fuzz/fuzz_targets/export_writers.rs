//! Fuzzes the export writers with hostile text in every field a server or a user controls:
//! no panic, the output is UTF-8, and the XML formats carry no character XML 1.0 forbids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_books::export::{CamtVersion, CsvStyle, Format, OfxText, sink};
use qonto_books::values::{OperationType, Side, Status};
use qonto_books::{AccountHead, ExportRow, Period};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('|').map(str::to_string);
    let mut next = || parts.next();
    let amount = data.iter().take(8).fold(0i64, |a, b| a.wrapping_mul(131).wrapping_add(i64::from(*b)));
    let head = AccountHead {
        org_id: next().unwrap_or_default(),
        org_name: next().unwrap_or_default(),
        org_legal_name: next(),
        account_id: next().unwrap_or_default(),
        account_name: next().unwrap_or_default(),
        iban: next(),
        currency: next().unwrap_or_else(|| "EUR".into()),
        closing_cents: Some(amount),
        opening_cents: Some(amount / 2),
    };
    let row = ExportRow {
        id: next().unwrap_or_default(),
        amount_cents: amount,
        currency: head.currency.clone(),
        side: if amount < 0 { Side::Debit } else { Side::Credit },
        status: Status::from(next().unwrap_or_default().as_str()),
        operation_type: next().map(|t| OperationType::from(t.as_str())),
        counterparty: next(),
        counterparty_iban: next(),
        counterparty_bic: next(),
        label: next(),
        reference: next(),
        note: next(),
        category: next(),
        emitted_at: next(),
        settled_at: next(),
        vat_amount_cents: Some(amount / 5),
        vat_rate: Some(amount as f64 / 7.0),
        cashflow_category: next(),
        cashflow_subcategory: next(),
        vat_lines: vec![qonto_client::api::vat_lines::VatLine {
            rate: Some(amount as f64 / 3.0),
            vat_amount_cents: Some(amount / 9),
            amount_cents: Some(amount),
        }],
        card_last_digits: next(),
        initiator: next(),
        labels: next().into_iter().collect(),
        receipt_files: next().into_iter().collect(),
        attachments: 1,
        missing_receipt: amount % 2 == 0,
    };
    let period = Period {
        from: next(),
        until: next(),
    };
    for format in [
        Format::Csv,
        Format::Json,
        Format::Ofx(OfxText::Utf8),
        Format::Ofx(OfxText::Ascii),
        Format::Camt053(CamtVersion::V02),
        Format::Camt053(CamtVersion::V04),
        Format::Camt053(CamtVersion::V08),
    ] {
        let mut out = Vec::new();
        {
            let Ok(mut writer) = sink(format, CsvStyle::for_decimal(',', true), Box::new(&mut out), chrono::Utc::now()) else {
                continue;
            };
            let _ = writer.account(&head, &period);
            let _ = writer.row(&head, &row);
            let _ = writer.end_account(&head, &period);
            let _ = writer.finish();
        }
        let written = String::from_utf8(out).expect("UTF-8 out");
        if format == Format::Ofx(OfxText::Ascii) {
            assert!(written.is_ascii(), "ASCII OFX carries {written:?}");
        }
        if matches!(format, Format::Ofx(_) | Format::Camt053(_)) {
            assert!(
                !written.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
                "{format:?} carries a control character"
            );
        }
    }
});
