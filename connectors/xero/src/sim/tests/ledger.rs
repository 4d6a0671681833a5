//! Writes that move money: payments, bank transactions, journals, credit notes.

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config};

#[tokio::test]
async fn payments_pay_and_reopen_invoices() {
    let sim = Sim::start(config(30)).await;
    let r = sim
        .send(
            Method::PUT,
            "Invoices",
            &json!({ "Invoices": [invoice(&contact_id(&sim), "200", "AUTHORISED")] }),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    let inv_id = v["Invoices"][0]["InvoiceID"].as_str().unwrap().to_string();
    let pay = |amount: f64| json!({ "Payments": [{ "Invoice": { "InvoiceID": inv_id }, "Account": { "Code": "090" }, "Date": "2019-03-12", "Amount": amount }] });
    let r = sim.send(Method::PUT, "Payments", &pay(50.0)).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    let msg = v["Elements"][0]["ValidationErrors"][0]["Message"]
        .as_str()
        .unwrap();
    assert_eq!(
        msg,
        "Payment amount exceeds the amount outstanding on this document"
    );

    let r = sim.send(Method::PUT, "Payments", &pay(46.0)).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let p = &v["Payments"][0];
    assert_eq!(p["Status"], "AUTHORISED");
    assert_eq!(p["PaymentType"], "ACCRECPAYMENT");
    let pay_id = p["PaymentID"].as_str().unwrap().to_string();
    let v = sim.get_json(&format!("Invoices/{inv_id}")).await;
    assert_eq!(v["Invoices"][0]["Status"], "PAID");
    assert_eq!(v["Invoices"][0]["AmountDue"].as_f64(), Some(0.0));
    assert_eq!(
        v["Invoices"][0]["Payments"][0]["PaymentID"],
        pay_id.as_str()
    );

    let r = sim
        .send(
            Method::POST,
            &format!("Payments/{pay_id}"),
            &json!({ "Payments": [{ "Status": "DELETED" }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Payments"][0]["Status"], "DELETED");
    let v = sim.get_json(&format!("Invoices/{inv_id}")).await;
    assert_eq!(v["Invoices"][0]["Status"], "AUTHORISED");
    assert_eq!(v["Invoices"][0]["AmountDue"].as_f64(), Some(46.0));
    // Deleted payments stay listed.
    assert!(
        sim.h
            .snapshot("payments")
            .iter()
            .any(|p| p["PaymentID"] == pay_id.as_str() && p["Status"] == "DELETED")
    );
}

#[tokio::test]
async fn journals_bank_transactions_and_credit_notes() {
    let sim = Sim::start(config(30)).await;
    let line = |amount: f64, code: &str| json!({ "LineAmount": amount, "AccountCode": code, "Description": "x" });
    let r = sim.send(Method::PUT, "ManualJournals", &json!({ "ManualJournals": [{ "Narration": "Accrual", "JournalLines": [line(10.0, "400"), line(-9.0, "429")] }] })).await;
    assert_eq!(r.status(), 400);
    let r = sim.send(Method::PUT, "ManualJournals", &json!({ "ManualJournals": [{ "Narration": "Accrual", "Status": "POSTED", "JournalLines": [line(10.0, "400"), line(-10.0, "429")] }] })).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["ManualJournals"][0]["JournalLines"][1]["LineAmount"].as_f64(),
        Some(-10.0)
    );

    let contact = contact_id(&sim);
    let bt = json!({ "Type": "SPEND", "Contact": { "ContactID": contact }, "BankAccount": { "Code": "090" },
        "LineAmountTypes": "Inclusive", "LineItems": [{ "Description": "Fuel", "Quantity": 1, "UnitAmount": 115, "AccountCode": "449" }] });
    let r = sim
        .send(
            Method::PUT,
            "BankTransactions",
            &json!({ "BankTransactions": [bt] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let b = &v["BankTransactions"][0];
    assert_eq!(
        (
            b["SubTotal"].as_f64(),
            b["TotalTax"].as_f64(),
            b["Total"].as_f64()
        ),
        (Some(100.0), Some(15.0), Some(115.0))
    );
    let id = b["BankTransactionID"].as_str().unwrap();
    let r = sim
        .send(
            Method::POST,
            &format!("BankTransactions/{id}"),
            &json!({ "Status": "DELETED" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        sim.h
            .snapshot("bank_transactions")
            .iter()
            .any(|x| x["BankTransactionID"] == id && x["Status"] == "DELETED")
    );

    let cn = json!({ "Type": "ACCRECCREDIT", "Contact": { "Name": "Brand New Customer Ltd" }, "LineItems": [{ "Description": "Refund", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200" }] });
    let r = sim.send(Method::PUT, "CreditNotes", &cn).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["CreditNotes"][0]["CreditNoteNumber"]
            .as_str()
            .unwrap()
            .starts_with("CN-")
    );
    assert_eq!(v["CreditNotes"][0]["Total"].as_f64(), Some(11.5));
    // A new contact name creates the contact, as Xero does.
    assert!(
        sim.h
            .snapshot("contacts")
            .iter()
            .any(|c| c["Name"] == "Brand New Customer Ltd")
    );
}
