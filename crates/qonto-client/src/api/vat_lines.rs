//! A transaction's VAT lines (`includes[]=vat_details`). Qonto documents the include but not
//! its shape: an object whose `items` hold one line per rate is what a production-tested
//! client types, a bare list is accepted too, and a line that cannot be read is left out.

use serde::{Deserialize, Deserializer, Serialize};

/// The most lines read from one transaction (Qonto takes up to eight rates on one).
const MAX_LINES: usize = 16;

/// One VAT rate's part of a transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VatLine {
    /// Percent (20.0 for 20 %).
    pub rate: Option<f64>,
    pub vat_amount_cents: Option<i64>,
    /// The gross amount taxed at this rate.
    pub amount_cents: Option<i64>,
}

fn number(item: &serde_json::Value, key: &str) -> Option<f64> {
    match item.get(key)? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

fn cents(item: &serde_json::Value, key: &str) -> Option<i64> {
    number(item, key).map(|f| f.round() as i64)
}

/// The lines of `vat_details`, whatever form it takes; none when it is missing or unreadable.
pub(crate) fn lenient_vat_lines<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<VatLine>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    let items = match &v {
        Some(serde_json::Value::Object(o)) => o.get("items").and_then(|i| i.as_array()),
        Some(serde_json::Value::Array(items)) => Some(items),
        _ => None,
    };
    Ok(items
        .into_iter()
        .flatten()
        .filter(|item| item.is_object())
        .take(MAX_LINES)
        .map(|item| VatLine {
            rate: number(item, "vat_rate"),
            vat_amount_cents: cents(item, "vat_amount_cents"),
            amount_cents: cents(item, "amount_cents"),
        })
        .filter(|l| l.rate.is_some() || l.vat_amount_cents.is_some())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "lenient_vat_lines")]
        vat_details: Vec<VatLine>,
    }

    fn lines(json: &str) -> Vec<VatLine> {
        serde_json::from_str::<Holder>(json)
            .map(|h| h.vat_details)
            .unwrap_or_default()
    }

    #[test]
    fn items_or_a_list_are_read_and_anything_else_is_none() {
        let split = r#"{"vat_details":{"items":[
            {"vat_rate":10.0,"vat_amount_cents":455,"amount_cents":5000},
            {"vat_rate":"20","vat_amount":"3.90","vat_amount_cents":"390","amount_cents":2340}]}}"#;
        let read = lines(split);
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].rate, Some(20.0));
        assert_eq!(read[1].vat_amount_cents, Some(390));
        assert_eq!(lines(r#"{"vat_details":[{"vat_rate":5.5}]}"#).len(), 1);
        for odd in [
            r#"{"vat_details":null}"#,
            r#"{"vat_details":"x"}"#,
            r#"{"vat_details":{"items":[1,"a",{}]}}"#,
            "{}",
        ] {
            assert!(lines(odd).is_empty(), "{odd}");
        }
        let many = format!(
            r#"{{"vat_details":[{}]}}"#,
            vec![r#"{"vat_rate":1}"#; 100].join(",")
        );
        assert_eq!(lines(&many).len(), MAX_LINES);
    }
}
