//! Auth state under two profiles: one like Xero's (every tenant, client
//! credentials, form revocation) and one like Intuit's (one realm
//! announced as `realmId`, JSON revocation, refresh expiry in the answer).

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

use super::*;
use crate::idempotency::{BadKey, IdempotencyRule};

pub(crate) struct Plain;

impl<K> TokenMinter<K> for Plain {
    fn access_token(&self, g: &Grant<K>, now_s: i64, _exp_s: i64) -> String {
        format!("at-{}-{now_s}-{}", g.id.simple(), Uuid::new_v4().simple())
    }
    fn id_token(&self, _g: &Grant<K>, nonce: Option<&str>, _now_s: i64) -> Option<String> {
        Some(format!("id-{}", nonce.unwrap_or("")))
    }
    fn refresh_token(&self) -> String {
        format!("rt-{}", Uuid::new_v4().simple())
    }
}

pub(crate) struct Words;

impl ErrorBody for Words {
    fn bad_idempotency_key(&self, _: &IdempotencyRule, _: BadKey) -> Response {
        crate::respond::empty(StatusCode::BAD_REQUEST)
    }
    fn idempotency_conflict(&self) -> Response {
        crate::respond::empty(StatusCode::CONFLICT)
    }
    fn server_error(&self, status: StatusCode) -> Response {
        crate::respond::empty(status)
    }
    fn unauthorized(&self, _: BearerRefusal) -> Response {
        crate::respond::empty(StatusCode::UNAUTHORIZED)
    }
    fn authorize_refused(&self, _: &str, _: &str) -> Response {
        crate::respond::empty(StatusCode::BAD_REQUEST)
    }
}

const PATHS: OAuthPaths = OAuthPaths {
    authorize: "/authorize",
    token: "/token",
    revoke: "/revoke",
};

pub(crate) static ALL_ORGS: OAuthProfile = OAuthProfile {
    paths: PATHS,
    discovery_path: None,
    issuer: "https://identity.example",
    code_ttl: Duration::from_secs(300),
    refresh_grace: Duration::from_secs(1800),
    refresh_idle: Duration::from_secs(60 * 86_400),
    refresh_scope: Some("offline_access"),
    refresh_expiry_field: None,
    json_type: "application/json; charset=utf-8",
    token_type: "Bearer",
    answer_scope: true,
    client_credentials: Some("accounting"),
    consent: ConsentTenants::All,
    tenant_param: None,
    redirect_scope: true,
    redirect_session_state: true,
    revoke_body: RevokeBody::Form,
    scope_known: |_| true,
};

pub(crate) static ONE_REALM: OAuthProfile = OAuthProfile {
    discovery_path: Some("/.well-known/openid_configuration/"),
    refresh_grace: Duration::ZERO,
    refresh_idle: Duration::from_secs(100 * 86_400),
    refresh_scope: None,
    refresh_expiry_field: Some("x_refresh_token_expires_in"),
    token_type: "bearer",
    answer_scope: false,
    client_credentials: None,
    consent: ConsentTenants::One,
    tenant_param: Some("realmId"),
    redirect_scope: false,
    redirect_session_state: false,
    revoke_body: RevokeBody::Json,
    ..ALL_ORGS
};

fn custom() -> Grant<String> {
    Grant {
        id: Uuid::nil(),
        client_id: String::new(),
        scope: "accounting".into(),
        user_id: Uuid::nil(),
        session_id: Uuid::nil(),
        auth_ms: 0,
        connections: Vec::new(),
    }
}

pub(crate) fn auth_with(seed: u64, profile: &'static OAuthProfile) -> Auth<String> {
    Auth::new(AuthSetup {
        seed,
        client_id: None,
        client_secret: None,
        pkce_client_id: None,
        ttl: Duration::from_secs(60),
        redirect_uris: Vec::new(),
        orgs: vec![
            Org {
                tenant_id: "9130347".into(),
                name: "First".into(),
            },
            Org {
                tenant_id: "4620816".into(),
                name: "Second".into(),
            },
        ],
        custom: profile.client_credentials.map(|_| custom()),
        profile,
        minter: Box::new(Plain),
    })
}

fn auth(seed: u64) -> Auth<String> {
    auth_with(seed, &ALL_ORGS)
}

