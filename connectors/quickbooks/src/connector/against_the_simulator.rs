//! The connector against its simulator, through core's traits only: every
//! kind listed whole in pages, read by ids, the change feed, and writes
//! (create, sparse update, a stale one, deactivation, hard delete, a
//! refused item beside a written one, a lost create found again).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};
use tether_core::auth::TokenSource;
use tether_core::auth::authorize::Redirect;
use tether_core::http::{Api, ApiBuilder};
use tether_core::{
    Connector, ObjectKind, PageRequest, RateLimitPolicy, Result, Secret, WriteOutcome, WriteRequest,
};

use crate::QuickBooksConnector;
use crate::sim::{QuickBooksSim, SimConfig, SimHandle, SimLimits, SimSizes};

/// A token handed out by the simulator's playground.
struct Playground(String);

#[async_trait::async_trait]
impl TokenSource for Playground {
    async fn token(&self) -> Result<Secret> {
        Ok(Secret::new(self.0.clone()))
    }

    async fn invalidate(&self) {}
}

async fn start(invoices: usize) -> (SimHandle, Api) {
    let config = SimConfig {
        sizes: SimSizes::scaled(invoices),
        limits: SimLimits::off(),
        ..SimConfig::default()
    };
    start_with(config, QuickBooksConnector.rate_limits()).await
}

/// A simulator of `config`, and an `Api` to it keeping to `limits`.
pub(super) async fn start_with(config: SimConfig, limits: RateLimitPolicy) -> (SimHandle, Api) {
    let sim = QuickBooksSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("the simulator starts");
    let realm = sim.tenant_id();
    let endpoints = QuickBooksConnector.endpoints(Some(&sim.base_url()));
    let api = ApiBuilder::new(endpoints.api, limits)
        .tenant(realm.clone())
        .tokens(Arc::new(Playground(sim.playground_token(&realm))))
        .build()
        .expect("an api");
    (sim, api)
}

