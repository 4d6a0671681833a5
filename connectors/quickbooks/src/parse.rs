//! The parse hook: a raw QuickBooks object into a normalised record, or an
//! error naming the kind, the object's id and the offending field's path
//! (`Line[2].Amount`, or the missing field itself).

use serde_json::value::RawValue;
use tether_core::{ParseError, ParsedObject};

use crate::kinds::Entity;
use crate::schema::QbObject;

/// Parses one object of `entity` as a `T`.
pub(crate) fn parse<T: QbObject>(
    entity: &Entity,
    raw: &RawValue,
) -> Result<ParsedObject, ParseError> {
    let error = |field: String, problem: String| ParseError {
        kind: entity.kind.to_owned(),
        external_id: lenient_id(raw),
        field,
        problem,
    };
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let object: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let problem = e.into_inner().to_string();
        error(field_of(&path, &problem), problem)
    })?;
    let data = serde_json::to_string(&object)
        .map_err(|e| error("(object)".to_owned(), format!("cannot normalise: {e}")))?;
    Ok(ParsedObject {
        external_id: object.id().to_owned(),
        remote_updated_at: object.updated_at(),
        version: object.sync_token().map(str::to_owned),
        deleted: entity.family.is_deleted(object.active()),
        data,
    })
}

/// The field an error is about: its path, with the missing field's name
/// added when the error is one (serde names it only in the message).
fn field_of(path: &str, problem: &str) -> String {
    let missing = problem
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (".", None) => "(object)".to_owned(),
        (path, None) => path.to_owned(),
    }
}

/// The id of an object that failed to parse, if it can be read at all.
fn lenient_id(raw: &RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id {
        #[serde(rename = "Id")]
        id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Id>(raw.get()).ok()?.id? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{CUSTOMERS, INVOICES};
    use tether_core::ObjectKind;

    fn raw(json: serde_json::Value) -> Box<RawValue> {
        RawValue::from_string(json.to_string()).unwrap()
    }

    #[test]
    fn a_record_has_id_sync_token_time_and_normalised_data() {
        let object = INVOICES
            .parse(&raw(crate::schema::invoice::tests::example()))
            .unwrap();
        assert_eq!(object.external_id, "130");
        assert_eq!(object.version.as_deref(), Some("0"));
        assert_eq!(
            object.remote_updated_at.unwrap().to_rfc3339(),
            "2026-11-09T21:16:17+00:00"
        );
        assert!(!object.deleted);
        let data: serde_json::Value = serde_json::from_str(&object.data).unwrap();
        assert_eq!(data["MetaData"]["LastUpdatedTime"], "2026-11-09T21:16:17Z");
        assert_eq!(data["TotalAmt"], 362.07);
    }

    #[test]
    fn an_inactive_name_is_deleted() {
        let c = serde_json::json!({"Id": "7", "SyncToken": "2", "DisplayName": "Gone Ltd", "Active": false});
        let object = CUSTOMERS.parse(&raw(c)).unwrap();
        assert!(object.deleted);
        assert_eq!(object.version.as_deref(), Some("2"));
    }

    #[test]
    fn errors_name_kind_id_and_field() {
        let mut bad = crate::schema::invoice::tests::example();
        bad["Line"][0]["Amount"] = serde_json::json!("lots");
        let e = INVOICES.parse(&raw(bad)).unwrap_err();
        assert_eq!(
            (e.kind.as_str(), e.external_id.as_deref()),
            ("invoices", Some("130"))
        );
        assert_eq!(e.field, "Line[0].Amount");
        assert!(e.problem.contains("decimal"), "{e}");

        let e = CUSTOMERS
            .parse(&raw(serde_json::json!({"Id": "9"})))
            .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.external_id.as_deref()),
            ("DisplayName", Some("9"))
        );

        let e = INVOICES.parse(&raw(serde_json::json!({}))).unwrap_err();
        assert_eq!(
            (e.kind.as_str(), e.external_id.as_deref()),
            ("invoices", None)
        );
        assert!(!e.field.is_empty() && e.field != "(object)", "{e}");
    }

    #[test]
    fn missing_nested_fields_are_named_with_their_path() {
        assert_eq!(
            field_of("Line[0].LinkedTxn[0]", "missing field `TxnId` at line 1"),
            "Line[0].LinkedTxn[0].TxnId"
        );
        assert_eq!(field_of(".", "missing field `Id`"), "Id");
        assert_eq!(
            field_of("TxnDate", "input contains invalid characters"),
            "TxnDate"
        );
    }
}
