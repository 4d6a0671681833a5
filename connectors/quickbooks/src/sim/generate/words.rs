//! The words generated names are made of.

pub(crate) const GIVEN: &[&str] = &[
    "Amy",
    "Bill",
    "Cool",
    "Dukes",
    "Diego",
    "Freeman",
    "Geeta",
    "Jeff",
    "John",
    "Kate",
    "Mark",
    "Paulsen",
    "Rondonuwu",
    "Shara",
    "Sonnenschein",
    "Sushi",
    "Travis",
    "Wedding",
    "Video",
    "Pye",
    "Lara",
    "Nadia",
    "Omar",
    "Priya",
];

pub(crate) const FAMILY: &[&str] = &[
    "Barnett",
    "Lucchini",
    "Rodriguez",
    "Cole",
    "Dunn",
    "Franco",
    "Gupta",
    "Hart",
    "Ito",
    "Jones",
    "Kowalski",
    "Lee",
    "Meyer",
    "Nguyen",
    "Okafor",
    "Perez",
    "Quinn",
    "Rossi",
    "Singh",
    "Tanaka",
    "Ueda",
    "Vance",
    "Weber",
    "Young",
];

pub(crate) const TRADE: &[&str] = &[
    "Supply",
    "Services",
    "Hardware",
    "Utilities",
    "Insurance",
    "Printing",
    "Logistics",
    "Consulting",
    "Telecom",
    "Rentals",
    "Office Depot",
    "Lumber",
];

pub(crate) const PLACE: &[&str] = &[
    "Bay", "Cedar", "Harbor", "Mesa", "North", "Pacific", "Pine", "River", "Summit", "Valley",
    "Willow", "Coastal", "Granite", "Maple",
];

pub(crate) const SERVICE: &[&str] = &[
    "Design",
    "Gardening",
    "Installation",
    "Lighting",
    "Maintenance",
    "Pest Control",
    "Pump",
    "Rock Fountain",
    "Sprinklers",
    "Trimming",
    "Concrete",
    "Hours",
    "Soil",
    "Rocks",
];

pub(crate) const GRADE: &[&str] = &[
    "Basic", "Standard", "Premium", "Deluxe", "Custom", "Seasonal",
];

pub(crate) const CITY: &[(&str, &str, &str)] = &[
    ("Bayshore", "CA", "94326"),
    ("Half Moon Bay", "CA", "94213"),
    ("Middlefield", "CA", "94303"),
    ("Sunnyvale", "CA", "94086"),
    ("Palo Alto", "CA", "94303"),
    ("Tucson", "AZ", "85719"),
    ("Portland", "OR", "97201"),
    ("Seattle", "WA", "98101"),
];

/// The `i`th distinct pairing of `a` and `b` in a company whose names
/// start at `start`, visiting them out of order (a stride coprime to the
/// pool size), with a number once both run out.
pub(crate) fn pair(a: &[&str], b: &[&str], i: usize, start: usize) -> String {
    let pool = a.len() * b.len();
    let k = ((i + start) % pool * 7919) % pool;
    let base = format!("{} {}", a[k % a.len()], b[k / a.len()]);
    match i / pool {
        0 => base,
        n => format!("{base} {}", n + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_distinct() {
        let names: std::collections::HashSet<_> =
            (0..2000).map(|i| pair(GIVEN, FAMILY, i, 77)).collect();
        assert_eq!(names.len(), 2000);
    }
}
