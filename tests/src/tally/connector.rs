//! The Tally connector: three entities listed by position, and a change
//! feed that answers for customers and items in one call, deletions as
//! tombstones, at most [`CDC_MAX_OBJECTS`] per entity and 30 days back.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde_json::value::RawValue;
use tether_core::auth::authorize::Redirect;
use tether_core::feed::{ChangeFeed, FeedAnswer, FeedChanges};
use tether_core::http::{Api, provider_time};
use tether_core::{
    Connector, DeletionStrategy, Endpoints, Error, KindCapabilities, ObjectKind, Page, PageRequest,
    PageToken, Paging, ParseError, ParsedObject, RateLimitPolicy, Result, Tenant, Timestamp,
};

/// Tally's entity names, as its API spells them.
pub const ENTITIES: &[&str] = &["Customer", "Item", "Account"];

/// The most changes the feed returns per entity; an answer that size may
/// have been cut.
pub const CDC_MAX_OBJECTS: usize = 1000;

/// How far back the feed reaches.
const CDC_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// Objects per listing page.
const PAGE_SIZE: u32 = 100;

/// Ids per read by ids.
const IDS_PER_READ: usize = 50;

/// Tally, the test provider.
pub struct TallyConnector;

/// One Tally entity as a kind.
pub struct TallyKind {
    name: &'static str,
    entity: &'static str,
    deletion: DeletionStrategy,
}

/// Customers: deleted outright; only the feed says so.
pub static CUSTOMERS: TallyKind = TallyKind {
    name: "customers",
    entity: "Customer",
    deletion: DeletionStrategy::Tombstone,
};

/// Items: deleted outright; only the feed says so.
pub static ITEMS: TallyKind = TallyKind {
    name: "items",
    entity: "Item",
    deletion: DeletionStrategy::Tombstone,
};

/// Accounts: never deleted, made inactive; the feed does not cover them.
pub static ACCOUNTS: TallyKind = TallyKind {
    name: "accounts",
    entity: "Account",
    deletion: DeletionStrategy::Status,
};

static KINDS: [&'static dyn ObjectKind; 3] = [&ACCOUNTS, &CUSTOMERS, &ITEMS];

/// The change feed (`/cdc`).
pub struct TallyFeed;

#[async_trait]
impl Connector for TallyConnector {
    fn id(&self) -> &'static str {
        "tally"
    }

    fn display_name(&self) -> &'static str {
        "Tally (test provider)"
    }

    fn endpoints(&self, base_url: Option<&str>) -> Endpoints {
        let base = base_url
            .unwrap_or("https://tally.invalid")
            .trim_end_matches('/');
        Endpoints {
            api: format!("{base}/v3/company"),
            token: format!("{base}/oauth2/token"),
            authorize: format!("{base}/oauth2/authorize"),
            tenants: format!("{base}/companies"),
            revoke: None,
        }
    }

    fn client_credentials(&self) -> bool {
        true
    }

    fn rate_limits(&self) -> RateLimitPolicy {
        RateLimitPolicy {
            concurrency: 4,
            per_window: 500,
            window: Duration::from_secs(60),
            per_day: None,
            app_per_window: None,
            batch_per_window: None,
        }
    }

    fn kinds(&self) -> &'static [&'static dyn ObjectKind] {
        &KINDS
    }

    /// The company a consent named on its redirect (`realmId`, as
    /// QuickBooks does), or those the app's own credentials reach.
    async fn tenants(
        &self,
        api: &Api,
        endpoints: &Endpoints,
        redirect: &Redirect,
    ) -> Result<Vec<Tenant>> {
        if let Some(realm) = redirect.get("realmId") {
            return Ok(vec![Tenant {
                id: realm.to_owned(),
                name: realm.to_owned(),
                link: None,
            }]);
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Company {
            realm_id: String,
            company_name: String,
        }
        let body = get(api, &endpoints.tenants, &[]).await?.1;
        let companies: Vec<Company> = serde_json::from_slice(&body)
            .map_err(|e| Error::invalid(format!("Tally companies: {e}")))?;
        Ok(companies
            .into_iter()
            .map(|c| Tenant {
                id: c.realm_id,
                name: c.company_name,
                link: None,
            })
            .collect())
    }

    fn change_feed(&self) -> Option<&dyn ChangeFeed> {
        Some(&TallyFeed)
    }
}