#[test]
fn generated_credentials_are_deterministic_and_shaped() {
    let (a, b) = (auth(7), auth(7));
    assert_eq!(a.client_id, b.client_id);
    assert_eq!(a.client_secret, b.client_secret);
    assert_eq!(a.pkce_client_id, b.pkce_client_id);
    assert_eq!(a.client_id.len(), 32);
    assert!(a.client_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(a.client_secret.len(), 48);
    assert_ne!(a.client_id, a.pkce_client_id);
    assert_ne!(a.client_id, auth(8).client_id);
    // The profile does not change the draws.
    assert_eq!(a.client_id, auth_with(7, &ONE_REALM).client_id);
}

#[test]
fn bearer_checks() {
    let a = auth(7);
    let (t, _) = a.issue_opaque(a.custom_grant().unwrap());
    let mut h = HeaderMap::new();
    assert_eq!(a.check_bearer(&h).err(), Some(BearerRefusal::Missing));
    h.insert(
        header::AUTHORIZATION,
        format!("Bearer {t}").parse().unwrap(),
    );
    assert!(a.check_bearer(&h).is_ok());
    a.expire_access_tokens();
    assert!(matches!(
        a.check_bearer(&h),
        Err(BearerRefusal::Expired { .. })
    ));
    h.insert(header::AUTHORIZATION, "Bearer nope".parse().unwrap());
    assert_eq!(a.check_bearer(&h).err(), Some(BearerRefusal::Unknown));
}

#[test]
fn clients_authenticate_by_basic_or_form() {
    let a = auth(7);
    let mut h = HeaderMap::new();
    let v = format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", a.client_id, a.client_secret))
    );
    h.insert(header::AUTHORIZATION, v.parse().unwrap());
    assert_eq!(a.client(&h, &HashMap::new()), Some(ClientKind::Web));
    let form = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let none = HeaderMap::new();
    let web_only_id = form(&[("client_id", &a.client_id)]);
    assert_eq!(
        a.client(&none, &web_only_id),
        None,
        "the web app needs its secret"
    );
    let pkce = form(&[("client_id", &a.pkce_client_id)]);
    assert_eq!(a.client(&none, &pkce), Some(ClientKind::Pkce));
    let pkce_secret = form(&[("client_id", &a.pkce_client_id), ("client_secret", "x")]);
    assert_eq!(a.client(&none, &pkce_secret), None);
}

#[test]
fn answers_follow_the_profile() {
    let grant = |scope: &str| Grant {
        scope: scope.into(),
        ..custom()
    };
    let xero = auth(1);
    let a = xero.answer(&grant("accounting"), None);
    assert_eq!(a["token_type"], "Bearer");
    assert_eq!(a["scope"], "accounting");
    assert!(a.get("refresh_token").is_none(), "no offline_access");
    let a = xero.answer(&grant("openid offline_access"), Some("n"));
    assert!(a["refresh_token"].is_string());
    assert_eq!(a["id_token"], "id-n");

    let qbo = auth_with(1, &ONE_REALM);
    let a = qbo.answer(&grant("com.intuit.quickbooks.accounting"), None);
    assert_eq!(a["token_type"], "bearer");
    assert!(a.get("scope").is_none());
    assert!(a["refresh_token"].is_string(), "always a refresh token");
    assert_eq!(a["x_refresh_token_expires_in"], 100 * 86_400);
    assert!(qbo.custom_grant().is_none());
}

