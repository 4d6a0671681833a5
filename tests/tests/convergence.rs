//! Convergence: random sequences of what Xero users do (edit, void, delete,
//! archive, restore, create, hard-delete), interleaved with resyncs, some
//! while a pull is under way. After every resync the store equals the
//! provider but for the fields Xero changes without touching
//! `UpdatedDateUTC`; after the closing full resync it equals it exactly and
//! `verify` finds no drift; no live object is ever deleted.
//! And the changes Xero makes without touching `UpdatedDateUTC` escape a
//! resync, show in `verify`, and are caught by `resync --full`.

use std::time::Duration;

use proptest::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use tether_core::store::RunStatus;
use tether_core::sync::SyncOptions;
use tether_core::verify::verify_kind;
use tether_tests::{
    Backend, Env, SILENT_FIELDS, XeroApp, assert_store_matches_provider,
    assert_store_matches_provider_except, kinds_named, sim_config,
};

const KINDS: [&str; 10] = [
    "contacts",
    "invoices",
    "credit_notes",
    "payments",
    "bank_transactions",
    "manual_journals",
    "items",
    "accounts",
    "tax_rates",
    "tracking_categories",
];

/// What a Xero user does; `pick` chooses among the objects that allow it.
#[derive(Debug, Clone)]
enum Op {
    EditContact(usize),
    ArchiveContact(usize),
    RestoreContact(usize),
    CreateContact(u32),
    EditInvoice(usize),
    VoidInvoice(usize),
    DeleteInvoice(usize),
    DeleteItem(usize),
    CreateItem(u32),
    EditItem(usize),
    Resync,
    /// A resync with a user's edit landing while it pulls.
    ResyncWhileEditing(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<usize>().prop_map(Op::EditContact),
        any::<usize>().prop_map(Op::ArchiveContact),
        any::<usize>().prop_map(Op::RestoreContact),
        any::<u32>().prop_map(Op::CreateContact),
        any::<usize>().prop_map(Op::EditInvoice),
        any::<usize>().prop_map(Op::VoidInvoice),
        any::<usize>().prop_map(Op::DeleteInvoice),
        any::<usize>().prop_map(Op::DeleteItem),
        any::<u32>().prop_map(Op::CreateItem),
        any::<usize>().prop_map(Op::EditItem),
        Just(Op::Resync),
        any::<usize>().prop_map(Op::ResyncWhileEditing),
    ]
}

/// The id of the `n`th (modulo) object of `kind` that `keep` accepts.
fn pick(env: &Env, kind: &str, n: usize, keep: impl Fn(&Value) -> bool) -> Option<String> {
    let field = tether_xero::sim::SimHandle::id_field(kind);
    let all: Vec<Value> = env
        .sim
        .snapshot(kind)
        .into_iter()
        .filter(|o| keep(o))
        .collect();
    (!all.is_empty()).then(|| {
        all[n % all.len()][field]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    })
}

/// Applies `op` at the provider; a request Xero refuses changes nothing.
async fn apply(env: &Env, app: &XeroApp, op: &Op) {
    let post = |path: String, collection: &'static str, body: Value| async move {
        app.call(Method::POST, &path, Some(json!({ collection: [body] })))
            .await;
    };
    match op {
        Op::EditContact(n) => {
            if let Some(id) = pick(env, "contacts", *n, |c| c["ContactStatus"] == "ACTIVE") {
                post(
                    format!("Contacts/{id}"),
                    "Contacts",
                    json!({"ContactID": id, "FirstName": format!("F{n}")}),
                )
                .await;
            }
        }
        Op::ArchiveContact(n) => {
            if let Some(id) = pick(env, "contacts", *n, |c| c["ContactStatus"] == "ACTIVE") {
                post(
                    format!("Contacts/{id}"),
                    "Contacts",
                    json!({"ContactID": id, "ContactStatus": "ARCHIVED"}),
                )
                .await;
            }
        }
        Op::RestoreContact(n) => {
            if let Some(id) = pick(env, "contacts", *n, |c| c["ContactStatus"] == "ARCHIVED") {
                post(
                    format!("Contacts/{id}"),
                    "Contacts",
                    json!({"ContactID": id, "ContactStatus": "ACTIVE"}),
                )
                .await;
            }
        }
        Op::CreateContact(n) => {
            app.call(
                Method::PUT,
                "Contacts",
                Some(json!({"Contacts": [{"Name": format!("Prop {n}")}]})),
            )
            .await;
        }
        Op::EditInvoice(n) => {
            let editable = |i: &Value| i["Status"] == "DRAFT" || i["Status"] == "AUTHORISED";
            if let Some(id) = pick(env, "invoices", *n, editable) {
                post(
                    format!("Invoices/{id}"),
                    "Invoices",
                    json!({"InvoiceID": id, "Reference": format!("R{n}")}),
                )
                .await;
            }
        }
        Op::VoidInvoice(n) => {
            let unpaid =
                |i: &Value| i["Status"] == "AUTHORISED" && i["AmountPaid"].as_f64() == Some(0.0);
            if let Some(id) = pick(env, "invoices", *n, unpaid) {
                post(
                    format!("Invoices/{id}"),
                    "Invoices",
                    json!({"InvoiceID": id, "Status": "VOIDED"}),
                )
                .await;
            }
        }
        Op::DeleteInvoice(n) => {
            if let Some(id) = pick(env, "invoices", *n, |i| i["Status"] == "DRAFT") {
                post(
                    format!("Invoices/{id}"),
                    "Invoices",
                    json!({"InvoiceID": id, "Status": "DELETED"}),
                )
                .await;
            }
        }
        Op::DeleteItem(n) => {
            if let Some(id) = pick(env, "items", *n, |_| true) {
                app.call(Method::DELETE, &format!("Items/{id}"), None).await;
            }
        }
        Op::CreateItem(n) => {
            app.call(
                Method::PUT,
                "Items",
                Some(json!({"Items": [{"Code": format!("P-{n}"), "Name": "prop"}]})),
            )
            .await;
        }
        Op::EditItem(n) => {
            if let Some(id) = pick(env, "items", *n, |_| true) {
                post(
                    format!("Items/{id}"),
                    "Items",
                    json!({"ItemID": id, "Name": format!("N{n}")}),
                )
                .await;
            }
        }
        Op::Resync | Op::ResyncWhileEditing(_) => {}
    }
}

