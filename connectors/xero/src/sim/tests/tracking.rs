//! Tracking categories and options: archive and restore by POST (archived
//! ones only with `includeArchived=true`), options added, archived and
//! deleted through `/TrackingCategories/{id}/Options`, and hard deletes of
//! unused categories and options — gone from every listing, 404 by id.

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config};

async fn categories(sim: &Sim, archived: bool) -> Vec<Value> {
    let path = if archived {
        "TrackingCategories?includeArchived=true"
    } else {
        "TrackingCategories"
    };
    sim.get_json(path).await["TrackingCategories"]
        .as_array()
        .unwrap()
        .clone()
}

fn find<'a>(list: &'a [Value], id: &str) -> Option<&'a Value> {
    list.iter().find(|c| c["TrackingCategoryID"] == id)
}

fn option_names(c: &Value) -> Vec<String> {
    c["Options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Name"].as_str().unwrap().to_string())
        .collect()
}

/// A write that must succeed; answers the body.
async fn ok(sim: &Sim, method: Method, path: &str, body: Value) -> Value {
    let r = sim.send(method, path, &body).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn status_of(sim: &Sim, method: Method, path: &str, body: Option<Value>) -> u16 {
    let r = sim.req(method, path);
    let r = match body {
        Some(b) => r.json(&b),
        None => r,
    };
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn categories_archive_restore_and_delete_when_unused() {
    let sim = Sim::start(config(40)).await;
    let region = categories(&sim, false).await[0].clone();
    let rid = region["TrackingCategoryID"].as_str().unwrap().to_string();
    let path = format!("TrackingCategories/{rid}");

    // Used on generated invoices: refused, then archived instead.
    assert_eq!(status_of(&sim, Method::DELETE, &path, None).await, 400);
    ok(&sim, Method::POST, &path, json!({ "Status": "ARCHIVED" })).await;
    assert!(find(&categories(&sim, false).await, &rid).is_none());
    assert_eq!(
        find(&categories(&sim, true).await, &rid).unwrap()["Status"],
        "ARCHIVED"
    );

    // A new category takes the free active place; options are added.
    let v = ok(
        &sim,
        Method::PUT,
        "TrackingCategories",
        json!({ "Name": "Project" }),
    )
    .await;
    let pid = v["TrackingCategories"][0]["TrackingCategoryID"]
        .as_str()
        .unwrap()
        .to_string();
    // Restoring the archived one now breaks the limit of two active ones.
    assert_eq!(
        status_of(
            &sim,
            Method::POST,
            &path,
            Some(json!({ "Status": "ACTIVE" }))
        )
        .await,
        400
    );
    let v = ok(
        &sim,
        Method::PUT,
        &format!("TrackingCategories/{pid}/Options"),
        json!({ "Options": [{ "Name": "Alpha" }, { "Name": "Beta" }] }),
    )
    .await;
    let options = v["Options"].as_array().unwrap();
    assert_eq!(options.len(), 2);
    assert_eq!(options[0]["Status"], "ACTIVE");
    assert_eq!(options[0]["IsActive"], true);
    let listed = find(&categories(&sim, false).await, &pid).unwrap().clone();
    assert_eq!(option_names(&listed), ["Alpha", "Beta"]);

    // Unused: deleted for good, answered with Status DELETED.
    let r = sim
        .req(Method::DELETE, &format!("TrackingCategories/{pid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["TrackingCategories"][0]["Status"], "DELETED");
    assert_eq!(
        sim.get(&format!("TrackingCategories/{pid}")).await.status(),
        404
    );
    assert!(find(&categories(&sim, true).await, &pid).is_none());
    assert_eq!(
        status_of(
            &sim,
            Method::DELETE,
            &format!("TrackingCategories/{pid}"),
            None
        )
        .await,
        404
    );

    // Now the archived one can be restored.
    ok(&sim, Method::POST, &path, json!({ "Status": "ACTIVE" })).await;
    assert_eq!(
        find(&categories(&sim, false).await, &rid).unwrap()["Status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn options_are_added_archived_restored_and_deleted_when_unused() {
    let sim = Sim::start(config(40)).await;
    let dept = categories(&sim, false).await[1].clone();
    let did = dept["TrackingCategoryID"].as_str().unwrap().to_string();
    let options = format!("TrackingCategories/{did}/Options");

    let v = ok(&sim, Method::PUT, &options, json!({ "Name": "Research" })).await;
    let research = v["Options"][0]["TrackingOptionID"]
        .as_str()
        .unwrap()
        .to_string();
    let v = ok(&sim, Method::PUT, &options, json!({ "Name": "Legal" })).await;
    let legal = v["Options"][0]["TrackingOptionID"]
        .as_str()
        .unwrap()
        .to_string();
    // Names are unique within the category.
    assert_eq!(
        status_of(
            &sim,
            Method::PUT,
            &options,
            Some(json!({ "Name": "legal" }))
        )
        .await,
        400
    );

    // Archive and restore by POST; archived options only with includeArchived.
    let one = format!("{options}/{research}");
    let v = ok(&sim, Method::POST, &one, json!({ "Status": "ARCHIVED" })).await;
    assert_eq!(v["Options"][0]["IsArchived"], true);
    let shown = |cats: &[Value]| option_names(find(cats, &did).unwrap());
    assert!(!shown(&categories(&sim, false).await).contains(&"Research".to_string()));
    assert!(shown(&categories(&sim, true).await).contains(&"Research".to_string()));
    let v = ok(
        &sim,
        Method::POST,
        &one,
        json!({ "Status": "ACTIVE", "Name": "R&D" }),
    )
    .await;
    assert_eq!(v["Options"][0]["Name"], "R&D");
    assert!(shown(&categories(&sim, false).await).contains(&"R&D".to_string()));

    // Used on an invoice line: refused.
    let mut body = invoice(&contact_id(&sim), "200", "DRAFT");
    body["LineItems"][0]["Tracking"] =
        json!([{ "TrackingCategoryID": did, "TrackingOptionID": legal }]);
    ok(&sim, Method::PUT, "Invoices", json!({ "Invoices": [body] })).await;
    let r = sim
        .req(Method::DELETE, &format!("{options}/{legal}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Elements"][0]["HasValidationErrors"], true);

    // Unused: deleted for good.
    let r = sim.req(Method::DELETE, &one).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let gone = &v["Options"][0];
    assert_eq!(gone["TrackingOptionID"], research.as_str());
    assert_eq!(gone["Status"], "DELETED");
    assert_eq!(gone["IsDeleted"], true);
    for archived in [false, true] {
        let cats = categories(&sim, archived).await;
        let c = find(&cats, &did).unwrap();
        assert!(
            c["Options"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["TrackingOptionID"] != research.as_str())
        );
    }
    let c = sim.one("TrackingCategories", &did).await;
    assert!(
        c["Options"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["TrackingOptionID"] != research.as_str())
    );
    assert_eq!(status_of(&sim, Method::DELETE, &one, None).await, 404);
    assert_eq!(
        status_of(&sim, Method::POST, &one, Some(json!({ "Name": "x" }))).await,
        404
    );
    let nobody = uuid::Uuid::new_v4();
    assert_eq!(
        status_of(
            &sim,
            Method::PUT,
            &format!("TrackingCategories/{nobody}/Options"),
            Some(json!({ "Name": "x" }))
        )
        .await,
        404
    );
}

#[tokio::test]
async fn option_writes_replay_by_idempotency_key_and_categories_are_capped() {
    let mut cfg = config(20);
    cfg.sizes.tracking_categories = 4;
    let sim = Sim::start(cfg).await;
    let cats = categories(&sim, true).await;
    assert_eq!(cats.len(), 4);
    // "A Xero organisation can have a maximum of two ACTIVE tracking
    // categories and four tracking categories total (ACTIVE and ARCHIVED)".
    let r = sim
        .send(
            Method::PUT,
            "TrackingCategories",
            &json!({ "Name": "Fifth" }),
        )
        .await;
    assert_eq!(r.status(), 400);

    let id = cats[0]["TrackingCategoryID"].as_str().unwrap();
    let path = format!("TrackingCategories/{id}/Options");
    let send = || {
        sim.req(Method::PUT, &path)
            .header("Idempotency-Key", "opt-1")
            .json(&json!({ "Name": "Once" }))
            .send()
    };
    let first = send().await.unwrap().text().await.unwrap();
    let second = send().await.unwrap().text().await.unwrap();
    assert_eq!(first, second);
    let c = sim.one("TrackingCategories", id).await;
    let names = option_names(&c);
    assert_eq!(names.iter().filter(|n| *n == "Once").count(), 1);
}
