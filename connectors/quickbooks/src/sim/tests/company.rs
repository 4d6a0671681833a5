//! `CompanyInfo` over HTTP: one object per company, by query and by the
//! realm's id, named per realm, and none of the ten kinds' business.

use std::collections::HashSet;

use reqwest::Client;
use serde_json::Value;

use super::{MINOR, Sim, SimConfig, config, fault_code, status_json};

async fn get(sim: &Sim, token: &str, realm: &str, path: &str) -> (u16, Value) {
    let url = format!("{}/v3/company/{realm}/{path}", sim.h.base_url());
    let r = Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    status_json(r).await
}

fn three_companies() -> SimConfig {
    SimConfig {
        tenants: 3,
        ..config(20)
    }
}

#[tokio::test]
async fn each_company_answers_its_own_company_info() {
    let sim = Sim::start(three_companies()).await;
    let mut names = HashSet::new();
    for realm in sim.h.tenant_ids() {
        let token = sim.h.playground_token(&realm);
        let sql = "query?query=SELECT%20*%20FROM%20CompanyInfo";
        let (status, body) = get(&sim, &token, &realm, &format!("{sql}&{MINOR}")).await;
        assert_eq!(status, 200, "{body}");
        let answer = &body["QueryResponse"];
        assert_eq!(answer["startPosition"], 1);
        assert_eq!(answer["maxResults"], 1);
        let infos = answer["CompanyInfo"].as_array().unwrap();
        assert_eq!(infos.len(), 1, "{body}");
        let info = &infos[0];
        let name = info["CompanyName"].as_str().unwrap();
        assert!(name.len() > 3 && name != realm, "{info}");
        assert!(info["LegalName"].as_str().unwrap().starts_with(name));
        assert_eq!(name, sim.h.tenant_view(&realm).company_name());
        assert_eq!(info["Country"], "US");
        assert_eq!(info["CompanyAddr"]["Country"], "US");
        assert!(info["Email"]["Address"].as_str().unwrap().contains('@'));
        assert_eq!(info["FiscalYearStartMonth"], "January");
        assert_eq!((&info["Id"], &info["domain"]), (&"1".into(), &"QBO".into()));
        assert_eq!(info["sparse"], false);
        assert!(info["SyncToken"].as_str().unwrap().parse::<u64>().is_ok());
        assert!(
            info["MetaData"]["CreateTime"].as_str().unwrap()
                < info["MetaData"]["LastUpdatedTime"].as_str().unwrap()
        );
        assert!(body["time"].is_string());
        names.insert(name.to_owned());

        // Read one: at the realm's id, the same object.
        let (status, one) = get(
            &sim,
            &token,
            &realm,
            &format!("companyinfo/{realm}?{MINOR}"),
        )
        .await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(&one["CompanyInfo"], info);
        let (status, other) = get(&sim, &token, &realm, &format!("companyinfo/1?{MINOR}")).await;
        assert_eq!((status, fault_code(&other)), (400, "610"), "{other}");
    }
    assert_eq!(names.len(), 3, "each realm its own name: {names:?}");

    // The same seed names the same companies.
    let again = Sim::start(three_companies()).await;
    let renamed: HashSet<String> = again
        .h
        .tenant_ids()
        .iter()
        .map(|realm| again.h.tenant_view(realm).company_name())
        .collect();
    assert_eq!(renamed, names);
}

#[tokio::test]
async fn company_info_takes_field_lists_and_counts_and_stays_out_of_cdc() {
    let sim = Sim::start(config(20)).await;
    let (status, body) = sim.query("select CompanyName from companyinfo").await;
    assert_eq!(status, 200, "{body}");
    let info = &body["QueryResponse"]["CompanyInfo"][0];
    assert_eq!(info["CompanyName"], sim.h.company_name());
    assert_eq!(info["sparse"], true);
    assert!(info.get("CompanyAddr").is_none(), "{info}");
    let (_, body) = sim.query("SELECT COUNT(*) FROM CompanyInfo").await;
    assert_eq!(body["QueryResponse"]["totalCount"], 1);

    // Not one of the ten kinds: CDC does not answer it.
    let since = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let (status, body) = sim
        .get(&format!(
            "cdc?entities=CompanyInfo&changedSince={}",
            urlencode(&since)
        ))
        .await;
    assert_eq!((status, fault_code(&body)), (400, "4000"), "{body}");
    assert!(body.to_string().contains("CompanyInfo"), "{body}");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
