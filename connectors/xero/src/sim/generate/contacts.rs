//! Contacts: companies and people with addresses, phones and emails; about
//! a tenth archived. Names are unique, as Xero requires of active contacts.

use std::collections::HashMap;

use uuid::Uuid;

use super::rng::{SimRng, stream};
use super::words::*;
use super::{END_MS, GenCtx, SPAN_MS, par_entries};
use crate::sim::dates::xero_date;
use crate::sim::model::*;
use crate::sim::store::Entries;

/// (name, first, last, is company) of contact `i`, before de-duplication.
fn base_name(r: &mut SimRng) -> (String, String, String, bool) {
    let first = r.pick(FIRST_NAMES).to_string();
    let last = r.pick(LAST_NAMES).to_string();
    if r.percent(65) {
        let name = match r.below(3) {
            0 => format!(
                "{} {} {}",
                r.pick(COMPANY_FIRST),
                r.pick(COMPANY_TRADE),
                r.pick(COMPANY_SUFFIX)
            ),
            1 => format!(
                "{last} {} {}",
                r.pick(COMPANY_TRADE),
                r.pick(COMPANY_SUFFIX)
            ),
            _ => format!("{} {}", r.pick(COMPANY_FIRST), r.pick(COMPANY_TRADE)),
        };
        (name, first, last, true)
    } else {
        (format!("{first} {last}"), first, last, false)
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// Contact `i` with its final (unique) name.
fn contact(g: &GenCtx, i: usize, name: &str) -> Contact {
    let mut r = SimRng::new(g.seed, stream::CONTACT, i as u64);
    let (_, first, last, company) = base_name(&mut r);
    let id = r.uuid();
    let email = if company {
        format!(
            "accounts@{}.co.nz",
            slug(name).chars().take(24).collect::<String>()
        )
    } else {
        format!("{}.{}@{}", slug(&first), slug(&last), r.pick(EMAIL_DOMAINS))
    };
    let (city, region, post) = *r.pick(CITIES);
    let street = format!("{} {}", r.range(1, 420), r.pick(STREETS));
    let postcode = format!("{post}{:02}", r.below(100));
    let address = |ty: &str, line: String| Address {
        AddressType: Some(ty.into()),
        AddressLine1: Some(line),
        AddressLine2: None,
        City: Some(city.into()),
        Region: Some(region.into()),
        PostalCode: Some(postcode.clone()),
        Country: Some("New Zealand".into()),
        AttentionTo: Some(if company {
            format!("{first} {last}")
        } else {
            String::new()
        }),
    };
    let po = if r.percent(40) {
        format!("PO Box {}", r.range(100, 99_999))
    } else {
        street.clone()
    };
    let phone = |ty: &str, number: String, area: &str| Phone {
        PhoneType: Some(ty.into()),
        PhoneNumber: Some(number),
        PhoneAreaCode: Some(area.into()),
        PhoneCountryCode: Some(if area.is_empty() { "" } else { "64" }.into()),
    };
    let main = format!("{:03}-{:04}", r.range(200, 999), r.below(10_000));
    let mobile = if r.percent(50) {
        format!("21-{:03}-{:04}", r.below(1000), r.below(10_000))
    } else {
        String::new()
    };
    let area = *r.pick(AREA_CODES);
    let archived = r.percent(10);
    let is_customer = r.percent(75);
    let updated = END_MS - r.range(0, SPAN_MS);
    Contact {
        ContactID: Some(id),
        ContactNumber: r.percent(30).then(|| format!("C{:05}", i + 1)),
        AccountNumber: r.percent(20).then(|| format!("ACC-{:04}", r.below(10_000))),
        ContactStatus: Some(if archived { "ARCHIVED" } else { "ACTIVE" }.into()),
        Name: Some(name.to_string()),
        FirstName: Some(first.clone()),
        LastName: Some(last.clone()),
        CompanyNumber: None,
        EmailAddress: Some(email),
        BankAccountDetails: Some(String::new()),
        TaxNumber: r.percent(30).then(|| {
            format!(
                "{:03}-{:03}-{:03}",
                r.below(1000),
                r.below(1000),
                r.below(1000)
            )
        }),
        AccountsReceivableTaxType: None,
        AccountsPayableTaxType: None,
        Addresses: Some(vec![
            address("STREET", street.clone()),
            address("POBOX", po),
        ]),
        Phones: Some(vec![
            phone("DEFAULT", main, area),
            phone("DDI", String::new(), ""),
            phone("FAX", String::new(), ""),
            phone(
                "MOBILE",
                mobile.clone(),
                if mobile.is_empty() { "" } else { "021" },
            ),
        ]),
        UpdatedDateUTC: Some(xero_date(updated)),
        ContactGroups: Some(Vec::new()),
        IsSupplier: Some(!is_customer || r.percent(20)),
        IsCustomer: Some(is_customer),
        DefaultCurrency: r
            .percent(8)
            .then(|| (*r.pick(&["AUD", "USD", "GBP"])).into()),
        ContactPersons: Some(if company && r.percent(30) {
            vec![ContactPerson {
                FirstName: Some(first.clone()),
                LastName: Some(last.clone()),
                EmailAddress: Some(format!(
                    "{}@{}.co.nz",
                    slug(&first),
                    slug(name).chars().take(24).collect::<String>()
                )),
                IncludeInEmails: Some(r.percent(50)),
            }]
        } else {
            Vec::new()
        }),
        HasAttachments: Some(false),
        HasValidationErrors: Some(false),
        ..Default::default()
    }
}

/// All contacts, and (id, name) of each for the documents that refer to them.
pub(crate) fn contacts(g: &GenCtx) -> (Entries, Vec<(Uuid, String)>) {
    let n = g.sizes.contacts;
    // Repeated names get " (2)", " (3)", ...; no base name has parentheses.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(n);
    let names: Vec<String> = (0..n)
        .map(|i| {
            let mut r = SimRng::new(g.seed, stream::CONTACT, i as u64);
            let base = base_name(&mut r).0;
            let count = seen.entry(base.to_lowercase()).or_insert(0);
            *count += 1;
            if *count == 1 {
                base
            } else {
                format!("{base} ({count})")
            }
        })
        .collect();
    let entries = par_entries(n, |i| contact(g, i, &names[i]));
    let info = (0..n)
        .map(|i| {
            let mut r = SimRng::new(g.seed, stream::CONTACT, i as u64);
            let _ = base_name(&mut r);
            (r.uuid(), names[i].clone())
        })
        .collect();
    (entries, info)
}
