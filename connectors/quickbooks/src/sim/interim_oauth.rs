//! The grant store behind the OAuth2 endpoints: single-use authorization
//! codes, access tokens, rotating refresh tokens, revocation, on the
//! simulator's movable clock.
//! Interim: to be replaced by `tether-sim-kit`'s OAuth2 server when it lands.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rand::Rng as _;
use rand::distr::Alphanumeric;
use tether_sim_kit::clock::SimClock;
use tether_sim_kit::pkce;

/// How long an authorization code may be exchanged.
const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Intuit: access tokens last an hour.
pub(crate) const ACCESS_TTL_S: i64 = 3600;
/// Intuit: refresh tokens last 100 days; its answers say 8,726,400 seconds.
pub(crate) const REFRESH_TTL_S: i64 = 8_726_400;

/// Why the token endpoint refuses (its `error` field).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    InvalidGrant,
    InvalidRequest,
}

/// A pair of tokens issued to a grant.
#[derive(Clone, Debug)]
pub(crate) struct Tokens {
    pub access: String,
    pub refresh: String,
    /// The company the grant reaches.
    pub realm: String,
}

struct Code {
    client_id: String,
    redirect_uri: String,
    realm: String,
    challenge: Option<String>,
    expires_ms: i64,
}

struct Grant {
    client_id: String,
    realm: String,
    revoked: bool,
    /// The current refresh token (earlier ones are spent).
    refresh: String,
    refresh_expires_ms: i64,
}

#[derive(Default)]
struct State {
    codes: HashMap<String, Code>,
    grants: Vec<Grant>,
    /// Access token → grant index and expiry.
    access: HashMap<String, (usize, i64)>,
    /// Every refresh token ever issued → its grant.
    refresh: HashMap<String, usize>,
    /// Consents given per client once every company was granted to it.
    wraps: HashMap<String, usize>,
}

/// The grants of one simulator.
pub(crate) struct Grants {
    clock: Arc<SimClock>,
    realms: Vec<String>,
    state: Mutex<State>,
}

fn random(n: usize) -> String {
    rand::rng().sample_iter(&Alphanumeric).take(n).map(char::from).collect()
}

