//! The month-end board as the app holds it: the month shown, each organization's row as the
//! local copy counted it, and the cell chosen (Enter opens the list behind it).

use chrono::NaiveDate;

use qonto_books::month_end::OrgMonth;

/// The board's columns that open a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Receipts,
    Uncategorized,
    Invoices,
    Requests,
}

impl Column {
    pub const ALL: [Column; 4] = [
        Column::Receipts,
        Column::Uncategorized,
        Column::Invoices,
        Column::Requests,
    ];
}

#[derive(Debug)]
pub struct BoardView {
    /// The first day of the month shown.
    pub month: NaiveDate,
    /// Today, for "the statement is out" and how long ago each sync was.
    pub today: NaiveDate,
    /// Now, as Unix seconds, for how long ago each organization was synced.
    pub now_secs: i64,
    /// The rows of the latest answer (`None`: being read).
    pub rows: Option<Result<Vec<OrgMonth>, super::local_error::LocalCopyError>>,
    /// The answer awaited; older ones are dropped.
    pub generation: u64,
    pub row: usize,
    pub column: Column,
}

impl BoardView {
    pub fn new(today: NaiveDate, now_secs: i64) -> Self {
        Self {
            month: qonto_books::month_end::first_day(today),
            today,
            now_secs,
            rows: None,
            generation: 0,
            row: 0,
            column: Column::Receipts,
        }
    }

    pub fn ready(&self) -> &[OrgMonth] {
        match &self.rows {
            Some(Ok(rows)) => rows,
            _ => &[],
        }
    }

    pub fn chosen(&self) -> Option<&OrgMonth> {
        self.ready().get(self.row)
    }

    pub fn move_row(&mut self, delta: isize) {
        let last = self.ready().len().saturating_sub(1);
        self.row = self.row.saturating_add_signed(delta).min(last);
    }

    pub fn move_column(&mut self, delta: isize) {
        let at = Column::ALL
            .iter()
            .position(|c| *c == self.column)
            .unwrap_or(0);
        let to = at.saturating_add_signed(delta).min(Column::ALL.len() - 1);
        self.column = Column::ALL[to];
    }

    /// Whether the month's statement is out: Qonto issues it on the first day of the next
    /// month.
    pub fn statement_out(&self) -> bool {
        self.today >= qonto_books::month_end::next_month(self.month)
    }
}