#[async_trait]
impl ObjectKind for TallyKind {
    fn name(&self) -> &'static str {
        self.name
    }

    fn capabilities(&self) -> KindCapabilities {
        KindCapabilities {
            paging: Paging::Paged {
                max_page_size: PAGE_SIZE,
            },
            modified_since: true,
            deletion: self.deletion,
            read_by_ids: Some(IDS_PER_READ),
            write: None,
        }
    }

    async fn list_page(&self, api: &Api, request: PageRequest) -> Result<Page> {
        let start: usize = match &request.token {
            Some(token) => token
                .0
                .parse()
                .map_err(|_| Error::invalid(format!("bad page token {token:?}")))?,
            None => 1,
        };
        let mut query = vec![
            ("startposition", start.to_string()),
            ("maxresults", PAGE_SIZE.to_string()),
        ];
        if let Some(since) = request.modified_since {
            query.push(("changedSince", stamp(since)));
        }
        let mut page = self.read(api, &query).await?;
        if page.objects.len() == PAGE_SIZE as usize {
            page.next = Some(PageToken((start + PAGE_SIZE as usize).to_string()));
        }
        Ok(page)
    }

    fn parse(&self, raw: &RawValue) -> std::result::Result<ParsedObject, ParseError> {
        #[derive(Deserialize)]
        struct Meta {
            #[serde(rename = "LastUpdatedTime")]
            updated: Timestamp,
        }
        #[derive(Deserialize)]
        struct Object {
            #[serde(rename = "Id")]
            id: Option<String>,
            #[serde(rename = "SyncToken")]
            sync_token: Option<String>,
            #[serde(rename = "Active", default = "active")]
            active: bool,
            #[serde(rename = "MetaData")]
            meta: Option<Meta>,
        }
        fn active() -> bool {
            true
        }
        let error = |id: Option<String>, field: &str, problem: String| ParseError {
            kind: self.name.to_owned(),
            external_id: id,
            field: field.to_owned(),
            problem,
        };
        let object: Object = serde_json::from_str(raw.get())
            .map_err(|e| error(None, "(object)", format!("not a Tally object: {e}")))?;
        let id = object
            .id
            .ok_or_else(|| error(None, "Id", "missing; expected the object's id".into()))?;
        let meta = object.meta.ok_or_else(|| {
            error(
                Some(id.clone()),
                "MetaData.LastUpdatedTime",
                "missing; expected an RFC 3339 time".into(),
            )
        })?;
        Ok(ParsedObject {
            external_id: id,
            remote_updated_at: Some(meta.updated),
            version: object.sync_token,
            deleted: self.deletion == DeletionStrategy::Status && !object.active,
            data: raw.get().to_owned(),
        })
    }

    async fn read_by_ids(&self, api: &Api, ids: &[String]) -> Result<Page> {
        self.read(api, &[("ids", ids.join(","))]).await
    }
}

impl TallyKind {
    /// One listing call, its objects raw.
    async fn read(&self, api: &Api, query: &[(&str, String)]) -> Result<Page> {
        let path = format!("{}/{}", realm(api)?, self.entity.to_lowercase());
        let (time, body) = get(api, &path, query).await?;
        let bad = |e: serde_json::Error| Error::invalid(format!("Tally {}: {e}", self.entity));
        let mut answer: QueryAnswer = serde_json::from_slice(&body).map_err(bad)?;
        let objects = match answer.query_response.remove(self.entity) {
            Some(raw) => serde_json::from_str(raw.get()).map_err(bad)?,
            None => Vec::new(),
        };
        Ok(Page {
            objects,
            next: None,
            provider_time: time,
            total_hint: None,
        })
    }
}

