//! Export over real HTTP to the simulator, on both stores: local creates,
//! updates and deletes of every writable kind arrive as sent and are linked;
//! a provider edit made after our read is a conflict (nothing written) and
//! both resolutions work; edits that break locked fields or status rules are
//! refused locally; one invalid object in a batch leaves the others written;
//! the dry-run plan is what the real run does.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tether_core::ErrorKind;
use tether_core::export::{Action, ExportOutcome};
use tether_core::local::{Keep, LocalEdit};
use tether_core::pending::{PendingState, RecordKey};
use tether_core::store::Store;
use tether_tests::{
    Backend, Env, XeroApp, assert_store_matches_provider, on_every_store, sim_config,
    stored_records,
};
use tether_xero::sim::SimHandle;

const WRITABLE: [&str; 7] = [
    "contacts",
    "items",
    "invoices",
    "credit_notes",
    "payments",
    "bank_transactions",
    "manual_journals",
];

/// Every record of every kind reached the provider: nothing refused, in
/// conflict or uncertain.
fn assert_complete(outcome: &ExportOutcome) {
    for r in &outcome.reports {
        let problems: Vec<_> = r.items.iter().filter(|i| i.message.is_some()).collect();
        assert!(r.complete(), "{}: {:?} {:?}", r.kind, r.error, problems);
    }
}

/// The provider's object of `kind` whose `field` is `value`.
fn at_provider(sim: &SimHandle, kind: &str, field: &str, value: &str) -> Option<Value> {
    sim.snapshot(kind).into_iter().find(|o| o[field] == value)
}

/// Write requests the Accounting API received since the stats were reset.
fn api_writes(sim: &SimHandle) -> u64 {
    sim.stats()
        .requests
        .iter()
        .filter(|(k, _)| !k.starts_with("GET") && k.contains("/api.xro/"))
        .map(|(_, n)| n)
        .sum()
}

/// The record's provider id, once exported.
async fn external_id(env: &Env, kind: &str, id: i64) -> String {
    let record = env
        .store
        .record(env.connection_id(), kind, &RecordKey::Local(id))
        .await
        .unwrap()
        .unwrap();
    assert!(
        record.pending.is_none(),
        "{kind} {id} still pending: {:?}",
        record.pending
    );
    record.external_id.expect("linked to the provider's object")
}

/// An object of `kind` at the provider matching `keep`.
fn pick(sim: &SimHandle, kind: &str, keep: impl Fn(&Value) -> bool) -> Value {
    sim.snapshot(kind)
        .into_iter()
        .find(|o| keep(o))
        .unwrap_or_else(|| panic!("no suitable {kind}"))
}

