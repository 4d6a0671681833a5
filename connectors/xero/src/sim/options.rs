//! The tracking option endpoints of the spec:
//! `PUT /TrackingCategories/{id}/Options` adds options,
//! `POST /TrackingCategories/{id}/Options/{option}` renames, archives or
//! restores one, `DELETE` of the same path removes an unused one. Each
//! answers an `Options` envelope.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use uuid::Uuid;

use super::collections::Kind;
use super::dates::now_ms;
use super::error_body::XeroErrors;
use super::errors::{self, not_found};
use super::idempotency::{Answer, fingerprint, json_answer, not_found_answer, run_keyed};
use super::kinds::{self, Ctx, Failure};
use super::model::OptionAnswer;
use super::reads::envelope_start;
use super::server::{AppState, Tenant, TenantExt};
use super::writes::{elements, idempotency_key};

/// The category of a `/{collection}/{id}/{sub}` path when it names
/// `TrackingCategories/{id}/Options` (paths are case-insensitive).
fn category(collection: &str, id: &str, sub: &str) -> Option<Uuid> {
    (Kind::from_path(collection) == Some(Kind::TrackingCategories)
        && sub.eq_ignore_ascii_case("Options"))
    .then(|| Uuid::parse_str(id).ok())
    .flatten()
}

/// `{"Id":..,"Options":[...]}`.
fn options_body(app: &AppState, options: &[OptionAnswer]) -> String {
    let list = serde_json::to_string(options).unwrap_or_else(|_| "[]".into());
    let mut out = envelope_start(app, list.len());
    out.push_str("\"Options\":");
    out.push_str(&list);
    out.push('}');
    out
}

/// The answer of an option operation: the options, Xero's validation
/// error, or its 404 when the category or option does not exist.
fn answer(app: &AppState, r: Result<Option<Vec<OptionAnswer>>, Failure>) -> Answer {
    match r {
        Ok(Some(list)) => json_answer(StatusCode::OK, options_body(app, &list)),
        Ok(None) => not_found_answer(),
        Err(f) => json_answer(
            StatusCode::BAD_REQUEST,
            errors::validation_body(&[f.echo.to_string()]),
        ),
    }
}

/// Runs `op` on the tenant's data; every change is undone when it fails.
fn with_ctx(
    tenant: &Tenant,
    op: impl FnOnce(&mut Ctx) -> Result<Option<Vec<OptionAnswer>>, Failure>,
) -> Result<Option<Vec<OptionAnswer>>, Failure> {
    let mut data = match tenant.data.write() {
        Ok(d) => d,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut ctx = Ctx::new(&mut data, now_ms());
    let r = op(&mut ctx);
    if r.is_err() {
        ctx.rollback_to(0);
    }
    r
}

/// The elements of an option write.
type Elements = Vec<serde_json::Map<String, serde_json::Value>>;

/// A keyed write (`PUT`/`POST`) of an option path.
#[allow(clippy::too_many_arguments)]
async fn write(
    app: AppState,
    tenant: TenantExt,
    method: &str,
    path: String,
    raw: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    op: impl FnOnce(&mut Ctx, Elements) -> Result<Option<Vec<OptionAnswer>>, Failure> + Send + 'static,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let fp = fingerprint(method, &path, raw.as_deref().unwrap_or(""), &body);
    let els = match elements("Options", &body) {
        Ok(e) if e.is_empty() => Err(Answer::of(errors::no_data("Options")).await),
        Ok(e) => Ok(e),
        Err(r) => Err(Answer::of(r).await),
    };
    run_keyed(
        tenant.0.clone(),
        key,
        fp,
        &XeroErrors,
        move |tenant| match els {
            Ok(els) => answer(&app, with_ctx(tenant, |ctx| op(ctx, els))),
            Err(a) => a,
        },
    )
    .await
}

/// `PUT /api.xro/2.0/TrackingCategories/{id}/Options`.
pub(crate) async fn put(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path((collection, id, sub)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(cat) = category(&collection, &id, &sub) else {
        return not_found();
    };
    let path = format!("TrackingCategories/{cat}/Options");
    write(
        app,
        tenant,
        "PUT",
        path,
        raw,
        headers,
        body,
        move |ctx, els| kinds::add_options(ctx, cat, &els),
    )
    .await
}

/// `POST /api.xro/2.0/TrackingCategories/{id}/Options/{option}`.
pub(crate) async fn post(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path((collection, id, sub, option)): Path<(String, String, String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (Some(cat), Ok(opt)) = (category(&collection, &id, &sub), Uuid::parse_str(&option)) else {
        return not_found();
    };
    let path = format!("TrackingCategories/{cat}/Options/{opt}");
    write(
        app,
        tenant,
        "POST",
        path,
        raw,
        headers,
        body,
        move |ctx, els| {
            let el = els.into_iter().next().unwrap_or_default();
            kinds::update_option(ctx, cat, opt, &el).map(|o| o.map(|o| vec![o]))
        },
    )
    .await
}

/// `DELETE /api.xro/2.0/TrackingCategories/{id}/Options/{option}`.
pub(crate) async fn delete(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path((collection, id, sub, option)): Path<(String, String, String, String)>,
) -> Response {
    let (Some(cat), Ok(opt)) = (category(&collection, &id, &sub), Uuid::parse_str(&option)) else {
        return not_found();
    };
    let tenant = tenant.0.clone();
    let out = tokio::task::spawn_blocking(move || {
        let r = with_ctx(&tenant, |ctx| {
            kinds::delete_option(ctx, cat, opt).map(|o| o.map(|o| vec![o]))
        });
        answer(&app, r)
    })
    .await;
    match out {
        Ok(a) => a.into_response(),
        Err(_) => errors::injected(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[cfg(test)]
mod tests {
    use super::category;

    #[test]
    fn only_tracking_category_options() {
        let id = uuid::Uuid::new_v4();
        let s = id.to_string();
        assert_eq!(category("TrackingCategories", &s, "Options"), Some(id));
        assert_eq!(category("trackingcategories", &s, "options"), Some(id));
        assert_eq!(category("Invoices", &s, "Options"), None);
        assert_eq!(category("TrackingCategories", &s, "History"), None);
        assert_eq!(category("TrackingCategories", "nope", "Options"), None);
    }
}
