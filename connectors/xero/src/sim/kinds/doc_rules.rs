//! Rules shared by invoices and credit notes: status transitions, dates,
//! currencies.

use rust_decimal::Decimal;

use super::{BASE_CURRENCY, CURRENCIES};
use crate::sim::dates::{date_string, parse_request_date, xero_date};
use crate::sim::model::Rate;

/// Checks a document status change; `None` = allowed.
pub(crate) fn transition(
    kind: &str,
    from: Option<&str>,
    to: &str,
    has_payments: bool,
) -> Option<String> {
    let valid = [
        "DRAFT",
        "SUBMITTED",
        "AUTHORISED",
        "PAID",
        "VOIDED",
        "DELETED",
    ];
    if !valid.contains(&to) {
        return Some(format!(
            "'{to}' is not a valid status for {} {kind}.",
            article(kind)
        ));
    }
    match (from, to) {
        (None, "DRAFT" | "SUBMITTED" | "AUTHORISED") => None,
        (None, _) => Some(format!(
            "{} {kind} cannot be created with a status of {to}.",
            capitalised(article(kind))
        )),
        (Some(f), t) if f == t && f != "DELETED" && f != "VOIDED" && f != "PAID" => None,
        (Some("DELETED" | "VOIDED"), _) => Some(format!(
            "{} not of valid status for modification",
            capitalised(kind)
        )),
        (Some("PAID"), _) => Some(
            "This document cannot be edited as it has a payment or credit note allocated to it."
                .to_string(),
        ),
        (Some(_), "PAID") => Some(format!(
            "The status of {} {kind} cannot be set to PAID; apply a payment instead.",
            article(kind)
        )),
        (Some("DRAFT" | "SUBMITTED"), "DRAFT" | "SUBMITTED" | "AUTHORISED" | "DELETED") => None,
        (Some("DRAFT" | "SUBMITTED"), _) => Some(format!(
            "{} {kind} with status {} cannot be voided; delete it instead.",
            capitalised(article(kind)),
            from.unwrap_or_default()
        )),
        (Some("AUTHORISED"), "VOIDED") if has_payments => Some(
            "This document cannot be voided as it has a payment or credit note allocated to it."
                .to_string(),
        ),
        (Some("AUTHORISED"), "VOIDED") => None,
        (Some("AUTHORISED"), "DELETED") => Some(format!(
            "An AUTHORISED {kind} cannot be deleted; void it instead."
        )),
        (Some(f), t) => Some(format!(
            "{} {kind} cannot change status from {f} to {t}.",
            capitalised(article(kind))
        )),
    }
}

/// "a" or "an", as the kind's first letter needs.
fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Normalised `Date`/`DueDate`: (`/Date()/`, `DateString`), or an error.
pub(crate) fn day(
    value: Option<&str>,
    field: &str,
    errors: &mut Vec<String>,
) -> Option<(String, String)> {
    let v = value?;
    match parse_request_date(v) {
        Some(ms) => Some((xero_date(ms), date_string(ms))),
        None => {
            errors.push(format!("The {field} '{v}' is not a valid date."));
            None
        }
    }
}

/// Currency code and rate of a document.
pub(crate) fn currency(
    code: Option<&str>,
    rate: Option<Rate>,
    errors: &mut Vec<String>,
) -> (String, Rate) {
    let code = code.unwrap_or(BASE_CURRENCY).to_ascii_uppercase();
    match CURRENCIES.iter().find(|(c, _)| *c == code) {
        Some((c, default)) => {
            let r = if *c == BASE_CURRENCY {
                Rate::new(Decimal::ONE)
            } else {
                rate.filter(|r| r.0 > Decimal::ZERO)
                    .unwrap_or_else(|| Rate::new(default.parse().unwrap_or(Decimal::ONE)))
            };
            (code, r)
        }
        None => {
            errors.push(format!(
                "The currency code '{code}' is not a valid currency for this organisation."
            ));
            (code, Rate::new(Decimal::ONE))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::transition;

    #[test]
    fn invoice_status_transitions() {
        assert!(transition("invoice", None, "DRAFT", false).is_none());
        assert!(transition("invoice", None, "AUTHORISED", false).is_none());
        assert!(transition("invoice", None, "PAID", false).is_some());
        assert!(transition("invoice", None, "VOIDED", false).is_some());
        assert!(transition("invoice", Some("DRAFT"), "DELETED", false).is_none());
        assert!(transition("invoice", Some("SUBMITTED"), "DELETED", false).is_none());
        assert!(transition("invoice", Some("DRAFT"), "VOIDED", false).is_some());
        assert!(transition("invoice", Some("AUTHORISED"), "VOIDED", false).is_none());
        assert!(transition("invoice", Some("AUTHORISED"), "VOIDED", true).is_some());
        assert!(transition("invoice", Some("AUTHORISED"), "DELETED", false).is_some());
        assert!(transition("invoice", Some("AUTHORISED"), "DRAFT", false).is_some());
        assert!(transition("invoice", Some("AUTHORISED"), "AUTHORISED", false).is_none());
        assert!(transition("invoice", Some("VOIDED"), "VOIDED", false).is_some());
        assert!(transition("invoice", Some("DELETED"), "DRAFT", false).is_some());
        assert!(transition("invoice", Some("PAID"), "VOIDED", true).is_some());
        assert!(transition("invoice", Some("DRAFT"), "BOGUS", false).is_some());
        assert_eq!(
            transition("invoice", Some("DRAFT"), "VOIDED", false).as_deref(),
            Some("An invoice with status DRAFT cannot be voided; delete it instead.")
        );
    }
}
