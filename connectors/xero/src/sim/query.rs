//! Parsing of list request parameters: paging, `order`, `where`, `IDs`,
//! `Statuses`, `includeArchived`, `summaryOnly`, `searchTerm`.

use std::collections::HashSet;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::collections::Kind;
pub(crate) use super::where_clause::parse_where;

/// Xero's default and maximum page sizes.
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 100;
pub(crate) const MAX_PAGE_SIZE: u32 = 1000;

/// A value on the right of a `where` comparison.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CondValue {
    Str(String),
    Guid(String),
    Bool(bool),
    Num(Decimal),
    Null,
}

/// One `Field=="value"` / `Field!="value"` comparison of a `where` filter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cond {
    pub path: Vec<String>,
    pub negate: bool,
    pub value: CondValue,
}

/// The filters of a list request; all must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Filter {
    pub hide_archived: bool,
    pub statuses: Option<Vec<u8>>,
    pub ids: Option<HashSet<Uuid>>,
    pub numbers: Option<HashSet<String>>,
    pub contact_ids: Option<HashSet<Uuid>>,
    /// `where`: any of these alternatives, each a list of comparisons that all hold.
    pub conds: Vec<Vec<Cond>>,
    /// Lower-cased search term.
    pub search: Option<String>,
}

impl Filter {
    /// True when every object passes (the store can then page by index).
    pub(crate) fn is_trivial(&self) -> bool {
        !self.hide_archived
            && self.statuses.is_none()
            && self.ids.is_none()
            && self.numbers.is_none()
            && self.contact_ids.is_none()
            && self.conds.is_empty()
            && self.search.is_none()
    }
}

/// The sort key of `order`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OrderKey {
    Updated,
    Id,
    Number,
    Field(Vec<String>),
}

/// `order=Field [ASC|DESC]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    pub key: OrderKey,
    pub desc: bool,
}

/// A parsed list request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ListQuery {
    pub modified_since: Option<i64>,
    pub filter: Filter,
    pub order: Order,
    /// `(page, pageSize)` when the request pages.
    pub page: Option<(u32, u32)>,
    pub summary_only: bool,
    pub include_archived: bool,
}

/// A request parameter Xero does not understand.
#[derive(Debug, PartialEq)]
pub(crate) struct QueryError(pub String);

fn flag(v: &str) -> bool {
    v.eq_ignore_ascii_case("true") || v == "1"
}

