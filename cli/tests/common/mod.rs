//! The `tether` binary as a user runs it: a home of its own, a simulator,
//! and the helpers every CLI test file shares.

#![allow(dead_code)]

pub mod worker;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tether_core::store::Store;
use tether_store::SeaStore;
use tether_xero::sim::{SimConfig, SimLimits, SimSizes, XeroSim};

/// A user's home: empty data and config directories, and a database file.
pub struct Home {
    pub dir: tempfile::TempDir,
    /// A database URL to use instead of the home's SQLite file.
    pub database: Option<String>,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
            database: None,
        }
    }

    /// A home whose commands use the database at `url`.
    pub fn on_database(url: &str) -> Home {
        Home {
            database: Some(url.to_owned()),
            ..Home::new()
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("tether.db")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tether"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("HOME", self.dir.path())
            .arg("--database")
            .arg(
                self.database
                    .clone()
                    .unwrap_or_else(|| self.db().display().to_string()),
            )
            .args(args);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run tether")
    }

    /// Runs `tether` with `input` on standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn tether");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().expect("tether ends")
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

pub async fn start_sim(invoices: usize, latency_ms: u64) -> tether_xero::sim::SimHandle {
    let mut config = SimConfig {
        seed: 3,
        sizes: SimSizes::scaled(invoices),
        limits: SimLimits::off(),
        ..SimConfig::default()
    };
    config.faults.latency_ms = latency_ms;
    XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start sim")
}

pub fn connect(home: &Home, sim: &tether_xero::sim::SimHandle) {
    let base = sim.base_url();
    let output = home.run(&[
        "connect",
        "xero",
        "acme",
        "--client-credentials",
        "--client-id",
        sim.client_id(),
        "--client-secret",
        sim.client_secret(),
        "--base-url",
        &base,
        "--minute-limit",
        "100000",
        "--window-secs",
        "1",
    ]);
    assert!(output.status.success(), "connect: {}", stderr(&output));
}

pub async fn checkpoint_pages(db: &Path) -> i64 {
    let store = SeaStore::connect(&SeaStore::url_for_sqlite_path(db))
        .await
        .expect("open db");
    let Some(connection) = store.connection("acme").await.expect("read") else {
        return 0;
    };
    let state = store
        .sync_state(connection.id, "invoices")
        .await
        .expect("state");
    state.checkpoint.map_or(0, |c| c.pages)
}

/// What `tether --json connect …` by consent said.
pub struct Consented {
    pub status: std::process::ExitStatus,
    /// Its JSON lines after the authorize line: one per connection saved.
    pub connections: Vec<Value>,
    pub stderr: String,
}

/// Runs `tether --json connect PROVIDER NAME … --no-browser` with `env`
/// added, and plays the person's browser: reads the authorize URL it
/// prints, follows it to the provider, which consents and sends the browser
/// back to the command's loopback redirect.
pub async fn connect_by_consent(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Consented {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    let mut command = home.command(&[&["--json", "connect"], args, &["--no-browser"]].concat());
    command.envs(env.iter().copied());
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tether connect");
    let stdout = child.stdout.take().expect("stdout");
    let (mut reader, first) = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).expect("read stdout");
        (reader, line)
    })
    .await
    .expect("reader");
    if let Ok(authorize) = serde_json::from_str::<Value>(&first) {
        let url = authorize["authorize_url"].as_str().expect("authorize_url");
        let page = tether_tests::browse(url)
            .await
            .expect("the browser comes back to the loopback redirect");
        assert!(page.contains("Tether is connected"), "{page}");
    }
    let (rest, output) = tokio::task::spawn_blocking(move || {
        let mut rest = String::new();
        reader.read_to_string(&mut rest).expect("read stdout");
        (rest, child.wait_with_output().expect("wait"))
    })
    .await
    .expect("waiter");
    Consented {
        status: output.status,
        connections: rest
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
