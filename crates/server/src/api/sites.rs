//! `GET /api/v1/sites`: every exam site, tagged by content so a phone with the current list gets
//! a 304.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use kaozheng_api::SiteList;
use kaozheng_core::hash::content_version;

use super::catalog::revalidated;
use crate::catalog_cache::weak_etag;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn list_sites(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let body = serde_json::to_string(&SiteList {
        sites: db::sites::list(&state.db.pool).await?,
    })
    .expect("sites serialize");
    Ok(revalidated(
        &headers,
        weak_etag(&content_version(&body)),
        body,
    ))
}
