//! Runs a parsed query over one entity's table: the conditions (with the
//! implicit `Active = true` of name-list entities), the order, the page.
//! Values compare as QuickBooks compares them: `Id`s and references as
//! numbers, date-times as instants, money as decimals, text without case.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde_json::Value;
use tether_sim_kit::store::ViewSpec;

use super::parse::{Cmp, Cond, Lit, Query, Select};
use crate::sim::store::{Row, Table};
use crate::sim::time;

/// A query's answer before it is wrapped in `QueryResponse`.
#[derive(Debug)]
pub(crate) enum Answer {
    Count(usize),
    Page(Vec<Value>),
}

/// The value at a dotted path; a reference (`CustomerRef`) reads as its `value`.
fn at<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = obj;
    for part in path.split('.') {
        v = v
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(part))?
            .1;
    }
    match v {
        Value::Object(m) if m.contains_key("value") => m.get("value"),
        v => Some(v),
    }
}

/// Whether a field holds ids (compared as numbers).
fn is_id(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.eq_ignore_ascii_case("Id") || last.ends_with("Ref") || last.eq_ignore_ascii_case("TxnId")
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn lit_text(l: &Lit) -> String {
    match l {
        Lit::Str(s) | Lit::Num(s) => s.clone(),
        Lit::Bool(b) => b.to_string(),
    }
}

/// Compares two values of field `path` the way QuickBooks does.
fn compare(path: &str, a: &str, b: &str) -> Option<Ordering> {
    let num = |s: &str| s.trim().parse::<Decimal>().ok();
    if is_id(path) {
        return Some(num(a)?.cmp(&num(b)?));
    }
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Some(x.cmp(&y));
    }
    if a.contains('T')
        && let (Some(x), Some(y)) = (time::parse_instant(a), time::parse_instant(b))
    {
        return Some(x.cmp(&y));
    }
    Some(a.to_lowercase().cmp(&b.to_lowercase()))
}

