//! Connections and revocation: each consent sees its own connections,
//! a deleted connection's tenant answers 403, a revoked grant's tokens 401
//! and `invalid_grant`; a custom connection keeps its one organisation.

use reqwest::StatusCode;
use serde_json::Value;

use super::Sim;
use super::oauth::*;

/// `POST /connect/revocation` with the web app's secret over HTTP Basic.
async fn revoke(sim: &Sim, token: &str) -> StatusCode {
    sim.c
        .post(format!("{}/connect/revocation", sim.h.base_url()))
        .basic_auth(sim.h.client_id(), Some(sim.h.client_secret()))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn each_consent_lists_its_own_connections() {
    let sim = start(3).await;
    let (a, b) = (tokens(&sim).await, tokens(&sim).await);
    let (ta, tb) = (s(&a, "access_token"), s(&b, "access_token"));
    let (ca, cb) = (
        connections(&sim, &ta, "").await,
        connections(&sim, &tb, "").await,
    );
    let tenants: Vec<String> = sim.h.tenant_ids().iter().map(|t| t.to_string()).collect();
    for list in [&ca, &cb] {
        let ids: Vec<&str> = list
            .iter()
            .map(|c| c["tenantId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, tenants);
    }
    assert_ne!(ca[0]["authEventId"], cb[0]["authEventId"]);
    assert_ne!(ca[0]["id"], cb[0]["id"], "a connection per consent");
    let names: Vec<&str> = ca
        .iter()
        .map(|c| c["tenantName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Demo Company (NZ)", "Demo Company 2", "Demo Company 3"]
    );
    for k in [
        "id",
        "authEventId",
        "tenantId",
        "tenantType",
        "tenantName",
        "createdDateUtc",
        "updatedDateUtc",
    ] {
        assert!(ca[0][k].is_string(), "{k}");
    }
    let event = ca[0]["authEventId"].as_str().unwrap();
    assert_eq!(
        connections(&sim, &ta, &format!("?authEventId={event}"))
            .await
            .len(),
        3
    );
    assert!(
        connections(&sim, &tb, &format!("?authEventId={event}"))
            .await
            .is_empty()
    );

    // The custom connection still has exactly the first organisation.
    let cc = connections(&sim, &sim.token, "").await;
    assert_eq!(cc.len(), 1);
    assert_eq!(cc[0]["tenantId"], tenants[0].as_str());
    assert_eq!(
        api_status(&sim, &sim.token, sim.h.tenant_ids()[1], "Items").await,
        403
    );
}

#[tokio::test]
async fn a_deleted_connection_answers_403_for_that_grant_only() {
    let sim = start(2).await;
    let (a, b) = (tokens(&sim).await, tokens(&sim).await);
    let (ta, tb) = (s(&a, "access_token"), s(&b, "access_token"));
    let second = sim.h.tenant_ids()[1];
    let conn = connections(&sim, &ta, "").await[1].clone();
    assert_eq!(conn["tenantId"], second.to_string());
    let url = format!(
        "{}/connections/{}",
        sim.h.base_url(),
        conn["id"].as_str().unwrap()
    );
    let r = sim.c.delete(&url).bearer_auth(&tb).send().await.unwrap();
    assert_eq!(r.status(), 404, "another grant's connection");
    let r = sim.c.delete(&url).bearer_auth(&ta).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = sim.c.delete(&url).bearer_auth(&ta).send().await.unwrap();
    assert_eq!(r.status(), 404, "already gone");

    assert_eq!(connections(&sim, &ta, "").await.len(), 1);
    let r = sim
        .c
        .get(sim.api("Items"))
        .bearer_auth(&ta)
        .header("xero-tenant-id", second.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["Title"].as_str(), v["Detail"].as_str()),
        (Some("Forbidden"), Some("AuthenticationUnsuccessful"))
    );
    assert_eq!(api_status(&sim, &ta, sim.h.tenant_id(), "Items").await, 200);
    assert_eq!(
        api_status(&sim, &tb, second, "Items").await,
        200,
        "the other grant keeps it"
    );
    // A refreshed token of the grant does not bring it back.
    let (_, v) = refresh(&sim, &s(&a, "refresh_token")).await;
    assert_eq!(
        api_status(&sim, &s(&v, "access_token"), second, "Items").await,
        403
    );
}

#[tokio::test]
async fn revocation_ends_the_whole_grant() {
    let sim = start(2).await;
    let (a, b) = (tokens(&sim).await, tokens(&sim).await);
    let (_, rotated) = refresh(&sim, &s(&a, "refresh_token")).await;
    let tenant = sim.h.tenant_id();

    let r = sim
        .c
        .post(format!("{}/connect/revocation", sim.h.base_url()))
        .basic_auth(sim.h.client_id(), Some("wrong"))
        .form(&[("token", s(&rotated, "refresh_token"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");

    assert_eq!(revoke(&sim, &s(&rotated, "refresh_token")).await, 200);
    for token in [s(&a, "access_token"), s(&rotated, "access_token")] {
        assert_eq!(api_status(&sim, &token, tenant, "Items").await, 401);
        let r = sim
            .c
            .get(format!("{}/connections", sim.h.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    for token in [s(&a, "refresh_token"), s(&rotated, "refresh_token")] {
        let (status, v) = refresh(&sim, &token).await;
        assert_eq!(
            (status.as_u16(), v["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }
    // Another consent is untouched; an unknown token is answered 200.
    assert_eq!(
        api_status(&sim, &s(&b, "access_token"), tenant, "Items").await,
        200
    );
    assert_eq!(refresh(&sim, &s(&b, "refresh_token")).await.0, 200);
    assert_eq!(revoke(&sim, "not-a-token").await, 200);
    assert_eq!(sim.h.stats().revocations, 1);
}
