//! An object that does not parse is quarantined with an error naming its
//! kind, id and field; the rest of the page and of the run go on.

use serde_json::json;
use tether_core::store::{RunStatus, Store};
use tether_tests::{Backend, Env, Scenario, Simulator, on_every_provider, stored_records};

async fn malformed_objects_are_quarantined<S: Simulator>(backend: Backend) {
    let Some(env) = Env::<S>::of(backend, &Scenario::sized(1500)).await else {
        return;
    };
    let (total, date) = S::invoice_total_and_date();
    let id_field = S::id_field("invoices");
    let invoices = env.sim.snapshot("invoices");
    let bad_total = invoices[10][id_field].as_str().unwrap().to_owned();
    let bad_date = invoices[1200][id_field].as_str().unwrap().to_owned();
    assert!(
        env.sim
            .corrupt("invoices", &bad_total, total, json!("not-a-number"))
    );
    assert!(
        env.sim
            .corrupt("invoices", &bad_date, date, json!("banana"))
    );

    let reports = env.sync(&["invoices", "accounts"]).await;
    for r in &reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    let invoices_report = reports.iter().find(|r| r.kind == "invoices").unwrap();
    assert_eq!(invoices_report.counts.fetched, 1500);
    assert_eq!(invoices_report.counts.quarantined, 2);
    assert_eq!(invoices_report.counts.stored, 1498);

    let stored = stored_records(&env.store, env.session.connection.id, "invoices").await;
    assert_eq!(stored.len(), 1498);
    assert!(!stored.contains_key(&bad_total) && !stored.contains_key(&bad_date));

    let quarantined = env
        .store
        .quarantined(env.session.connection.id, 10)
        .await
        .unwrap();
    assert_eq!(quarantined.len(), 2);
    let total_entry = quarantined
        .iter()
        .find(|q| q.external_id.as_deref() == Some(&bad_total))
        .unwrap();
    assert!(
        total_entry.error.contains("invoices"),
        "{}",
        total_entry.error
    );
    assert!(
        total_entry.error.contains(&bad_total),
        "{}",
        total_entry.error
    );
    assert!(
        total_entry.error.contains(&format!("`{total}`")),
        "{}",
        total_entry.error
    );
    assert!(
        total_entry.payload.contains("not-a-number"),
        "the payload is kept whole"
    );
    let date_entry = quarantined
        .iter()
        .find(|q| q.external_id.as_deref() == Some(&bad_date))
        .unwrap();
    assert!(
        date_entry.error.contains(&format!("`{date}`")),
        "{}",
        date_entry.error
    );
    env.finish().await;
}

/// An object we hold that comes back malformed is still at the provider: its
/// record stays live with its last good copy, the quarantine says why it is
/// stale (one entry, however many syncs meet it), and once the object reads
/// again the record is refreshed and the entry goes.
async fn an_object_that_turns_malformed_stays_live<S: Simulator>(backend: Backend) {
    let Some(env) = Env::<S>::of(backend, &Scenario::sized(1500)).await else {
        return;
    };
    let conn = env.connection_id();
    env.sync(&["invoices"]).await;
    let (total, _) = S::invoice_total_and_date();
    let invoice = env
        .sim
        .snapshot("invoices")
        .into_iter()
        .find(|i| !S::shows_deleted("invoices", i))
        .expect("a live invoice");
    let id = invoice[S::id_field("invoices")]
        .as_str()
        .unwrap()
        .to_owned();
    let good = stored_records(&env.store, conn, "invoices").await[&id].clone();
    assert!(env.sim.corrupt("invoices", &id, total, json!("garbled")));

    for _ in 0..2 {
        let report = env.sync(&["invoices"]).await.remove(0);
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        assert_eq!(report.counts.quarantined, 1);
        assert_eq!(
            report.counts.deleted, 0,
            "a quarantined object is not deleted"
        );
        let record = &stored_records(&env.store, conn, "invoices").await[&id];
        assert!(record.deleted_at.is_none(), "still live");
        assert_eq!(record.data, good.data, "its last good copy stays");
        let quarantined = env.store.quarantined(conn, 10).await.unwrap();
        assert_eq!(
            quarantined.len(),
            1,
            "one entry per object: {quarantined:?}"
        );
        assert!(
            quarantined[0].error.contains(&format!("`{total}`")),
            "{}",
            quarantined[0].error
        );
    }

    assert!(
        env.sim
            .corrupt("invoices", &id, total, invoice[total].clone())
    );
    let report = env.sync(&["invoices"]).await.remove(0);
    assert_eq!(report.counts.quarantined, 0);
    assert!(
        env.store.quarantined(conn, 10).await.unwrap().is_empty(),
        "read again: cleared"
    );
    assert!(
        stored_records(&env.store, conn, "invoices").await[&id]
            .deleted_at
            .is_none()
    );
    env.finish().await;
}

on_every_provider!(
    malformed_objects_are_quarantined,
    an_object_that_turns_malformed_stays_live
);
