//! Evaluation of list filters (`where`, `Statuses`, `IDs`, ...) and sort keys
//! against stored objects: index fields where possible, the JSON otherwise.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::collections::Kind;
use super::dates::parse_xero_date;
use super::model::parse_decimal;
use super::query::{Cond, CondValue, Filter, Order, OrderKey};
use super::store::Entry;

/// Whether one object passes every filter.
pub(crate) fn matches(kind: Kind, f: &Filter, id: &Uuid, e: &Entry) -> bool {
    if f.hide_archived && e.archived(kind) {
        return false;
    }
    if f.ids.as_ref().is_some_and(|s| !s.contains(id)) {
        return false;
    }
    if f.statuses.as_ref().is_some_and(|s| !s.contains(&e.status)) {
        return false;
    }
    if let Some(nums) = &f.numbers
        && !e.number.as_deref().is_some_and(|n| nums.contains(n))
    {
        return false;
    }
    if let Some(cs) = &f.contact_ids
        && !e.contact.is_some_and(|c| cs.contains(&c))
    {
        return false;
    }
    if f.conds.is_empty() && f.search.is_none() {
        return true;
    }
    let mut parsed: Option<Value> = None;
    if !f.conds.is_empty()
        && !f
            .conds
            .iter()
            .any(|all| all.iter().all(|c| cond_holds(kind, c, id, e, &mut parsed)))
    {
        return false;
    }
    if let Some(term) = &f.search {
        let v = parsed.get_or_insert_with(|| parse(e));
        let fields: &[&str] = match kind {
            Kind::Contacts => &[
                "Name",
                "FirstName",
                "LastName",
                "ContactNumber",
                "EmailAddress",
            ],
            _ => &["InvoiceNumber", "Reference"],
        };
        if !fields.iter().any(|k| {
            v.get(k)
                .and_then(Value::as_str)
                .is_some_and(|s| s.to_lowercase().contains(term.as_str()))
        }) {
            return false;
        }
    }
    true
}

fn parse(e: &Entry) -> Value {
    serde_json::from_str(&e.raw).unwrap_or(Value::Null)
}

fn lookup<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |cur, k| cur.get(k.as_str()))
}

fn cond_holds(kind: Kind, c: &Cond, id: &Uuid, e: &Entry, parsed: &mut Option<Value>) -> bool {
    let d = kind.desc();
    let single = (c.path.len() == 1).then(|| c.path[0].as_str());
    let equal = match (single, &c.value) {
        (Some(f), CondValue::Str(s)) if Some(f) == d.status_field => {
            kind.status_name(e.status) == Some(s.as_str())
        }
        (Some(f), CondValue::Str(s) | CondValue::Guid(s))
            if f == d.id_field && kind != Kind::TaxRates =>
        {
            id.to_string().eq_ignore_ascii_case(s)
        }
        _ => {
            let v = parsed.get_or_insert_with(|| parse(e));
            value_equals(lookup(v, &c.path), &c.value)
        }
    };
    equal != c.negate
}

fn value_equals(v: Option<&Value>, want: &CondValue) -> bool {
    match (v, want) {
        (None | Some(Value::Null), CondValue::Null) => true,
        (Some(Value::String(s)), CondValue::Str(w)) => s == w,
        (Some(Value::String(s)), CondValue::Guid(w)) => s.eq_ignore_ascii_case(w),
        (Some(Value::Bool(b)), CondValue::Bool(w)) => b == w,
        (Some(Value::Number(n)), CondValue::Num(w)) => {
            parse_decimal(&n.to_string()).is_some_and(|d| d == *w)
        }
        _ => false,
    }
}

/// A sortable value extracted from an object.
#[derive(Debug, PartialEq, PartialOrd)]
enum SortVal {
    Missing,
    Bool(bool),
    Num(Decimal),
    Text(String),
}

fn sort_val(v: Option<&Value>) -> SortVal {
    match v {
        Some(Value::Bool(b)) => SortVal::Bool(*b),
        Some(Value::Number(n)) => {
            parse_decimal(&n.to_string()).map_or(SortVal::Missing, SortVal::Num)
        }
        Some(Value::String(s)) => match parse_xero_date(s) {
            Some(ms) => SortVal::Num(Decimal::from(ms)),
            None => SortVal::Text(s.clone()),
        },
        _ => SortVal::Missing,
    }
}

