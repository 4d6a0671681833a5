//! Edits of stored raw JSON objects that keep every other byte as it is:
//! dropping fields (`summaryOnly`, unpaged lists), replacing one field
//! (`/_sim/corrupt`), appending response-only fields.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON object as its fields in order, each value left as raw text.
pub struct RawObject<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = m.next_entry::<Cow<'de, str>, &'de RawValue>()? {
                    fields.push((k, v));
                }
                Ok(RawObject(fields))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

fn push_key(out: &mut String, key: &str) {
    // Keys are plain identifiers in practice; escape properly anyway.
    match serde_json::to_string(key) {
        Ok(k) => out.push_str(&k),
        Err(_) => out.push_str("\"\""),
    }
}

impl RawObject<'_> {
    /// Writes the object back as compact JSON.
    pub fn write(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_key(out, k);
            out.push(':');
            out.push_str(v.get());
        }
        out.push('}');
    }
}

/// Appends `raw` to `out` without the fields named in `drop`.
pub fn push_without(out: &mut String, raw: &str, drop: &[&str]) {
    match serde_json::from_str::<RawObject>(raw) {
        Ok(mut obj) => {
            obj.0.retain(|(k, _)| !drop.contains(&k.as_ref()));
            obj.write(out);
        }
        // Not an object (cannot happen for stored objects): serve as is.
        Err(_) => out.push_str(raw),
    }
}

/// Returns `raw` with field `field` set to `value` (appended when absent);
/// `None` when `raw` is not a JSON object.
pub fn replace_field(raw: &str, field: &str, value: &serde_json::Value) -> Option<String> {
    let mut obj = serde_json::from_str::<RawObject>(raw).ok()?;
    let text = serde_json::to_string(value).ok()?;
    let new = RawValue::from_string(text).ok()?;
    match obj.0.iter_mut().find(|(k, _)| k == field) {
        Some(slot) => slot.1 = &new,
        None => obj.0.push((Cow::Borrowed(field), &new)),
    }
    let mut out = String::with_capacity(raw.len() + 16);
    obj.write(&mut out);
    Some(out)
}

/// Returns `raw` with extra fields appended before its closing brace.
pub fn with_appended(raw: &str, extra: &[(&str, &str)]) -> String {
    let body = raw.trim_end();
    let Some(inner) = body.strip_suffix('}') else {
        return raw.to_string();
    };
    let mut out = String::with_capacity(raw.len() + 64);
    out.push_str(inner);
    let empty = inner.trim_end().ends_with('{');
    for (i, (k, v)) in extra.iter().enumerate() {
        if !(empty && i == 0) {
            out.push(',');
        }
        push_key(&mut out, k);
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RAW: &str = r#"{"A":1,"LineItems":[{"x":"}"}],"Total":40.00,"Esc\"":"q"}"#;

    #[test]
    fn drops_fields_keeping_bytes() {
        let mut out = String::new();
        push_without(&mut out, RAW, &["LineItems"]);
        assert_eq!(out, r#"{"A":1,"Total":40.00,"Esc\"":"q"}"#);
    }

    #[test]
    fn replaces_and_appends_fields() {
        let s = replace_field(RAW, "Total", &json!("not-a-number")).unwrap();
        assert!(s.contains(r#""Total":"not-a-number""#));
        assert!(s.contains(r#""LineItems":[{"x":"}"}]"#));
        let s = replace_field(RAW, "New", &json!(null)).unwrap();
        assert!(s.ends_with(r#","New":null}"#));
        assert!(replace_field("[1]", "A", &json!(1)).is_none());
    }

    #[test]
    fn appends_response_fields() {
        assert_eq!(
            with_appended(r#"{"A":1}"#, &[("S", "\"OK\"")]),
            r#"{"A":1,"S":"OK"}"#
        );
        assert_eq!(
            with_appended("{}", &[("S", "1"), ("T", "2")]),
            r#"{"S":1,"T":2}"#
        );
    }
}
