//! A company's `CompanyInfo`: its name, addresses, contact and fiscal year.
//! Names come from the simulator's seed and the company's place among the
//! realms, so every realm of one simulator has a name of its own; the rest
//! from the company's seed, on a stream none of the ten entities draws from
//! (their objects do not change with it).

use serde_json::json;
use tether_sim_kit::rng::{SimRng, stream};

use super::words::{self, CITY, PLACE};
use super::{Made, made};
use crate::sim::entity::Entity;
use crate::sim::time::{self, DAY_MS};

/// The stream past the ten entities' (each takes four, from `PROVIDER_BASE`).
const STREAM: u64 = stream::PROVIDER_BASE + Entity::ALL.len() as u64 * 4;

/// What small US businesses on QuickBooks do.
const BUSINESS: &[&str] = &[
    "Landscaping",
    "Bakery",
    "Plumbing",
    "Catering",
    "Bicycles",
    "Coffee Roasters",
    "Builders",
    "Auto Repair",
    "Florists",
    "Print Shop",
    "Pet Care",
    "Consulting",
    "Design Studio",
    "Electric",
];

/// The name of company `index` (0 for the first realm) of a simulator
/// seeded `seed`: distinct for each realm (a number added past 196).
pub(crate) fn name(seed: u64, index: usize) -> String {
    let start = SimRng::new(seed, STREAM, 0).below(1 << 20) as usize;
    words::pair(PLACE, BUSINESS, index, start)
}

/// The `CompanyInfo` of the company seeded `seed` and named `name`, whose
/// clock reads `end_ms`: created before any of its books, edited since.
pub(crate) fn info(seed: u64, name: &str, end_ms: i64) -> Made {
    let mut r = SimRng::new(seed, STREAM, 1);
    let created = time::whole_seconds(end_ms - r.range(400 * DAY_MS, 3 * 365 * DAY_MS));
    let updated = time::whole_seconds(created + r.range(DAY_MS, 30 * DAY_MS));
    let &(city, state, zip) = r.pick(CITY);
    let address = json!({
        "Id": "1",
        "Line1": format!("{} {} Street", r.range(10, 9999), r.pick(PLACE)),
        "City": city,
        "CountrySubDivisionCode": state,
        "PostalCode": zip,
        "Country": "US",
    });
    let domain: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    let suffix = *r.pick(&["LLC", "Inc.", "Co."]);
    let obj = json!({
        "CompanyName": name,
        "LegalName": format!("{name} {suffix}"),
        "CompanyAddr": address,
        "LegalAddr": address,
        "CustomerCommunicationAddr": address,
        "Country": "US",
        "Email": {"Address": format!("books@{domain}.example.com")},
        "PrimaryPhone": {"FreeFormNumber": format!("({}) 555-{:04}", r.range(201, 989), r.range(0, 9999))},
        "WebAddr": {"URI": format!("https://www.{domain}.example.com")},
        "CompanyStartDate": time::date(created),
        "FiscalYearStartMonth": "January",
        "SupportedLanguages": "en",
    });
    made(obj, (created, updated, r.range(1, 6) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realms_have_names_of_their_own_and_seeds_keep_them() {
        let names: std::collections::HashSet<String> = (0..300).map(|i| name(5, i)).collect();
        assert_eq!(names.len(), 300);
        assert_eq!(name(5, 0), name(5, 0));
        assert_ne!(name(5, 0), name(6, 0), "another seed, another company");
        let made = info(5, &name(5, 0), 1_790_000_000_000);
        assert_eq!(made.obj["CompanyName"], name(5, 0));
        assert!(made.created_ms < made.updated_ms && made.updated_ms < 1_790_000_000_000);
    }
}