fn csv(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split(',')
        .map(|s| s.trim().trim_matches('"').trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The default order of a kind: accounts by code (the chart's order), by
/// `UpdatedDateUTC` where objects have it, by name (tax rates, tracking
/// categories) where they do not.
pub(crate) fn default_order(kind: Kind) -> Order {
    if kind == Kind::Accounts {
        Order {
            key: OrderKey::Number,
            desc: false,
        }
    } else if kind.desc().modified_since {
        Order {
            key: OrderKey::Updated,
            desc: false,
        }
    } else {
        Order {
            key: OrderKey::Field(vec!["Name".into()]),
            desc: false,
        }
    }
}

/// Parses `order`: a field name and an optional direction.
pub(crate) fn parse_order(kind: Kind, s: &str) -> Result<Order, QueryError> {
    let mut words = s.split_whitespace();
    let field = words
        .next()
        .ok_or_else(|| QueryError("order is empty".into()))?;
    let desc = match words.next() {
        None => false,
        Some(d) if d.eq_ignore_ascii_case("ASC") => false,
        Some(d) if d.eq_ignore_ascii_case("DESC") => true,
        Some(d) => return Err(QueryError(format!("Unknown sort direction '{d}'"))),
    };
    if words.next().is_some() {
        return Err(QueryError(format!("Cannot parse order '{s}'")));
    }
    let d = kind.desc();
    let key = if field.eq_ignore_ascii_case("UpdatedDateUTC") && d.modified_since {
        OrderKey::Updated
    } else if field.eq_ignore_ascii_case(d.id_field) && kind != Kind::TaxRates {
        OrderKey::Id
    } else if d
        .number_field
        .is_some_and(|n| n.eq_ignore_ascii_case(field))
    {
        OrderKey::Number
    } else {
        if !field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            return Err(QueryError(format!("Cannot parse order '{s}'")));
        }
        OrderKey::Field(field.split('.').map(str::to_string).collect())
    };
    Ok(Order { key, desc })
}

/// Parses the list parameters of `kind` from the query pairs; parameters the
/// spec does not list for that endpoint are ignored, as Xero ignores them.
pub(crate) fn parse_list(
    kind: Kind,
    pairs: &[(String, String)],
    modified_since: Option<i64>,
) -> Result<ListQuery, QueryError> {
    let d = kind.desc();
    let mut q = ListQuery {
        modified_since: if d.modified_since {
            modified_since
        } else {
            None
        },
        filter: Filter::default(),
        order: default_order(kind),
        page: None,
        summary_only: false,
        include_archived: false,
    };
    let mut page: Option<u32> = None;
    let mut page_size = DEFAULT_PAGE_SIZE;
    for (k, v) in pairs {
        match k.to_ascii_lowercase().as_str() {
            "page" if d.paged => page = Some(v.trim().parse::<i64>().unwrap_or(1).max(1) as u32),
            "pagesize" if d.paged => {
                page_size = match v.trim().parse::<i64>() {
                    Ok(n) if n >= 1 => n.min(MAX_PAGE_SIZE as i64) as u32,
                    _ => DEFAULT_PAGE_SIZE,
                }
            }
            "order" if !v.trim().is_empty() => q.order = parse_order(kind, v)?,
            "where" if !v.trim().is_empty() => q.filter.conds = parse_where(v)?,
            "ids" if d.ids_param => {
                let mut set = HashSet::new();
                for s in csv(v) {
                    let id = Uuid::parse_str(&s)
                        .map_err(|_| QueryError(format!("'{s}' is not a valid GUID")))?;
                    set.insert(id);
                }
                q.filter.ids = Some(set);
            }
            "contactids" if kind == Kind::Invoices => {
                let mut set = HashSet::new();
                for s in csv(v) {
                    let id = Uuid::parse_str(&s)
                        .map_err(|_| QueryError(format!("'{s}' is not a valid GUID")))?;
                    set.insert(id);
                }
                q.filter.contact_ids = Some(set);
            }
            "invoicenumbers" if kind == Kind::Invoices => {
                q.filter.numbers = Some(csv(v).collect());
            }
            "statuses" if kind == Kind::Invoices => {
                q.filter.statuses = Some(csv(v).map(|s| kind.status_code(&s)).collect());
            }
            "includearchived" if d.include_archived => q.include_archived = flag(v),
            "summaryonly" if d.summary_strip.is_some() => q.summary_only = flag(v),
            "searchterm" if matches!(kind, Kind::Invoices | Kind::Contacts) => {
                let t = v.trim().to_lowercase();
                if !t.is_empty() {
                    q.filter.search = Some(t);
                }
            }
            _ => {}
        }
    }
    if d.include_archived && !q.include_archived {
        q.filter.hide_archived = true;
    }
    q.page = page.map(|p| (p, page_size));
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn page_size_is_clamped_and_defaulted() {
        let q = parse_list(
            Kind::Invoices,
            &pairs(&[("page", "2"), ("pageSize", "5000")]),
            None,
        )
        .unwrap();
        assert_eq!(q.page, Some((2, 1000)));
        let q = parse_list(Kind::Invoices, &pairs(&[("page", "0")]), None).unwrap();
        assert_eq!(q.page, Some((1, 100)));
        let q = parse_list(Kind::Invoices, &pairs(&[("pageSize", "10")]), None).unwrap();
        assert_eq!(q.page, None);
        // Items are not paged by the spec.
        let q = parse_list(Kind::Items, &pairs(&[("page", "2")]), None).unwrap();
        assert_eq!(q.page, None);
    }

    #[test]
    fn contacts_hide_archived_unless_asked() {
        let q = parse_list(Kind::Contacts, &[], None).unwrap();
        assert!(q.filter.hide_archived);
        let q = parse_list(Kind::Contacts, &pairs(&[("includeArchived", "true")]), None).unwrap();
        assert!(!q.filter.hide_archived);
        assert!(
            parse_list(Kind::TrackingCategories, &[], None)
                .unwrap()
                .filter
                .hide_archived
        );
        assert!(
            !parse_list(Kind::Invoices, &[], None)
                .unwrap()
                .filter
                .hide_archived
        );
    }

    #[test]
    fn modified_since_only_where_spec_has_it() {
        assert_eq!(
            parse_list(Kind::Invoices, &[], Some(5))
                .unwrap()
                .modified_since,
            Some(5)
        );
        assert_eq!(
            parse_list(Kind::TaxRates, &[], Some(5))
                .unwrap()
                .modified_since,
            None
        );
    }

    #[test]
    fn order_parsing() {
        let o = parse_order(Kind::Invoices, "UpdatedDateUTC DESC").unwrap();
        assert_eq!(
            o,
            Order {
                key: OrderKey::Updated,
                desc: true
            }
        );
        assert_eq!(
            parse_order(Kind::Invoices, "InvoiceNumber").unwrap().key,
            OrderKey::Number
        );
        assert_eq!(
            parse_order(Kind::Invoices, "invoiceid asc").unwrap().key,
            OrderKey::Id
        );
        assert_eq!(
            parse_order(Kind::ManualJournals, "Date ASC").unwrap().key,
            OrderKey::Field(vec!["Date".into()])
        );
        assert!(parse_order(Kind::Invoices, "Date SIDEWAYS").is_err());
    }

    #[test]
    fn id_lists() {
        let id = Uuid::new_v4();
        let q = parse_list(
            Kind::Invoices,
            &pairs(&[("IDs", &format!("{id},{}", Uuid::nil()))]),
            None,
        )
        .unwrap();
        assert!(q.filter.ids.unwrap().contains(&id));
        assert!(parse_list(Kind::Invoices, &pairs(&[("IDs", "nope")]), None).is_err());
        let q = parse_list(Kind::Invoices, &pairs(&[("Statuses", "DRAFT,PAID")]), None).unwrap();
        assert_eq!(q.filter.statuses, Some(vec![0, 3]));
    }
}
