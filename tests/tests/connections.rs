//! Connections made by a person's consent (the test plays the browser) and
//! the tokens behind them: several tenants on one grant, expiry in the
//! middle of a sync, a refresh answer lost as a crash would lose it, a grant
//! revoked at the provider and repaired by connecting again.

use std::net::SocketAddr;
use std::time::Duration;

use tether_core::auth::authorize::App;
use tether_core::auth::{GrantStatus, GrantStore};
use tether_core::lease::Holder;
use tether_core::store::{Connection, ConnectionStatus, RunStatus, Store};
use tether_core::sync::{KindReport, Syncer};
use tether_core::{ConnectRequest, ErrorKind, MasterKey, Secret, Vault};
use tether_store::SeaStore;
use tether_tests::{
    Backend, TestDb, assert_store_matches_provider, connect_by_consent, kinds_named,
    on_every_store, open_session, refresh_token_of, sim_config, stored_records,
};
use tether_xero::sim::{SimConfig, SimFaults, SimHandle, XeroSim};

const KINDS: [&str; 2] = ["contacts", "invoices"];

on_every_store!(
    two_tenants_on_one_consent_are_connected_and_synced,
    an_access_token_that_expires_mid_sync_is_refreshed_once,
    an_access_token_is_refreshed_before_it_expires,
    tenants_sharing_a_grant_share_one_refresh,
    a_lost_refresh_answer_strands_nothing,
    a_crash_holding_the_refresh_is_outlived,
    a_claim_left_by_a_dead_process_here_is_taken_over,
    a_revoked_grant_needs_reauth_and_a_reconnect_repairs_it,
    a_refresh_token_unused_for_60_days_needs_reauth,
);

/// A simulator serving `tenants` organisations, and a fresh store.
struct World {
    sim: SimHandle,
    store: SeaStore,
    vault: Vault,
    _db: TestDb,
}

impl World {
    async fn start(backend: Backend, tenants: usize, invoices: usize) -> Option<World> {
        let mut config = sim_config(invoices);
        config.tenants = tenants;
        World::start_with(backend, config).await
    }

    async fn start_with(backend: Backend, config: SimConfig) -> Option<World> {
        let db = TestDb::create(backend).await?;
        let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start simulator");
        let store = SeaStore::connect(&db.url).await.expect("open store");
        Some(World {
            sim,
            store,
            vault: Vault::new(&MasterKey::generate()),
            _db: db,
        })
    }

    /// A person consents to connection `name` (to `tenant` only, if given).
    async fn consent(&self, name: &str, tenant: Option<String>) -> Vec<Connection> {
        connect_by_consent(
            &self.store,
            &self.vault,
            "xero",
            ConnectRequest {
                name: name.to_owned(),
                base_url: Some(self.sim.base_url()),
                tenant,
                rate_limits: None,
                replace: false,
            },
            App {
                client_id: self.sim.client_id().to_owned(),
                client_secret: Some(Secret::new(self.sim.client_secret())),
            },
        )
        .await
        .expect("connect by consent")
    }

    async fn connection(&self, name: &str) -> Connection {
        self.store
            .connection(name)
            .await
            .expect("read connection")
            .unwrap_or_else(|| panic!("connection {name} saved"))
    }

    /// Syncs `kinds` of connection `name`, opened afresh as a new command would.
    async fn sync(&self, name: &str, kinds: &[&str]) -> Vec<KindReport> {
        let session = open_session(&self.store, &self.vault, self.connection(name).await)
            .await
            .expect("open session");
        Syncer::new(&self.store, &session)
            .sync_kinds(&kinds_named(&session, kinds))
            .await
            .expect("leases can be taken")
            .reports
    }

    /// Syncs and asserts every kind succeeded and matches the tenant.
    async fn sync_ok(&self, name: &str, kinds: &[&str]) {
        for r in self.sync(name, kinds).await {
            assert_eq!(
                r.status,
                RunStatus::Succeeded,
                "{name} {}: {:?}",
                r.kind,
                r.error
            );
        }
        let connection = self.connection(name).await;
        let tenant = connection.tenant_id.parse().expect("a Xero tenant id");
        let matched = assert_store_matches_provider(
            &self.store,
            connection.id,
            &self.sim.tenant_view(tenant),
            kinds,
        )
        .await;
        assert!(matched > 0, "{name} holds records");
    }
}