/// `%` matches any run of characters, case ignored.
fn like(value: &str, pattern: &str) -> bool {
    let (value, pattern) = (value.to_lowercase(), pattern.to_lowercase());
    let parts: Vec<&str> = pattern.split('%').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return value == pattern;
    }
    if !value.starts_with(first) || !value[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &value[first.len()..value.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

fn holds(obj: &Value, cond: &Cond) -> bool {
    let Some(v) = at(obj, cond.field()).and_then(text) else {
        return false;
    };
    let path = cond.field();
    match cond {
        Cond::Cmp(_, op, lit) => match compare(path, &v, &lit_text(lit)) {
            Some(o) => match op {
                Cmp::Eq => o == Ordering::Equal,
                Cmp::Lt => o == Ordering::Less,
                Cmp::Gt => o == Ordering::Greater,
                Cmp::Le => o != Ordering::Greater,
                Cmp::Ge => o != Ordering::Less,
            },
            None => false,
        },
        Cond::In(_, lits) => lits
            .iter()
            .any(|l| compare(path, &v, &lit_text(l)) == Some(Ordering::Equal)),
        Cond::Like(_, p) => like(&v, p),
    }
}

fn order(a: &Value, b: &Value, by: &[(String, bool)]) -> Ordering {
    for (field, desc) in by {
        let (x, y) = (at(a, field).and_then(text), at(b, field).and_then(text));
        let o = match (x, y) {
            (Some(x), Some(y)) => compare(field, &x, &y).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Keeps the selected fields, plus what identifies the object; such an
/// answer is marked `sparse`.
fn project(obj: &Value, fields: &[String]) -> Value {
    let mut out = serde_json::Map::new();
    for key in ["Id", "SyncToken", "domain", "MetaData"] {
        if let Some(v) = obj.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    for f in fields {
        if let Some((k, v)) = obj
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(f)))
        {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert("sparse".into(), Value::Bool(true));
    Value::Object(out)
}

/// A query's view of a table, for the kit's collection to cache: which
/// objects (the conditions, and `Active = true` for a name list whose
/// query does not mention `Active`), in which order (`Id` unless ordered).
struct QueryView<'a> {
    q: &'a Query,
    implicit_active: bool,
}

impl ViewSpec<u64, Row> for QueryView<'_> {
    fn default_order(&self) -> Option<bool> {
        // Every object by last change is the collection's own order.
        match (
            self.q.conds.is_empty() && !self.implicit_active,
            self.q.order.as_slice(),
        ) {
            (true, [(field, desc)]) if field.eq_ignore_ascii_case("MetaData.LastUpdatedTime") => {
                Some(*desc)
            }
            _ => None,
        }
    }

    fn cache_key(&self) -> String {
        format!(
            "{:?}|{:?}|{}",
            self.q.conds, self.q.order, self.implicit_active
        )
    }

    fn matches(&self, _: &u64, r: &Row) -> bool {
        (!self.implicit_active || r.obj["Active"] == true)
            && self.q.conds.iter().all(|c| holds(&r.obj, c))
    }

    fn sort(&self, mut entries: Vec<(u64, &Row)>) -> Vec<u64> {
        entries.sort_by(|(a, x), (b, y)| order(&x.obj, &y.obj, &self.q.order).then(a.cmp(b)));
        entries.into_iter().map(|(id, _)| id).collect()
    }
}

/// Runs `q` over `table` (objects in `Id` order unless ordered otherwise).
pub(crate) fn run(q: &Query, table: &Table) -> Answer {
    let implicit_active = q.from.is_name_list()
        && !q
            .conds
            .iter()
            .any(|c| c.field().eq_ignore_ascii_case("Active"));
    let view = QueryView { q, implicit_active };
    if let Select::Count = q.select {
        return Answer::Count(table.rows.select(None, &view, Some((0, 0))).total);
    }
    let page = table.rows.select(None, &view, Some((q.start - 1, q.max)));
    let objs = page
        .ids
        .iter()
        .filter_map(|id| table.rows.get(id))
        .map(|r| &r.obj);
    Answer::Page(match &q.select {
        Select::Fields(f) => objs.map(|o| project(o, f)).collect(),
        _ => objs.cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;
    use crate::sim::entity::Entity;
    use crate::sim::store::Books;
    use serde_json::json;

    fn books() -> Books {
        let mut b = Books::default();
        for (i, (name, active)) in [
            ("Amy's Bird Sanctuary", true),
            ("Bill's Windsurf", false),
            ("Cool Cars", true),
        ]
        .into_iter()
        .enumerate()
        {
            let at = 1_790_000_000_000 + i as i64 * 1000;
            b.create(
                Entity::Customer,
                json!({"DisplayName": name, "Active": active, "Balance": i * 10}),
                at,
            );
        }
        for i in 0..12 {
            b.create(
                Entity::Invoice,
                json!({"CustomerRef": {"value": (i % 3 + 1).to_string()}, "TotalAmt": 5}),
                1_790_000_000_000,
            );
        }
        b
    }

    fn ids(a: Answer) -> Vec<String> {
        match a {
            Answer::Page(v) => v
                .iter()
                .map(|o| o["Id"].as_str().unwrap().to_string())
                .collect(),
            Answer::Count(n) => vec![format!("count {n}")],
        }
    }

    fn q(b: &Books, sql: &str) -> Vec<String> {
        let q = parse(sql).unwrap();
        ids(run(&q, b.readable(q.from)))
    }

    #[test]
    fn active_is_implicit_for_name_lists_unless_mentioned() {
        let b = books();
        assert_eq!(q(&b, "SELECT * FROM Customer"), ["1", "3"]);
        assert_eq!(
            q(&b, "SELECT * FROM Customer WHERE Active IN (true, false)"),
            ["1", "2", "3"]
        );
        assert_eq!(q(&b, "SELECT * FROM Customer WHERE Active = false"), ["2"]);
        assert_eq!(q(&b, "SELECT COUNT(*) FROM Customer"), ["count 2"]);
    }

    #[test]
    fn ids_compare_as_numbers_and_pages_are_one_based() {
        let b = books();
        assert_eq!(
            q(&b, "SELECT * FROM Invoice WHERE Id > '9'"),
            ["10", "11", "12"]
        );
        assert_eq!(
            q(&b, "SELECT * FROM Invoice ORDERBY Id DESC MAXRESULTS 3"),
            ["12", "11", "10"]
        );
        assert_eq!(
            q(&b, "SELECT * FROM Invoice STARTPOSITION 11 MAXRESULTS 5"),
            ["11", "12"]
        );
        assert_eq!(
            q(&b, "SELECT * FROM Invoice WHERE CustomerRef = '2'"),
            ["2", "5", "8", "11"]
        );
        assert_eq!(
            q(&b, "SELECT * FROM Invoice WHERE Id IN ('3', '12', '99')"),
            ["3", "12"]
        );
    }

    #[test]
    fn times_compare_as_instants_and_like_matches() {
        let b = books();
        // The second customer's time, said in UTC: the same instant.
        let utc = chrono::DateTime::from_timestamp_millis(1_790_000_001_000)
            .unwrap()
            .to_rfc3339();
        let expected: Vec<String> = ["2", "3"].map(String::from).to_vec();
        for t in [utc, time::meta(1_790_000_001_000)] {
            let sql = format!(
                "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '{t}' AND Active IN (true,false)"
            );
            assert_eq!(q(&b, &sql), expected, "{t}");
        }
        assert_eq!(
            q(&b, "SELECT * FROM Customer WHERE DisplayName LIKE '%bird%'"),
            ["1"]
        );
        assert_eq!(
            q(&b, "SELECT * FROM Customer WHERE DisplayName LIKE 'Cool%'"),
            ["3"]
        );
        assert_eq!(q(&b, "SELECT * FROM Customer WHERE Balance >= 20"), ["3"]);
        let page = run(
            &parse("SELECT DisplayName FROM Customer").unwrap(),
            b.table(Entity::Customer),
        );
        let Answer::Page(objs) = page else { panic!() };
        assert_eq!(objs[0]["sparse"], true);
        assert!(
            objs[0].get("Balance").is_none() && objs[0]["DisplayName"] == "Amy's Bird Sanctuary"
        );
    }

    #[test]
    fn ordering_by_last_change_uses_the_change_order() {
        let b = books();
        let sql = "SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY MetaData.LastUpdatedTime DESC";
        assert_eq!(q(&b, sql), ["3", "2", "1"]);
        // No condition: the collection's own (updated, id) order, reversed.
        let sql = "SELECT * FROM Invoice ORDERBY MetaData.LastUpdatedTime DESC MAXRESULTS 2";
        assert_eq!(q(&b, sql), ["12", "11"]);
        let sql = "SELECT * FROM Invoice ORDERBY MetaData.LastUpdatedTime STARTPOSITION 12";
        assert_eq!(q(&b, sql), ["12"]);
    }
}
