//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document built from the API contract
//! ([`kaozheng_api::openapi::document`]) once per process. Tests validate real responses against
//! its schemas, which keeps it true.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;

/// The document as served.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        serde_json::to_string(&kaozheng_api::openapi::document()).expect("the document serializes")
    })
}

pub async fn get_openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], json())
}
