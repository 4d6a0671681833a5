//! `tether connect` by a person's consent (the test plays the browser),
//! `tether connections` and `tether disconnect`, as a user runs them; and
//! two `tether` processes refreshing one grant on PostgreSQL.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Home, connect_by_consent, json_lines, stderr, stdout};
use serde_json::Value;
use tether_core::auth::GrantStore;
use tether_core::store::Store;
use tether_core::{MasterKey, Secret, Vault};
use tether_store::SeaStore;
use tether_tests::{Backend, TestDb, refresh_token_of};
use tether_xero::sim::{SimConfig, SimHandle, SimLimits, SimSizes, XeroSim};

async fn start_sim(tenants: usize) -> SimHandle {
    let config = SimConfig {
        seed: 11,
        sizes: SimSizes::scaled(80),
        limits: SimLimits::off(),
        tenants,
        ..SimConfig::default()
    };
    XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start sim")
}

/// The app's credentials as a user keeps them: in the environment.
fn app_env(sim: &SimHandle) -> [(&'static str, String); 2] {
    [
        ("TETHER_XERO_CLIENT_ID", sim.client_id().to_owned()),
        ("TETHER_XERO_CLIENT_SECRET", sim.client_secret().to_owned()),
    ]
}

async fn consent(home: &Home, sim: &SimHandle, name: &str, more: &[&str]) -> Vec<Value> {
    let base = sim.base_url();
    let env = app_env(sim);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args = [&["xero", name, "--base-url", &base], more].concat();
    let done = connect_by_consent(home, &args, &env).await;
    assert!(done.status.success(), "connect: {}", done.stderr);
    done.connections
}

fn sync(home: &Home, name: &str, log: Option<&str>) -> std::process::Output {
    let mut command = home.command(&["sync", name, "--kind", "contacts", "--kind", "invoices"]);
    if let Some(level) = log {
        command.env("TETHER_LOG", level);
    }
    command.output().expect("run tether sync")
}

/// The home's master key, as `tether` created it.
fn vault_of(home: &Home) -> Vault {
    let key = std::fs::read_to_string(home.dir.path().join("config/tether/master.key"))
        .expect("tether created a master key");
    Vault::new(&MasterKey::decode(&key).expect("a master key"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_connects_each_organisation_and_no_token_leaks() {
    let sim = start_sim(2).await;
    let home = Home::new();
    let connections = consent(&home, &sim, "acme", &[]).await;
    let names: Vec<&str> = connections
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme-demo-company-nz", "acme-demo-company-2"]);

    let listed = json_lines(&home.run(&["--json", "connections"]));
    assert_eq!(listed.len(), 2);
    for c in &listed {
        for key in [
            "name",
            "provider",
            "tenant_id",
            "tenant_name",
            "status",
            "token_expires_at",
            "last_success_at",
        ] {
            assert!(c.get(key).is_some(), "{key} in {c}");
        }
        assert_eq!(c["status"], "active");
        assert_eq!(c["provider"], "xero");
        assert!(c["token_expires_at"].is_string());
        assert!(c["last_success_at"].is_null(), "never synced yet");
    }

    // Expired tokens make the sync refresh; every log line is kept.
    sim.expire_access_tokens();
    let output = sync(&home, "acme-demo-company-nz", Some("trace"));
    assert!(output.status.success(), "{}", stderr(&output));
    let logs = stderr(&output);
    assert!(
        logs.contains("access token refreshed"),
        "trace logs were on"
    );
    assert_eq!(sim.stats().refreshes, 1);
    let listed = json_lines(&home.run(&["--json", "connections"]));
    let synced = listed
        .iter()
        .find(|c| c["name"] == "acme-demo-company-nz")
        .expect("listed");
    assert!(synced["last_success_at"].is_string(), "{synced}");

    // The tokens in use now, and the app's secret: in no log and not in
    // the database file, whose every byte is read.
    let store = SeaStore::connect(&SeaStore::url_for_sqlite_path(home.db()))
        .await
        .expect("open the database");
    let vault = vault_of(&home);
    let grant = store
        .connection("acme-demo-company-nz")
        .await
        .unwrap()
        .unwrap()
        .grant;
    let refresh = refresh_token_of(&store, &vault, grant).await.unwrap();
    let (sealed_access, _) = store
        .grant(grant)
        .await
        .unwrap()
        .access
        .expect("an access token");
    let access: Secret = vault.open(&sealed_access).unwrap();
    let mut file = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", home.db().display());
        file.extend(std::fs::read(&path).unwrap_or_default());
    }
    assert!(file.len() > 10_000, "the database was read");
    for secret in [refresh.expose(), access.expose(), sim.client_secret()] {
        assert!(secret.len() >= 16);
        assert!(!logs.contains(secret), "a secret in the trace logs");
        assert!(
            !file.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a secret in plain text in the database file"
        );
    }

    // Another master key opens nothing, and says so.
    let output = home
        .command(&["sync", "acme-demo-company-nz"])
        .env("TETHER_MASTER_KEY", MasterKey::generate().encode())
        .output()
        .expect("run tether sync");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("wrong master key"),
        "{}",
        stderr(&output)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_unlinks_revokes_and_keeps_the_data() {
    let sim = start_sim(2).await;
    let home = Home::new();
    consent(&home, &sim, "acme", &[]).await;
    let output = sync(&home, "acme-demo-company-2", None);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = sync(&home, "acme-demo-company-nz", None);
    assert!(output.status.success(), "{}", stderr(&output));

    // Without a name, `runs` lists every connection's, each with its worker.
    let runs = json_lines(&home.run(&["runs", "--json", "--limit", "100"]));
    let connections: std::collections::BTreeSet<&str> = runs
        .iter()
        .map(|r| {
            r["connection"]
                .as_str()
                .expect("each run names its connection")
        })
        .collect();
    assert_eq!(
        connections.into_iter().collect::<Vec<_>>(),
        ["acme-demo-company-2", "acme-demo-company-nz"]
    );
    assert!(
        runs.iter()
            .all(|r| r["worker"].as_str().is_some_and(|w| w.contains("pid"))),
        "each run names the worker that ran it: {runs:?}"
    );

    // The other organisation still uses the grant: unlinked, not revoked.
    let said = json_lines(&home.run(&["--json", "disconnect", "acme-demo-company-2"]));
    assert_eq!(said[0]["unlinked"], true, "{}", said[0]);
    assert_eq!(said[0]["revoked"], false, "{}", said[0]);
    let output = sync(&home, "acme-demo-company-nz", None);
    assert!(output.status.success(), "{}", stderr(&output));

    let output = sync(&home, "acme-demo-company-2", None);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("is disconnected"), "{err}");
    assert!(
        err.contains("tether connect xero acme-demo-company-2"),
        "{err}"
    );
    let output = home.run(&["status", "acme-demo-company-2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("disconnected"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("tether connect xero acme-demo-company-2"),
        "{}",
        stdout(&output)
    );
    let output = home.run(&["records", "acme-demo-company-2", "invoices"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).lines().count() > 10, "its data is kept");

    // Every connection at a glance: the one that needs a person first.
    let overview = json_lines(&home.run(&["--json", "status"]));
    let names: Vec<&str> = overview
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme-demo-company-2", "acme-demo-company-nz"]);
    assert_eq!(overview[0]["attention"][0], "disconnected");
    assert_eq!(
        overview[0]["next_run_at"],
        serde_json::Value::Null,
        "not scheduled"
    );
    assert!(overview[1]["attention"].as_array().unwrap().is_empty());
    assert!(
        overview[1]["lag_secs"].as_i64().is_some_and(|s| s >= 0),
        "{}",
        overview[1]
    );
    let next: chrono::DateTime<chrono::Utc> = overview[1]["next_run_at"]
        .as_str()
        .expect("the worker's next slot")
        .parse()
        .unwrap();
    assert!(next > chrono::Utc::now(), "{next}");

    // The last one revokes the grant.
    let output = home.run(&["--json", "disconnect", "acme-demo-company-nz"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = json_lines(&output);
    assert_eq!(said[0]["revoked"], true, "{}", said[0]);
    assert_eq!(sim.stats().revocations, 1);
    let listed = json_lines(&home.run(&["--json", "connections"]));
    assert!(
        listed.iter().all(|c| c["status"] == "disconnected"),
        "{listed:?}"
    );

    // Connecting again repairs it in place.
    let again = consent(&home, &sim, "acme-demo-company-2", &[]).await;
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0]["repaired"], true);
    let output = sync(&home, "acme-demo-company-2", None);
    assert!(output.status.success(), "{}", stderr(&output));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refreshing_one_grant_leave_one_valid_grant() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let sim = start_sim(1).await;
    let home = Home::on_database(&db.url);
    consent(&home, &sim, "acme", &[]).await;

    // Both find the access token expired at once; one refreshes, the other
    // waits for its token.
    sim.expire_access_tokens();
    let spawn = |kind: &str| -> std::process::Child {
        home.command(&["sync", "acme", "--kind", kind])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run tether sync")
    };
    let children: Vec<_> = ["contacts", "invoices"].into_iter().map(spawn).collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let stats = sim.stats();
    assert_eq!(stats.refreshes, 1, "one refresh for both processes");
    assert_eq!(stats.refreshes_refused, 0);

    // The grant kept is the valid one, past any grace period.
    sim.advance_clock(Duration::from_secs(31 * 60));
    sim.expire_access_tokens();
    let output = home.run(&["sync", "acme", "--kind", "items"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(sim.stats().refreshes_refused, 0);
    sim.shutdown().await;
    db.drop_database().await;
}
