//! Convergence on QuickBooks: random sequences of what its users do (edit,
//! void, delete outright, make inactive, make active again, create),
//! interleaved with resyncs by its change feed, some while a pull is under
//! way. After every resync the store equals the provider but for the
//! balances QuickBooks keeps without a new `SyncToken`; after the closing
//! full resync it equals it exactly and `verify` finds no drift.

use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};
use tether_core::store::RunStatus;
use tether_core::sync::SyncOptions;
use tether_core::verify::verify_kind;
use tether_tests::{
    Backend, Env, QuickBooksApp, QuickBooksSimulator, Scenario, assert_store_matches_provider,
    assert_store_matches_provider_except, kinds_named,
};

type QuickBooksEnv = Env<QuickBooksSimulator>;

/// Balances QuickBooks keeps without a new `SyncToken` (see quickbooks.rs).
const SILENT: &[(&str, &str)] = &[("customers", "Balance"), ("vendors", "Balance")];

/// What a QuickBooks user does; `pick` chooses among the objects that allow it.
#[derive(Debug, Clone)]
enum Op {
    EditCustomer(usize),
    DeactivateCustomer(usize),
    ReactivateCustomer(usize),
    CreateCustomer(u32),
    EditInvoice(usize),
    VoidInvoice(usize),
    DeleteInvoice(usize),
    EditItem(usize),
    DeactivateItem(usize),
    Resync,
    /// A resync with a user's edit landing while it pulls.
    ResyncWhileEditing(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<usize>().prop_map(Op::EditCustomer),
        any::<usize>().prop_map(Op::DeactivateCustomer),
        any::<usize>().prop_map(Op::ReactivateCustomer),
        any::<u32>().prop_map(Op::CreateCustomer),
        any::<usize>().prop_map(Op::EditInvoice),
        any::<usize>().prop_map(Op::VoidInvoice),
        any::<usize>().prop_map(Op::DeleteInvoice),
        any::<usize>().prop_map(Op::EditItem),
        any::<usize>().prop_map(Op::DeactivateItem),
        Just(Op::Resync),
        any::<usize>().prop_map(Op::ResyncWhileEditing),
    ]
}

/// The `n`th (modulo) object of `kind` that `keep` accepts, as the provider holds it.
fn pick(env: &QuickBooksEnv, kind: &str, n: usize, keep: impl Fn(&Value) -> bool) -> Option<Value> {
    let all: Vec<Value> = env
        .sim
        .snapshot(kind)
        .into_iter()
        .filter(|o| keep(o))
        .collect();
    (!all.is_empty()).then(|| all[n % all.len()].clone())
}

fn active(o: &Value) -> bool {
    o["Active"] == true
}

fn unpaid(o: &Value) -> bool {
    o["Balance"] == o["TotalAmt"] && o["TotalAmt"].as_f64() > Some(0.0)
}

