//! Sinks that shape what reaches another sink: only the transactions missing a receipt (a
//! bundle's `missing-receipts.csv`), or each row with the names its receipts were saved under.

use std::collections::HashMap;
use std::io;

use super::Sink;
use crate::{AccountHead, ExportRow, Period};

/// Passes on only the transactions that miss a receipt, and counts them.
pub struct OnlyMissingReceipts<'a> {
    pub sink: &'a mut dyn Sink,
    pub passed: usize,
}

impl Sink for OnlyMissingReceipts<'_> {
    fn account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()> {
        self.sink.account(head, period)
    }

    fn row(&mut self, head: &AccountHead, row: &ExportRow) -> io::Result<()> {
        if row.missing_receipt {
            self.passed += 1;
            self.sink.row(head, row)
        } else {
            Ok(())
        }
    }

    fn end_account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()> {
        self.sink.end_account(head, period)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.sink.finish()
    }
}

/// Gives each row the file names its receipts were saved under, by transaction id.
pub struct WithReceiptFiles<'a> {
    pub sink: &'a mut dyn Sink,
    pub files: &'a HashMap<String, Vec<String>>,
}

impl Sink for WithReceiptFiles<'_> {
    fn account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()> {
        self.sink.account(head, period)
    }

    fn row(&mut self, head: &AccountHead, row: &ExportRow) -> io::Result<()> {
        match self.files.get(&row.id) {
            Some(files) => {
                let mut named = row.clone();
                named.receipt_files = files.clone();
                self.sink.row(head, &named)
            }
            None => self.sink.row(head, row),
        }
    }

    fn end_account(&mut self, head: &AccountHead, period: &Period) -> io::Result<()> {
        self.sink.end_account(head, period)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.sink.finish()
    }
}
