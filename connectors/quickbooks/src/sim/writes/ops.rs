//! The four writes on one object: create, update (sparse or full, guarded
//! by `SyncToken`), delete (transactions only; the tombstone stays for
//! CDC) and void (Invoice, Payment, BillPayment: kept, amounts zeroed,
//! `PrivateNote` "Voided").

use serde_json::{Value, json};
use tether_sim_kit::txn::merged;

use super::balances;
use super::links::{paid, settle};
use super::rules::prepare;
use crate::sim::entity::Entity;
use crate::sim::fault::Fault;
use crate::sim::store::{Books, sync_token};
use crate::sim::totals;

/// What a write asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Create (no `Id`) or update (an `Id`).
    Write,
    Delete,
    Void,
}

/// Fields the server owns: never taken from a request.
const SERVER_FIELDS: [&str; 5] = ["Id", "SyncToken", "MetaData", "domain", "sparse"];

fn without_server_fields(mut obj: Value) -> Value {
    if let Some(m) = obj.as_object_mut() {
        for f in SERVER_FIELDS {
            m.remove(f);
        }
    }
    obj
}

/// Runs one write; the answer is the object as stored (or the deletion).
pub(crate) fn apply(
    books: &mut Books,
    e: Entity,
    op: Op,
    body: Value,
    now_ms: i64,
) -> Result<Value, Fault> {
    if !body.is_object() {
        return Err(Fault::invalid_property(format!(
            "The request body is not a {} object",
            e.name()
        )));
    }
    // The party before the write (an update may move a form to another).
    let field = balances::party_of(e).map_or("", |p| p.1);
    let before = body["Id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .and_then(|id| balances::party_id(books.get(e, id), field));
    let result = match op {
        Op::Write if body.get("Id").is_none_or(Value::is_null) => create(books, e, body, now_ms),
        Op::Write => update(books, e, body, now_ms),
        Op::Delete => delete(books, e, &body, now_ms),
        Op::Void => void(books, e, &body, now_ms),
    }?;
    let after = balances::party_id(Some(&result), field);
    let parties: Vec<u64> = before.into_iter().chain(after).collect();
    balances::refresh(books, e, &parties);
    Ok(result)
}

fn create(books: &mut Books, e: Entity, body: Value, now_ms: i64) -> Result<Value, Fault> {
    let mut obj = without_server_fields(body);
    prepare(books, e, &mut obj, None, Default::default(), now_ms)?;
    settle(books, e, None, Some(&obj), now_ms)?;
    let id = books.create(e, obj, now_ms);
    Ok(books.get(e, id).cloned().unwrap_or_default())
}

/// The current object a request names by `Id` and `SyncToken`: 2020 when
/// either is missing, 610 when there is none, 5010 when the token is stale.
fn current(books: &Books, e: Entity, body: &Value) -> Result<(u64, Value), Fault> {
    let raw = body["Id"]
        .as_str()
        .map(String::from)
        .or_else(|| body["Id"].as_u64().map(|n| n.to_string()));
    let raw = raw.ok_or_else(|| Fault::required("Id"))?;
    let token = body["SyncToken"]
        .as_str()
        .map(String::from)
        .or_else(|| body["SyncToken"].as_u64().map(|n| n.to_string()));
    let token = token.ok_or_else(|| Fault::required("SyncToken"))?;
    let found = raw
        .parse::<u64>()
        .ok()
        .and_then(|id| Some((id, books.get(e, id)?.clone())));
    let (id, obj) = found.ok_or_else(|| Fault::not_found(e.name(), &raw))?;
    if token.parse::<u64>().ok() != Some(sync_token(&obj)) {
        return Err(Fault::stale(e.name(), &raw));
    }
    Ok((id, obj))
}

fn update(books: &mut Books, e: Entity, body: Value, now_ms: i64) -> Result<Value, Fault> {
    let (id, existing) = current(books, e, &body)?;
    let sparse = body["sparse"] == true;
    let mut obj = match sparse {
        // A sparse update overlays the stored object with the fields sent.
        true => {
            let sent = body.as_object().cloned().unwrap_or_default();
            merged::<Value>(Some(&existing.to_string()), &sent, &SERVER_FIELDS)
                .map_err(|e| Fault::invalid_property(format!("{e}")))?
        }
        // A full update replaces the object: fields left out are cleared,
        // except balances only QuickBooks changes.
        false => {
            let mut full = body;
            if matches!(e, Entity::Customer | Entity::Vendor) {
                full["Balance"] = existing["Balance"].clone();
            }
            full
        }
    };
    obj = without_server_fields(obj);
    let paid = paid(&existing);
    prepare(books, e, &mut obj, Some(id), paid, now_ms)?;
    if obj["Balance"].as_f64().is_some_and(|b| b < 0.0) {
        return Err(Fault::business(format!(
            "{} {id} has payments of {paid}, more than its new total",
            e.name()
        )));
    }
    settle(books, e, Some(&existing), Some(&obj), now_ms)?;
    books.replace(e, id, obj, now_ms);
    Ok(books.get(e, id).cloned().unwrap_or_default())
}

fn delete(books: &mut Books, e: Entity, body: &Value, now_ms: i64) -> Result<Value, Fault> {
    if e.is_name_list() {
        return Err(Fault::invalid_property(format!(
            "Operation Delete is not supported for {}: make it inactive with Active false",
            e.name()
        )));
    }
    let (id, existing) = current(books, e, body)?;
    if !paid(&existing).is_zero() && matches!(e, Entity::Invoice | Entity::Bill) {
        return Err(Fault::business(format!(
            "{} {id} has payments linked to it",
            e.name()
        )));
    }
    settle(books, e, Some(&existing), None, now_ms)?;
    books.delete(e, id, now_ms);
    Ok(json!({"domain": "QBO", "status": "Deleted", "Id": id.to_string()}))
}

fn void(books: &mut Books, e: Entity, body: &Value, now_ms: i64) -> Result<Value, Fault> {
    if !e.voidable() {
        return Err(Fault::invalid_property(format!(
            "Operation Void is not supported for {}",
            e.name()
        )));
    }
    let (id, existing) = current(books, e, body)?;
    if e == Entity::Invoice && !paid(&existing).is_zero() {
        return Err(Fault::business(format!(
            "Invoice {id} has payments linked to it"
        )));
    }
    settle(books, e, Some(&existing), None, now_ms)?;
    let mut obj = without_server_fields(existing);
    for line in obj["Line"].as_array_mut().into_iter().flatten() {
        line["Amount"] = json!(0);
    }
    match e {
        Entity::Invoice => {
            totals::total_lines(&mut obj, "SalesItemLineDetail", true);
            obj["Balance"] = json!(0);
        }
        _ => {
            obj["TotalAmt"] = json!(0);
            if e == Entity::Payment {
                obj["UnappliedAmt"] = json!(0);
            }
        }
    }
    obj["PrivateNote"] = json!("Voided");
    books.replace(e, id, obj, now_ms);
    Ok(books.get(e, id).cloned().unwrap_or_default())
}
