//! The conformance suite every connector passes, against its own sandbox,
//! through core's traits only: nothing here knows a provider.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::value::RawValue;
use tether_core::auth::GrantStore;
use tether_core::sandbox::{SandboxLimits, SandboxOptions};
use tether_core::store::RunStatus;
use tether_core::sync::Syncer;
use tether_core::{Connector, MasterKey, Paging, RateLimitPolicy, Session, Vault};
use tether_store::SeaStore;

use crate::stored_records;

/// Objects the sandbox generates: enough for several pages of the main kind.
const SIZE: usize = 2100;

/// Runs every case for `connector`; panics with the case and kind that failed.
pub async fn check(connector: &'static dyn Connector) {
    registration_is_sound(connector);
    let sandbox = tether_core::sandbox::sandbox(connector.id())
        .unwrap_or_else(|| panic!("{}: every connector ships a sandbox", connector.id()));
    let running = sandbox
        .start(SandboxOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 11,
            size: SIZE,
            kind_sizes: Vec::new(),
            limits: SandboxLimits::Off,
            latency: Duration::ZERO,
            error_rate: 0.0,
            idempotency_window: None,
            tenants: 1,
        })
        .await
        .expect("sandbox starts");
    let info = running.info();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SeaStore::connect(&SeaStore::url_for_sqlite_path(dir.path().join("c.db")))
        .await
        .expect("store opens");
    let vault = Vault::new(&MasterKey::generate());
    // Every provider has the authorization-code flow (QuickBooks has
    // nothing else), so the suite connects as a person would.
    let connection = crate::connect_by_consent(
        &store,
        &vault,
        connector.id(),
        tether_core::ConnectRequest {
            name: "conformance".to_owned(),
            base_url: Some(info.base_url.clone()),
            tenant: None,
            rate_limits: Some(RateLimitPolicy {
                concurrency: 5,
                per_window: 100_000,
                window: Duration::from_secs(1),
                per_day: None,
                app_per_window: None,
                batch_per_window: None,
            }),
            replace: false,
        },
        tether_core::auth::authorize::App {
            client_id: info.client_id.clone(),
            client_secret: Some(info.client_secret.clone()),
        },
    )
    .await
    .expect("connects to its sandbox")
    .remove(0);
    assert_eq!(
        connection.tenant_id, info.tenant_id,
        "connect finds the sandbox's tenant"
    );
    let grant = store.grant(connection.grant).await.expect("its grant");
    let (sealed_access, _) = grant.access.as_ref().expect("an access token is saved");
    assert!(
        !grant.sealed.contains(info.client_secret.expose()) && !sealed_access.contains("Bearer"),
        "credentials are sealed at rest"
    );
    let session = crate::open_session(&store, &vault, connection)
        .await
        .expect("session opens");

    full_sync_is_complete_and_cheap(connector, &store, &session).await;
    second_sync_changes_nothing(connector, &store, &session).await;
    read_by_ids_answers_exactly_what_exists(connector, &store, &session).await;
    write_declarations_match_the_hooks(connector, &store, &session).await;
    parse_names_kind_and_field(connector);
    change_feed_answers_every_kind_asked_in_one_call(connector, &session).await;
    running.shutdown().await;
}

fn registration_is_sound(connector: &'static dyn Connector) {
    let id = connector.id();
    assert!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "{id}: id is snake case"
    );
    assert!(tether_core::connector(id).is_some(), "{id}: registered");
    let names: Vec<_> = connector.kinds().iter().map(|k| k.name()).collect();
    assert!(!names.is_empty(), "{id}: has kinds");
    assert_eq!(
        names.iter().collect::<HashSet<_>>().len(),
        names.len(),
        "{id}: kind names are unique"
    );
    for name in &names {
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{id}/{name}: snake case"
        );
    }
    let endpoints = connector.endpoints(Some("http://127.0.0.1:1"));
    for url in [
        &endpoints.api,
        &endpoints.token,
        &endpoints.authorize,
        &endpoints.tenants,
    ] {
        assert!(
            url.starts_with("http://127.0.0.1:1/"),
            "{id}: one base URL moves {url}"
        );
    }
    let limits = connector.rate_limits();
    assert!(
        limits.concurrency >= 1 && limits.per_window >= 1,
        "{id}: limits are usable"
    );
    for kind in connector.kinds() {
        let caps = kind.capabilities();
        if let Paging::Paged { max_page_size } = caps.paging {
            assert!(max_page_size >= 1, "{id}/{}: page size", kind.name());
        }
        if let Some(write) = caps.write {
            assert!(write.batch_size >= 1, "{id}/{}: batch size", kind.name());
        }
    }
}