async fn creates_updates_and_deletes_of_every_writable_kind_arrive(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(200)).await else {
        return;
    };
    env.sync(&[]).await;
    let sim = &env.sim;
    let bank = pick(sim, "accounts", |a| a["Type"] == "BANK")["AccountID"].clone();
    let supplier = pick(sim, "contacts", |c| c["ContactStatus"] == "ACTIVE")["ContactID"].clone();
    let unpaid = pick(sim, "invoices", |i| {
        i["Status"] == "AUTHORISED" && i["Type"] == "ACCREC" && i["AmountDue"].as_f64() > Some(5.0)
    })["InvoiceID"]
        .clone();
    let lines =
        json!([{"Description": "Widget", "Quantity": 2, "UnitAmount": 10, "AccountCode": "200"}]);

    // Creates, the invoice's contact created locally a moment before.
    let contact = env
        .put(
            "contacts",
            json!({"Name": "Tether New Ltd", "EmailAddress": "new@example.com"}),
        )
        .await;
    let local_contact = json!({"ContactID": format!("local:{contact}")});
    let item = env
        .put(
            "items",
            json!({"Code": "TETHER-1", "Name": "Tether widget"}),
        )
        .await;
    let invoice = env
        .put(
            "invoices",
            json!({"Type": "ACCREC", "InvoiceNumber": "TETHER-INV-1", "Contact": local_contact,
                   "Date": "2026-11-01", "DueDate": "2026-12-01", "LineItems": lines, "Status": "AUTHORISED"}),
        )
        .await;
    let bill = env
        .put(
            "invoices",
            json!({"Type": "ACCPAY", "InvoiceNumber": "SUP-77", "Contact": {"ContactID": supplier},
                   "Date": "2026-11-01", "DueDate": "2026-12-01", "LineItems": lines, "Status": "DRAFT"}),
        )
        .await;
    let credit = env
        .put(
            "credit_notes",
            json!({"Type": "ACCRECCREDIT", "Contact": local_contact, "Date": "2026-11-01",
                   "LineItems": lines, "Status": "DRAFT"}),
        )
        .await;
    let spend = env
        .put(
            "bank_transactions",
            json!({"Type": "SPEND", "Contact": local_contact, "BankAccount": {"AccountID": bank},
                   "Date": "2026-11-01", "LineItems": [{"Description": "Ads", "Quantity": 1, "UnitAmount": 5, "AccountCode": "400"}],
                   "Status": "AUTHORISED"}),
        )
        .await;
    let journal = env
        .put(
            "manual_journals",
            json!({"Narration": "Tether adjustment", "Date": "2026-11-01", "Status": "POSTED",
                   "JournalLines": [{"LineAmount": 10, "AccountCode": "400"}, {"LineAmount": -10, "AccountCode": "200"}]}),
        )
        .await;
    let payment = env
        .put(
            "payments",
            json!({"Invoice": {"InvoiceID": unpaid}, "Account": {"AccountID": bank},
                   "Amount": 1.5, "Date": "2026-11-02"}),
        )
        .await;

    // Updates and deletes of synced objects, by the provider's id.
    let draft = pick(sim, "invoices", |i| i["Status"] == "DRAFT")["InvoiceID"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_draft = pick(sim, "invoices", |i| {
        i["Status"] == "DRAFT" && i["InvoiceID"] != draft.as_str()
    })["InvoiceID"]
        .as_str()
        .unwrap()
        .to_owned();
    env.stage(
        "invoices",
        LocalEdit::Update(
            RecordKey::External(draft.clone()),
            json!({"Reference": "edited here"}),
        ),
    )
    .await
    .unwrap();
    env.stage(
        "invoices",
        LocalEdit::Delete(RecordKey::External(other_draft.clone())),
    )
    .await
    .unwrap();
    let old_item = pick(sim, "items", |_| true)["ItemID"]
        .as_str()
        .unwrap()
        .to_owned();
    env.stage(
        "items",
        LocalEdit::Delete(RecordKey::External(old_item.clone())),
    )
    .await
    .unwrap();
    let archived = pick(sim, "contacts", |c| {
        c["ContactStatus"] == "ACTIVE" && c["ContactID"] != supplier
    })["ContactID"]
        .as_str()
        .unwrap()
        .to_owned();
    env.stage(
        "contacts",
        LocalEdit::Delete(RecordKey::External(archived.clone())),
    )
    .await
    .unwrap();

    let outcome = env.export(&[], false).await;
    assert_complete(&outcome);

    // At the provider, as sent, and linked here.
    let contact_id = external_id(&env, "contacts", contact).await;
    let new_contact =
        at_provider(sim, "contacts", "ContactID", &contact_id).expect("contact exists");
    assert_eq!(new_contact["EmailAddress"], "new@example.com");
    let invoice_id = external_id(&env, "invoices", invoice).await;
    let sent = at_provider(sim, "invoices", "InvoiceID", &invoice_id).expect("invoice exists");
    assert_eq!(
        sent["Contact"]["ContactID"],
        contact_id.as_str(),
        "the local contact, linked"
    );
    assert_eq!(sent["InvoiceNumber"], "TETHER-INV-1");
    assert_eq!(sent["Status"], "AUTHORISED");
    for (kind, id) in [
        ("items", item),
        ("invoices", bill),
        ("credit_notes", credit),
        ("bank_transactions", spend),
        ("manual_journals", journal),
        ("payments", payment),
    ] {
        let external = external_id(&env, kind, id).await;
        let field = SimHandle::id_field(kind);
        assert!(
            at_provider(sim, kind, field, &external).is_some(),
            "{kind} {id} at the provider"
        );
    }
    let record = env
        .store
        .record(env.connection_id(), "invoices", &RecordKey::Local(invoice))
        .await
        .unwrap()
        .unwrap();
    assert!(record.exported_at.is_some());
    assert!(
        record.remote_version.is_some(),
        "the provider's version is kept"
    );
    assert_eq!(
        at_provider(sim, "invoices", "InvoiceID", &draft).unwrap()["Reference"],
        "edited here"
    );
    assert_eq!(
        at_provider(sim, "invoices", "InvoiceID", &other_draft).unwrap()["Status"],
        "DELETED"
    );
    assert!(
        at_provider(sim, "items", "ItemID", &old_item).is_none(),
        "the item is gone"
    );
    assert_eq!(
        at_provider(sim, "contacts", "ContactID", &archived).unwrap()["ContactStatus"],
        "ARCHIVED"
    );

    // A later export has nothing to do; after a sync the store equals the provider.
    let again = env.export(&[], false).await;
    assert!(again.reports.iter().all(|r| r.items.is_empty()));
    env.sync(&[]).await;
    assert_store_matches_provider(&env.store, env.connection_id(), sim, &WRITABLE).await;
    let history = env.store.history(invoice).await.unwrap();
    let ops: Vec<&str> = history.iter().map(|h| h.op.as_str()).collect();
    assert_eq!(ops, ["create", "sending", "exported"], "the change log");
    env.finish().await;
}

