//! The HTTP client for the server's JSON API (`/api/v1`).
//!
//! Every response is validated by the same core code the server uses, so a malformed catalog is
//! rejected here with a precise message and the last good catalog stays on screen.

use chrono::{DateTime, Utc};
use gloo_net::http::{Request, Response};
use kaozheng_core::{Catalog, ExamPlan, Site};
use serde::Deserialize;
use wasm_bindgen::JsCast;

/// Where the API lives; same origin as the app.
pub const API_BASE: &str = "/api/v1";
/// Phones on weak networks: give up on a request after this long and keep showing saved data.
const TIMEOUT_MS: u32 = 20_000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("network unreachable: {0}")]
    Network(String),
    #[error("the server answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl ApiError {
    /// True when the failure says nothing about the data, only that we could not reach the server.
    pub fn is_network(&self) -> bool {
        matches!(self, ApiError::Network(_))
    }
}

/// A catalog response: new content with its tag, or "what you have is current".
pub enum Fetched<T> {
    Fresh { value: T, etag: Option<String> },
    NotModified,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PlansResponse {
    #[serde(with = "kaozheng_core::time::cst")]
    pub as_of: DateTime<Utc>,
    pub plans: Vec<ExamPlan>,
}

#[derive(Debug, Clone, Deserialize)]
struct SitesResponse {
    sites: Vec<Site>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    message: String,
}

async fn get(path: &str, etag: Option<&str>) -> Result<Response, ApiError> {
    let controller = web_sys::AbortController::new().map_err(|e| ApiError::Network(js_text(&e)))?;
    let signal = controller.signal();
    let timer = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    let mut req = Request::get(&format!("{API_BASE}{path}"))
        .header("Accept", "application/json")
        // Revalidation is ours (ETag in IndexedDB); the HTTP cache would only hide 304s.
        .cache(web_sys::RequestCache::NoStore)
        .abort_signal(Some(&signal));
    if let Some(tag) = etag {
        req = req.header("If-None-Match", tag);
    }
    let res = req
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()));
    drop(timer);
    res
}

async fn error_for(res: Response) -> ApiError {
    let status = res.status();
    let message = match res.json::<ErrorBody>().await {
        Ok(b) => b.error.message,
        Err(_) => res.status_text(),
    };
    ApiError::Status { status, message }
}

async fn body(res: Response) -> Result<String, ApiError> {
    res.text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// Fetches the catalog, sending the tag of the copy we hold.
pub async fn fetch_catalog(etag: Option<&str>) -> Result<Fetched<Catalog>, ApiError> {
    let res = get("/catalog", etag).await?;
    match res.status() {
        304 => Ok(Fetched::NotModified),
        200 => {
            let etag = res.headers().get("etag");
            let text = body(res).await?;
            let value = Catalog::parse(&text).map_err(|e| ApiError::Invalid(e.to_string()))?;
            Ok(Fetched::Fresh { value, etag })
        }
        _ => Err(error_for(res).await),
    }
}

pub async fn fetch_plans() -> Result<PlansResponse, ApiError> {
    let res = get("/plans", None).await?;
    if res.status() != 200 {
        return Err(error_for(res).await);
    }
    let text = body(res).await?;
    let plans: PlansResponse =
        serde_json::from_str(&text).map_err(|e| ApiError::Invalid(format!("exam plans: {e}")))?;
    for p in &plans.plans {
        p.check_times().map_err(|field| {
            ApiError::Invalid(format!("exam plan {}: {field} out of order", p.id))
        })?;
    }
    Ok(plans)
}

pub async fn fetch_sites() -> Result<Vec<Site>, ApiError> {
    let res = get("/sites", None).await?;
    if res.status() != 200 {
        return Err(error_for(res).await);
    }
    let text = body(res).await?;
    serde_json::from_str::<SitesResponse>(&text)
        .map(|s| s.sites)
        .map_err(|e| ApiError::Invalid(format!("exam sites: {e}")))
}

/// A readable text for a JS exception.
pub fn js_text(v: &wasm_bindgen::JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string()
        .or_else(|| js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "unknown error".into())
}
