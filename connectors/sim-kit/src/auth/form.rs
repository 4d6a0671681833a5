//! Reading the parameters of OAuth requests: form bodies (only when sent
//! as `application/x-www-form-urlencoded`, as axum's `Form` insists),
//! JSON bodies of string fields, and query strings.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};

/// Whether the request's `Content-Type` is `mime` (parameters ignored).
fn content_type_is(headers: &HeaderMap, mime: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(mime))
}

/// The pairs of a query string or form body; a repeated name keeps its last value.
pub(crate) fn pairs(raw: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

/// The fields of a form body; `None` when the body is not a form.
pub(crate) fn form(headers: &HeaderMap, body: &[u8]) -> Option<HashMap<String, String>> {
    content_type_is(headers, "application/x-www-form-urlencoded").then(|| pairs(body))
}

/// The string fields of a JSON object body; `None` when the body is not
/// a JSON object.
pub(crate) fn json(headers: &HeaderMap, body: &[u8]) -> Option<HashMap<String, String>> {
    if !content_type_is(headers, "application/json") {
        return None;
    }
    let v: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).ok()?;
    Some(
        v.into_iter()
            .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn typed(ct: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        h
    }

    #[test]
    fn forms_and_json_need_their_content_type() {
        let form_h = typed("application/x-www-form-urlencoded; charset=utf-8");
        let f = form(&form_h, b"token=a%2Bb&x=1").unwrap();
        assert_eq!(f["token"], "a+b");
        assert!(form(&typed("application/json"), b"token=a").is_none());
        let j = json(&typed("application/json"), br#"{"token":"t","n":1}"#).unwrap();
        assert_eq!(j["token"], "t");
        assert!(!j.contains_key("n"));
        assert!(json(&form_h, br#"{"token":"t"}"#).is_none());
        assert!(json(&typed("application/json"), b"[1]").is_none());
    }
}
