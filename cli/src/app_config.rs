//! The app registrations Tether connects with: per provider, a client id
//! and secret (and the loopback port registered as the redirect URI), from
//! a flag, else the environment (`TETHER_XERO_CLIENT_ID`, …), else the
//! config file (`tether/config.toml` in your config directory, or
//! `TETHER_CONFIG`), so secrets need not sit in shell history.
//!
//! ```toml
//! [xero]
//! client_id = "…"
//! client_secret = "…"     # leave out for a PKCE-only app
//! redirect_port = 53682   # the port of the redirect URI registered with Xero
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde::Deserialize;
use tether_core::Secret;

/// One provider's section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSection {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub redirect_port: Option<u16>,
}

/// The app to connect with, its pieces resolved.
pub struct AppCredentials {
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub redirect_port: u16,
}

/// Resolves the app for `provider` from the flags given, the environment
/// and the config file, in that order.
pub fn resolve(
    provider: &str,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_port: Option<u16>,
) -> Result<AppCredentials> {
    let section = file_section(provider)?;
    let env = |what: &str| {
        std::env::var(format!("TETHER_{}_{what}", provider.to_ascii_uppercase()))
            .ok()
            .filter(|v| !v.is_empty())
    };
    let client_id = client_id
        .or_else(|| env("CLIENT_ID"))
        .or(section.client_id)
        .with_context(|| {
            format!(
                "no client id for {provider}: pass --client-id, set TETHER_{}_CLIENT_ID, or put \
                 `client_id` under [{provider}] in {}",
                provider.to_ascii_uppercase(),
                config_path().map_or_else(
                    |_| "the config file".to_owned(),
                    |p| p.display().to_string()
                )
            )
        })?;
    let client_secret = client_secret
        .or_else(|| env("CLIENT_SECRET"))
        .or_else(|| std::env::var("TETHER_CLIENT_SECRET").ok())
        .or(section.client_secret)
        .map(Secret::new);
    Ok(AppCredentials {
        client_id,
        client_secret,
        redirect_port: redirect_port.or(section.redirect_port).unwrap_or(0),
    })
}

/// The config file's path.
pub fn config_path() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("TETHER_CONFIG") {
        return Ok(PathBuf::from(path));
    }
    Ok(dirs::config_dir()
        .context("cannot find your config directory; set TETHER_CONFIG")?
        .join("tether")
        .join("config.toml"))
}

/// The config file's section for `provider` (empty when there is no file).
fn file_section(provider: &str) -> Result<AppSection> {
    let Ok(path) = config_path() else {
        return Ok(AppSection::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AppSection::default()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut sections: BTreeMap<String, AppSection> =
        toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    Ok(sections.remove(provider).unwrap_or_default())
}
