//! What every command opens: the store (by URL) and the vault (by key).

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use tether_core::store::{Connection, Store};
use tether_core::{MasterKey, Session, Vault};
use tether_store::SeaStore;

/// Options every command shares.
pub struct Global {
    pub database: Option<String>,
    pub json: bool,
}

/// An open store and vault.
pub struct Context {
    pub store: SeaStore,
    pub vault: Vault,
    pub json: bool,
}

impl Context {
    /// Opens the database named by `--database`/`TETHER_DATABASE_URL`, or the default file.
    pub async fn open(global: &Global) -> Result<Context> {
        let url = database_url(global.database.as_deref())?;
        Context::open_url(&url, global.json).await
    }

    /// Opens the database at `url`.
    pub async fn open_url(url: &str, json: bool) -> Result<Context> {
        let store = SeaStore::connect(url)
            .await
            .with_context(|| format!("opening the database {}", redact_url(url)))?;
        let vault = Vault::new(&master_key()?);
        Ok(Context { store, vault, json })
    }

    /// The connection called `name`, or a clear error listing the known ones.
    pub async fn connection(&self, name: &str) -> Result<Connection> {
        if let Some(c) = self.store.connection(name).await? {
            return Ok(c);
        }
        let known: Vec<String> = self
            .store
            .connections()
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        if known.is_empty() {
            bail!("no connection named `{name}`; create one with `tether connect`")
        }
        bail!("no connection named `{name}`; known: {}", known.join(", "))
    }

    /// Opens a connection for work.
    pub async fn session(&self, name: &str) -> Result<Session> {
        let connection = self.connection(name).await?;
        Ok(Session::open(connection, &self.vault)?)
    }
}

/// Tether's own folder under the user's data directory.
pub fn data_dir() -> Result<PathBuf> {
    let base = dirs::data_dir().context("cannot find your data directory; pass --database")?;
    Ok(base.join("tether"))
}

fn database_url(given: Option<&str>) -> Result<String> {
    match given {
        Some(url) if url.contains("://") || url.starts_with("sqlite:") => Ok(url.to_owned()),
        Some(path) => Ok(SeaStore::url_for_sqlite_path(std::path::Path::new(path))),
        None => Ok(SeaStore::url_for_sqlite_path(data_dir()?.join("tether.db"))),
    }
}

/// Hides a password in a database URL before it is printed.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The master key: `TETHER_MASTER_KEY` (base64), else a key file under the
/// config directory, created (mode 0600) on first use.
fn master_key() -> Result<MasterKey> {
    if let Ok(text) = std::env::var("TETHER_MASTER_KEY") {
        return MasterKey::decode(&text).context("TETHER_MASTER_KEY");
    }
    let dir = dirs::config_dir()
        .context("cannot find your config directory; set TETHER_MASTER_KEY")?
        .join("tether");
    let path = dir.join("master.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return MasterKey::decode(&text).with_context(|| format!("reading {}", path.display()));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = MasterKey::generate();
    write_private(&path, &key.encode()).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "created a new master key");
    Ok(key)
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert_eq!(
            database_url(Some("postgres://u@h/db")).unwrap(),
            "postgres://u@h/db"
        );
        assert!(
            database_url(Some("/tmp/x.db"))
                .unwrap()
                .starts_with("sqlite:")
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
    }
}