impl Grants {
    /// Grants to `realms` (consents pick among them), timed by `clock`.
    pub(crate) fn new(clock: Arc<SimClock>, realms: Vec<String>) -> Self {
        Self { clock, realms, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A consent: picks the next company not yet granted to `client_id`
    /// (wrapping once all are) and returns a code for it and the realm.
    pub(crate) fn consent(&self, client_id: &str, redirect_uri: &str, challenge: Option<String>) -> (String, String) {
        let mut s = self.state();
        let granted: HashSet<&str> = s
            .grants
            .iter()
            .filter(|g| g.client_id == client_id && !g.revoked)
            .map(|g| g.realm.as_str())
            .collect();
        let realm = match self.realms.iter().find(|r| !granted.contains(r.as_str())) {
            Some(r) => r.clone(),
            None => {
                let n = s.wraps.entry(client_id.to_string()).or_default();
                *n += 1;
                self.realms[(*n - 1) % self.realms.len()].clone()
            }
        };
        let code = format!("AB11{}", random(40));
        let expires_ms = self.clock.now_ms() + CODE_TTL_MS;
        let c = Code { client_id: client_id.into(), redirect_uri: redirect_uri.into(), realm: realm.clone(), challenge, expires_ms };
        s.codes.insert(code.clone(), c);
        (code, realm)
    }

    fn issue(&self, s: &mut State, grant: usize) -> Tokens {
        let now = self.clock.now_ms();
        let access = format!("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..{}", random(64));
        let refresh = format!("RT1-{}", random(46));
        s.access.insert(access.clone(), (grant, now + ACCESS_TTL_S * 1000));
        s.refresh.insert(refresh.clone(), grant);
        let g = &mut s.grants[grant];
        g.refresh = refresh.clone();
        g.refresh_expires_ms = now + REFRESH_TTL_S * 1000;
        Tokens { access, refresh, realm: g.realm.clone() }
    }

    fn new_grant(&self, s: &mut State, client_id: &str, realm: &str) -> Tokens {
        s.grants.push(Grant { client_id: client_id.into(), realm: realm.into(), revoked: false, refresh: String::new(), refresh_expires_ms: 0 });
        let i = s.grants.len() - 1;
        self.issue(s, i)
    }

    /// Exchanges a code (once, before it expires, from the client and
    /// redirect URI it was issued to, with the PKCE verifier if a
    /// challenge was sent).
    pub(crate) fn exchange(&self, client_id: &str, code: &str, redirect_uri: &str, verifier: Option<&str>) -> Result<Tokens, Refusal> {
        let mut s = self.state();
        let c = s.codes.remove(code).ok_or(Refusal::InvalidGrant)?;
        if c.client_id != client_id || c.redirect_uri != redirect_uri || c.expires_ms <= self.clock.now_ms() {
            return Err(Refusal::InvalidGrant);
        }
        if let Some(challenge) = &c.challenge {
            match verifier {
                Some(v) if pkce::verifies(v, challenge) => {}
                Some(_) => return Err(Refusal::InvalidGrant),
                None => return Err(Refusal::InvalidRequest),
            }
        }
        Ok(self.new_grant(&mut s, client_id, &c.realm))
    }

    /// A refresh: the current refresh token of a live grant, unexpired,
    /// gives a new pair; the one used is spent.
    pub(crate) fn refresh(&self, client_id: &str, token: &str) -> Result<Tokens, Refusal> {
        let mut s = self.state();
        let grant = *s.refresh.get(token).ok_or(Refusal::InvalidGrant)?;
        let g = &s.grants[grant];
        let live = !g.revoked && g.refresh == token && g.client_id == client_id && g.refresh_expires_ms > self.clock.now_ms();
        if !live {
            return Err(Refusal::InvalidGrant);
        }
        Ok(self.issue(&mut s, grant))
    }

    /// Revokes the grant `token` (access or refresh) belongs to; false when
    /// the token is unknown or not `client_id`'s.
    pub(crate) fn revoke(&self, client_id: &str, token: &str) -> bool {
        let mut s = self.state();
        let grant = s.refresh.get(token).copied().or_else(|| s.access.get(token).map(|a| a.0));
        match grant {
            Some(g) if s.grants[g].client_id == client_id => {
                s.grants[g].revoked = true;
                true
            }
            _ => false,
        }
    }

    /// The company an access token reaches, or why it does not.
    pub(crate) fn check(&self, token: &str) -> Result<String, &'static str> {
        let s = self.state();
        let &(grant, expires) = s.access.get(token).ok_or("Token invalid")?;
        let g = &s.grants[grant];
        if g.revoked {
            return Err("Token revoked");
        }
        if expires <= self.clock.now_ms() {
            return Err("Token expired");
        }
        Ok(g.realm.clone())
    }

    /// A grant of `client_id` to `realm` without a consent (Intuit's OAuth
    /// Playground); `None` for an unknown realm.
    pub(crate) fn playground(&self, client_id: &str, realm: &str) -> Option<Tokens> {
        if !self.realms.iter().any(|r| r == realm) {
            return None;
        }
        let mut s = self.state();
        Some(self.new_grant(&mut s, client_id, realm))
    }

    /// Makes every access token issued so far expired.
    pub(crate) fn expire_access_tokens(&self) {
        let now = self.clock.now_ms();
        for (_, exp) in self.state().access.values_mut() {
            *exp = (*exp).min(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn grants() -> (Arc<SimClock>, Grants) {
        let clock = Arc::new(SimClock::default());
        let g = Grants::new(clock.clone(), vec!["1".into(), "2".into()]);
        (clock, g)
    }

    #[test]
    fn consents_walk_the_companies_then_wrap() {
        let (_, g) = grants();
        let realms: Vec<String> = (0..4).map(|_| {
            let (code, _) = g.consent("app", "http://127.0.0.1/cb", None);
            g.exchange("app", &code, "http://127.0.0.1/cb", None).unwrap().realm
        }).collect();
        assert_eq!(realms, ["1", "2", "1", "2"]);
        assert_eq!(g.consent("other", "u", None).1, "1", "per client");
    }

    #[test]
    fn codes_once_pkce_rotation_expiry_and_revocation() {
        let (clock, g) = grants();
        let verifier = "v".repeat(43);
        let (code, _) = g.consent("app", "u", Some(pkce::challenge_of(&verifier)));
        assert_eq!(g.exchange("app", &code, "u", Some(&"w".repeat(43))).unwrap_err(), Refusal::InvalidGrant);
        let (code, _) = g.consent("app", "u", Some(pkce::challenge_of(&verifier)));
        let t = g.exchange("app", &code, "u", Some(&verifier)).unwrap();
        assert!(g.exchange("app", &code, "u", Some(&verifier)).is_err(), "a code is used once");
        assert_eq!(g.check(&t.access).unwrap(), t.realm);
        let t2 = g.refresh("app", &t.refresh).unwrap();
        assert_ne!(t2.refresh, t.refresh);
        assert_eq!(g.refresh("app", &t.refresh).unwrap_err(), Refusal::InvalidGrant, "spent");
        clock.advance(Duration::from_secs(3601));
        assert_eq!(g.check(&t2.access), Err("Token expired"));
        let t3 = g.refresh("app", &t2.refresh).unwrap();
        assert!(g.revoke("app", &t3.refresh));
        assert_eq!(g.check(&t3.access), Err("Token revoked"));
        assert!(g.refresh("app", &t3.refresh).is_err());
        let t4 = g.playground("app", "2").unwrap();
        clock.advance(Duration::from_secs(REFRESH_TTL_S as u64 + 1));
        assert!(g.refresh("app", &t4.refresh).is_err(), "refresh tokens last 100 days");
    }
}
