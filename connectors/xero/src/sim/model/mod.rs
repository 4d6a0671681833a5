//! Typed Xero objects, field names and order exactly as Xero sends them.
//!
//! Every field is optional so that the same structs read partial request
//! bodies and write complete stored objects; `None` is never serialized.
//! Amounts are [`Fixed`] decimals printed with Xero's fixed decimals
//! (`40.00`, `2.0000`, `1.000000`), never floats.
#![allow(non_snake_case)]

/// Declares a Xero object struct whose fields are all optional and skipped
/// when absent, in the declared (Xero's) order.
macro_rules! xero_object {
    ($(#[$m:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        pub(crate) struct $name {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }
    };
}

mod contact;
mod documents;
mod settings;
mod transactions;

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

pub(crate) use contact::*;
pub(crate) use documents::*;
pub(crate) use settings::*;
pub(crate) use transactions::*;

/// A decimal printed as a JSON number with exactly `DP` decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Fixed<const DP: u32>(pub Decimal);

/// Amounts: two decimals (`40.00`).
pub(crate) type Money = Fixed<2>;
/// Quantities and tax rates: four decimals (`2.0000`).
pub(crate) type Qty = Fixed<4>;
/// Currency rates: six decimals (`1.000000`).
pub(crate) type Rate = Fixed<6>;

impl<const DP: u32> Fixed<DP> {
    /// Rounds to `DP` decimals (banker's rounding is not what Xero does:
    /// it rounds half away from zero).
    pub(crate) fn new(d: Decimal) -> Self {
        Self(d.round_dp_with_strategy(DP, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
    }

    /// The JSON text of this number, with exactly `DP` decimals.
    pub(crate) fn text(&self) -> String {
        let d = if self.0.scale() > DP {
            self.0
                .round_dp_with_strategy(DP, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        } else {
            self.0
        };
        // Integer arithmetic on the mantissa: much faster than Decimal's Display.
        let m = d.mantissa() * 10i128.pow(DP - d.scale().min(DP));
        let sign = if m < 0 { "-" } else { "" };
        let abs = m.unsigned_abs();
        let unit = 10u128.pow(DP);
        if DP == 0 {
            format!("{sign}{abs}")
        } else {
            format!(
                "{sign}{}.{:0width$}",
                abs / unit,
                abs % unit,
                width = DP as usize
            )
        }
    }
}

impl<const DP: u32> Serialize for Fixed<DP> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.text()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

struct FixedVisitor;

impl Visitor<'_> for FixedVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // The shortest round-trip text of the float is the decimal the sender wrote.
        parse_decimal(&v.to_string()).ok_or_else(|| E::custom(format!("{v} is not a valid amount")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).ok_or_else(|| E::custom(format!("'{v}' is not a valid amount")))
    }
}

/// Parses a decimal in plain or scientific notation.
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    Decimal::from_str(s)
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
}

impl<'de, const DP: u32> Deserialize<'de> for Fixed<DP> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FixedVisitor).map(Fixed)
    }
}

/// One message of a `ValidationErrors` array.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct ValidationError {
    pub Message: String,
}

impl ValidationError {
    pub(crate) fn list(messages: &[String]) -> Vec<ValidationError> {
        messages
            .iter()
            .map(|m| ValidationError { Message: m.clone() })
            .collect()
    }
}

xero_object!(
    /// The contact summary embedded in invoices, credit notes and bank transactions.
    ContactRef {
    ContactID: Uuid,
    ContactNumber: String,
    Name: String,
    Addresses: Vec<Value>,
    Phones: Vec<Value>,
    ContactGroups: Vec<Value>,
    ContactPersons: Vec<Value>,
    HasValidationErrors: bool,
});

impl ContactRef {
    /// The summary form Xero embeds in list responses.
    pub(crate) fn summary(id: Uuid, name: &str) -> Self {
        Self {
            ContactID: Some(id),
            ContactNumber: None,
            Name: Some(name.to_string()),
            Addresses: Some(Vec::new()),
            Phones: Some(Vec::new()),
            ContactGroups: Some(Vec::new()),
            ContactPersons: Some(Vec::new()),
            HasValidationErrors: Some(false),
        }
    }
}

xero_object!(
    /// An account reference (`BankAccount` of a bank transaction, `Account` of a payment).
    AccountRef {
    AccountID: Uuid,
    Code: String,
    Name: String,
});

xero_object!(
    /// A tracking category option chosen on a line.
    TrackingRef {
    TrackingCategoryID: Uuid,
    TrackingOptionID: Uuid,
    Name: String,
    Option: String,
});

xero_object!(
    /// A payment as embedded in an invoice's `Payments`.
    PaymentRef {
    PaymentID: Uuid,
    Date: String,
    Amount: Money,
    Reference: String,
    CurrencyRate: Rate,
    HasAccount: bool,
    HasValidationErrors: bool,
});

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn fixed_prints_xero_decimals() {
        let m = Money::new(dec("40"));
        assert_eq!(serde_json::to_string(&m).unwrap(), "40.00");
        assert_eq!(
            serde_json::to_string(&Qty::new(dec("2"))).unwrap(),
            "2.0000"
        );
        assert_eq!(
            serde_json::to_string(&Rate::new(dec("1"))).unwrap(),
            "1.000000"
        );
        assert_eq!(Money::new(dec("1.005")).text(), "1.01");
        assert_eq!(Money::new(dec("-100")).text(), "-100.00");
        assert_eq!(Money::new(dec("-0.5")).text(), "-0.50");
        assert_eq!(Fixed::<2>(dec("1.239")).text(), "1.24");
        assert_eq!(Qty::new(dec("0.0001")).text(), "0.0001");
        assert_eq!(Money::new(dec("123456789012.3")).text(), "123456789012.30");
    }

    #[test]
    fn fixed_reads_numbers_and_strings() {
        let m: Money = serde_json::from_str("46.15").unwrap();
        assert_eq!(m.0, dec("46.15"));
        let m: Money = serde_json::from_str("\"12.5\"").unwrap();
        assert_eq!(m.0, dec("12.5"));
        let m: Money = serde_json::from_value(serde_json::json!(3)).unwrap();
        assert_eq!(m.0, dec("3"));
        assert!(serde_json::from_str::<Money>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
    }

    #[test]
    fn refs_skip_absent_fields() {
        let r = AccountRef {
            Code: Some("200".into()),
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"Code":"200"}"#);
    }
}
