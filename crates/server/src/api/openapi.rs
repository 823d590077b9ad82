//! `GET /api/v1/openapi.json`: the hand-written OpenAPI 3.1 document (`openapi.json` in the crate).
//! Tests validate real responses against its schemas, which keeps it true.

use axum::http::header;
use axum::response::IntoResponse;

pub const OPENAPI_JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"));

pub async fn get_openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}
