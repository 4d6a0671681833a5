//! What every command opens: the store (by URL) and the vault (by key).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use tether_core::store::{Connection, Store};
use tether_core::{MasterKey, Session, Vault};
use tether_store::SeaStore;

/// Options every command shares.
pub struct Global {
    pub database: Option<String>,
    pub create: bool,
    pub json: bool,
}

/// An open store and vault.
pub struct Context {
    pub store: SeaStore,
    pub vault: Vault,
    pub json: bool,
}

impl Context {
    /// Opens the database named by `--database`/`TETHER_DATABASE_URL`, or
    /// the default file (created when missing). A SQLite file named
    /// explicitly must exist, unless `--create` is given: a mistyped path
    /// is an error, not a new empty store.
    pub async fn open(global: &Global) -> Result<Context> {
        Context::open_url(&database_url(global, global.create)?, global.json).await
    }

    /// Like [`Context::open`], for commands that create things (a
    /// connection): a SQLite file named explicitly is created when missing.
    pub async fn open_creating(global: &Global) -> Result<Context> {
        Context::open_url(&database_url(global, true)?, global.json).await
    }

    /// Opens the database at `url`.
    pub async fn open_url(url: &str, json: bool) -> Result<Context> {
        let store = SeaStore::connect(url).await?;
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

    /// Opens a connection for work: unseals its grant and gets an access
    /// token, once for the command, so a provider that cannot be reached or
    /// refuses the credentials is said before any work starts.
    pub async fn session(&self, name: &str) -> Result<Session> {
        let connection = self.connection(name).await?;
        let session = Session::open(connection, &self.vault, Arc::new(self.store.clone())).await?;
        session.authenticate().await?;
        Ok(session)
    }
}

/// Tether's own folder under the user's data directory.
pub fn data_dir() -> Result<PathBuf> {
    let base = dirs::data_dir().context("cannot find your data directory; pass --database")?;
    Ok(base.join("tether"))
}

/// The store's URL: `--database` as given (a plain path becomes a SQLite
/// URL), or the default file. An explicit SQLite file that does not exist is
/// refused unless `create`.
fn database_url(global: &Global, create: bool) -> Result<String> {
    let url = match global.database.as_deref() {
        Some(url) if url.contains("://") || url.starts_with("sqlite:") => url.to_owned(),
        Some(path) => SeaStore::url_for_sqlite_path(std::path::Path::new(path)),
        None => return Ok(SeaStore::url_for_sqlite_path(data_dir()?.join("tether.db"))),
    };
    if let Some(file) = SeaStore::sqlite_file(&url)
        && !create
        && !file.exists()
    {
        bail!(
            "there is no database at {}; check the path, or add --create to make a new one there",
            file.display()
        )
    }
    Ok(url)
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

    fn global(database: &str) -> Global {
        Global {
            database: Some(database.to_owned()),
            create: false,
            json: false,
        }
    }

    #[test]
    fn urls_and_paths() {
        let postgres = global("postgres://u@h/db");
        assert_eq!(database_url(&postgres, false).unwrap(), "postgres://u@h/db");
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("x.db");
        std::fs::write(&existing, "").unwrap();
        let url = database_url(&global(&existing.to_string_lossy()), false).unwrap();
        assert!(url.starts_with("sqlite:"), "{url}");
    }

    #[test]
    fn a_mistyped_path_is_refused_unless_creating() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("typo/t.db");
        let given = global(&missing.to_string_lossy());
        let e = database_url(&given, false).unwrap_err().to_string();
        assert!(
            e.contains("there is no database at") && e.contains("--create"),
            "{e}"
        );
        let as_url = global(&format!("sqlite://{}", missing.display()));
        assert!(database_url(&as_url, false).is_err());
        assert!(database_url(&given, true).is_ok());
        assert!(!missing.exists(), "nothing is created by asking");
    }
}
