//! The VAT a transaction carries: none, one rate, or a bill split over several rates (Qonto lets
//! a user enter up to eight rates on one transaction), and the lines `includes[]=vat_details`
//! lists.

/// A share of a transaction's gross amount, taxed at one rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VatShare {
    /// Percent, as Qonto writes `vat_rate` (20.0 for 20 %).
    pub rate: f64,
    /// Thousandths of the gross amount; a split's shares add up to 1,000.
    pub per_mille: i64,
}

/// A restaurant bill in France: the meal at 10 %, the drinks at 20 %.
pub const MEAL: &[VatShare] = &[
    VatShare {
        rate: 10.0,
        per_mille: 700,
    },
    VatShare {
        rate: 20.0,
        per_mille: 300,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Vat {
    #[default]
    None,
    Rate(f64),
    Split(&'static [VatShare]),
}

/// One rate's part of a transaction: the gross amount taxed at it and the VAT in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VatLine {
    pub rate: f64,
    pub gross_cents: i64,
    pub vat_cents: i64,
}

impl Vat {
    /// The lines of a transaction of `amount_cents` (VAT included). The last share takes what
    /// rounding left, so the lines' gross amounts add up to the transaction's.
    pub fn lines(&self, amount_cents: i64) -> Vec<VatLine> {
        let line = |rate: f64, gross_cents: i64| VatLine {
            rate,
            gross_cents,
            vat_cents: (gross_cents as f64 * rate / (100.0 + rate)).round() as i64,
        };
        match *self {
            Vat::None => Vec::new(),
            Vat::Rate(rate) => vec![line(rate, amount_cents)],
            Vat::Split(shares) => {
                let mut left = amount_cents;
                let mut lines = Vec::with_capacity(shares.len());
                for (i, share) in shares.iter().enumerate() {
                    let gross = if i + 1 == shares.len() {
                        left
                    } else {
                        amount_cents * share.per_mille / 1000
                    };
                    left -= gross;
                    lines.push(line(share.rate, gross));
                }
                lines
            }
        }
    }

    /// `vat_amount_cents`: the VAT of every line, or none when no VAT was entered.
    pub fn amount_cents(&self, amount_cents: i64) -> Option<i64> {
        match self {
            Vat::None => None,
            _ => Some(self.lines(amount_cents).iter().map(|l| l.vat_cents).sum()),
        }
    }

    /// `vat_rate`: a split has no single rate, so it is null there.
    pub fn single_rate(&self) -> Option<f64> {
        match *self {
            Vat::Rate(rate) => Some(rate),
            Vat::None | Vat::Split(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_bill_adds_up_to_the_transaction() {
        let lines = Vat::Split(MEAL).lines(4_999);
        assert_eq!(lines.iter().map(|l| l.gross_cents).sum::<i64>(), 4_999);
        assert_eq!(lines[0].gross_cents, 3_499);
        assert_eq!(lines[0].vat_cents, 318); // 3,499 × 10 / 110 = 318.09
        assert_eq!(lines[1].vat_cents, 250); // 1,500 × 20 / 120
        assert_eq!(Vat::Split(MEAL).amount_cents(4_999), Some(568));
        assert_eq!(Vat::Split(MEAL).single_rate(), None);
    }

    #[test]
    fn one_rate_and_none() {
        assert_eq!(Vat::Rate(20.0).amount_cents(1_200), Some(200));
        assert_eq!(Vat::Rate(20.0).single_rate(), Some(20.0));
        assert_eq!(Vat::None.amount_cents(1_200), None);
        assert!(Vat::None.lines(1_200).is_empty());
    }
}