/// Every object of `kind`, page by page as core would list it.
async fn list_all(api: &Api, kind: &dyn ObjectKind) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut token = None;
    loop {
        let page = kind
            .list_page(
                api,
                PageRequest {
                    token,
                    modified_since: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        pages += 1;
        assert!(page.provider_time.is_some(), "{}: the clock", kind.name());
        for raw in &page.objects {
            let object = kind.parse(raw).unwrap_or_else(|e| panic!("{e}"));
            ids.push(object.external_id);
        }
        match page.next {
            Some(next) => token = Some(next),
            None => return (ids, pages),
        }
    }
}

fn snapshot_ids(sim: &SimHandle, kind: &str) -> Vec<String> {
    sim.snapshot(kind)
        .iter()
        .map(|o| o["Id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn reads_every_kind_whole_and_exactly_by_ids() {
    let (sim, api) = start(1200).await;
    for kind in QuickBooksConnector.kinds() {
        let (ids, pages) = list_all(&api, *kind).await;
        let expected = snapshot_ids(&sim, kind.name());
        assert_eq!(
            ids.iter().collect::<BTreeSet<_>>(),
            expected.iter().collect::<BTreeSet<_>>(),
            "{}: every object, inactive and voided included",
            kind.name()
        );
        assert_eq!(ids.len(), expected.len(), "{}: no duplicates", kind.name());
        // What an application edits starts from the stored objects: they
        // pass the typed check.
        let writer = kind.writer().unwrap();
        let page = kind
            .read_by_ids(&api, &expected[..expected.len().min(20)])
            .await
            .unwrap();
        for raw in &page.objects {
            let data: Value = serde_json::from_str(&kind.parse(raw).unwrap().data).unwrap();
            writer.check(&data).unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(
            pages <= ids.len() / 1000 + 1,
            "{}: {pages} pages",
            kind.name()
        );
        let mut asked: Vec<String> = expected.iter().take(99).cloned().collect();
        asked.push("987654321".into());
        asked.push(uuid::Uuid::new_v4().to_string());
        let page = kind.read_by_ids(&api, &asked).await.unwrap();
        let got: BTreeSet<String> = page
            .objects
            .iter()
            .map(|raw| kind.parse(raw).unwrap().external_id)
            .collect();
        assert_eq!(
            got,
            expected.iter().take(99).cloned().collect::<BTreeSet<_>>(),
            "{}: exactly the ids that exist",
            kind.name()
        );
    }
    let invoices = QuickBooksConnector.kind("invoices").unwrap();
    assert!(list_all(&api, invoices).await.1 >= 2, "invoices take pages");
    // A query too long for a URL goes as the body of a POST.
    let many: Vec<String> = (1..=400).map(|i| format!("'{i}'")).collect();
    let sql = format!(
        "SELECT * FROM Invoice WHERE Id IN ({}) MAXRESULTS 1000",
        many.join(",")
    );
    assert!(sql.len() > 1500);
    let answer = crate::client::query(&api, &sql).await.unwrap();
    let (objects, _) = crate::lister::objects_of("Invoice", &answer.body).unwrap();
    assert_eq!(objects.len(), 400);
    let redirect = Redirect([("realmId".to_owned(), sim.tenant_id())].into());
    let endpoints = QuickBooksConnector.endpoints(Some(&sim.base_url()));
    let tenants = QuickBooksConnector
        .tenants(&api, &endpoints, &redirect)
        .await
        .unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].id, sim.tenant_id());
    assert_eq!(tenants[0].name, sim.company_name(), "named by CompanyInfo");
    assert_ne!(tenants[0].name, tenants[0].id);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_change_feed_answers_every_kind_in_one_call() {
    let (sim, api) = start(40).await;
    let customers = QuickBooksConnector.kind("customers").unwrap();
    let writer = customers.writer().unwrap();
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let created = writer
        .write_batch(
            &api,
            &[WriteRequest {
                external_id: None,
                version: None,
                body: json!({"DisplayName": "Feed Watcher"}),
            }],
            "tether-feed-1",
        )
        .await
        .unwrap();
    let WriteOutcome::Written(customer) = &created[0] else {
        panic!("{created:?}");
    };
    let entry_id = snapshot_ids(&sim, "journal_entries")[0].clone();
    let entry = sim.snapshot("journal_entries")[0].clone();
    let entries = QuickBooksConnector.kind("journal_entries").unwrap();
    let deleted = entries
        .writer()
        .unwrap()
        .delete(
            &api,
            &WriteRequest {
                external_id: Some(entry_id.clone()),
                version: entry["SyncToken"].as_str().map(str::to_owned),
                body: Value::Null,
            },
        )
        .await
        .unwrap();
    assert!(matches!(deleted, WriteOutcome::Deleted), "{deleted:?}");
    // A resync's listing of changes holds the new customer, not the rest.
    let changed = customers
        .list_page(
            &api,
            PageRequest {
                token: None,
                modified_since: Some(since),
            },
        )
        .await
        .unwrap();
    let changed: Vec<String> = changed
        .objects
        .iter()
        .map(|raw| customers.parse(raw).unwrap().external_id)
        .collect();
    assert!(changed.contains(&customer.external_id), "{changed:?}");
    assert!(changed.len() < snapshot_ids(&sim, "customers").len());

    let feed = QuickBooksConnector.change_feed().unwrap();
    let kinds: Vec<&str> = QuickBooksConnector
        .kinds()
        .iter()
        .map(|k| k.name())
        .collect();
    assert!(kinds.iter().all(|k| feed.covers(k)));
    let calls = api.stats().calls();
    let answer = feed.changes(&api, &kinds, since).await.unwrap();
    assert_eq!(api.stats().calls() - calls, 1, "one call");
    assert!(answer.provider_time.is_some());
    assert_eq!(answer.kinds.len(), kinds.len());
    let share = |k: &str| answer.kinds.iter().find(|c| c.kind == k).unwrap();
    let seen: Vec<String> = share("customers")
        .objects
        .iter()
        .map(|raw| customers.parse(raw).unwrap().external_id)
        .collect();
    assert!(seen.contains(&customer.external_id), "{seen:?}");
    assert_eq!(share("journal_entries").tombstones, [entry_id]);
    assert!(answer.kinds.iter().all(|c| c.complete));
    sim.shutdown().await;
}

#[tokio::test]
async fn writes_create_update_conflict_deactivate_and_find() {
    let (sim, api) = start(40).await;
    let customers = QuickBooksConnector.kind("customers").unwrap();
    let writer = customers.writer().unwrap();
    let outcomes = writer
        .write_batch(
            &api,
            &[
                WriteRequest {
                    external_id: None,
                    version: None,
                    body: json!({"DisplayName": "Tether Test Co", "BillAddr": {"City": "Bayshore", "Line1": "1 Finch St"}}),
                },
                WriteRequest {
                    external_id: None,
                    version: None,
                    body: json!({"GivenName": "No display name"}),
                },
            ],
            "tether-write-1",
        )
        .await
        .unwrap();
    let WriteOutcome::Written(made) = &outcomes[0] else {
        panic!("{outcomes:?}");
    };
    assert_eq!(made.version.as_deref(), Some("0"));
    assert!(
        matches!(&outcomes[1], WriteOutcome::Rejected(m) if m.contains("DisplayName")),
        "{outcomes:?}"
    );

    // Sparse update on the version read; a nested change keeps its siblings.
    let update = |version: &str, body: Value| WriteRequest {
        external_id: Some(made.external_id.clone()),
        version: Some(version.to_owned()),
        body,
    };
    let answer = writer
        .write_batch(
            &api,
            &[update("0", json!({"BillAddr": {"City": "Oakland"}}))],
            "tether-write-2",
        )
        .await
        .unwrap();
    let WriteOutcome::Written(updated) = &answer[0] else {
        panic!("{answer:?}");
    };
    assert_eq!(updated.version.as_deref(), Some("1"));
    let data: Value = serde_json::from_str(&updated.data).unwrap();
    assert_eq!(data["BillAddr"]["City"], "Oakland");
    assert_eq!(data["BillAddr"]["Line1"], "1 Finch St");
    assert_eq!(data["DisplayName"], "Tether Test Co");

    // The same requestid again is answered, not applied, again.
    for _ in 0..2 {
        let answer = writer
            .write_batch(
                &api,
                &[update("1", json!({"GivenName": "Amy"}))],
                "tether-write-3",
            )
            .await
            .unwrap();
        assert!(
            matches!(&answer[0], WriteOutcome::Written(o) if o.version.as_deref() == Some("2")),
            "{answer:?}"
        );
    }

    // A write based on a version QuickBooks has moved past is a conflict.
    let answer = writer
        .write_batch(
            &api,
            &[update("0", json!({"GivenName": "Late"}))],
            "tether-write-4",
        )
        .await
        .unwrap();
    match &answer[0] {
        WriteOutcome::Conflict { current, message } => {
            assert_eq!(current.version.as_deref(), Some("2"));
            assert!(message.contains("5010"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Also when the change is read against the current object first.
    let answer = writer
        .write_batch(
            &api,
            &[update("1", json!({"BillAddr": {"City": "Late"}}))],
            "tether-write-5",
        )
        .await
        .unwrap();
    assert!(
        matches!(&answer[0], WriteOutcome::Conflict { .. }),
        "{answer:?}"
    );

    // Deleting a name makes it inactive: deleted, still there.
    let body = customers
        .capabilities()
        .write
        .unwrap()
        .delete_fields(&data)
        .unwrap()
        .unwrap();
    let answer = writer
        .write_batch(&api, &[update("2", body)], "tether-write-6")
        .await
        .unwrap();
    assert!(
        matches!(&answer[0], WriteOutcome::Written(o) if o.deleted),
        "{answer:?}"
    );

    // A create whose answer was lost is found by its name.
    let found = writer
        .find_created(&api, &json!({"DisplayName": "Tether Test Co"}))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        customers.parse(&found[0]).unwrap().external_id,
        made.external_id
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn transactions_are_created_and_deleted_outright() {
    let (sim, api) = start(40).await;
    let customer = snapshot_ids(&sim, "customers")
        .into_iter()
        .zip(sim.snapshot("customers"))
        .find(|(_, c)| c["Active"] != false)
        .unwrap()
        .0;
    let item = sim
        .snapshot("items")
        .into_iter()
        .find(|i| i["Active"] != false)
        .unwrap();
    let invoices = QuickBooksConnector.kind("invoices").unwrap();
    let writer = invoices.writer().unwrap();
    let invoice = json!({
        "CustomerRef": {"value": customer}, "DocNumber": "T-1", "TxnDate": "2026-11-30",
        "Line": [{"Amount": 30, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 2, "UnitPrice": 15}}]
    });
    writer.check(&invoice).unwrap();
    let outcomes = writer
        .write_batch(
            &api,
            &[WriteRequest {
                external_id: None,
                version: None,
                body: invoice.clone(),
            }],
            "tether-invoice-1",
        )
        .await
        .unwrap();
    let WriteOutcome::Written(made) = &outcomes[0] else {
        panic!("{outcomes:?}");
    };
    let data: Value = serde_json::from_str(&made.data).unwrap();
    assert_eq!(data["TotalAmt"], 30);
    let found = writer.find_created(&api, &invoice).await.unwrap();
    assert_eq!(found.len(), 1, "found by its number, customer and date");

    let delete = |version: &str| WriteRequest {
        external_id: Some(made.external_id.clone()),
        version: Some(version.to_owned()),
        body: Value::Null,
    };
    let stale = writer.delete(&api, &delete("7")).await.unwrap();
    assert!(matches!(stale, WriteOutcome::Conflict { .. }), "{stale:?}");
    let gone = writer.delete(&api, &delete("0")).await.unwrap();
    assert!(matches!(gone, WriteOutcome::Deleted), "{gone:?}");
    assert!(!snapshot_ids(&sim, "invoices").contains(&made.external_id));
    let again = writer.delete(&api, &delete("0")).await.unwrap();
    assert!(
        matches!(again, WriteOutcome::Deleted),
        "deleting twice: {again:?}"
    );
    sim.shutdown().await;
}
