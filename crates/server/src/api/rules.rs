//! `GET /api/v1/rules/<kind>`: the rule document in use, revalidated by ETag like the catalog.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::catalog::if_none_match;
use crate::db;
use crate::error::ApiError;
use crate::rules::RuleDocument;
use crate::state::{AppState, weak_etag};

pub async fn get_rules<T: RuleDocument>(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut conn = state.db.pool.acquire().await.map_err(db::DbError::from)?;
    let stored = db::rules::current(&mut conn, T::KIND)
        .await?
        .ok_or_else(|| {
            ApiError::unavailable(
                format!("no {} rules have been imported yet", T::KIND),
                "尚未导入该规则",
            )
        })?;
    let etag = weak_etag(&stored.version);
    let mut res = if if_none_match(&headers, &etag) {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        res
    } else {
        let mut res = Response::new(Body::from(stored.body));
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        res
    };
    res.headers_mut().insert(header::ETAG, etag);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}