async fn full_sync_is_complete_and_cheap(
    connector: &'static dyn Connector,
    store: &SeaStore,
    session: &Session,
) {
    let outcome = Syncer::new(store, session)
        .sync_kinds(connector.kinds())
        .await
        .expect("leases are free");
    assert!(outcome.held.is_empty(), "nothing else holds the kinds");
    let reports = outcome.reports;
    let mut paged_objects = 0;
    for (kind, report) in connector.kinds().iter().zip(&reports) {
        let name = format!("{}/{}", connector.id(), kind.name());
        assert_eq!(
            report.status,
            RunStatus::Succeeded,
            "{name}: {:?}",
            report.error
        );
        assert_eq!(
            report.counts.quarantined, 0,
            "{name}: its own sandbox's objects all parse"
        );
        assert_eq!(
            report.counts.fetched, report.counts.stored,
            "{name}: every object stored"
        );
        let stored = stored_records(store, session.connection.id, kind.name()).await;
        assert_eq!(
            stored.len() as i64,
            report.counts.stored,
            "{name}: no duplicates"
        );
        if let Paging::Paged { max_page_size } = kind.capabilities().paging {
            let pages = (report.counts.fetched as u64)
                .div_ceil(u64::from(max_page_size))
                .max(1) as i64;
            assert!(
                report.counts.api_calls <= pages + 1,
                "{name}: {} calls for {} objects",
                report.counts.api_calls,
                report.counts.fetched
            );
            paged_objects += report.counts.fetched;
        } else {
            assert_eq!(
                report.counts.api_calls, 1,
                "{name}: unpaged kinds take one call"
            );
        }
    }
    assert!(
        paged_objects as usize >= SIZE,
        "the sandbox generated {paged_objects} paged objects"
    );
}

async fn second_sync_changes_nothing(
    connector: &'static dyn Connector,
    store: &SeaStore,
    session: &Session,
) {
    let mut before = BTreeMap::new();
    for kind in connector.kinds() {
        before.insert(
            kind.name(),
            stored_records(store, session.connection.id, kind.name()).await,
        );
    }
    let reports = Syncer::new(store, session)
        .sync_kinds(connector.kinds())
        .await
        .expect("leases are free")
        .reports;
    for (kind, report) in connector.kinds().iter().zip(&reports) {
        let name = format!("{}/{}", connector.id(), kind.name());
        assert_eq!(
            report.status,
            RunStatus::Succeeded,
            "{name}: {:?}",
            report.error
        );
        assert_eq!(report.counts.deleted, 0, "{name}: nothing vanished");
        let after = stored_records(store, session.connection.id, kind.name()).await;
        for (id, old) in &before[kind.name()] {
            let new = &after[id];
            assert_eq!(
                (old.id, &old.changed_by_run),
                (new.id, &new.changed_by_run),
                "{name} {id}: unchanged"
            );
        }
    }
}

/// Deletions are confirmed by reading ids: the answer must hold every object
/// that exists and nothing for an id that does not.
async fn read_by_ids_answers_exactly_what_exists(
    connector: &'static dyn Connector,
    store: &SeaStore,
    session: &Session,
) {
    for kind in connector.kinds() {
        let name = format!("{}/{}", connector.id(), kind.name());
        let Some(max) = kind.capabilities().read_by_ids else {
            continue;
        };
        assert!(max >= 1, "{name}: reads at least one id per call");
        let stored = stored_records(store, session.connection.id, kind.name()).await;
        let mut ids: Vec<String> = stored
            .keys()
            .take(max.saturating_sub(1).max(1))
            .cloned()
            .collect();
        let wanted: HashSet<String> = ids.iter().cloned().collect();
        ids.push(uuid::Uuid::new_v4().to_string());
        ids.truncate(max);
        let page = kind
            .read_by_ids(&session.api, &ids)
            .await
            .unwrap_or_else(|e| panic!("{name}: read by ids: {e}"));
        let got: HashSet<String> = page
            .objects
            .iter()
            .map(|raw| {
                kind.parse(raw)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
                    .external_id
            })
            .collect();
        let expected: HashSet<String> = wanted.into_iter().filter(|id| ids.contains(id)).collect();
        assert_eq!(got, expected, "{name}: exactly the ids that exist");
    }
}

