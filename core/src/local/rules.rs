//! The rules a local edit must keep before it is accepted, as the connector
//! declares them in [`WriteCapabilities`]: fields a new object must carry,
//! fields locked once the object exists at the provider, what each status
//! allows, and how (and whether) a delete is done. A refusal names the kind,
//! the record, the field and the rule, and nothing is stored.

use serde_json::Value;

use crate::{EditScope, Error, Result, WriteCapabilities};

use super::patch;

/// The record an edit is about, for messages: `invoices 42 (INV-0001)`.
pub(crate) struct Subject<'a> {
    pub kind: &'a str,
    pub key: String,
}

impl std::fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.key)
    }
}

/// A new object carries every field the provider requires.
pub(crate) fn check_create(
    subject: &Subject,
    caps: &WriteCapabilities,
    object: &Value,
) -> Result<()> {
    for field in caps.required {
        let missing = object
            .get(*field)
            .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
        if missing {
            return Err(Error::invalid(format!(
                "{subject}: field `{field}` is required for a new object"
            )));
        }
    }
    Ok(())
}

/// The fields `change` actually changes in `current`.
fn touched<'a>(current: &Value, change: &'a Value) -> Vec<&'a str> {
    patch::fields(change)
        .into_iter()
        .filter(|field| {
            let old = current.get(*field).cloned().unwrap_or(Value::Null);
            patch::apply(&old, &change[*field]) != old
        })
        .collect()
}

/// An update keeps the locked fields of an object the provider has, and
/// what the object's status allows.
pub(crate) fn check_update(
    subject: &Subject,
    caps: &WriteCapabilities,
    current: &Value,
    at_provider: bool,
    change: &Value,
) -> Result<()> {
    let fields = touched(current, change);
    if at_provider && let Some(field) = fields.iter().find(|f| caps.locked_fields.contains(f)) {
        return Err(Error::invalid(format!(
            "{subject}: field `{field}` cannot change once the object exists at the provider \
             (rule: {} are locked after export)",
            caps.locked_fields.join(", ")
        )));
    }
    let Some((status, scope)) = status_rule(caps, current) else {
        return Ok(());
    };
    let allowed: Option<&[&str]> = match scope {
        EditScope::Any => return Ok(()),
        EditScope::Nothing => Some(&[]),
        EditScope::Only(only) => Some(only),
        EditScope::AnyWhileZero { amounts, then } => {
            let all_zero = amounts.iter().all(|a| is_zero(current.get(*a)));
            if all_zero { None } else { Some(then) }
        }
    };
    let Some(allowed) = allowed else {
        return Ok(());
    };
    if let Some(field) = fields.iter().find(|f| !allowed.contains(f)) {
        let rule = if allowed.is_empty() {
            format!("nothing may change while its status is {status}")
        } else {
            format!(
                "while its status is {status} only {} may change",
                allowed.join(", ")
            )
        };
        return Err(Error::invalid(format!(
            "{subject}: field `{field}` cannot be edited (rule: {rule})"
        )));
    }
    Ok(())
}

/// What a delete will set (a status, an inactive flag), `None` for kinds
/// deleted outright. Refused where the provider does not allow it.
pub(crate) fn delete_fields(
    subject: &Subject,
    caps: &WriteCapabilities,
    current: &Value,
) -> Result<Option<Value>> {
    caps.delete_fields(current)
        .map_err(|why| Error::invalid(format!("{subject}: {why}")))
}

fn status_rule<'c>(
    caps: &'c WriteCapabilities,
    current: &'c Value,
) -> Option<(&'c str, EditScope)> {
    let status = current.get(caps.status_field?)?.as_str()?;
    caps.status_rules
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(s, scope)| (*s, *scope))
}

fn is_zero(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::String(s)) => s.parse::<f64>().is_ok_and(|v| v == 0.0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RemoteDelete;
    use serde_json::json;

    const CAPS: WriteCapabilities = WriteCapabilities {
        batch_size: 50,
        idempotency_key: true,
        required: &["Type", "Contact"],
        locked_fields: &["Type", "CurrencyCode"],
        status_field: Some("Status"),
        status_rules: &[
            (
                "AUTHORISED",
                EditScope::AnyWhileZero {
                    amounts: &["AmountPaid"],
                    then: &["Reference"],
                },
            ),
            ("PAID", EditScope::Only(&["Reference"])),
            ("VOIDED", EditScope::Nothing),
        ],
        delete: RemoteDelete::Status(&[("DRAFT", "DELETED"), ("AUTHORISED", "VOIDED")]),
    };

    fn subject() -> Subject<'static> {
        Subject {
            kind: "invoices",
            key: "42".to_owned(),
        }
    }

    #[test]
    fn creates_carry_required_fields() {
        let e =
            check_create(&subject(), &CAPS, &json!({"Type": "ACCREC", "Contact": ""})).unwrap_err();
        assert!(
            e.message()
                .contains("invoices 42: field `Contact` is required"),
            "{e}"
        );
        assert!(check_create(&subject(), &CAPS, &json!({"Type": "A", "Contact": {}})).is_ok());
    }

    #[test]
    fn locked_fields_hold_once_at_the_provider() {
        let current = json!({"Type": "ACCREC", "Status": "DRAFT"});
        let change = json!({"Type": "ACCPAY"});
        assert!(check_update(&subject(), &CAPS, &current, false, &change).is_ok());
        let e = check_update(&subject(), &CAPS, &current, true, &change).unwrap_err();
        assert!(e.message().contains("field `Type` cannot change"), "{e}");
        // Restating a locked field's value is not a change.
        assert!(
            check_update(
                &subject(),
                &CAPS,
                &current,
                true,
                &json!({"Type": "ACCREC"})
            )
            .is_ok()
        );
    }

    #[test]
    fn statuses_allow_what_they_allow() {
        let change = json!({"Total": 5});
        let authorised = json!({"Status": "AUTHORISED", "AmountPaid": 0});
        assert!(check_update(&subject(), &CAPS, &authorised, true, &change).is_ok());
        let part_paid = json!({"Status": "AUTHORISED", "AmountPaid": "10.00"});
        let e = check_update(&subject(), &CAPS, &part_paid, true, &change).unwrap_err();
        assert!(e.message().contains("only Reference may change"), "{e}");
        let paid = json!({"Status": "PAID"});
        assert!(check_update(&subject(), &CAPS, &paid, true, &json!({"Reference": "x"})).is_ok());
        let voided = json!({"Status": "VOIDED"});
        let e =
            check_update(&subject(), &CAPS, &voided, true, &json!({"Reference": "x"})).unwrap_err();
        assert!(
            e.message()
                .contains("nothing may change while its status is VOIDED"),
            "{e}"
        );
    }

    #[test]
    fn deletes_follow_the_status() {
        let draft = json!({"Status": "DRAFT"});
        assert_eq!(
            delete_fields(&subject(), &CAPS, &draft).unwrap(),
            Some(json!({"Status": "DELETED"}))
        );
        let authorised = json!({"Status": "AUTHORISED"});
        assert_eq!(
            delete_fields(&subject(), &CAPS, &authorised).unwrap(),
            Some(json!({"Status": "VOIDED"}))
        );
        let e = delete_fields(&subject(), &CAPS, &json!({"Status": "PAID"})).unwrap_err();
        assert!(
            e.message()
                .contains("cannot be deleted while `Status` is PAID"),
            "{e}"
        );
    }
}