/// Sorts the matching objects (given in `(updated, id)` order) by `order`,
/// ties broken by id so that pages are stable.
pub(crate) fn sort(entries: Vec<(Uuid, &Entry)>, order: &Order) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = match &order.key {
        OrderKey::Updated => entries.into_iter().map(|(id, _)| id).collect(),
        OrderKey::Id => {
            let mut ids: Vec<Uuid> = entries.into_iter().map(|(id, _)| id).collect();
            ids.sort_unstable();
            ids
        }
        OrderKey::Number => {
            let mut v: Vec<(Option<&str>, Uuid)> = entries
                .into_iter()
                .map(|(id, e)| (e.number.as_deref(), id))
                .collect();
            v.sort_unstable();
            v.into_iter().map(|(_, id)| id).collect()
        }
        OrderKey::Field(path) => {
            let mut v: Vec<(SortVal, Uuid)> = entries
                .into_iter()
                .map(|(id, e)| (sort_val(lookup(&parse(e), path)), id))
                .collect();
            v.sort_by(|a, b| {
                a.0.partial_cmp(&b.0)
                    .unwrap_or(Ordering::Equal)
                    .then(a.1.cmp(&b.1))
            });
            v.into_iter().map(|(_, id)| id).collect()
        }
    };
    if order.desc {
        ids.reverse();
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::query::{parse_order, parse_where};

    fn e(raw: &str, status: u8) -> Entry {
        Entry {
            raw: raw.into(),
            updated: 0,
            number: None,
            contact: None,
            status,
        }
    }

    #[test]
    fn where_on_status_and_json_fields() {
        let inv = e(
            r#"{"Type":"ACCREC","Total":10.50,"Contact":{"ContactID":"ABC"}}"#,
            2,
        );
        let id = Uuid::nil();
        let f = |w: &str| Filter {
            conds: parse_where(w).unwrap(),
            ..Default::default()
        };
        assert!(matches(
            Kind::Invoices,
            &f(r#"Status=="AUTHORISED""#),
            &id,
            &inv
        ));
        assert!(!matches(
            Kind::Invoices,
            &f(r#"Status=="DRAFT""#),
            &id,
            &inv
        ));
        assert!(matches(
            Kind::Invoices,
            &f(r#"Type=="ACCREC" AND Total==10.5"#),
            &id,
            &inv
        ));
        assert!(matches(
            Kind::Invoices,
            &f(r#"Contact.ContactID==guid("abc")"#),
            &id,
            &inv
        ));
        assert!(matches(Kind::Invoices, &f(r#"Type!="ACCPAY""#), &id, &inv));
        assert!(matches(
            Kind::Invoices,
            &f(r#"Type=="ACCPAY" OR Total==10.5"#),
            &id,
            &inv
        ));
        assert!(!matches(
            Kind::Invoices,
            &f(r#"Type=="ACCPAY" OR Status=="DRAFT""#),
            &id,
            &inv
        ));
        assert!(!matches(Kind::Invoices, &f(r#"Reference=="x""#), &id, &inv));
    }

    #[test]
    fn sorts_by_json_field_with_dates_as_numbers() {
        let a = e(r#"{"Date":"/Date(1000+0000)/"}"#, 0);
        let b = e(r#"{"Date":"/Date(200+0000)/"}"#, 0);
        let ids = [Uuid::from_u128(1), Uuid::from_u128(2)];
        let order = parse_order(Kind::ManualJournals, "Date ASC").unwrap();
        let sorted = sort(vec![(ids[0], &a), (ids[1], &b)], &order);
        assert_eq!(sorted, vec![ids[1], ids[0]]);
        let order = parse_order(Kind::ManualJournals, "Date DESC").unwrap();
        let sorted = sort(vec![(ids[0], &a), (ids[1], &b)], &order);
        assert_eq!(sorted, vec![ids[0], ids[1]]);
    }
}
