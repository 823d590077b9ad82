//! `/api/v1`: the JSON API. Every route is an endpoint of the contract (`kaozheng_api::endpoints`),
//! which the OpenAPI document is built from too, so a route cannot exist undocumented.

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
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, any, on};
use kaozheng_api::Endpoint;
use kaozheng_api::endpoints as e;
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

/// Routes an endpoint of the contract to its handler, under the endpoint's own method and path.
trait Route: Endpoint {
    fn route<H: Handler<T, AppState>, T: 'static>(
        handler: H,
    ) -> (Method, &'static str, MethodRouter<AppState>) {
        let (method, filter) = match Self::METHOD {
            kaozheng_api::Method::Get => (Method::GET, MethodFilter::GET),
            kaozheng_api::Method::Post => (Method::POST, MethodFilter::POST),
            kaozheng_api::Method::Put => (Method::PUT, MethodFilter::PUT),
            kaozheng_api::Method::Delete => (Method::DELETE, MethodFilter::DELETE),
        };
        (method, Self::PATH, on(filter, handler))
    }
}

impl<E: Endpoint> Route for E {}

/// Every API route: one per endpoint of the contract ([`kaozheng_api::endpoints`]), which the
/// OpenAPI document lists too.
pub fn routes(limits: BodyLimits) -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    let (method, path, import) = e::Import::route(admin::import);
    vec![
        e::GetCatalog::route(catalog::get_catalog),
        e::ListPlans::route(plans::list_plans),
        e::ListSites::route(sites::list_sites),
        e::GetRuleSet::route(rules::get_rule_set),
        e::GetFeeRules::route(rules::get_rules::<e::GetFeeRules>),
        e::GetGradeRules::route(rules::get_grade_rules),
        e::GetCreditRules::route(rules::get_rules::<e::GetCreditRules>),
        e::GetGraduationRules::route(rules::get_rules::<e::GetGraduationRules>),
        e::GetEligibilityRules::route(rules::get_rules::<e::GetEligibilityRules>),
        e::VerifyTicket::route(tickets::verify),
        e::VerifyCertificate::route(certificates::verify),
        e::Login::route(auth::login),
        e::Embed::route(auth::embed),
        e::GetEmbedConfig::route(embed::get_config),
        e::GetHealth::route(health::get_health),
        e::Logout::route(auth::logout),
        e::GetMe::route(me::get_me),
        e::ListRegistrations::route(registrations::list),
        e::Register::route(registrations::create),
        e::CancelRegistration::route(registrations::cancel),
        e::ListResults::route(results::list),
        e::GetCredits::route(credits::get_credits),
        e::ListFeedback::route(feedback::list),
        e::FeedbackAggregates::route(feedback::aggregates),
        e::PutFeedback::route(feedback::put),
        e::ExportFeedback::route(feedback::export_csv),
        (
            method,
            path,
            import.layer(DefaultBodyLimit::max(limits.import)),
        ),
        e::StaffLogin::route(staff::login),
        e::StaffLogout::route(staff::logout),
        e::StaffMe::route(staff::me),
        e::StaffPlans::route(school::list_plans),
        e::MovePlanPhase::route(school::move_phase),
        e::ExportRegistrations::route(school::export_registrations),
        e::GetOpenApi::route(openapi::get_openapi),
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