#[derive(Deserialize)]
struct QueryAnswer {
    #[serde(rename = "QueryResponse")]
    query_response: std::collections::HashMap<String, Box<RawValue>>,
}

#[async_trait]
impl ChangeFeed for TallyFeed {
    fn window(&self) -> Duration {
        CDC_WINDOW
    }

    fn covers(&self, kind: &str) -> bool {
        kind == CUSTOMERS.name || kind == ITEMS.name
    }

    async fn changes(&self, api: &Api, kinds: &[&str], since: Timestamp) -> Result<FeedAnswer> {
        #[derive(Deserialize)]
        struct Cdc {
            #[serde(rename = "CDCResponse")]
            responses: Vec<CdcResponse>,
        }
        #[derive(Deserialize)]
        struct CdcResponse {
            #[serde(rename = "QueryResponse")]
            entities: Vec<std::collections::HashMap<String, Vec<Box<RawValue>>>>,
        }
        #[derive(Deserialize)]
        struct Status {
            #[serde(rename = "Id")]
            id: String,
            status: Option<String>,
        }
        let asked: Vec<&TallyKind> = kinds
            .iter()
            .filter_map(|k| [&CUSTOMERS, &ITEMS].into_iter().find(|t| t.name == *k))
            .collect();
        let entities: Vec<&str> = asked.iter().map(|k| k.entity).collect();
        let path = format!("{}/cdc", realm(api)?);
        let query = [
            ("entities", entities.join(",")),
            ("changedSince", stamp(since)),
        ];
        let (time, body) = get(api, &path, &query).await?;
        let cdc: Cdc =
            serde_json::from_slice(&body).map_err(|e| Error::invalid(format!("Tally cdc: {e}")))?;
        let mut by_entity: std::collections::HashMap<String, Vec<Box<RawValue>>> = cdc
            .responses
            .into_iter()
            .flat_map(|r| r.entities)
            .flatten()
            .collect();
        let mut answer = FeedAnswer {
            provider_time: time,
            kinds: Vec::new(),
        };
        for kind in asked {
            let objects = by_entity.remove(kind.entity).unwrap_or_default();
            let mut changes = FeedChanges {
                kind: kind.name.to_owned(),
                complete: objects.len() < CDC_MAX_OBJECTS,
                ..FeedChanges::default()
            };
            for raw in objects {
                match serde_json::from_str::<Status>(raw.get()) {
                    Ok(s) if s.status.as_deref() == Some("Deleted") => {
                        changes.tombstones.push(s.id)
                    }
                    _ => changes.objects.push(raw),
                }
            }
            answer.kinds.push(changes);
        }
        Ok(answer)
    }
}

/// The company every call is for: it is part of Tally's paths.
fn realm(api: &Api) -> Result<&str> {
    api.tenant_id()
        .ok_or_else(|| Error::config("a Tally call needs a company (tenant)"))
}

/// Tally's time format in queries.
fn stamp(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `GET` with Tally's headers; the provider's clock and the body.
async fn get(
    api: &Api,
    path: &str,
    query: &[(&str, String)],
) -> Result<(Option<Timestamp>, bytes::Bytes)> {
    let response = api
        .get(path)
        .header(ACCEPT, "application/json")
        .query(query)
        .send()
        .await?;
    let status = response.status();
    let time = provider_time(response.headers());
    let body = response.bytes().await.map_err(Error::from)?;
    if !status.is_success() {
        return Err(Error::invalid(format!(
            "Tally {path}: {status}: {}",
            String::from_utf8_lossy(&body)
        )));
    }
    Ok((time, body))
}

tether_core::inventory::submit! {
    tether_core::ConnectorRegistration(&TallyConnector)
}
