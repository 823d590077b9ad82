//! `/api/v1`: the JSON API. [`routes`] is the single list the router is built from and the OpenAPI
//! test compares against, so a route cannot exist undocumented.

pub mod catalog;
pub mod openapi;
pub mod plans;
pub mod sites;

use axum::Router;
use axum::http::{HeaderValue, Method, Uri, header};
use axum::routing::{MethodRouter, any, get};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// Every API route: method, path (as in the OpenAPI document) and handler.
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/api/v1/catalog", get(catalog::get_catalog)),
        (Method::GET, "/api/v1/plans", get(plans::list_plans)),
        (Method::GET, "/api/v1/sites", get(sites::list_sites)),
        (
            Method::GET,
            "/api/v1/openapi.json",
            get(openapi::get_openapi),
        ),
    ]
}

/// `(method, path)` of every route, for checks against the OpenAPI document.
pub fn endpoints() -> Vec<(Method, &'static str)> {
    routes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// The API router, including JSON 404s for every other `/api` path so a wrong URL never gets the
/// app's index.html.
pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for (_, path, handler) in routes() {
        r = r.route(path, handler);
    }
    r.route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        // Clients revalidate every time; the catalog answers that cheaply with its ETag.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::route_not_found(uri.path())
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
