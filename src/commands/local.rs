//! The local copy of the books as commands that read it open it, and the organizations and
//! periods they name.

use chrono::{Datelike, NaiveDate};

use qonto_books::{BooksHandle, Period};

use crate::config::Config;

/// The books (on their own thread), or why there are none to read.
pub async fn open_copy(config: &Config) -> anyhow::Result<BooksHandle> {
    crate::local_copy::open_to_read(config).await
}

/// A mistake in what was asked (exit code 2), as opposed to a failure.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

pub use super::org_names::{choose_orgs, choose_orgs_reached, logins};

/// A day as typed: `YYYY-MM-DD`, or `YYYY-MM` for the month's first day (`last`: its last).
fn parse_day(text: &str, last: bool) -> Result<NaiveDate, Usage> {
    let bad = || {
        Usage(format!(
            "{text:?} is not a date: write YYYY-MM-DD or YYYY-MM"
        ))
    };
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day);
    }
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    if !last {
        return Ok(first);
    }
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).ok_or_else(bad)
}

/// The period `--from`/`--to` (both inclusive) or `--month` name.
pub fn period(from: Option<&str>, to: Option<&str>, month: Option<&str>) -> Result<Period, Usage> {
    let (from, to) = match month {
        Some(m) => {
            if NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_err() {
                return Err(Usage(format!("{m:?} is not a month: write YYYY-MM")));
            }
            (Some(m), Some(m))
        }
        None => (from, to),
    };
    let first = from.map(|f| parse_day(f, false)).transpose()?;
    let last = to.map(|t| parse_day(t, true)).transpose()?;
    if let (Some(first), Some(last)) = (first, last)
        && last < first
    {
        return Err(Usage(format!(
            "the period ends ({last}) before it begins ({first})"
        )));
    }
    Ok(Period {
        from: first.map(|d| d.to_string()),
        until: last.and_then(|d| d.succ_opt()).map(|d| d.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_inclusive_days_or_whole_months() {
        let p = period(None, None, Some("2026-02")).unwrap();
        assert_eq!(p.from.as_deref(), Some("2026-02-01"));
        assert_eq!(p.until.as_deref(), Some("2026-03-01"));
        let p = period(Some("2026-12-05"), Some("2026-12"), None).unwrap();
        assert_eq!(p.until.as_deref(), Some("2027-01-01"));
        assert!(period(Some("2026-10-02"), Some("2026-10-01"), None).is_err());
        assert!(period(Some("yesterday"), None, None).is_err());
    }
}
