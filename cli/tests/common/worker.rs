//! A `tether run` process started by a test, stopped by it (or killed
//! when the test fails).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::Home;

/// A running `tether run` and the address it serves on.
pub struct Worker {
    pub child: Child,
    pub base: String,
    pub log: std::path::PathBuf,
}

impl Worker {
    /// Starts `tether run` with `config` (written to `NAME.toml`), its log
    /// in `NAME.log`, serving on a free port, with `more` arguments.
    pub async fn start(home: &Home, name: &str, config: &str, more: &[&str]) -> Worker {
        let file = home.dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, config).unwrap();
        let log = home.dir.path().join(format!("{name}.log"));
        let args = [
            &[
                "run",
                "--config",
                file.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "json",
            ][..],
            more,
        ]
        .concat();
        let mut child = home
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn tether run");
        let stdout = child.stdout.take().unwrap();
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            line
        })
        .await
        .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the bound address first: {line:?}"))
            .to_owned();
        Worker { child, base, log }
    }
}

/// A test that fails does not leave its worker running, and shows the end
/// of its log.
impl Drop for Worker {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(40)..].join("\n");
            eprintln!("--- the end of {}:\n{tail}", self.log.display());
        }
    }
}

impl Worker {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// SIGTERM, then how long it took to exit and how.
    pub async fn terminate(mut self) -> (Duration, ExitStatus) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (started.elapsed(), status);
            }
            if started.elapsed() > Duration::from_secs(20) {
                self.child.kill().ok();
                panic!("tether run did not stop within 20 s after SIGTERM");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