async fn a_provider_edit_after_our_read_is_a_conflict(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(100)).await else {
        return;
    };
    env.sync(&["contacts"]).await;
    let app = XeroApp::connect(&env.sim).await;
    let active: Vec<String> = env
        .sim
        .snapshot("contacts")
        .into_iter()
        .filter(|c| c["ContactStatus"] == "ACTIVE")
        .take(2)
        .map(|c| c["ContactID"].as_str().unwrap().to_owned())
        .collect();
    for id in &active {
        env.stage(
            "contacts",
            LocalEdit::Update(
                RecordKey::External(id.clone()),
                json!({"FirstName": "Ours"}),
            ),
        )
        .await
        .unwrap();
        let (status, body) = app
            .call(
                Method::POST,
                &format!("Contacts/{id}"),
                Some(json!({"Contacts": [{"ContactID": id, "FirstName": "Theirs"}]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let contacts = vec![(env.connection_id(), "contacts".to_owned())];
    assert_eq!(env.store.exportable().await.unwrap(), contacts);
    env.sim.reset_stats();
    let outcome = env.export(&["contacts"], false).await;
    let report = &outcome.reports[0];
    assert_eq!(report.counts.conflicts, 2, "{:?}", report.items);
    assert!(
        env.store.exportable().await.unwrap().is_empty(),
        "a conflict waits for a person, not for an export"
    );
    assert_eq!(report.counts.written, 0);
    assert_eq!(
        api_writes(&env.sim),
        0,
        "nothing was written for a conflict"
    );
    for id in &active {
        assert_eq!(
            at_provider(&env.sim, "contacts", "ContactID", id).unwrap()["FirstName"],
            "Theirs"
        );
    }
    let records = stored_records(&env.store, env.connection_id(), "contacts").await;
    let (ours, theirs) = (&records[&active[0]], &records[&active[1]]);
    assert_eq!(ours.pending.as_ref().unwrap().state, PendingState::Conflict);
    assert_eq!(ours.data["FirstName"], "Ours", "the local edit is kept");
    assert_eq!(
        ours.remote_data.as_ref().unwrap()["FirstName"],
        "Theirs",
        "beside the provider's"
    );

    // Keep the provider's: the edit is dropped.
    tether_core::local::resolve(&env.store, env.connection_id(), theirs.id, Keep::Remote)
        .await
        .unwrap();
    // Keep ours: rebased on the provider's version and exported.
    tether_core::local::resolve(&env.store, env.connection_id(), ours.id, Keep::Local)
        .await
        .unwrap();
    assert_eq!(env.store.exportable().await.unwrap(), contacts);
    let outcome = env.export(&["contacts"], false).await;
    assert_complete(&outcome);
    assert_eq!(outcome.reports[0].counts.written, 1);
    assert!(env.store.exportable().await.unwrap().is_empty());
    assert_eq!(
        at_provider(&env.sim, "contacts", "ContactID", &active[0]).unwrap()["FirstName"],
        "Ours"
    );
    assert_eq!(
        at_provider(&env.sim, "contacts", "ContactID", &active[1]).unwrap()["FirstName"],
        "Theirs"
    );
    let records = stored_records(&env.store, env.connection_id(), "contacts").await;
    assert!(records[&active[1]].pending.is_none());
    assert_eq!(records[&active[1]].data["FirstName"], "Theirs");
    let settled =
        tether_core::local::resolve(&env.store, env.connection_id(), ours.id, Keep::Local).await;
    assert_eq!(
        settled.unwrap_err().kind(),
        ErrorKind::Invalid,
        "no conflict is left to settle"
    );
    env.finish().await;
}

async fn a_sync_never_overwrites_a_pending_edit(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(100)).await else {
        return;
    };
    env.sync(&["contacts"]).await;
    let app = XeroApp::connect(&env.sim).await;
    let id = pick(&env.sim, "contacts", |c| c["ContactStatus"] == "ACTIVE")["ContactID"]
        .as_str()
        .unwrap()
        .to_owned();
    env.stage(
        "contacts",
        LocalEdit::Update(
            RecordKey::External(id.clone()),
            json!({"LastName": "Local"}),
        ),
    )
    .await
    .unwrap();
    // An unchanged provider copy: the edit stays ready.
    env.sync(&["contacts"]).await;
    let record = &stored_records(&env.store, env.connection_id(), "contacts").await[&id];
    assert_eq!(record.data["LastName"], "Local");
    assert_eq!(record.pending.as_ref().unwrap().state, PendingState::Ready);
    // A changed one: kept beside, and a conflict.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("Contacts/{id}"),
            Some(json!({"Contacts": [{"ContactID": id, "LastName": "Remote"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    env.sync(&["contacts"]).await;
    let record = &stored_records(&env.store, env.connection_id(), "contacts").await[&id];
    assert_eq!(
        record.data["LastName"], "Local",
        "a sync never overwrites the edit"
    );
    assert_eq!(record.remote_data.as_ref().unwrap()["LastName"], "Remote");
    assert_eq!(
        record.pending.as_ref().unwrap().state,
        PendingState::Conflict
    );
    env.finish().await;
}

async fn edits_that_break_the_rules_are_refused_locally(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(300)).await else {
        return;
    };
    env.sync(&["invoices", "contacts"]).await;
    let paid = pick(&env.sim, "invoices", |i| i["Status"] == "PAID")["InvoiceID"]
        .as_str()
        .unwrap()
        .to_owned();
    let voided = pick(&env.sim, "invoices", |i| i["Status"] == "VOIDED")["InvoiceID"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = |edit, expected: &'static str| {
        let env = &env;
        async move {
            let e = env.stage("invoices", edit).await.expect_err("refused");
            assert_eq!(e.kind(), ErrorKind::Invalid);
            assert!(e.message().contains(expected), "{e}");
            assert!(e.message().starts_with("invoices "), "names the kind: {e}");
        }
    };
    let key = |id: &str| RecordKey::External(id.to_owned());
    refused(
        LocalEdit::Update(key(&paid), json!({"Type": "ACCPAY"})),
        "field `Type` cannot change",
    )
    .await;
    refused(
        LocalEdit::Update(key(&paid), json!({"Total": 1})),
        "nothing may change while its status is PAID",
    )
    .await;
    refused(
        LocalEdit::Update(key(&voided), json!({"Reference": "x"})),
        "nothing may change while its status is VOIDED",
    )
    .await;
    refused(
        LocalEdit::Delete(key(&paid)),
        "cannot be deleted while `Status` is PAID",
    )
    .await;
    refused(
        LocalEdit::Update(key(&paid), json!({"Date": "banana"})),
        "field `Date`",
    )
    .await;
    refused(
        LocalEdit::Create(json!({"Type": "ACCREC"})),
        "field `Contact` is required",
    )
    .await;
    // An authorised invoice nothing is paid on may still change.
    let authorised = pick(&env.sim, "invoices", |i| {
        i["Status"] == "AUTHORISED" && i["AmountPaid"].as_f64() == Some(0.0)
    })["InvoiceID"]
        .as_str()
        .unwrap()
        .to_owned();
    env.stage(
        "invoices",
        LocalEdit::Update(key(&authorised), json!({"Reference": "late note"})),
    )
    .await
    .unwrap();
    env.sim.reset_stats();
    let outcome = env.export(&["invoices"], false).await;
    assert_complete(&outcome);
    assert_eq!(
        api_writes(&env.sim),
        1,
        "only the allowed edit reached the provider"
    );
    env.finish().await;
}

async fn one_invalid_object_in_a_batch_leaves_the_others_written(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(50)).await else {
        return;
    };
    env.sync(&["contacts"]).await;
    let mut ids = Vec::new();
    for i in 0..50 {
        let email = if i == 17 {
            "not an email".to_owned()
        } else {
            format!("c{i}@example.com")
        };
        ids.push(
            env.put(
                "contacts",
                json!({"Name": format!("Batch contact {i}"), "EmailAddress": email}),
            )
            .await,
        );
    }
    env.sim.reset_stats();
    let outcome = env.export(&["contacts"], false).await;
    let report = &outcome.reports[0];
    assert_eq!(report.counts.written, 49);
    assert_eq!(report.counts.refused, 1);
    assert!(!report.complete());
    assert_eq!(
        env.sim.stats().requests.get("PUT /api.xro/2.0/Contacts"),
        Some(&1),
        "one batch"
    );
    let bad = env
        .store
        .record(env.connection_id(), "contacts", &RecordKey::Local(ids[17]))
        .await
        .unwrap()
        .unwrap();
    let pending = bad.pending.expect("still pending");
    assert_eq!(pending.state, PendingState::Refused);
    assert!(
        pending
            .error
            .unwrap()
            .contains("Email address must be valid"),
        "the provider's words"
    );
    assert!(at_provider(&env.sim, "contacts", "Name", "Batch contact 17").is_none());
    assert!(at_provider(&env.sim, "contacts", "Name", "Batch contact 49").is_some());
    // Fixed, it goes with the next export.
    env.stage(
        "contacts",
        LocalEdit::Update(
            RecordKey::Local(ids[17]),
            json!({"EmailAddress": "c17@example.com"}),
        ),
    )
    .await
    .unwrap();
    assert_complete(&env.export(&["contacts"], false).await);
    assert!(at_provider(&env.sim, "contacts", "Name", "Batch contact 17").is_some());
    env.finish().await;
}

async fn the_dry_run_plan_is_what_the_real_run_does(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(100)).await else {
        return;
    };
    env.sync(&["contacts", "invoices"]).await;
    let app = XeroApp::connect(&env.sim).await;
    let contact = env.put("contacts", json!({"Name": "Planned Ltd"})).await;
    env.put(
        "invoices",
        json!({"Type": "ACCREC", "Contact": {"ContactID": format!("local:{contact}")},
               "Date": "2026-11-01", "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 3, "AccountCode": "200"}]}),
    )
    .await;
    let active: Vec<String> = env
        .sim
        .snapshot("contacts")
        .into_iter()
        .filter(|c| c["ContactStatus"] == "ACTIVE")
        .take(3)
        .map(|c| c["ContactID"].as_str().unwrap().to_owned())
        .collect();
    for id in &active {
        env.stage(
            "contacts",
            LocalEdit::Update(
                RecordKey::External(id.clone()),
                json!({"FirstName": "Plan"}),
            ),
        )
        .await
        .unwrap();
    }
    env.stage(
        "contacts",
        LocalEdit::Delete(RecordKey::External(active[2].clone())),
    )
    .await
    .unwrap();
    let (status, _) = app
        .call(
            Method::POST,
            &format!("Contacts/{}", active[1]),
            Some(json!({"Contacts": [{"ContactID": active[1], "FirstName": "Moved"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let before = stored_records(&env.store, env.connection_id(), "contacts").await;
    let runs_before = env
        .store
        .runs(env.connection_id(), 100)
        .await
        .unwrap()
        .len();
    env.sim.reset_stats();
    let plan = env.export(&[], true).await;
    assert_eq!(
        api_writes(&env.sim),
        0,
        "a dry run writes nothing at the provider"
    );
    assert_eq!(
        stored_records(&env.store, env.connection_id(), "contacts")
            .await
            .len(),
        before.len()
    );
    for (id, record) in stored_records(&env.store, env.connection_id(), "contacts").await {
        assert_eq!(
            record.revision, before[&id].revision,
            "{id}: unchanged here"
        );
    }
    assert_eq!(
        env.store
            .runs(env.connection_id(), 100)
            .await
            .unwrap()
            .len(),
        runs_before,
        "no run"
    );

    let real = env.export(&[], false).await;
    let actions = |o: &ExportOutcome| -> Vec<(i64, Action)> {
        let mut v: Vec<_> = o
            .reports
            .iter()
            .flat_map(|r| r.items.iter().map(|i| (i.record, i.action)))
            .collect();
        v.sort_by_key(|(record, _)| *record);
        v
    };
    assert_eq!(
        actions(&plan),
        actions(&real),
        "the plan is what the run did"
    );
    let kinds: Vec<Action> = actions(&real).into_iter().map(|(_, a)| a).collect();
    for expected in [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Conflict,
    ] {
        assert!(
            kinds.contains(&expected),
            "the plan covers {expected:?}: {kinds:?}"
        );
    }
    env.finish().await;
}

on_every_store!(
    creates_updates_and_deletes_of_every_writable_kind_arrive,
    a_provider_edit_after_our_read_is_a_conflict,
    a_sync_never_overwrites_a_pending_edit,
    edits_that_break_the_rules_are_refused_locally,
    one_invalid_object_in_a_batch_leaves_the_others_written,
    the_dry_run_plan_is_what_the_real_run_does,
);
