//! `GET /api/v1/sites`: every exam site.

use axum::Json;
use axum::extract::State;
use kaozheng_core::Site;
use serde::Serialize;

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct SiteList {
    pub sites: Vec<Site>,
}

pub async fn list_sites(State(state): State<AppState>) -> Result<Json<SiteList>, ApiError> {
    Ok(Json(SiteList {
        sites: db::sites::list(&state.db.pool).await?,
    }))
}
