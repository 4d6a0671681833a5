//! The query language over HTTP, reading one, and the pipeline's checks.

use std::collections::HashSet;

use super::{Sim, config, fault_code, status_json};

#[tokio::test]
async fn full_pull_pages_by_id_and_sees_every_invoice_once() {
    let sim = Sim::start(config(250)).await;
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let sql = format!("SELECT * FROM Invoice ORDERBY Id STARTPOSITION {start} MAXRESULTS 100");
        let (status, body) = sim.query(&sql).await;
        assert_eq!(status, 200, "{body}");
        let r = &body["QueryResponse"];
        let Some(page) = r["Invoice"].as_array() else {
            assert_eq!(
                r,
                &serde_json::json!({}),
                "an empty page is an empty QueryResponse"
            );
            break;
        };
        assert_eq!(r["startPosition"], start);
        assert_eq!(r["maxResults"], page.len());
        seen.extend(
            page.iter()
                .map(|i| i["Id"].as_str().unwrap().parse::<u64>().unwrap()),
        );
        start += 100;
    }
    assert_eq!(seen.len(), 250);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "ordered by Id as numbers"
    );
    assert!(body_time_ok(&sim).await);
}

async fn body_time_ok(sim: &Sim) -> bool {
    let (_, body) = sim.query("SELECT * FROM Item MAXRESULTS 1").await;
    body["time"]
        .as_str()
        .is_some_and(|t| t.ends_with("-08:00") && t.contains('.'))
}

#[tokio::test]
async fn default_and_maximum_page_sizes() {
    let sim = Sim::start(config(1200)).await;
    let (_, body) = sim.query("SELECT * FROM Invoice").await;
    assert_eq!(
        body["QueryResponse"]["Invoice"].as_array().unwrap().len(),
        100
    );
    let (_, body) = sim.query("SELECT * FROM Invoice MAXRESULTS 5000").await;
    assert_eq!(body["QueryResponse"]["maxResults"], 1000);
}

#[tokio::test]
async fn name_lists_answer_active_ones_unless_active_is_asked() {
    let sim = Sim::start(config(200)).await;
    let all = sim.h.snapshot("customers");
    let inactive = all.iter().filter(|c| c["Active"] == false).count();
    assert!(inactive > 0);
    let count = |sql: &'static str| {
        let sim = &sim;
        async move {
            sim.query(sql).await.1["QueryResponse"]["totalCount"]
                .as_u64()
                .unwrap() as usize
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM Customer").await,
        all.len() - inactive
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)").await,
        all.len()
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM Customer WHERE Active = false").await,
        inactive
    );
    let (_, body) = sim.query("SELECT * FROM Customer MAXRESULTS 1000").await;
    assert!(
        body["QueryResponse"]["Customer"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["Active"] == true)
    );
}

#[tokio::test]
async fn post_query_takes_the_sql_as_text_and_filters_by_time() {
    let sim = Sim::start(config(300)).await;
    let invoices = sim.h.snapshot("invoices");
    let mut times: Vec<&str> = invoices
        .iter()
        .map(|i| i["MetaData"]["LastUpdatedTime"].as_str().unwrap())
        .collect();
    times.sort();
    let cut = times[times.len() / 2];
    let expected = times.iter().filter(|t| **t > cut).count();
    let sql = format!("select count(*) from Invoice where MetaData.LastUpdatedTime > '{cut}'");
    let r = sim
        .c
        .post(format!("{}?minorversion=75", sim.api("query")))
        .bearer_auth(&sim.token)
        .header("Content-Type", "application/text")
        .body(sql)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["QueryResponse"]["totalCount"], expected);
}

