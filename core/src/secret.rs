//! Secrets at rest and in memory: a [`Secret`] never prints, and a [`Vault`]
//! seals anything serialisable before it reaches the store.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{Error, ErrorKind, Result};

/// A token or client secret: `Debug` and `Display` redact it so it cannot leak
/// into logs by accident; [`Secret::expose`] is the one way to read it.
/// `Serialize` writes it in clear, for [`Vault::seal`] only: never serialise a
/// type holding one anywhere else.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one call that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The 256-bit key every sealed secret of an installation is encrypted with.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl MasterKey {
    /// A fresh random key, for a new installation.
    pub fn generate() -> Self {
        MasterKey(XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    /// Reads a key written by [`MasterKey::encode`].
    pub fn decode(text: &str) -> Result<Self> {
        let bytes = B64
            .decode(text.trim())
            .map_err(|e| Error::config(format!("master key: expected base64, {e}")))?;
        let key: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            Error::config(format!("master key: expected 32 bytes, got {}", b.len()))
        })?;
        Ok(MasterKey(key))
    }

    /// The key as base64, for a key file or an environment variable.
    pub fn encode(&self) -> String {
        B64.encode(self.0)
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

/// Seals values with XChaCha20-Poly1305 (random 192-bit nonce per value), so
/// the database only ever holds ciphertext for credentials.
#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

const SEAL_VERSION: &str = "v1";

impl Vault {
    /// A vault for one master key.
    pub fn new(key: &MasterKey) -> Self {
        Vault {
            cipher: XChaCha20Poly1305::new(&key.0.into()),
        }
    }

    /// Serialises and encrypts `value` as `v1:<base64 nonce+ciphertext>`.
    pub fn seal<T: Serialize>(&self, value: &T) -> Result<String> {
        let plain =
            serde_json::to_vec(value).map_err(|e| Error::invalid(format!("sealing: {e}")))?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_slice())
            .map_err(|_| Error::config("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEAL_VERSION}:{}", B64.encode(out)))
    }

    /// Decrypts and deserialises what [`Vault::seal`] produced.
    pub fn open<T: DeserializeOwned>(&self, sealed: &str) -> Result<T> {
        let body = sealed
            .strip_prefix("v1:")
            .ok_or_else(|| Error::config("sealed secret: unknown format"))?;
        let bytes = B64
            .decode(body)
            .map_err(|e| Error::config(format!("sealed secret: {e}")))?;
        if bytes.len() < 24 {
            return Err(Error::config("sealed secret: too short"));
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| {
                Error::new(
                    ErrorKind::Config,
                    "sealed secret: cannot decrypt (wrong master key?)",
                )
            })?;
        serde_json::from_slice(&plain).map_err(|e| Error::config(format!("sealed secret: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?} {s}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn seal_round_trips_and_hides_plaintext() {
        let vault = Vault::new(&MasterKey::generate());
        let sealed = vault.seal(&Secret::new("top-secret-value")).unwrap();
        assert!(!sealed.contains("top-secret-value"));
        let opened: Secret = vault.open(&sealed).unwrap();
        assert_eq!(opened.expose(), "top-secret-value");
    }

    #[test]
    fn wrong_key_is_refused() {
        let sealed = Vault::new(&MasterKey::generate()).seal(&"x").unwrap();
        let err = Vault::new(&MasterKey::generate())
            .open::<String>(&sealed)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
    }

    #[test]
    fn key_encoding_round_trips() {
        let key = MasterKey::generate();
        let back = MasterKey::decode(&key.encode()).unwrap();
        assert_eq!(back.0, key.0);
        assert!(MasterKey::decode("c2hvcnQ=").is_err());
    }
}
