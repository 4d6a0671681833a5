//! Contacts: unique names among active contacts, archiving, and the contact
//! references of documents (a new name creates the contact, as Xero does).

use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Ctx, Failure, Target, contact_by_number, load_and_merge};
use crate::sim::collections::Kind;
use crate::sim::dates::xero_date;
use crate::sim::model::*;

const READ_ONLY: &[&str] = &[
    "UpdatedDateUTC",
    "HasAttachments",
    "HasValidationErrors",
    "ValidationErrors",
    "StatusAttributeString",
    "Balances",
    "IsSupplier",
    "IsCustomer",
];

fn valid_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !e.contains(' ')
        }
        None => false,
    }
}

/// Default address and phone skeletons, as Xero returns for a new contact.
fn skeletons(c: &mut Contact) {
    if c.Addresses.as_ref().is_none_or(Vec::is_empty) {
        c.Addresses = Some(
            ["STREET", "POBOX"]
                .iter()
                .map(|t| Address {
                    AddressType: Some((*t).into()),
                    City: Some(String::new()),
                    Region: Some(String::new()),
                    PostalCode: Some(String::new()),
                    Country: Some(String::new()),
                    ..Default::default()
                })
                .collect(),
        );
    }
    if c.Phones.as_ref().is_none_or(Vec::is_empty) {
        c.Phones = Some(
            ["DEFAULT", "DDI", "FAX", "MOBILE"]
                .iter()
                .map(|t| Phone {
                    PhoneType: Some((*t).into()),
                    PhoneNumber: Some(String::new()),
                    PhoneAreaCode: Some(String::new()),
                    PhoneCountryCode: Some(String::new()),
                })
                .collect(),
        );
    }
}

/// `PUT`/`POST` of one contact.
pub(crate) fn write(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let (_, mut c): (Option<Contact>, Contact) =
        load_and_merge(ctx, Kind::Contacts, target, incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    let status = c
        .ContactStatus
        .clone()
        .unwrap_or_else(|| "ACTIVE".into())
        .to_ascii_uppercase();
    if !matches!(status.as_str(), "ACTIVE" | "ARCHIVED" | "GDPRREQUEST") {
        errors.push(format!("'{status}' is not a valid ContactStatus."));
    }
    c.ContactStatus = Some(status.clone());
    let name = c.Name.clone().unwrap_or_default().trim().to_string();
    if name.is_empty() {
        errors.push("The contact name must be specified.".to_string());
    } else if status == "ACTIVE" {
        let me = c.ContactID;
        let clash = ctx.data.col(Kind::Contacts).iter().any(|(id, e)| {
            Some(id) != me
                && !e.archived(Kind::Contacts)
                && e.number
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        });
        if clash {
            errors.push(format!(
                "The contact name {name} is already assigned to another contact. The contact name must be unique across all active contacts."
            ));
        }
    }
    if let Some(e) = c.EmailAddress.as_deref().filter(|e| !e.is_empty())
        && !valid_email(e)
    {
        errors.push("Email address must be valid.".to_string());
    }
    skeletons(&mut c);
    c.ContactGroups.get_or_insert_with(Vec::new);
    c.ContactPersons.get_or_insert_with(Vec::new);
    c.HasAttachments.get_or_insert(false);
    c.IsSupplier.get_or_insert(false);
    c.IsCustomer.get_or_insert(false);
    if !errors.is_empty() {
        c.ContactID.get_or_insert(Uuid::nil());
        c.HasValidationErrors = Some(true);
        c.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&c, errors));
    }
    c.HasValidationErrors = Some(false);
    c.ValidationErrors = None;
    c.StatusAttributeString = None;
    c.ContactID.get_or_insert_with(Uuid::new_v4);
    c.UpdatedDateUTC = Some(xero_date(ctx.now));
    ctx.store(&c)
}

/// The contact a document refers to, as the summary Xero embeds; a name
/// that no active contact has creates a new contact.
pub(crate) fn resolve_contact(
    ctx: &mut Ctx,
    r: Option<&ContactRef>,
    errors: &mut Vec<String>,
) -> Option<ContactRef> {
    let Some(r) = r else {
        errors.push("A Contact must be specified for this type of transaction".to_string());
        return None;
    };
    let found = if let Some(id) = r.ContactID {
        ctx.get::<Contact>(Kind::Contacts, &id)
    } else if let Some(n) = r.ContactNumber.as_deref().filter(|n| !n.is_empty()) {
        contact_by_number(ctx, n).and_then(|id| ctx.get::<Contact>(Kind::Contacts, &id))
    } else if let Some(name) = r.Name.as_deref().filter(|n| !n.trim().is_empty()) {
        let id = ctx
            .data
            .col(Kind::Contacts)
            .iter()
            .find(|(_, e)| {
                e.number
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
                    && !e.archived(Kind::Contacts)
            })
            .map(|(id, _)| id);
        match id {
            Some(id) => ctx.get::<Contact>(Kind::Contacts, &id),
            None => {
                let mut m = Map::new();
                m.insert("Name".into(), Value::from(name.trim()));
                match write(ctx, Target::New, &m) {
                    Ok((id, _)) => ctx.get::<Contact>(Kind::Contacts, &id),
                    Err(f) => {
                        errors.extend(f.messages);
                        return None;
                    }
                }
            }
        }
    } else {
        errors.push(
            "The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber"
                .to_string(),
        );
        return None;
    };
    match found {
        Some(c) => {
            let id = c.ContactID.unwrap_or_else(Uuid::nil);
            Some(ContactRef::summary(
                id,
                c.Name.as_deref().unwrap_or_default(),
            ))
        }
        None => {
            errors.push("The contact specified could not be found.".to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn email_validation() {
        assert!(valid_email("a@b.co"));
        assert!(!valid_email("nope"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("a b@c.d"));
    }
}