#[test]
fn refresh_rotation_grace_and_idle_expiry() {
    let a = auth(3);
    let g = Grant {
        scope: "offline_access".into(),
        client_id: a.client_id.clone(),
        id: Uuid::from_u128(5),
        ..custom()
    };
    a.grants().insert(g.clone());
    let rt = a.answer(&g, None)["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let now = a.clock.now_ms();
    let mut gs = a.grants();
    assert!(gs.use_refresh(&rt, &a.client_id, now).is_ok());
    assert!(gs.use_refresh(&rt, &a.client_id, now + 1_799_000).is_ok());
    assert!(gs.use_refresh(&rt, &a.client_id, now + 1_800_000).is_err());
    assert!(gs.use_refresh(&rt, "other", now).is_err());
    gs.add_refresh("idle".into(), g.id, now);
    assert!(
        gs.use_refresh("idle", &a.client_id, now + 60 * 86_400_000)
            .is_err()
    );
}

#[test]
fn revocation_ends_the_grant_but_only_the_custom_token() {
    let a = auth(3);
    let custom = a.custom_grant().unwrap();
    let (t, _) = a.issue_opaque(custom);
    let (t2, _) = a.issue_opaque(custom);
    let id = a.client_id.clone();
    assert_eq!(
        a.grants().revoke("nope", &id, Some(custom)),
        Revoked::Nothing
    );
    assert_eq!(
        a.grants().revoke(&t, "other", Some(custom)),
        Revoked::Nothing
    );
    assert_eq!(
        a.grants().revoke(&t, &id, Some(custom)),
        Revoked::AccessToken
    );
    assert!(a.grants().bearer(&t2, a.clock.now_ms()).is_ok());
    assert_eq!(a.grants().revoke(&t2, &id, None), Revoked::Grant);
    assert!(a.grants().bearer(&t2, a.clock.now_ms()).is_err());
}

#[test]
fn discovery_names_the_endpoints() {
    let d = discovery::document(&ONE_REALM, "127.0.0.1:9");
    assert_eq!(d["token_endpoint"], "http://127.0.0.1:9/token");
    assert_eq!(d["revocation_endpoint"], "http://127.0.0.1:9/revoke");
    assert_eq!(
        d["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
}

#[test]
fn json_revocation_needs_json() {
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let f = form::json(&h, br#"{"token":"abc"}"#).unwrap();
    assert_eq!(f["token"], "abc");
}

#[test]
fn next_ungranted_consents_walk_the_tenants_then_go_round() {
    static NEXT: OAuthProfile = OAuthProfile {
        consent: ConsentTenants::NextUngranted,
        ..ONE_REALM
    };
    let a = auth_with(4, &NEXT);
    let id = a.client_id.clone();
    let grant = |n: u128, realm: &str| Grant {
        id: Uuid::from_u128(n),
        client_id: id.clone(),
        connections: vec![Connection {
            id: Uuid::from_u128(n),
            tenant_id: realm.to_string(),
            name: String::new(),
            created_ms: 0,
            updated_ms: 0,
        }],
        ..custom()
    };
    assert_eq!(a.next_ungranted(&id).unwrap().tenant_id, "9130347");
    a.grants().insert(grant(1, "9130347"));
    assert_eq!(a.next_ungranted(&id).unwrap().tenant_id, "4620816");
    assert_eq!(
        a.next_ungranted(&a.pkce_client_id).unwrap().tenant_id,
        "9130347",
        "per client"
    );
    a.grants().insert(grant(2, "4620816"));
    let round: Vec<String> = (0..3)
        .map(|_| a.next_ungranted(&id).unwrap().tenant_id.clone())
        .collect();
    assert_eq!(round, ["9130347", "4620816", "9130347"]);
    let t = a.grants().revoke("nope", &id, None);
    assert_eq!(t, Revoked::Nothing);
    let (token, _) = a.issue_opaque(Uuid::from_u128(1));
    assert_eq!(a.grants().revoke(&token, &id, None), Revoked::Grant);
    assert_eq!(
        a.next_ungranted(&id).unwrap().tenant_id,
        "9130347",
        "a revoked grant frees its tenant"
    );
}

#[test]
fn one_realm_consent_announces_realm_id() {
    let a = auth_with(2, &ONE_REALM);
    let stats = crate::stats::Stats::default();
    let q: HashMap<String, String> = [
        ("client_id", a.client_id.as_str()),
        ("redirect_uri", "http://localhost:5/cb"),
        ("response_type", "code"),
        ("scope", "com.intuit.quickbooks.accounting"),
        ("state", "s t"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let r = authorize::consent(&a, &stats, &Words, &q);
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(loc.starts_with("http://localhost:5/cb?code="), "{loc}");
    assert!(loc.ends_with("&state=s%20t&realmId=9130347"), "{loc}");
    assert_eq!(stats.snapshot().codes_issued, 1);

    let x = auth_with(2, &ALL_ORGS);
    let r = authorize::consent(&x, &stats, &Words, &q);
    let loc = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(loc.contains("&scope=com.intuit.quickbooks.accounting&state=s%20t&session_state="));
    assert!(!loc.contains("realmId"));

    let bad = HashMap::from([("client_id".to_string(), "nope".to_string())]);
    let r = authorize::consent(&a, &stats, &Words, &bad);
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