async fn two_tenants_on_one_consent_are_connected_and_synced(backend: Backend) {
    let Some(w) = World::start(backend, 2, 60).await else {
        return;
    };
    let connections = w.consent("acme", None).await;
    let names: Vec<&str> = connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["acme-demo-company-nz", "acme-demo-company-2"]);
    let mut tenants: Vec<String> = connections.iter().map(|c| c.tenant_id.clone()).collect();
    tenants.sort();
    let mut served: Vec<String> = w.sim.tenant_ids().iter().map(|t| t.to_string()).collect();
    served.sort();
    assert_eq!(tenants, served, "one connection per granted organisation");
    assert_eq!(connections[0].grant, connections[1].grant, "one grant");
    for c in &connections {
        assert_eq!(c.status, ConnectionStatus::Active);
        assert!(
            c.tenant_link.is_some(),
            "{}: Xero's connection id kept",
            c.name
        );
        assert!(c.token_expires_at.is_some());
    }

    w.sync_ok("acme-demo-company-nz", &KINDS).await;
    w.sync_ok("acme-demo-company-2", &KINDS).await;
    let stats = w.sim.stats();
    assert_eq!(stats.code_exchanges, 1);
    assert_eq!(stats.refreshes, 0, "the consent's access token served both");
}

async fn an_access_token_that_expires_mid_sync_is_refreshed_once(backend: Backend) {
    let Some(w) = World::start(backend, 1, 5_000).await else {
        return;
    };
    w.consent("acme", None).await;
    let grant = w.connection("acme").await.grant;
    let before = refresh_token_of(&w.store, &w.vault, grant).await.unwrap();
    w.sim.set_faults(SimFaults {
        latency_ms: 10,
        ..SimFaults::default()
    });
    // Expire every access token once the invoices are a page in.
    let provider = w.sim.tenant_view(w.sim.tenant_id());
    let expire = tokio::spawn(async move {
        while invoice_pages(&provider) < 1 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        provider.expire_access_tokens();
        invoice_pages(&provider)
    });
    w.sync_ok("acme", &["invoices"]).await;
    let at_expiry = expire.await.expect("expired mid-sync");
    assert!(
        invoice_pages(&w.sim) > at_expiry + 1,
        "invoices were still being read after the expiry"
    );
    assert_eq!(w.sim.stats().refreshes, 1, "one refresh for the whole run");
    let after = refresh_token_of(&w.store, &w.vault, grant).await.unwrap();
    assert_ne!(before.expose(), after.expose(), "the rotated token is kept");
    assert!(w.store.grant(grant).await.unwrap().version > 0);
}

async fn an_access_token_is_refreshed_before_it_expires(backend: Backend) {
    let config = SimConfig {
        token_ttl: Duration::from_secs(6),
        ..sim_config(60)
    };
    let Some(w) = World::start_with(backend, config).await else {
        return;
    };
    w.consent("acme", None).await;
    // Three quarters of the token's life gone: it is due for a refresh.
    tokio::time::sleep(Duration::from_millis(4_700)).await;
    w.sim.reset_stats();
    w.sync_ok("acme", &KINDS).await;
    let due = w.sim.stats();
    w.sim.reset_stats();
    w.sync_ok("acme", &KINDS).await;
    let fresh = w.sim.stats();
    assert_eq!(due.refreshes, 1, "refreshed before use");
    assert_eq!(fresh.refreshes, 0, "and not again while it is good");
    assert_eq!(
        api_calls(&due),
        api_calls(&fresh),
        "no call was refused and repeated"
    );
}

/// Calls to the accounting API (not the identity service).
fn api_calls(stats: &tether_xero::sim::SimStats) -> u64 {
    stats
        .requests
        .iter()
        .filter(|(route, _)| route.contains("/api.xro/"))
        .map(|(_, n)| n)
        .sum()
}

