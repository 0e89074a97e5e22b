//! The search's filters as a form, for those who would rather fill in fields than type the
//! query syntax: read from a query's text, and written back to it (the one source of truth).

use chrono::NaiveDate;

use qonto_books::query::{AmountRange, Negated, Query, Sort, parse};

/// One line of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Words,
    AmountAtLeast,
    AmountAtMost,
    From,
    To,
    Side,
    Status,
    Org,
    Account,
    Label,
    Type,
    Category,
    MissingReceipt,
    Uncategorized,
    Sort,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Words,
        Field::AmountAtLeast,
        Field::AmountAtMost,
        Field::From,
        Field::To,
        Field::Side,
        Field::Status,
        Field::Org,
        Field::Account,
        Field::Label,
        Field::Type,
        Field::Category,
        Field::MissingReceipt,
        Field::Uncategorized,
        Field::Sort,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Words => "Words",
            Field::AmountAtLeast => "Amount at least",
            Field::AmountAtMost => "Amount at most",
            Field::From => "From (YYYY-MM-DD)",
            Field::To => "To (YYYY-MM-DD)",
            Field::Side => "Side",
            Field::Status => "Status",
            Field::Org => "Organization",
            Field::Account => "Account",
            Field::Label => "Label",
            Field::Type => "Operation type",
            Field::Category => "Cash-flow category",
            Field::MissingReceipt => "Missing receipt",
            Field::Uncategorized => "Uncategorized",
            Field::Sort => "Order",
        }
    }

    /// The values a choice field steps through (`None`: typed).
    pub fn choices(self) -> Option<&'static [&'static str]> {
        match self {
            Field::Side => Some(&["any", "debit", "credit"]),
            Field::Status => Some(&["any", "pending", "completed", "declined"]),
            Field::MissingReceipt | Field::Uncategorized => Some(&["no", "yes"]),
            Field::Sort => Some(&["date", "amount", "org"]),
            _ => None,
        }
    }
}

/// Every field's text (a choice field holds one of its choices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub values: Vec<String>,
    /// What the form has no line for, kept as written: `a OR b`, `-word`, `-label:x`.
    pub kept: Vec<String>,
}