#[tokio::test]
async fn ids_in_and_read_one_and_610() {
    let sim = Sim::start(config(50)).await;
    let (_, body) = sim
        .query("SELECT * FROM Invoice WHERE Id IN ('3', '12', '40') ORDERBY Id DESC")
        .await;
    let ids: Vec<&str> = body["QueryResponse"]["Invoice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["40", "12", "3"]);
    let (status, body) = sim.get("invoice/12").await;
    assert_eq!(status, 200);
    assert_eq!(body["Invoice"]["Id"], "12");
    assert_eq!(body["Invoice"]["domain"], "QBO");
    let (status, body) = sim.get("invoice/99999").await;
    assert_eq!((status, fault_code(&body)), (400, "610"));
    assert_eq!(body["Fault"]["type"], "ValidationFault");
}

#[tokio::test]
async fn malformed_queries_are_fault_4000() {
    let sim = Sim::start(config(10)).await;
    for sql in [
        "SELECT * FROM",
        "SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'",
        "DELETE FROM Invoice",
    ] {
        let (status, body) = sim.query(sql).await;
        assert_eq!((status, fault_code(&body)), (400, "4000"), "{sql}");
    }
}

#[tokio::test]
async fn tokens_are_checked_against_the_realm_and_minor_versions_counted() {
    let mut cfg = config(10);
    cfg.tenants = 2;
    let sim = Sim::start(cfg).await;
    let other = sim.h.tenant_ids()[1].clone();
    assert_ne!(other, sim.realm);
    let url = format!(
        "{}/v3/company/{other}/query?query=SELECT%20*%20FROM%20Item&minorversion=75",
        sim.h.base_url()
    );
    let (status, body) = status_json(
        sim.c
            .get(&url)
            .bearer_auth(&sim.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, fault_code(&body)), (403, "3100"));
    let (status, body) = status_json(sim.c.get(&url).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["fault"]["error"][0]["code"], "3200");
    assert_eq!(body["fault"]["type"], "AUTHENTICATION");
    let ok = sim
        .c
        .get(&url)
        .bearer_auth(sim.h.playground_token(&other))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let first: HashSet<String> = sim
        .h
        .snapshot("items")
        .iter()
        .map(|i| i["Name"].to_string())
        .collect();
    assert!(!first.is_empty());
    sim.h.reset_stats();
    let bare = format!("{}/v3/company/{}/invoice/1", sim.h.base_url(), sim.realm);
    sim.c
        .get(&bare)
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    sim.get("invoice/1").await;
    let stats = sim.h.stats();
    assert_eq!(stats.missing_minorversion, 1);
    assert_eq!(stats.requests["GET /v3/company/{id}/invoice/{id}"], 2);
}

#[tokio::test]
async fn expired_access_tokens_are_refused() {
    let sim = Sim::start(config(5)).await;
    assert_eq!(sim.get("invoice/1").await.0, 200);
    sim.h.expire_access_tokens();
    let (status, body) = sim.get("invoice/1").await;
    assert_eq!(status, 401);
    assert_eq!(body["fault"]["error"][0]["detail"], "Token expired");
}

#[tokio::test]
async fn answers_carry_intuit_tid_and_date_and_corrupt_shows_through() {
    let mut cfg = config(10);
    cfg.tenants = 2;
    let sim = Sim::start(cfg).await;
    let r = sim
        .c
        .get(format!("{}?minorversion=75", sim.api("invoice/1")))
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("intuit_tid"));
    assert!(r.headers().contains_key("date"));
    assert!(
        sim.h
            .corrupt("invoices", "1", "PrivateNote", serde_json::json!(42))
    );
    let (_, body) = sim.get("invoice/1").await;
    assert_eq!(body["Invoice"]["PrivateNote"], 42);
    assert!(
        !sim.h
            .corrupt("invoices", "999999", "PrivateNote", serde_json::json!(1))
    );
    let second = sim.h.tenant_view(&sim.h.tenant_ids()[1]);
    let names = |h: &crate::sim::SimHandle| {
        h.snapshot("customers")
            .iter()
            .map(|c| c["DisplayName"].to_string())
            .collect::<Vec<_>>()
    };
    assert_ne!(
        names(&sim.h),
        names(&second),
        "each company has data of its own"
    );
    assert_eq!(
        second.snapshot("invoices")[0]["PrivateNote"],
        "",
        "corrupt touched the first only"
    );
}
