//! `/api/v1`: the JSON API. [`routes`] is the single list the router is built from and the OpenAPI
//! test compares against, so a route cannot exist undocumented.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod certificates;
pub mod credits;
pub mod embed;
pub mod feedback;
pub mod health;
pub mod json;
pub mod me;
pub mod openapi;
pub mod plans;
pub mod registrations;
pub mod results;
pub mod rules;
pub mod school;
pub mod sites;
pub mod staff;
pub mod text;
pub mod tickets;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, delete, get, post, put};
use kaozheng_core::rules::{CreditRules, EligibilityRules, FeeRules, GraduationRules};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// Request body limits: small for the student API, large for administrators' import files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    pub api: usize,
    pub import: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            api: 64 * 1024,
            import: 16 * 1024 * 1024,
        }
    }
}

/// Every API route: method, path (as in the OpenAPI document) and handler.
pub fn routes(limits: BodyLimits) -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/api/v1/catalog", get(catalog::get_catalog)),
        (Method::GET, "/api/v1/plans", get(plans::list_plans)),
        (Method::GET, "/api/v1/sites", get(sites::list_sites)),
        (
            Method::GET,
            "/api/v1/rules/fees",
            get(rules::get_rules::<FeeRules>),
        ),
        (
            Method::GET,
            "/api/v1/rules/grades",
            get(rules::get_grade_rules),
        ),
        (
            Method::GET,
            "/api/v1/rules/credits",
            get(rules::get_rules::<CreditRules>),
        ),
        (
            Method::GET,
            "/api/v1/rules/graduation",
            get(rules::get_rules::<GraduationRules>),
        ),
        (
            Method::GET,
            "/api/v1/rules/eligibility",
            get(rules::get_rules::<EligibilityRules>),
        ),
        (Method::GET, "/api/v1/tickets/verify", get(tickets::verify)),
        (
            Method::GET,
            "/api/v1/certificates/verify",
            get(certificates::verify),
        ),
        (Method::POST, "/api/v1/auth/login", post(auth::login)),
        (Method::POST, "/api/v1/auth/embed", post(auth::embed)),
        (Method::GET, "/api/v1/embed/config", get(embed::get_config)),
        (Method::GET, "/api/v1/health", get(health::get_health)),
        (Method::POST, "/api/v1/auth/logout", post(auth::logout)),
        (Method::GET, "/api/v1/me", get(me::get_me)),
        (
            Method::GET,
            "/api/v1/registrations",
            get(registrations::list),
        ),
        (
            Method::POST,
            "/api/v1/registrations",
            post(registrations::create),
        ),
        (
            Method::DELETE,
            "/api/v1/registrations/{id}",
            delete(registrations::cancel),
        ),
        (Method::GET, "/api/v1/results", get(results::list)),
        (Method::GET, "/api/v1/credits", get(credits::get_credits)),
        (Method::GET, "/api/v1/feedback", get(feedback::list)),
        (
            Method::GET,
            "/api/v1/feedback/aggregates",
            get(feedback::aggregates),
        ),
        (
            Method::PUT,
            "/api/v1/feedback/{certificate_id}/{level}",
            put(feedback::put),
        ),
        (
            Method::GET,
            "/api/v1/admin/export/feedback.csv",
            get(feedback::export_csv),
        ),
        (
            Method::POST,
            "/api/v1/admin/import/{kind}",
            post(admin::import).layer(DefaultBodyLimit::max(limits.import)),
        ),
        (Method::POST, "/api/v1/auth/staff/login", post(staff::login)),
        (
            Method::POST,
            "/api/v1/auth/staff/logout",
            post(staff::logout),
        ),
        (Method::GET, "/api/v1/admin/me", get(staff::me)),
        (Method::GET, "/api/v1/admin/plans", get(school::list_plans)),
        (
            Method::POST,
            "/api/v1/admin/plans/{id}/phase",
            post(school::move_phase),
        ),
        (
            Method::GET,
            "/api/v1/admin/export/registrations",
            get(school::export_registrations),
        ),
        (
            Method::GET,
            "/api/v1/openapi.json",
            get(openapi::get_openapi),
        ),
    ]
}

/// Runs a state-changing request to its end even when the client goes away. Dropping the
/// handler half-way through a database transaction would leave that pooled connection unusable
/// (and every later write failing); finished, the client's retry with the same `client_id`
/// simply gets the committed answer. Shutdown waits for these (see [`AppState::writes`]).
pub async fn finish_writes(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if req.method().is_safe() {
        return next.run(req).await;
    }
    let running = state.writes.clone().read_owned().await;
    let task = tokio::spawn(async move {
        let res = next.run(req).await;
        drop(running);
        res
    });
    match task.await {
        Ok(res) => res,
        Err(e) => {
            tracing::error!(error = %e, "a request handler failed");
            ApiError::internal().into_response()
        }
    }
}

/// `(method, path)` of every route, for checks against the OpenAPI document.
pub fn endpoints() -> Vec<(Method, &'static str)> {
    routes(BodyLimits::default())
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect()
}

/// The API router, including JSON 404s for every other `/api` path so a wrong URL never gets the
/// app's index.html. `cors_origins` may call it from browsers; no others (same origin only).
pub fn router(limits: BodyLimits, cors_origins: &[String]) -> Router<AppState> {
    let mut r = Router::new();
    for (_, path, handler) in routes(limits) {
        r = r.route(path, handler);
    }
    let r = r
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(text::require_text))
        .layer(DefaultBodyLimit::max(limits.api))
        // Clients revalidate every time; the catalog answers that cheaply with its ETag.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    if cors_origins.is_empty() {
        return r;
    }
    let origins: Vec<HeaderValue> = cors_origins
        .iter()
        .map(|o| HeaderValue::from_str(o).expect("origins are checked when the config is"))
        .collect();
    r.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_NONE_MATCH,
            ])
            .expose_headers([header::ETAG, header::RETRY_AFTER])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::route_not_found(uri.path())
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
