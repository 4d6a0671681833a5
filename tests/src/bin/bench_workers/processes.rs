//! The processes and the database a configuration runs on: its workers
//! (stopped as a service manager would), and a database of its own.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use tether_store::SeaStore;

/// How long a worker gets to stop after SIGTERM before it is killed.
const STOP_WITHIN: Duration = Duration::from_secs(20);

/// A process's peak resident set (`VmHWM`), in KiB.
pub fn vm_hwm_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmHWM in /proc/PID/status")
}

/// KiB in MiB.
pub fn mib(kib: u64) -> u64 {
    kib / 1024
}

/// The workers of one configuration and their logs; killed if left running.
pub struct Workers(pub Vec<(Child, PathBuf)>);

impl Workers {
    /// SIGTERM to all, then waits for each (killed after [`STOP_WITHIN`]).
    pub async fn stop(&mut self) -> Result<()> {
        for (child, _) in &self.0 {
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()?;
        }
        let asked = Instant::now();
        for (child, log) in &mut self.0 {
            loop {
                if let Some(status) = child.try_wait()? {
                    if !status.success() {
                        eprintln!("  a worker exited with {status}; see {}", log.display());
                    }
                    break;
                }
                if asked.elapsed() > STOP_WITHIN {
                    eprintln!("  a worker still running {STOP_WITHIN:?} after SIGTERM: killed");
                    child.kill().ok();
                    child.wait().ok();
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        eprintln!("  stopped in {:.1?}", asked.elapsed());
        Ok(())
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for (child, _) in &mut self.0 {
            if child.try_wait().ok().flatten().is_none() {
                child.kill().ok();
                child.wait().ok();
            }
        }
    }
}

/// A fresh PostgreSQL database for one configuration, dropped afterwards.
pub struct BenchDb {
    /// The database's URL, for the workers.
    pub url: String,
    /// The store on it, to connect and to read the run history.
    pub store: SeaStore,
    admin: String,
    name: String,
}

impl BenchDb {
    /// Creates a database named at random on `url`'s server.
    pub async fn create(url: &str) -> Result<BenchDb> {
        let (db_url, name) = tether_tests::create_postgres(url, "tether_bench_workers").await?;
        let store = SeaStore::connect(&db_url).await?;
        Ok(BenchDb {
            url: db_url,
            store,
            admin: url.to_owned(),
            name,
        })
    }

    /// Drops the database, whatever is still connected to it.
    pub async fn drop_database(self) -> Result<()> {
        self.store.close().await?;
        tether_tests::drop_postgres(&self.admin, &self.name).await?;
        Ok(())
    }
}
