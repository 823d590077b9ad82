//! `GET /api/v1/sites`: every exam site, tagged by content so a phone with the current list gets
//! a 304.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
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
    let (sites, tag) = site_list(&state).await?;
    let body = serde_json::to_string(&sites).expect("sites serialize");
    Ok(revalidated(&headers, tag, body))
}

/// Every exam site with the list's tag (see `plans::plan_list`).
pub async fn site_list(state: &AppState) -> Result<(SiteList, HeaderValue), ApiError> {
    let sites = SiteList {
        sites: db::sites::list(&state.db.pool).await?,
    };
    let tag = weak_etag(&content_version(
        &serde_json::to_string(&sites).expect("sites serialize"),
    ));
    Ok((sites, tag))
}
