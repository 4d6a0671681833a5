//! The scopes Xero's identity service knows, for the consent screen's
//! `invalid_scope` check, and the scopes of a client-credentials token
//! that asks for none.

/// Scopes granted to a client-credentials token that asks for none.
pub(crate) const DEFAULT_SCOPE: &str =
    "accounting.transactions accounting.contacts accounting.settings accounting.attachments";

/// Scopes Xero's identity service knows by name.
const KNOWN: &[&str] = &["openid", "profile", "email", "offline_access"];
/// Prefixes of Xero's API scopes (`accounting.transactions`,
/// `accounting.reports.read`, `payroll.employees`, ...).
const API_PREFIXES: &[&str] = &[
    "accounting.",
    "payroll.",
    "files",
    "assets",
    "projects",
    "bankfeeds",
    "finance.",
    "paymentservices",
    "app.connections",
    "marketplace.billing",
    "practicemanager",
    "workflowmax",
    "einvoicing",
];

/// Whether Xero would know `scope`.
pub(crate) fn known_scope(scope: &str) -> bool {
    KNOWN.contains(&scope)
        || API_PREFIXES.iter().any(|p| {
            scope.strip_prefix(p).is_some_and(|rest| {
                rest.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.')
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_encoding() {
        for s in [
            "openid",
            "offline_access",
            "accounting.transactions",
            "accounting.reports.read",
        ] {
            assert!(known_scope(s), "{s}");
        }
        for s in [
            "bogus",
            "accounting.Transactions",
            "accounting.x y",
            "admin",
        ] {
            assert!(!known_scope(s), "{s}");
        }
        assert_eq!(tether_sim_kit::auth::encode("a b&c=d~"), "a%20b%26c%3Dd~");
    }
}
