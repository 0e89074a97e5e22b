//! JSON lines: one transaction per line with its organization and account, amounts in signed
//! integer cents and as an exact decimal string; every string stripped of control characters.

use std::io::{self, BufWriter, Write};

use serde_json::json;

use super::Sink;
use super::money::decimal;
use super::text::clean;
use crate::{AccountHead, ExportRow, Period};

pub struct JsonLines<'a> {
    out: BufWriter<Box<dyn Write + 'a>>,
}

impl<'a> JsonLines<'a> {
    pub fn new(out: Box<dyn Write + 'a>) -> Self {
        Self {
            out: BufWriter::with_capacity(64 * 1024, out),
        }
    }
}

fn text(value: Option<&str>) -> Option<String> {
    value.map(|v| clean(v, 4_000))
}

impl Sink for JsonLines<'_> {
    fn account(&mut self, _: &AccountHead, _: &Period) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, head: &AccountHead, row: &ExportRow) -> io::Result<()> {
        let line = json!({
            "id": clean(&row.id, 100),
            "org_id": clean(&head.org_id, 100),
            "org_name": clean(&head.org_name, 200),
            "account_id": clean(&head.account_id, 100),
            "account_name": clean(&head.account_name, 200),
            "iban": text(head.iban.as_deref()),
            "amount_cents": row.amount_cents,
            "amount": decimal(row.amount_cents, '.'),
            "currency": clean(&row.currency, 10),
            "side": clean(row.side.as_str(), 20),
            "status": clean(row.status.as_str(), 20),
            "operation_type": text(row.operation_type.as_ref().map(|o| o.as_str())),
            "counterparty": text(row.counterparty.as_deref()),
            "counterparty_iban": text(row.counterparty_iban.as_deref()),
            "counterparty_bic": text(row.counterparty_bic.as_deref()),
            "label": text(row.label.as_deref()),
            "reference": text(row.reference.as_deref()),
            "note": text(row.note.as_deref()),
            "category": text(row.category.as_deref()),
            "cashflow_category": text(row.cashflow_category.as_deref()),
            "cashflow_subcategory": text(row.cashflow_subcategory.as_deref()),
            "booked_on": row.booked_on(),
            "emitted_at": text(row.emitted_at.as_deref()),
            "settled_at": text(row.settled_at.as_deref()),
            "vat_amount_cents": row.vat_amount_cents,
            "vat_rate": row.vat_rate.filter(|r| r.is_finite()),
            "vat_lines": row.vat_lines.iter().map(|l| json!({
                "rate": l.rate.filter(|r| r.is_finite()),
                "vat_amount_cents": l.vat_amount_cents,
                "amount_cents": l.amount_cents,
            })).collect::<Vec<_>>(),
            "labels": row.labels.iter().map(|l| clean(l, 200)).collect::<Vec<_>>(),
            "card_last_digits": text(row.card_last_digits.as_deref()),
            "initiator": text(row.initiator.as_deref()),
            "attachments": row.attachments,
            "receipt_files": row.receipt_files.iter().map(|f| clean(f, 300)).collect::<Vec<_>>(),
            "missing_receipt": row.missing_receipt,
        });
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")
    }

    fn end_account(&mut self, _: &AccountHead, _: &Period) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