/// A kind that declares writes has the hooks, and its typed check accepts
/// the provider's own objects (what an application edits starts from them).
async fn write_declarations_match_the_hooks(
    connector: &'static dyn Connector,
    store: &SeaStore,
    session: &Session,
) {
    for kind in connector.kinds() {
        let name = format!("{}/{}", connector.id(), kind.name());
        let Some(caps) = kind.capabilities().write else {
            assert!(
                kind.writer().is_none(),
                "{name}: a writer without write capabilities"
            );
            continue;
        };
        let writer = kind
            .writer()
            .unwrap_or_else(|| panic!("{name}: declares writes but has no writer"));
        assert!(caps.batch_size >= 1, "{name}: batch size");
        if let tether_core::RemoteDelete::Status(by_status) = caps.delete {
            assert!(
                caps.status_field.is_some(),
                "{name}: a status delete needs a status field"
            );
            assert!(!by_status.is_empty(), "{name}: some status can be deleted");
        }
        let stored = stored_records(store, session.connection.id, kind.name()).await;
        for record in stored.values().take(20) {
            writer
                .check(&record.data)
                .unwrap_or_else(|e| panic!("{name}: its own object fails the typed check: {e}"));
        }
    }
}

/// A change feed answers for every kind it covers in one call, with the
/// provider's clock, in objects the kinds' own parse hooks read.
async fn change_feed_answers_every_kind_asked_in_one_call(
    connector: &'static dyn Connector,
    session: &Session,
) {
    let Some(feed) = connector.change_feed() else {
        return;
    };
    let id = connector.id();
    let covered: Vec<&str> = connector
        .kinds()
        .iter()
        .map(|k| k.name())
        .filter(|k| feed.covers(k))
        .collect();
    assert!(
        !covered.is_empty(),
        "{id}: its change feed covers some kind"
    );
    assert!(
        feed.window() > Duration::from_secs(3600),
        "{id}: the feed reaches back"
    );
    let calls = session.api.stats().calls();
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let answer = feed
        .changes(&session.api, &covered, since)
        .await
        .unwrap_or_else(|e| panic!("{id}: the change feed: {e}"));
    assert_eq!(session.api.stats().calls() - calls, 1, "{id}: one call");
    assert!(
        answer.provider_time.is_some(),
        "{id}: the feed tells its clock"
    );
    let mut answered: Vec<&str> = answer.kinds.iter().map(|c| c.kind.as_str()).collect();
    answered.sort_unstable();
    let mut asked = covered.clone();
    asked.sort_unstable();
    assert_eq!(answered, asked, "{id}: an answer for each kind asked");
    for changes in &answer.kinds {
        let kind = connector.kind(&changes.kind).expect("a kind asked for");
        for raw in &changes.objects {
            kind.parse(raw)
                .unwrap_or_else(|e| panic!("{id}: a feed object does not parse: {e}"));
        }
    }
}

fn parse_names_kind_and_field(connector: &'static dyn Connector) {
    for kind in connector.kinds() {
        let raw: Box<RawValue> = RawValue::from_string("{}".to_owned()).expect("raw json");
        let error = kind
            .parse(&raw)
            .expect_err("an empty object has no id and must not parse");
        assert_eq!(
            error.kind,
            kind.name(),
            "{}: the error names the kind",
            kind.name()
        );
        assert!(
            !error.field.is_empty(),
            "{}: the error names the field",
            kind.name()
        );
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_registered_connector_conforms() {
        let connectors = tether_core::connectors();
        assert!(!connectors.is_empty(), "no connector is linked");
        for connector in connectors {
            super::check(connector).await;
        }
    }
}
