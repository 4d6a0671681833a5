//! Writes over HTTP: what QuickBooks computes, the SyncToken guard,
//! delete and void, `requestid` replay, batch, validation codes.

use serde_json::{Value, json};

use super::{Sim, config, fault_code};

/// An active customer's and an active item's ids.
fn refs(sim: &Sim) -> (String, String) {
    let c = sim
        .h
        .snapshot("customers")
        .into_iter()
        .find(|c| c["Active"] == true)
        .unwrap();
    let i = sim
        .h
        .snapshot("items")
        .into_iter()
        .find(|i| i["Active"] == true)
        .unwrap();
    (
        c["Id"].as_str().unwrap().into(),
        i["Id"].as_str().unwrap().into(),
    )
}

fn invoice(customer: &str, item: &str) -> Value {
    json!({
        "CustomerRef": {"value": customer},
        "Line": [
            {"DetailType": "SalesItemLineDetail", "Amount": 30.1, "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1}},
            {"DetailType": "SalesItemLineDetail", "Amount": 0.2, "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1}},
        ],
    })
}

#[tokio::test]
async fn create_computes_totals_and_sparse_update_keeps_the_rest() {
    let sim = Sim::start(config(20)).await;
    let (customer, item) = refs(&sim);
    let owed = |sim: &Sim| {
        let c = sim
            .h
            .snapshot("customers")
            .into_iter()
            .find(|c| c["Id"] == customer.as_str())
            .unwrap();
        crate::sim::money::read(&c["Balance"]).unwrap()
    };
    let before = owed(&sim);
    let (status, body) = sim.post("invoice", &invoice(&customer, &item)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        owed(&sim) - before,
        crate::sim::money::cents(3030),
        "the customer owes the invoice too"
    );
    let inv = &body["Invoice"];
    assert_eq!(inv["Id"], "21", "the next numeric id");
    assert_eq!(inv["SyncToken"], "0");
    assert_eq!(inv["TotalAmt"], json!(30.3));
    assert_eq!(inv["Balance"], json!(30.3));
    let lines = inv["Line"].as_array().unwrap();
    assert_eq!(lines.last().unwrap()["DetailType"], "SubTotalLineDetail");
    assert!(
        inv["CustomerRef"]["name"].is_string(),
        "references get their names"
    );
    assert!(
        inv["MetaData"]["CreateTime"]
            .as_str()
            .unwrap()
            .ends_with("-08:00")
    );

    let (status, body) = sim
        .post(
            "invoice",
            &json!({"Id": "21", "SyncToken": "0", "sparse": true, "PrivateNote": "hello"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Invoice"]["SyncToken"], "1");
    assert_eq!(body["Invoice"]["PrivateNote"], "hello");
    assert_eq!(
        body["Invoice"]["TotalAmt"],
        json!(30.3),
        "a sparse update keeps what it leaves out"
    );

    let (status, body) = sim
        .post(
            "invoice",
            &json!({"Id": "21", "SyncToken": "0", "sparse": true, "PrivateNote": "late"}),
        )
        .await;
    assert_eq!((status, fault_code(&body)), (400, "5010"));
    let (_, now) = sim.get("invoice/21").await;
    assert_eq!(
        now["Invoice"]["PrivateNote"], "hello",
        "a stale write changes nothing"
    );

    // A full update replaces the object: fields left out are cleared.
    let mut full = invoice(&customer, &item);
    full["Id"] = json!("21");
    full["SyncToken"] = json!("1");
    let (status, body) = sim.post("invoice", &full).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["Invoice"].get("PrivateNote").is_none());
    assert_eq!(body["Invoice"]["SyncToken"], "2");
}

#[tokio::test]
async fn payments_lower_balances_and_void_or_delete_give_them_back() {
    let sim = Sim::start(config(20)).await;
    let (customer, item) = refs(&sim);
    let (_, body) = sim.post("invoice", &invoice(&customer, &item)).await;
    let id = body["Invoice"]["Id"].as_str().unwrap().to_string();
    let pay = json!({"CustomerRef": {"value": customer}, "TotalAmt": 10,
        "Line": [{"Amount": 10, "LinkedTxn": [{"TxnId": id, "TxnType": "Invoice"}]}]});
    let (status, body) = sim.post("payment", &pay).await;
    assert_eq!(status, 200, "{body}");
    let payment = body["Payment"].clone();
    let (_, inv) = sim.get(&format!("invoice/{id}")).await;
    assert_eq!(inv["Invoice"]["Balance"], json!(20.3));
    assert_eq!(
        inv["Invoice"]["SyncToken"], "1",
        "the paid invoice changed too"
    );

    let (status, body) = sim
        .post(
            "invoice?operation=delete",
            &json!({"Id": id, "SyncToken": "1"}),
        )
        .await;
    assert_eq!(
        (status, fault_code(&body)),
        (400, "6000"),
        "a paid invoice is not deleted"
    );

    let (status, body) = sim
        .post(
            "payment?operation=void",
            &json!({"Id": payment["Id"], "SyncToken": "0"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Payment"]["TotalAmt"], json!(0));
    assert!(
        body["Payment"]["PrivateNote"]
            .as_str()
            .unwrap()
            .starts_with("Voided")
    );
    let (_, inv) = sim.get(&format!("invoice/{id}")).await;
    assert_eq!(inv["Invoice"]["Balance"], json!(30.3));

    let (status, body) = sim
        .post(
            "invoice?operation=void",
            &json!({"Id": id, "SyncToken": "2"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["Invoice"]["TotalAmt"].clone(),
            body["Invoice"]["Balance"].clone()
        ),
        (json!(0), json!(0))
    );
    let (status, body) = sim
        .post(
            "invoice?operation=delete",
            &json!({"Id": id, "SyncToken": "3"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["Invoice"],
        json!({"domain": "QBO", "status": "Deleted", "Id": id})
    );
    let (status, body) = sim.get(&format!("invoice/{id}")).await;
    assert_eq!((status, fault_code(&body)), (400, "610"));
    let (_, q) = sim
        .query(&format!("SELECT * FROM Invoice WHERE Id = '{id}'"))
        .await;
    assert_eq!(q["QueryResponse"], json!({}));
    assert!(
        sim.h
            .snapshot("invoices")
            .iter()
            .all(|i| i["Id"] != id.as_str())
    );
}

#[tokio::test]
async fn requestid_replays_the_first_answer_and_applies_once() {
    let sim = Sim::start(config(10)).await;
    let (customer, item) = refs(&sim);
    let before = sim.h.snapshot("invoices").len();
    let (s1, a) = sim
        .post("invoice?requestid=abc-1", &invoice(&customer, &item))
        .await;
    let (s2, b) = sim
        .post("invoice?requestid=abc-1", &json!({"anything": "else"}))
        .await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(a, b, "the first answer again, whatever the repeat sends");
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);
    let (s3, _) = sim
        .post("invoice?requestid=abc-2", &invoice(&customer, &item))
        .await;
    assert_eq!(s3, 200);
    assert_eq!(sim.h.snapshot("invoices").len(), before + 2);
    let long = "x".repeat(51);
    let (status, body) = sim
        .post(
            &format!("invoice?requestid={long}"),
            &invoice(&customer, &item),
        )
        .await;
    assert_eq!((status, fault_code(&body)), (400, "2050"));
}

#[tokio::test]
async fn batch_answers_each_item_and_a_fault_leaves_the_others_applied() {
    let sim = Sim::start(config(10)).await;
    let (customer, item) = refs(&sim);
    let body = json!({"BatchItemRequest": [
        {"bId": "1", "operation": "create", "Invoice": invoice(&customer, &item)},
        {"bId": "2", "operation": "create", "Invoice": invoice("999999", &item)},
        {"bId": "3", "operation": "update", "Invoice": {"Id": "1", "SyncToken": "77", "sparse": true}},
        {"bId": "4", "Query": "SELECT COUNT(*) FROM Invoice"},
        {"bId": "5", "operation": "create", "Customer": {"DisplayName": "Batch Buyer"}},
    ]});
    let (status, r) = sim.post("batch", &body).await;
    assert_eq!(status, 200, "{r}");
    let items = r["BatchItemResponse"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["bId"], "1");
    assert!(items[0]["Invoice"]["Id"].is_string());
    assert_eq!(items[1]["Fault"]["Error"][0]["code"], "2500");
    assert_eq!(items[1]["Fault"]["type"], "ValidationFault");
    assert_eq!(items[2]["Fault"]["Error"][0]["code"], "5010");
    assert_eq!(items[3]["QueryResponse"]["totalCount"], 11);
    assert_eq!(items[4]["Customer"]["DisplayName"], "Batch Buyer");
    let too_many: Vec<Value> = (0..31)
        .map(|i| json!({"bId": i.to_string(), "Query": "SELECT * FROM Item"}))
        .collect();
    let (status, _) = sim
        .post("batch", &json!({"BatchItemRequest": too_many}))
        .await;
    assert_eq!(status, 400, "at most 30 items");
}

#[tokio::test]
async fn validation_codes() {
    let sim = Sim::start(config(10)).await;
    let (customer, item) = refs(&sim);
    let (status, body) = sim
        .post("invoice", &json!({"CustomerRef": {"value": customer}}))
        .await;
    assert_eq!(
        (status, fault_code(&body)),
        (400, "2020"),
        "Line is required"
    );
    let (_, body) = sim
        .post("customer", &json!({"GivenName": "No Display"}))
        .await;
    assert_eq!(fault_code(&body), "2020");
    let (_, body) = sim
        .post("customer", &json!({"DisplayName": "x".repeat(501)}))
        .await;
    assert_eq!(
        fault_code(&body),
        "2050",
        "DisplayName is at most 500 characters"
    );
    let taken = sim.h.snapshot("vendors")[0]["DisplayName"].clone();
    let (status, body) = sim.post("customer", &json!({"DisplayName": taken})).await;
    assert_eq!(
        (status, fault_code(&body)),
        (400, "6240"),
        "DisplayName is unique across customers and vendors"
    );
    let (_, body) = sim.post("invoice", &invoice(&customer, "424242")).await;
    assert_eq!(fault_code(&body), "2500");
    let je = json!({"Line": [
        {"Amount": 10, "DetailType": "JournalEntryLineDetail", "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "1"}}},
        {"Amount": 9, "DetailType": "JournalEntryLineDetail", "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "4"}}},
    ]});
    let (status, _) = sim.post("journalentry", &je).await;
    assert_eq!(status, 400, "a journal entry must balance");
    let c = sim.h.snapshot("customers")[0].clone();
    let (status, body) = sim
        .post(
            "customer?operation=delete",
            &json!({"Id": c["Id"], "SyncToken": c["SyncToken"]}),
        )
        .await;
    assert_eq!(
        status, 400,
        "name-list entities are made inactive, not deleted: {body}"
    );
    let (status, body) = sim
        .post(
            "customer",
            &json!({"Id": c["Id"], "SyncToken": c["SyncToken"], "sparse": true, "Active": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = sim
        .post("invoice", &invoice(c["Id"].as_str().unwrap(), &item))
        .await;
    assert_eq!(
        fault_code(&body),
        "610",
        "an inactive customer cannot be referenced"
    );
    assert!(
        sim.h
            .snapshot("customers")
            .iter()
            .any(|x| x["Id"] == c["Id"] && x["Active"] == false)
    );
}

#[tokio::test]
async fn the_moved_clock_stamps_writes() {
    let sim = Sim::start(config(5)).await;
    let later = chrono::Utc::now() + chrono::Duration::days(10);
    sim.h
        .advance_clock(std::time::Duration::from_secs(10 * 86_400));
    let token = sim.h.playground_token(&sim.realm);
    let r = sim
        .c
        .post(format!("{}?minorversion=75", sim.api("vendor")))
        .bearer_auth(token)
        .json(&json!({"DisplayName": "Ten Days Later Ltd"}))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let created = body["Vendor"]["MetaData"]["CreateTime"].as_str().unwrap();
    let created = chrono::DateTime::parse_from_rfc3339(created).unwrap();
    assert!(
        (created.timestamp() - later.timestamp()).abs() < 60,
        "{created}"
    );
    assert!(created.to_rfc3339().ends_with("-08:00"));
}
