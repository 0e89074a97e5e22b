//! Qonto's enumerated values as types: a transaction's side, status and operation type. Each
//! keeps a value Qonto adds later as `Other` (never an error, never lost), and reads from and
//! writes as the same text Qonto sends, so the JSON and files the app writes are unchanged.

macro_rules! qonto_value {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version does not know, as Qonto sent it.
            Other(String),
        }

        impl $name {
            /// The value as Qonto names it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Ok($name::from(text.as_str()))
            }
        }
    };
}

qonto_value!(
    /// Money in or out.
    Side {
        Credit = "credit",
        Debit = "debit",
    }
);

qonto_value!(
    /// Where a transaction stands.
    Status {
        Pending = "pending",
        Completed = "completed",
        Declined = "declined",
    }
);

qonto_value!(
    /// What kind of operation it is (Qonto's list is open: more appear over time).
    OperationType {
        Card = "card",
        Transfer = "transfer",
        Income = "income",
        DirectDebit = "direct_debit",
        QontoFee = "qonto_fee",
        Cheque = "cheque",
        Recall = "recall",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_are_typed_and_new_ones_kept_as_sent() {
        assert_eq!(Side::from("credit"), Side::Credit);
        assert_eq!(Status::from("declined"), Status::Declined);
        assert_eq!(
            OperationType::from("direct_debit"),
            OperationType::DirectDebit
        );
        let later = OperationType::from("pay_later");
        assert_eq!(later, OperationType::Other("pay_later".into()));
        assert_eq!(later.as_str(), "pay_later");
        // Written back exactly as read, known or not.
        for text in ["card", "transfer", "swift_income", "Card"] {
            assert_eq!(OperationType::from(text).as_str(), text);
            let json = serde_json::to_string(&OperationType::from(text)).unwrap_or_default();
            assert_eq!(json, format!("\"{text}\""));
        }
    }
}
