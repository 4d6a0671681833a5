//! Money as QuickBooks sends it: a JSON number with at most two decimals.
//! Sums are taken in decimal so `0.1 + 0.2` stays `0.3`.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde_json::Value;

/// The amount a JSON number (or numeric string) holds.
pub(crate) fn read(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `d` rounded to cents as a JSON number.
pub(crate) fn json(d: Decimal) -> Value {
    let cents = d.round_dp(2);
    if cents.fract().is_zero()
        && let Some(i) = cents.to_i64()
    {
        return Value::from(i);
    }
    cents
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::from(0), Value::Number)
}

/// An amount of `cents`.
pub(crate) fn cents(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sums_stay_decimal() {
        let sum = read(&json!(0.1)).unwrap() + read(&json!(0.2)).unwrap();
        assert_eq!(json(sum), json!(0.3));
        assert_eq!(json(cents(1200)), json!(12));
        assert_eq!(json(cents(1234)), json!(12.34));
        assert_eq!(read(&json!("5.5")), Some(cents(550)));
        assert_eq!(read(&json!(null)), None);
    }
}