fn invoice_pages(sim: &SimHandle) -> u64 {
    sim.stats()
        .requests
        .iter()
        .filter(|(route, _)| route.contains("Invoices"))
        .map(|(_, n)| n)
        .sum()
}

async fn tenants_sharing_a_grant_share_one_refresh(backend: Backend) {
    let Some(w) = World::start(backend, 2, 300).await else {
        return;
    };
    w.consent("acme", None).await;
    w.sim.expire_access_tokens();
    let (one, two) = tokio::join!(
        w.sync("acme-demo-company-nz", &KINDS),
        w.sync("acme-demo-company-2", &KINDS)
    );
    for r in one.iter().chain(&two) {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    let stats = w.sim.stats();
    assert_eq!(stats.refreshes, 1, "the loser used the winner's token");
    assert_eq!(stats.refreshes_refused, 0);
}

async fn a_lost_refresh_answer_strands_nothing(backend: Backend) {
    let Some(w) = World::start(backend, 1, 100).await else {
        return;
    };
    w.consent("acme", None).await;
    w.sim.set_faults(SimFaults {
        lose_token_answers: 1,
        ..SimFaults::default()
    });
    w.sim.expire_access_tokens();
    w.sync_ok("acme", &KINDS).await;
    let stats = w.sim.stats();
    assert_eq!(
        stats.lost_token_answers, 1,
        "the provider's answer was lost"
    );
    assert_eq!(
        stats.refreshes, 2,
        "the previous refresh token, in its grace period, was spent again"
    );

    // Past the grace period, the token we kept is the one that works.
    w.sim.advance_clock(Duration::from_secs(31 * 60));
    w.sim.expire_access_tokens();
    w.sync_ok("acme", &KINDS).await;
    assert_eq!(w.sim.stats().refreshes_refused, 0);
}

async fn a_crash_holding_the_refresh_is_outlived(backend: Backend) {
    let Some(w) = World::start(backend, 1, 100).await else {
        return;
    };
    w.consent("acme", None).await;
    let grant = w.connection("acme").await.grant;
    let row = w.store.grant(grant).await.unwrap();

    // A process claims the refresh, spends the refresh token at the
    // provider, and dies before saving what it got back.
    assert!(
        w.store
            .claim_refresh(
                grant,
                row.version,
                "a process that died",
                Duration::from_secs(1)
            )
            .await
            .unwrap()
    );
    let spent = refresh_token_of(&w.store, &w.vault, grant).await.unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{}/connect/token", w.sim.base_url()))
        .basic_auth(w.sim.client_id(), Some(w.sim.client_secret()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", spent.expose()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "the provider rotated the token"
    );
    drop(answer);

    // The next run waits out the dead claim and refreshes with the token it
    // has, which the provider still honours.
    w.sim.expire_access_tokens();
    w.sync_ok("acme", &KINDS).await;
    let stats = w.sim.stats();
    assert_eq!(stats.refreshes, 2);
    assert_eq!(stats.refreshes_refused, 0);
    let row = w.store.grant(grant).await.unwrap();
    assert_eq!(row.status, GrantStatus::Active);
    assert_eq!(
        row.version, 1,
        "the dead claim saved nothing; the next run saved once"
    );
}

async fn a_revoked_grant_needs_reauth_and_a_reconnect_repairs_it(backend: Backend) {
    let Some(w) = World::start(backend, 2, 60).await else {
        return;
    };
    let ids = w.sim.tenant_ids();
    let acme = w.consent("acme", Some(ids[0].to_string())).await;
    let beta = w.consent("beta", Some(ids[1].to_string())).await;
    assert_eq!((acme.len(), beta.len()), (1, 1));
    assert_ne!(acme[0].grant, beta[0].grant, "two consents, two grants");
    w.sync_ok("acme", &KINDS).await;
    w.sync_ok("beta", &KINDS).await;
    let stored = stored_records(&w.store, acme[0].id, "invoices").await.len();

    // The person revokes acme's access at the provider.
    let token = refresh_token_of(&w.store, &w.vault, acme[0].grant)
        .await
        .unwrap();
    let revoked = reqwest::Client::new()
        .post(format!("{}/connect/revocation", w.sim.base_url()))
        .basic_auth(w.sim.client_id(), Some(w.sim.client_secret()))
        .form(&[("token", token.expose())])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());

    let reports = w.sync("acme", &KINDS).await;
    let error = reports[0].error.as_ref().expect("refused");
    assert_eq!(error.kind(), ErrorKind::NeedsReauth, "{error}");
    assert!(
        error.to_string().contains("tether connect xero acme"),
        "{error}"
    );
    assert_eq!(reports.len(), 1, "the run stopped at the refusal");
    let acme_now = w.connection("acme").await;
    assert_eq!(acme_now.status, ConnectionStatus::NeedsReauth);
    assert!(
        acme_now
            .status_reason
            .as_deref()
            .is_some_and(|r| r.contains("invalid_grant")),
        "{:?}",
        acme_now.status_reason
    );
    w.sim.expire_access_tokens();
    w.sync_ok("beta", &KINDS).await;

    // Connecting again under the same name repairs it in place.
    let repaired = w.consent("acme", None).await;
    assert_eq!(repaired.len(), 1, "only the connection asked for");
    assert_eq!(repaired[0].id, acme[0].id, "same connection");
    assert_eq!(repaired[0].status, ConnectionStatus::Active);
    assert_ne!(repaired[0].grant, acme[0].grant, "on the new grant");
    assert_eq!(
        stored_records(&w.store, acme[0].id, "invoices").await.len(),
        stored,
        "its data kept"
    );
    w.sync_ok("acme", &KINDS).await;
}

async fn a_refresh_token_unused_for_60_days_needs_reauth(backend: Backend) {
    let Some(w) = World::start(backend, 2, 60).await else {
        return;
    };
    let connections = w.consent("acme", None).await;
    w.sim.advance_clock(Duration::from_secs(61 * 24 * 3600));
    let reports = w.sync("acme-demo-company-nz", &KINDS).await;
    let error = reports[0].error.as_ref().expect("refused");
    assert_eq!(error.kind(), ErrorKind::NeedsReauth, "{error}");
    assert_eq!(w.sim.stats().refreshes_refused, 1);
    // Every connection of the grant needs a person now, and says why.
    for c in &connections {
        let now = w.connection(&c.name).await;
        assert_eq!(now.status, ConnectionStatus::NeedsReauth, "{}", c.name);
        assert!(
            now.status_reason
                .is_some_and(|r| r.contains("invalid_grant"))
        );
    }
    let session = open_session(
        &w.store,
        &w.vault,
        w.connection("acme-demo-company-2").await,
    )
    .await;
    let refused = session.err().expect("refused before any call");
    assert!(
        refused
            .to_string()
            .contains("tether connect xero acme-demo-company-2"),
        "{refused}"
    );
    assert_eq!(w.sim.stats().refreshes_refused, 1, "not asked again");
}

async fn a_claim_left_by_a_dead_process_here_is_taken_over(backend: Backend) {
    let Some(w) = World::start(backend, 1, 60).await else {
        return;
    };
    w.consent("acme", None).await;
    let grant = w.connection("acme").await.grant;
    let row = w.store.grant(grant).await.unwrap();
    // A process of this machine claims the refresh for an hour and dies.
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    child.wait().expect("wait");
    let here = Holder::this_process();
    let dead = format!("{}|{}|{}", here.host, child.id(), "dead-token");
    assert!(
        w.store
            .claim_refresh(grant, row.version, &dead, Duration::from_secs(3600))
            .await
            .unwrap()
    );
    // Waiting out the hour would fail the sync (a waiter gives up after two
    // minutes); the claim is recognised as dead and taken over instead.
    w.sim.expire_access_tokens();
    w.sync_ok("acme", &KINDS).await;
    assert_eq!(w.sim.stats().refreshes, 1);
    assert_eq!(w.store.grant(grant).await.unwrap().version, row.version + 1);
}