/// Applies `op` at the provider; a request QuickBooks refuses changes nothing.
async fn apply(env: &QuickBooksEnv, app: &QuickBooksApp, op: &Op) {
    let sparse = |object: &Value, fields: Value| {
        let mut body =
            json!({"Id": object["Id"], "SyncToken": object["SyncToken"], "sparse": true});
        for (k, v) in fields.as_object().expect("fields") {
            body[k] = v.clone();
        }
        body
    };
    let by_id = |object: &Value| json!({"Id": object["Id"], "SyncToken": object["SyncToken"]});
    match op {
        Op::EditCustomer(n) => {
            if let Some(c) = pick(env, "customers", *n, active) {
                let body = sparse(&c, json!({"CompanyName": format!("C{n}")}));
                app.post("Customer", &[], &body).await;
            }
        }
        Op::DeactivateCustomer(n) => {
            if let Some(c) = pick(env, "customers", *n, active) {
                app.post("Customer", &[], &sparse(&c, json!({"Active": false})))
                    .await;
            }
        }
        Op::ReactivateCustomer(n) => {
            if let Some(c) = pick(env, "customers", *n, |c| !active(c)) {
                app.post("Customer", &[], &sparse(&c, json!({"Active": true})))
                    .await;
            }
        }
        Op::CreateCustomer(n) => {
            let body = json!({"DisplayName": format!("Prop {n}")});
            app.post("Customer", &[], &body).await;
        }
        Op::EditInvoice(n) => {
            if let Some(i) = pick(env, "invoices", *n, |_| true) {
                let body = sparse(&i, json!({"PrivateNote": format!("R{n}")}));
                app.post("Invoice", &[], &body).await;
            }
        }
        Op::VoidInvoice(n) => {
            if let Some(i) = pick(env, "invoices", *n, unpaid) {
                app.post("Invoice", &[("operation", "void")], &by_id(&i))
                    .await;
            }
        }
        Op::DeleteInvoice(n) => {
            if let Some(i) = pick(env, "invoices", *n, unpaid) {
                app.post("Invoice", &[("operation", "delete")], &by_id(&i))
                    .await;
            }
        }
        Op::EditItem(n) => {
            if let Some(i) = pick(env, "items", *n, active) {
                let body = sparse(&i, json!({"Description": format!("D{n}")}));
                app.post("Item", &[], &body).await;
            }
        }
        Op::DeactivateItem(n) => {
            if let Some(i) = pick(env, "items", *n, active) {
                app.post("Item", &[], &sparse(&i, json!({"Active": false})))
                    .await;
            }
        }
        Op::Resync | Op::ResyncWhileEditing(_) => {}
    }
}

async fn resync(env: &QuickBooksEnv, options: SyncOptions) {
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

fn kinds(env: &QuickBooksEnv) -> Vec<&'static str> {
    env.session
        .connector
        .kinds()
        .iter()
        .map(|k| k.name())
        .collect()
}

async fn run_case(ops: Vec<Op>) {
    let scenario = Scenario {
        latency: Duration::from_millis(5),
        ..Scenario::sized(40)
    };
    let env = QuickBooksEnv::of(Backend::Sqlite, &scenario)
        .await
        .expect("sqlite");
    env.sync(&[]).await;
    let app = QuickBooksApp::connect(&env.sim).await;
    let conn = env.connection_id();
    for op in &ops {
        match op {
            Op::Resync => {
                resync(&env, SyncOptions::default()).await;
                assert_store_matches_provider_except(
                    &env.store,
                    conn,
                    &env.sim,
                    &kinds(&env),
                    SILENT,
                )
                .await;
            }
            Op::ResyncWhileEditing(n) => {
                let edit = Op::EditCustomer(*n);
                let during = apply(&env, &app, &edit);
                let pull = resync(&env, SyncOptions::default());
                tokio::join!(pull, async {
                    tokio::time::sleep(Duration::from_millis(8)).await;
                    during.await
                });
                // What changed during the pull is the next resync's to see.
                resync(&env, SyncOptions::default()).await;
                assert_store_matches_provider_except(
                    &env.store,
                    conn,
                    &env.sim,
                    &kinds(&env),
                    SILENT,
                )
                .await;
            }
            other => apply(&env, &app, other).await,
        }
    }
    resync(&env, SyncOptions::default()).await;
    assert_store_matches_provider_except(&env.store, conn, &env.sim, &kinds(&env), SILENT).await;
    // The periodic full reconciliation brings in the silent changes too.
    let full = SyncOptions {
        full: true,
        ..SyncOptions::default()
    };
    resync(&env, full).await;
    assert_store_matches_provider(&env.store, conn, &env.sim, &kinds(&env)).await;
    let session = env.reopen().await;
    for kind in kinds_named(&session, &[]) {
        let drift = verify_kind(&env.store, &session.api, conn, kind)
            .await
            .unwrap();
        assert!(
            !drift.any(),
            "verify finds drift in {}: {drift:?}",
            kind.name()
        );
    }
    env.finish().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn resyncs_converge_whatever_quickbooks_users_do(ops in proptest::collection::vec(op(), 4..14)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run_case(ops));
    }
}
