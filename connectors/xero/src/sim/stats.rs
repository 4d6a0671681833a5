//! How Xero's requests are counted: the counters are the kit's
//! ([`SimStats`]); the route key names the collection as Xero spells it.

use uuid::Uuid;

pub use tether_sim_kit::SimStats;

use super::collections::Kind;

/// `"METHOD /path"` with the object id (or any GUID segment) as `{id}`.
pub(crate) fn route_key(method: &str, path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(method);
    out.push(' ');
    let api = path.starts_with("/api.xro/2.0/");
    for (i, seg) in path.split('/').enumerate() {
        if i == 0 {
            continue;
        }
        out.push('/');
        if api && i == 3 {
            match Kind::from_path(seg) {
                Some(k) => out.push_str(k.desc().name),
                None => out.push_str(seg),
            }
        } else if (api && i == 4) || Uuid::parse_str(seg).is_ok() {
            out.push_str("{id}");
        } else {
            out.push_str(seg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys_replace_ids() {
        assert_eq!(
            route_key("GET", "/api.xro/2.0/invoices"),
            "GET /api.xro/2.0/Invoices"
        );
        assert_eq!(
            route_key("GET", "/api.xro/2.0/Invoices/INV-0001"),
            "GET /api.xro/2.0/Invoices/{id}"
        );
        assert_eq!(
            route_key("POST", &format!("/Connections/{}", Uuid::nil())),
            "POST /Connections/{id}"
        );
        assert_eq!(route_key("POST", "/connect/token"), "POST /connect/token");
    }
}
