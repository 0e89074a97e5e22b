//! How numbers and dates are written for the user's locale (`LC_ALL`, `LC_NUMERIC`, `LANG`, or
//! the config's `locale`): `219 799,12 €` and `19/11/2026` in French, `€219,799.12` and
//! `11/19/2026` in American English, ISO dates and `219,799.12 €` where nothing is known. Only a
//! few conventions, written out here: pulling a locale database in for these would weigh more
//! than the whole app.

/// The conventions the screen uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale {
    /// Between groups of three digits.
    pub group: &'static str,
    pub decimal: char,
    /// `€1.00` rather than `1.00 €`.
    pub symbol_first: bool,
    pub dates: DateOrder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// 2026-11-19
    Iso,
    /// 19/11/2026
    DayMonthYear(char),
    /// 11/19/2026
    MonthDayYear,
}

/// A no-break space: a grouped number never breaks across lines.
const NBSP: &str = "\u{a0}";

impl Default for Locale {
    /// What the app showed before it read the locale, for `C`/`POSIX` and unknown ones.
    fn default() -> Self {
        Self {
            group: ",",
            decimal: '.',
            symbol_first: false,
            dates: DateOrder::Iso,
        }
    }
}

impl Locale {
    /// From a locale name such as `fr_FR.UTF-8`, `de_DE`, `en_US`, `C`.
    pub fn from_name(name: &str) -> Self {
        let name = name.split(['.', '@']).next().unwrap_or_default();
        let (language, region) = name.split_once(['_', '-']).unwrap_or((name, ""));
        let comma_decimal = |group: &'static str, dates| Self {
            group,
            decimal: ',',
            symbol_first: false,
            dates,
        };
        match language.to_ascii_lowercase().as_str() {
            "fr" => comma_decimal(NBSP, DateOrder::DayMonthYear('/')),
            "de" | "at" => comma_decimal(".", DateOrder::DayMonthYear('.')),
            "es" | "it" | "pt" => comma_decimal(".", DateOrder::DayMonthYear('/')),
            "nl" => comma_decimal(".", DateOrder::DayMonthYear('-')),
            "en" if region.eq_ignore_ascii_case("US") => Self {
                symbol_first: true,
                dates: DateOrder::MonthDayYear,
                ..Self::default()
            },
            "en" => Self {
                symbol_first: true,
                dates: DateOrder::DayMonthYear('/'),
                ..Self::default()
            },
            _ => Self::default(),
        }
    }

    /// The locale the environment names for numbers: `LC_ALL`, then `LC_NUMERIC`, then `LANG`.
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Self {
        ["LC_ALL", "LC_NUMERIC", "LANG"]
            .into_iter()
            .find_map(|k| env(k).filter(|v| !v.is_empty()))
            .map(|name| Self::from_name(&name))
            .unwrap_or_default()
    }

    /// `1234567` → `1 234 567` (fr), `1,234,567` (en).
    pub fn count(&self, n: i64) -> String {
        let sign = if n < 0 { "-" } else { "" };
        format!("{sign}{}", self.grouped(n.unsigned_abs()))
    }

    fn grouped(&self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.group);
            }
            out.push(c);
        }
        out
    }

    /// `1234567` cents → `12 345,67 €` (fr), `€12,345.67` (en); other currencies by their code.
    pub fn money(&self, cents: i64, currency: &str) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        let mut number = self.grouped(abs / 100);
        number.push(self.decimal);
        number.push_str(&format!("{:02}", abs % 100));
        let euro = currency.eq_ignore_ascii_case("EUR");
        match (euro, self.symbol_first) {
            (true, true) => format!("{sign}€{number}"),
            (true, false) => format!("{sign}{number}{NBSP}€"),
            (false, _) => format!("{sign}{number}{NBSP}{}", currency.to_uppercase()),
        }
    }

    /// A signed amount with an explicit `+` for credits.
    pub fn signed_money(&self, cents: i64, currency: &str) -> String {
        let plain = self.money(cents, currency);
        if cents > 0 {
            format!("+{plain}")
        } else {
            plain
        }
    }

    /// `2026-11-19T14:02:11.000Z` → the date in this locale's order; anything else as it came.
    pub fn date(&self, raw: &str) -> String {
        let Some(iso) = raw
            .get(..10)
            .filter(|d| d.as_bytes().get(4) == Some(&b'-') && d.as_bytes().get(7) == Some(&b'-'))
        else {
            return raw.to_string();
        };
        let (y, m, d) = (&iso[..4], &iso[5..7], &iso[8..10]);
        match self.dates {
            DateOrder::Iso => iso.to_string(),
            DateOrder::DayMonthYear(sep) => format!("{d}{sep}{m}{sep}{y}"),
            DateOrder::MonthDayYear => format!("{m}/{d}/{y}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_american_german_and_unknown() {
        let fr = Locale::from_name("fr_FR.UTF-8");
        assert_eq!(fr.money(21_979_912, "EUR"), "219\u{a0}799,12\u{a0}€");
        assert_eq!(fr.signed_money(-5, "eur"), "-0,05\u{a0}€");
        assert_eq!(fr.date("2026-11-19T14:02:11.000Z"), "19/11/2026");
        let us = Locale::from_name("en_US.UTF-8");
        assert_eq!(us.money(21_979_912, "EUR"), "€219,799.12");
        assert_eq!(us.signed_money(100, "USD"), "+1.00\u{a0}USD");
        assert_eq!(us.date("2026-11-19"), "11/19/2026");
        let de = Locale::from_name("de_DE@euro");
        assert_eq!(de.money(100_000, "EUR"), "1.000,00\u{a0}€");
        assert_eq!(de.date("2026-11-19"), "19.11.2026");
        let c = Locale::from_name("C");
        assert_eq!(c.money(1_234_567, "EUR"), "12,345.67\u{a0}€");
        assert_eq!(c.date("2026-11-19T00:00:00Z"), "2026-11-19");
        assert_eq!(c.date("yesterday"), "yesterday");
    }

    #[test]
    fn lc_all_wins_over_lc_numeric_over_lang() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let fr = Locale::from_name("fr_FR");
        assert_eq!(Locale::from_env(&env(&[("LANG", "fr_FR.UTF-8")])), fr);
        assert_eq!(
            Locale::from_env(&env(&[("LANG", "en_US"), ("LC_NUMERIC", "fr_FR")])),
            fr
        );
        assert_eq!(
            Locale::from_env(&env(&[("LC_ALL", "fr_FR"), ("LC_NUMERIC", "en_US")])),
            fr
        );
        assert_eq!(Locale::from_env(&env(&[])), Locale::default());
    }
}
