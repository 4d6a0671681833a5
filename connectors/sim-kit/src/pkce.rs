//! PKCE (RFC 7636) as Xero's PKCE flow documents it: only the `S256`
//! method; a verifier is 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`,
//! and the challenge is BASE64URL-NOPAD(SHA256(verifier)).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// Whether `s` has the length and alphabet RFC 7636 allows for a verifier
/// (and, being the same alphabet, for a challenge).
pub fn well_formed(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The S256 challenge of a verifier.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` answers `challenge`.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    well_formed(verifier) && challenge_of(verifier) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(challenge_of(verifier), challenge);
        assert!(verifies(verifier, challenge));
        assert!(!verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX",
            challenge
        ));
        assert!(!verifies("short", &challenge_of("short")));
        assert!(!well_formed(&"a".repeat(129)));
        assert!(!well_formed(&format!("{}!", "a".repeat(43))));
    }
}
