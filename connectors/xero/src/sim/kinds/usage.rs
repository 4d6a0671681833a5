//! Whether a setting (an account, a tracking category or option) is used on
//! a transaction: Xero deletes only unused ones; used ones must be archived.

use uuid::Uuid;

use crate::sim::collections::Kind;
use crate::sim::store::Dataset;

/// The kinds whose objects are transactions that name accounts and tracking.
const TRANSACTIONS: [Kind; 5] = [
    Kind::Invoices,
    Kind::CreditNotes,
    Kind::BankTransactions,
    Kind::ManualJournals,
    Kind::Payments,
];

/// The JSON text of `"field":"value"` as stored objects carry it.
fn needle(field: &str, value: &str) -> String {
    format!("\"{field}\":{}", serde_json::Value::from(value))
}

/// Whether any transaction's stored JSON contains one of `needles`. Stored
/// objects keep their lines, so a text search over them finds every use
/// (a `DELETE` is rare: a scan is cheap enough).
fn any_transaction_has(data: &Dataset, needles: &[String]) -> bool {
    TRANSACTIONS.iter().any(|k| {
        data.col(*k)
            .iter()
            .any(|(_, e)| needles.iter().any(|n| e.raw.contains(n.as_str())))
    })
}

/// Whether the account `id` with `code` is used on a transaction: a line's
/// `AccountCode`/`AccountID`, a bank transaction's `BankAccount` or a
/// payment's `Account`. Documents of any status count.
pub(crate) fn account_used(data: &Dataset, id: Uuid, code: Option<&str>) -> bool {
    let mut needles = vec![needle("AccountID", &id.to_string())];
    if let Some(code) = code.filter(|c| !c.is_empty()) {
        needles.push(needle("AccountCode", code));
        needles.push(needle("Code", code));
    }
    any_transaction_has(data, &needles)
}

/// Whether a line of a transaction is tracked with the category `id`.
pub(crate) fn tracking_category_used(data: &Dataset, id: Uuid) -> bool {
    any_transaction_has(data, &[needle("TrackingCategoryID", &id.to_string())])
}

/// Whether a line of a transaction is tracked with the option `id`.
pub(crate) fn tracking_option_used(data: &Dataset, id: Uuid) -> bool {
    any_transaction_has(data, &[needle("TrackingOptionID", &id.to_string())])
}

#[cfg(test)]
mod tests {
    use super::needle;

    #[test]
    fn needles_are_json_text() {
        assert_eq!(needle("Code", "200"), r#""Code":"200""#);
        assert_eq!(needle("Code", "a\"b"), r#""Code":"a\"b""#);
    }
}
