//! `GET /api/v1/embed/config`: what the widget framed by a portal must know before it sends or
//! accepts a `postMessage`: the exact origins of the portals allowed to embed it.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use kaozheng_api::EmbedConfig;

use crate::state::AppState;

/// Browsers and proxies may keep the answer this long; it changes only with a restart.
pub const CACHE_CONTROL: &str = "public, max-age=60";

pub async fn get_config(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, CACHE_CONTROL)],
        Json(EmbedConfig {
            portal_origins: state.http.portal_origins.clone(),
        }),
    )
}