async fn resync(env: &Env, options: SyncOptions) {
    let session = env.reopen().await;
    let outcome = env
        .syncer(&session)
        .options(options)
        .resync_kinds(&kinds_named(&session, &[]))
        .await
        .expect("leases");
    for r in &outcome.reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
}

/// The store equals the provider but for the silent fields.
async fn assert_caught_up(env: &Env) {
    assert_store_matches_provider_except(
        &env.store,
        env.connection_id(),
        &env.sim,
        &KINDS,
        SILENT_FIELDS,
    )
    .await;
}

/// The store equals the provider, and `verify` agrees.
async fn assert_converged(env: &Env) {
    assert_store_matches_provider(&env.store, env.connection_id(), &env.sim, &KINDS).await;
    let session = env.reopen().await;
    for kind in kinds_named(&session, &[]) {
        let drift = verify_kind(&env.store, &session.api, env.connection_id(), kind)
            .await
            .unwrap();
        assert!(!drift.any(), "verify finds drift: {drift:?}");
    }
}

async fn run_case(ops: Vec<Op>) {
    let mut config = sim_config(40);
    config.faults.latency_ms = 5;
    let env = Env::start(Backend::Sqlite, config).await.expect("sqlite");
    env.sync(&[]).await;
    let app = XeroApp::connect(&env.sim).await;
    for op in &ops {
        match op {
            Op::Resync => {
                resync(&env, SyncOptions::default()).await;
                assert_caught_up(&env).await;
            }
            Op::ResyncWhileEditing(n) => {
                let edit = Op::EditContact(*n);
                let during = apply(&env, &app, &edit);
                let pull = resync(&env, SyncOptions::default());
                tokio::join!(pull, async {
                    tokio::time::sleep(Duration::from_millis(8)).await;
                    during.await
                });
                // What changed during the pull is the next resync's to see.
                resync(&env, SyncOptions::default()).await;
                assert_caught_up(&env).await;
            }
            other => apply(&env, &app, other).await,
        }
    }
    resync(&env, SyncOptions::default()).await;
    assert_caught_up(&env).await;
    // The periodic full reconciliation brings in the silent changes too.
    resync(
        &env,
        SyncOptions {
            full: true,
            ..SyncOptions::default()
        },
    )
    .await;
    assert_converged(&env).await;
    env.finish().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn resyncs_converge_whatever_users_do(ops in proptest::collection::vec(op(), 4..14)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run_case(ops));
    }
}

/// Xero changes a partly paid invoice's due date without touching its
/// `UpdatedDateUTC`: a resync cannot see it, `verify` does, and a full
/// reconciliation brings it in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_changes_are_caught_by_a_full_resync() {
    let Some(env) = Env::start(Backend::Sqlite, sim_config(300)).await else {
        return;
    };
    env.sync(&[]).await;
    let app = XeroApp::connect(&env.sim).await;
    let part_paid = pick(&env, "invoices", 0, |i| {
        i["Status"] == "AUTHORISED" && i["AmountPaid"].as_f64().is_some_and(|p| p > 0.0)
    })
    .expect("a partly paid invoice");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("Invoices/{part_paid}"),
            Some(json!({"Invoices": [{"InvoiceID": part_paid, "DueDate": "2031-01-31"}]})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    resync(&env, SyncOptions::default()).await;
    let session = env.reopen().await;
    let invoices = session.connector.kind("invoices").unwrap();
    let drift = verify_kind(&env.store, &session.api, env.connection_id(), invoices)
        .await
        .unwrap();
    assert_eq!(
        drift.changed.ids,
        std::slice::from_ref(&part_paid),
        "verify sees what resync could not"
    );
    resync(
        &env,
        SyncOptions {
            full: true,
            ..SyncOptions::default()
        },
    )
    .await;
    let drift = verify_kind(&env.store, &session.api, env.connection_id(), invoices)
        .await
        .unwrap();
    assert!(!drift.any(), "{drift:?}");
    env.finish().await;
}
