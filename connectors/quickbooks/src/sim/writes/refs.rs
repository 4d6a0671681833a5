//! References in written objects: each must name an object that exists
//! (2500 otherwise) and, for name-list entities, is active (QuickBooks
//! answers 610 "made inactive" for those). A valid reference gets the
//! referenced object's current name.

use serde_json::Value;

use crate::sim::entity::Entity;
use crate::sim::fault::Fault;
use crate::sim::store::{Books, ref_id, reference};

/// The field an entity's display name is in.
fn name_field(e: Entity) -> &'static str {
    match e {
        Entity::Customer | Entity::Vendor => "DisplayName",
        Entity::Account | Entity::Item => "Name",
        _ => "DocNumber",
    }
}

/// Checks the reference at `path` (dotted) of `obj` to an object of `target`;
/// `Ok(None)` when there is none.
pub(crate) fn check(
    books: &Books,
    obj: &mut Value,
    path: &str,
    target: Entity,
) -> Result<Option<u64>, Fault> {
    let mut slot = &mut *obj;
    for part in path.split('.') {
        match slot.get_mut(part) {
            Some(v) => slot = v,
            None => return Ok(None),
        }
    }
    if slot.is_null() {
        return Ok(None);
    }
    let field = path.rsplit('.').next().unwrap_or(path);
    let raw = slot
        .get("value")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(id) = ref_id(slot) else {
        return Err(Fault::invalid_reference(field, &raw));
    };
    let Some(found) = books.get(target, id) else {
        return Err(Fault::invalid_reference(field, &raw));
    };
    if target.is_name_list() && found["Active"] == false {
        return Err(Fault::not_found(target.name(), &raw).at(field));
    }
    *slot = reference(id, found[name_field(target)].as_str().unwrap_or(""));
    Ok(Some(id))
}

/// As [`check`], for a reference the entity cannot do without (2020).
pub(crate) fn require(
    books: &Books,
    obj: &mut Value,
    path: &str,
    target: Entity,
) -> Result<u64, Fault> {
    let field = path.rsplit('.').next().unwrap_or(path);
    check(books, obj, path, target)?.ok_or_else(|| Fault::required(field))
}
