//! `GET /{Collection}` and `GET /{Collection}/{id}`: the Xero envelope with
//! objects concatenated from their stored JSON.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use uuid::Uuid;

use super::collections::Kind;
use super::dates::{now_ms, parse_if_modified_since, xero_date_plain};
use super::errors::{json_text, not_found, query_parse};
use super::kinds::contact_by_number_in;
use super::model::TrackingCategory;
use super::query::{ListQuery, parse_list};
use super::rawjson::push_without;
use super::server::{AppState, TenantExt};
use super::store::{Dataset, Entry};

/// Starts a Xero envelope: `{"Id":..,"Status":"OK","ProviderName":..,"DateTimeUTC":..,`
pub(crate) fn envelope_start(app: &AppState, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity + 200);
    out.push_str("{\"Id\":\"");
    out.push_str(&Uuid::new_v4().to_string());
    out.push_str("\",\"Status\":\"OK\",\"ProviderName\":");
    out.push_str(&serde_json::to_string(&app.provider.name).unwrap_or_else(|_| "\"\"".into()));
    out.push_str(",\"DateTimeUTC\":\"");
    out.push_str(&xero_date_plain(now_ms()));
    out.push_str("\",");
    out
}

/// A whole envelope around objects given as JSON text.
pub(crate) fn envelope(app: &AppState, kind: Kind, objects: &[String]) -> String {
    let size: usize = objects.iter().map(|o| o.len() + 1).sum();
    let mut out = envelope_start(app, size);
    out.push('"');
    out.push_str(kind.desc().name);
    out.push_str("\":[");
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(o);
    }
    out.push_str("]}");
    out
}

/// Appends one object as a list shows it.
fn push_listed(out: &mut String, kind: Kind, q: &ListQuery, e: &Entry) {
    let d = kind.desc();
    if q.summary_only {
        push_without(out, &e.raw, d.summary_strip.unwrap_or_default());
    } else if q.page.is_none() && d.paged && d.lines_field.is_some() {
        // Unpaged lists leave line items out, as Xero does.
        push_without(out, &e.raw, &[d.lines_field.unwrap_or_default()]);
    } else if kind == Kind::TrackingCategories && !q.include_archived {
        match serde_json::from_str::<TrackingCategory>(&e.raw) {
            Ok(mut c) => {
                if let Some(o) = c.Options.as_mut() {
                    o.retain(|o| o.Status.as_deref() != Some("ARCHIVED"));
                }
                out.push_str(&serde_json::to_string(&c).unwrap_or_else(|_| e.raw.to_string()));
            }
            Err(_) => out.push_str(&e.raw),
        }
    } else {
        out.push_str(&e.raw);
    }
}

fn list_body(app: &AppState, kind: Kind, q: &ListQuery, data: &Dataset) -> String {
    let col = data.col(kind);
    let sel = col.select(q);
    let mut out = envelope_start(app, sel.ids.len() * 1600);
    if let Some((page, size)) = q.page {
        let count = sel.total.div_ceil(size as usize);
        out.push_str(&format!(
            "\"pagination\":{{\"page\":{page},\"pageSize\":{size},\"pageCount\":{count},\"itemCount\":{}}},",
            sel.total
        ));
    }
    out.push('"');
    out.push_str(kind.desc().name);
    out.push_str("\":[");
    let mut first = true;
    for id in &sel.ids {
        if let Some(e) = col.get(id) {
            if !first {
                out.push(',');
            }
            first = false;
            push_listed(&mut out, kind, q, e);
        }
    }
    out.push_str("]}");
    out
}

/// `GET /api.xro/2.0/{Collection}`.
pub(crate) async fn list(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path(collection): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let Some(kind) = Kind::from_path(&collection) else {
        return not_found();
    };
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_if_modified_since);
    let q = match parse_list(kind, &pairs, since) {
        Ok(q) => q,
        Err(e) => return query_parse(&e.0),
    };
    let tenant = tenant.0.clone();
    let body = tokio::task::spawn_blocking(move || {
        let data = tenant.data.read().ok()?;
        Some(list_body(&app, kind, &q, &data))
    })
    .await;
    match body {
        Ok(Some(b)) => json_text(StatusCode::OK, b),
        _ => errors_internal(),
    }
}

fn errors_internal() -> Response {
    super::errors::injected(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The id of an object named in a path: its GUID, or its number/code where
/// Xero accepts one (InvoiceNumber, CreditNoteNumber, ContactNumber, item Code, TaxType).
pub(crate) fn resolve_id(data: &Dataset, kind: Kind, key: &str) -> Option<Uuid> {
    let col = data.col(kind);
    if kind != Kind::TaxRates
        && let Ok(id) = Uuid::parse_str(key)
    {
        return col.get(&id).map(|_| id);
    }
    match kind {
        Kind::Invoices | Kind::CreditNotes | Kind::TaxRates => col.find_number(key),
        Kind::Items => col.find_number_ci(key),
        Kind::Contacts => contact_by_number_in(data, key),
        _ => None,
    }
}

/// `GET /api.xro/2.0/{Collection}/{id}`.
pub(crate) async fn get_one(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path((collection, key)): Path<(String, String)>,
) -> Response {
    let Some(kind) = Kind::from_path(&collection) else {
        return not_found();
    };
    let raw = {
        let Ok(data) = tenant.data.read() else {
            return errors_internal();
        };
        resolve_id(&data, kind, &key)
            .and_then(|id| data.col(kind).get(&id))
            .map(|e| e.raw.to_string())
    };
    match raw {
        Some(raw) => json_text(StatusCode::OK, envelope(&app, kind, &[raw])),
        None => not_found(),
    }
}
