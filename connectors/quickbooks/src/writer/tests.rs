//! The write hooks' pure parts: update bodies, batch answers, request ids,
//! identities of lost creates, and the typed check.

use super::*;
use crate::kinds::{CUSTOMERS, INVOICES};

#[test]
fn updates_are_sparse_on_the_version_read() {
    let body = update_body(
        "58",
        "3",
        &json!({"GivenName": "Amy", "Active": false}),
        None,
    );
    assert_eq!(
        body,
        json!({"Id": "58", "SyncToken": "3", "sparse": true, "GivenName": "Amy", "Active": false})
    );
}

#[test]
fn nested_changes_send_the_nested_object_whole() {
    let current = json!({"Id": "58", "DisplayName": "Amy", "BillAddr": {"Line1": "1 Finch St", "City": "Bayshore"}});
    let body = update_body(
        "58",
        "3",
        &json!({"BillAddr": {"City": "Oakland"}}),
        Some(&current),
    );
    assert_eq!(
        body["BillAddr"],
        json!({"Line1": "1 Finch St", "City": "Oakland"})
    );
    assert_eq!(body["sparse"], true);
    assert!(body.get("DisplayName").is_none(), "only what changes");
}

#[test]
fn clearing_a_field_is_a_full_update() {
    let current = json!({"Id": "58", "SyncToken": "3", "DisplayName": "Amy", "CompanyName": "Birds", "sparse": false});
    let body = update_body("58", "3", &json!({"CompanyName": null}), Some(&current));
    assert_eq!(
        body,
        json!({"Id": "58", "SyncToken": "3", "DisplayName": "Amy", "sparse": false})
    );
}

#[test]
fn request_ids_fit_in_fifty_characters() {
    let key = "tether-6f1c8a52-0000-5000-8000-000000000000";
    assert_eq!(request_id(key), key, "export's keys fit as they are");
    let long = "x".repeat(80);
    let id = request_id(&long);
    assert!(id.len() <= 50, "{id}");
    assert_eq!(id, request_id(&long), "the same key, the same id");
    assert_ne!(id, request_id(&"y".repeat(80)));
}

#[test]
fn batch_answers_map_by_bid() {
    let body = br#"{"BatchItemResponse": [
        {"bId": "1", "Fault": {"type": "ValidationFault", "Error": [{"Message": "Stale Object Error", "Detail": "You and Sam were working on this at the same time.", "code": "5010", "element": ""}]}},
        {"Invoice": {"Id": "130", "SyncToken": "1", "CustomerRef": {"value": "24"}}, "bId": "0"},
        {"bId": "2", "Fault": {"type": "ValidationFault", "Error": [{"Message": "Required param missing", "code": "2020", "element": "Line"}]}}
    ], "time": "2026-11-30T04:12:09.123-08:00"}"#;
    let mut answers = batch_answers(body).unwrap();
    let Some(BatchAnswer::Object(raw)) = answers.remove("0") else {
        panic!("item 0 is the invoice");
    };
    match INVOICES.written(&raw) {
        WriteOutcome::Written(object) => assert_eq!(
            (object.external_id.as_str(), object.version.as_deref()),
            ("130", Some("1"))
        ),
        other => panic!("{other:?}"),
    }
    let Some(BatchAnswer::Fault(stale)) = answers.remove("1") else {
        panic!("item 1 is a Fault");
    };
    assert_eq!(stale.code(), Some("5010"));
    let Some(BatchAnswer::Fault(missing)) = answers.remove("2") else {
        panic!("item 2 is a Fault");
    };
    assert_eq!(
        missing.said(),
        "[2020] Required param missing (element `Line`)"
    );
    assert!(answers.is_empty());
    let e = batch_answers(br#"{"BatchItemResponse": [{"Invoice": {}}]}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
}

#[test]
fn an_unreadable_written_object_is_rejected_naming_the_field() {
    let raw = RawValue::from_string(
        r#"{"Id": "5", "CustomerRef": {"value": "1"}, "TotalAmt": "x"}"#.into(),
    )
    .unwrap();
    match INVOICES.written(&raw) {
        WriteOutcome::Rejected(message) => assert!(message.contains("TotalAmt"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn lost_creates_match_on_every_field_sent() {
    let sent = json!({"DocNumber": "1037", "CustomerRef": {"value": "24"}, "TotalAmt": 55});
    let paths = &["DocNumber", "CustomerRef.value", "TotalAmt", "TxnDate"];
    let raw = |v: Value| RawValue::from_string(v.to_string()).unwrap();
    let same = raw(
        json!({"Id": "1", "DocNumber": "1037", "CustomerRef": {"value": "24"}, "TotalAmt": 55.0, "TxnDate": "2026-11-30"}),
    );
    assert!(same_identity(paths, &sent, &same));
    let other_customer = raw(
        json!({"Id": "2", "DocNumber": "1037", "CustomerRef": {"value": "25"}, "TotalAmt": 55}),
    );
    assert!(!same_identity(paths, &sent, &other_customer));
    let no_number = raw(json!({"Id": "3", "CustomerRef": {"value": "24"}, "TotalAmt": 55}));
    assert!(!same_identity(paths, &sent, &no_number));
}

#[test]
fn the_check_reads_local_references_as_ids_and_names_fields() {
    let invoice = json!({"CustomerRef": {"value": "local:4"}, "Line": [{"Amount": 10, "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "local:9"}}}]});
    INVOICES.check(&invoice).unwrap();
    let e = CUSTOMERS.check(&json!({"GivenName": "Amy"})).unwrap_err();
    assert_eq!((e.field.as_str(), e.external_id), ("DisplayName", None));
    let e = INVOICES
        .check(&json!({"CustomerRef": {"value": "1"}, "Line": [{"Amount": "ten"}]}))
        .unwrap_err();
    assert_eq!(e.field, "Line[0].Amount");
}