fn units(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// A value with spaces is quoted, as the syntax reads it.
fn quoted(value: &str) -> String {
    if value.contains(char::is_whitespace) {
        format!("\"{value}\"")
    } else {
        value.to_string()
    }
}

/// The parts of `q` the form has no line for, as the query writes them.
fn kept_tokens(q: &Query) -> Vec<String> {
    let mut tokens: Vec<String> = q.any_words.iter().map(|group| group.join(" OR ")).collect();
    tokens.extend(q.not_words.iter().map(|w| format!("-{w}")));
    tokens.extend(q.not.iter().map(|n| {
        let (key, value) = match n {
            Negated::Side(v) => ("side", v),
            Negated::Status(v) => ("status", v),
            Negated::Org(v) => ("org", v),
            Negated::Account(v) => ("account", v),
            Negated::Label(v) => ("label", v),
            Negated::Category(v) => ("category", v),
            Negated::Type(v) => ("type", v),
        };
        format!("-{key}:{}", quoted(value))
    }));
    tokens
}

impl Form {
    /// The form of `text`; `None` when it cannot be read (the query line says why).
    pub fn from_text(text: &str) -> Option<Form> {
        let q = parse(text).ok()?;
        let day = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        let AmountRange { min, max } = q.amount;
        let values = Field::ALL
            .iter()
            .map(|field| match field {
                Field::Words => q.words.join(" "),
                Field::AmountAtLeast => min.map(units).unwrap_or_default(),
                Field::AmountAtMost => max.map(units).unwrap_or_default(),
                Field::From => day(q.period.map(|p| p.0)).unwrap_or_default(),
                Field::To => day(q.period.map(|p| p.1)).unwrap_or_default(),
                Field::Side => q.side.clone().unwrap_or_else(|| "any".into()),
                Field::Status => q.status.clone().unwrap_or_else(|| "any".into()),
                Field::Org => q.org.clone().unwrap_or_default(),
                Field::Account => q.account.clone().unwrap_or_default(),
                Field::Label => q.label.clone().unwrap_or_default(),
                Field::Type => q.operation_type.clone().unwrap_or_default(),
                Field::Category => q.category.clone().unwrap_or_default(),
                Field::MissingReceipt => if q.missing_receipt { "yes" } else { "no" }.into(),
                Field::Uncategorized => if q.uncategorized { "yes" } else { "no" }.into(),
                Field::Sort => match q.sort {
                    Sort::Date => "date",
                    Sort::Amount => "amount",
                    Sort::Org => "org",
                }
                .into(),
            })
            .collect();
        Some(Form {
            values,
            kept: kept_tokens(&q),
        })
    }

    pub fn value(&self, field: Field) -> &str {
        Field::ALL
            .iter()
            .position(|f| *f == field)
            .and_then(|i| self.values.get(i))
            .map_or("", String::as_str)
    }

    /// The query text the form says.
    pub fn to_text(&self) -> String {
        let mut tokens: Vec<String> = Vec::new();
        let v = |f| self.value(f).trim().to_string();
        if !v(Field::Words).is_empty() {
            tokens.push(v(Field::Words));
        }
        if !v(Field::AmountAtLeast).is_empty() {
            tokens.push(format!(">={}", v(Field::AmountAtLeast)));
        }
        if !v(Field::AmountAtMost).is_empty() {
            tokens.push(format!("<={}", v(Field::AmountAtMost)));
        }
        match (v(Field::From), v(Field::To)) {
            (from, to) if !from.is_empty() && !to.is_empty() => {
                tokens.push(format!("{from}..{to}"))
            }
            (from, _) if !from.is_empty() => tokens.push(format!("{from}..9999-12-31")),
            (_, to) if !to.is_empty() => tokens.push(format!("0001-01-01..{to}")),
            _ => {}
        }
        for (field, key) in [(Field::Side, "side"), (Field::Status, "status")] {
            let value = v(field);
            if !value.is_empty() && value != "any" {
                tokens.push(format!("{key}:{value}"));
            }
        }
        for (field, key) in [
            (Field::Org, "org"),
            (Field::Account, "account"),
            (Field::Label, "label"),
            (Field::Type, "type"),
            (Field::Category, "category"),
        ] {
            let value = v(field);
            if !value.is_empty() {
                tokens.push(format!("{key}:{}", quoted(&value)));
            }
        }
        if v(Field::MissingReceipt) == "yes" {
            tokens.push("missing:receipt".into());
        }
        if v(Field::Uncategorized) == "yes" {
            tokens.push("uncategorized".into());
        }
        tokens.extend(self.kept.iter().cloned());
        match v(Field::Sort).as_str() {
            "amount" => tokens.push(Sort::Amount.token().into()),
            "org" => tokens.push(Sort::Org.token().into()),
            _ => {}
        }
        tokens.join(" ")
    }

    /// Steps a choice field to its next (or previous) choice.
    pub fn step(&mut self, field: Field, forward: bool) {
        let Some(choices) = field.choices() else {
            return;
        };
        let Some(i) = Field::ALL.iter().position(|f| *f == field) else {
            return;
        };
        let Some(value) = self.values.get_mut(i) else {
            return;
        };
        let at = choices.iter().position(|c| c == value).unwrap_or(0);
        let next = if forward {
            (at + 1) % choices.len()
        } else {
            (at + choices.len() - 1) % choices.len()
        };
        *value = choices[next].to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_goes_through_the_form_and_back_meaning_the_same() {
        for text in [
            "urssaf >1000 2026-10 missing:receipt org:brasserie",
            "100..250.50 side:credit status:pending label:\"frais généraux\" type:card",
            "sort:org missing:receipt",
            "sort:amount urssaf OR dgfip -remboursement -label:\"frais généraux\" -side:credit",
            "uncategorized category:\"social charges\" urssaf",
            // The fuzzer's: the word in any clothing is the filter.
            "=>uncategorized",
            // Its other: a spacing mark at a value's end folds to a space, trimmed by both.
            "org:&p>\u{fffd}n\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{a8}",
            "",
        ] {
            let form = Form::from_text(text).unwrap_or_else(|| panic!("{text}"));
            let back = form.to_text();
            assert_eq!(parse(&back).ok(), parse(text).ok(), "{text} → {back}");
        }
        assert!(Form::from_text("side:sideways").is_none());
    }

    #[test]
    fn choices_step_round() {
        let mut form = Form::from_text("").unwrap_or_else(|| panic!("empty"));
        form.step(Field::Side, true);
        assert_eq!(form.to_text(), "side:debit");
        form.step(Field::Side, false);
        form.step(Field::Side, false);
        assert_eq!(form.to_text(), "side:credit");
        form.step(Field::MissingReceipt, true);
        assert_eq!(form.to_text(), "side:credit missing:receipt");
    }
}
