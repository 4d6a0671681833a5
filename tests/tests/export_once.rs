//! Never twice: a write the provider applied but whose answer was lost,
//! followed by another export, leaves exactly one object at the provider,
//! within Xero's idempotency window and after it, for a sales invoice
//! (unique number), a bill (number not unique) and a contact. Over real
//! HTTP, on both stores.

use std::time::Duration;

use serde_json::{Value, json};
use tether_core::export::{Action, ExportOutcome};
use tether_core::pending::{PendingState, RecordKey};
use tether_core::store::Store;
use tether_tests::{Backend, Env, on_every_store, sim_config};
use tether_xero::sim::{SimFaults, SimHandle};

/// Xero keeps a key about six minutes; the tests shorten it.
const WINDOW: Duration = Duration::from_millis(800);

/// What one case creates, and how to count it at the provider.
struct Case {
    kind: &'static str,
    object: Value,
    /// The field and value that tell the created object apart.
    field: &'static str,
    value: String,
}

fn cases(supplier: &str, suffix: &str) -> Vec<Case> {
    let lines = json!([{"Description": "x", "Quantity": 1, "UnitAmount": 7, "AccountCode": "200"}]);
    vec![
        Case {
            kind: "invoices",
            object: json!({"Type": "ACCREC", "InvoiceNumber": format!("ONCE-{suffix}"),
                           "Contact": {"ContactID": supplier}, "Date": "2026-11-01", "LineItems": lines}),
            field: "InvoiceNumber",
            value: format!("ONCE-{suffix}"),
        },
        Case {
            kind: "invoices",
            object: json!({"Type": "ACCPAY", "InvoiceNumber": format!("BILL-{suffix}"),
                           "Contact": {"ContactID": supplier}, "Date": "2026-11-01", "LineItems": lines}),
            field: "InvoiceNumber",
            value: format!("BILL-{suffix}"),
        },
        Case {
            kind: "contacts",
            object: json!({"Name": format!("Once Ltd {suffix}")}),
            field: "Name",
            value: format!("Once Ltd {suffix}"),
        },
    ]
}

fn at_provider(sim: &SimHandle, case: &Case) -> usize {
    sim.snapshot(case.kind)
        .iter()
        .filter(|o| o[case.field] == case.value.as_str())
        .count()
}

fn actions(outcome: &ExportOutcome) -> Vec<Action> {
    outcome
        .reports
        .iter()
        .flat_map(|r| r.items.iter().map(|i| i.action))
        .collect()
}

async fn start(backend: Backend) -> Option<(Env, String)> {
    let mut config = sim_config(60);
    config.idempotency_window = WINDOW;
    let env = Env::start(backend, config).await?;
    env.sync(&["contacts"]).await;
    let supplier = env
        .sim
        .snapshot("contacts")
        .into_iter()
        .find(|c| c["ContactStatus"] == "ACTIVE")
        .expect("an active contact")["ContactID"]
        .as_str()
        .unwrap()
        .to_owned();
    Some((env, supplier))
}

/// The answer is lost once; the HTTP layer sends the same request again
/// within the window, with the same key, and Xero answers it from its cache.
async fn a_lost_answer_is_replayed_within_the_window(backend: Backend) {
    let Some((env, supplier)) = start(backend).await else {
        return;
    };
    for (i, case) in cases(&supplier, "a").into_iter().enumerate() {
        let id = env.put(case.kind, case.object.clone()).await;
        env.sim.set_faults(SimFaults {
            lose_write_answers: 1,
            ..SimFaults::default()
        });
        let outcome = env.export(&[case.kind], false).await;
        assert_eq!(actions(&outcome), [Action::Create], "case {i}");
        assert_eq!(
            env.sim.stats().lost_answers,
            i as u64 + 1,
            "the answer was lost"
        );
        assert_eq!(
            at_provider(&env.sim, &case),
            1,
            "case {i}: exactly one {}",
            case.value
        );
        let record = env
            .store
            .record(env.connection_id(), case.kind, &RecordKey::Local(id))
            .await
            .unwrap()
            .unwrap();
        assert!(record.external_id.is_some() && record.pending.is_none());
    }
    env.finish().await;
}

/// The process stops while the provider's answer is on its way (the write
/// is applied); the next export, after the window or within it, finds the
/// object and links it instead of creating a second.
async fn an_export_cut_after_sending_finds_its_object(backend: Backend) {
    let Some((env, supplier)) = start(backend).await else {
        return;
    };
    for (wait, suffix) in [(WINDOW * 2, "after"), (Duration::ZERO, "within")] {
        for case in cases(&supplier, suffix) {
            let id = env.put(case.kind, case.object.clone()).await;
            env.sim.set_faults(SimFaults {
                write_answer_delay_ms: 2_000,
                ..SimFaults::default()
            });
            let cut =
                tokio::time::timeout(Duration::from_millis(400), env.export(&[case.kind], false))
                    .await;
            assert!(
                cut.is_err(),
                "the export was cut while waiting for the answer"
            );
            env.sim.set_faults(SimFaults::default());
            assert_eq!(
                at_provider(&env.sim, &case),
                1,
                "{suffix}: the write was applied"
            );
            let record = env
                .store
                .record(env.connection_id(), case.kind, &RecordKey::Local(id))
                .await
                .unwrap()
                .unwrap();
            let pending = record.pending.expect("still pending");
            assert_eq!(
                pending.state,
                PendingState::Uncertain,
                "{suffix}: marked before sending"
            );
            tokio::time::sleep(wait).await;

            let outcome = env.export(&[case.kind], false).await;
            assert_eq!(
                actions(&outcome),
                [Action::Link],
                "{suffix}: {}",
                case.value
            );
            assert_eq!(
                at_provider(&env.sim, &case),
                1,
                "{suffix}: still exactly one {}",
                case.value
            );
            let record = env
                .store
                .record(env.connection_id(), case.kind, &RecordKey::Local(id))
                .await
                .unwrap()
                .unwrap();
            assert!(record.pending.is_none(), "{suffix}: linked");
            let linked = record.external_id.expect("linked");
            let field = SimHandle::id_field(case.kind);
            let object = env
                .sim
                .snapshot(case.kind)
                .into_iter()
                .find(|o| o[field] == linked.as_str())
                .expect("the provider's object");
            assert_eq!(object[case.field], case.value.as_str());
        }
    }
    env.finish().await;
}

on_every_store!(
    a_lost_answer_is_replayed_within_the_window,
    an_export_cut_after_sending_finds_its_object,
);
